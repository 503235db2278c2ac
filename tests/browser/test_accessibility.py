"""Accessibility of the main pages, checked with axe-core (axe-playwright-python) on the demo
data: no serious or critical violation. And taking a position on a section with the keyboard
alone, with the focus visible at every step."""

import re
from io import StringIO

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

from consultations.models import Consultation, Position
from consultations.selectors import consultation_url
from policies.models import PolicyPage
from ratification.models import Vote

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BLOCKING = ("serious", "critical")
IMPACTS = ("minor", "moderate", "serious", "critical")


def _sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("accord-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=re.compile(f"Sign out {username}"))).to_be_visible()


def _main_pages() -> dict[str, str]:
    policy = PolicyPage.objects.get(slug="shared-conduct-baseline")
    latest = policy.versions.order_by("-number").first().number
    summarised = Consultation.objects.get(state="summarised")
    open_one = Consultation.objects.filter(state="open").order_by("-pk").first()
    closed_vote = Vote.objects.filter(state="closed").first()
    current_vote = Vote.objects.filter(state="open").first()
    return {
        "policy": policy.url,
        "compare": f"{policy.url}compare/{latest - 1}/{latest}/",
        "compare side by side": f"{policy.url}compare/{latest - 1}/{latest}/?view=side",
        "consultation": consultation_url(open_one),
        "summary": consultation_url(summarised) + "summary/",
        "community": "/communities/alder-wiki/",
        "dashboard": "/adoption/",
        "vote": f"/votes/{current_vote.pk}/",
        "vote results": f"/votes/{closed_vote.pk}/results/",
    }


def _audit(page, axe, url, *, open_details=False) -> dict:
    page.goto(url)
    if open_details:  # forms folded in <details> are not rendered, so axe would skip them
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    results = axe.run(page)
    counts = dict.fromkeys(IMPACTS, 0)
    blocking = []
    for violation in results.response["violations"]:
        impact = violation.get("impact") or "minor"
        counts[impact] += len(violation["nodes"])
        if impact in BLOCKING:
            targets = [n["target"] for n in violation["nodes"]][:5]
            blocking.append(f"{violation['id']} ({impact}): {violation['help']} — {targets}")
    # "Incomplete": what axe could not decide (e.g. contrast over an image); shown, not failed.
    counts["needs review"] = sum(len(i["nodes"]) for i in results.response["incomplete"])
    return {"counts": counts, "blocking": blocking}


def test_main_pages_have_no_serious_or_critical_violations(live_server, page, capsys):
    axe = Axe()
    # Control: axe does find violations on a page built to have them.
    page.set_content("<html><body><img src='x.png'><input type=text></body></html>")
    found = {v["id"] for v in axe.run(page).response["violations"]}
    assert {"image-alt", "label", "html-has-lang"} <= found, found

    call_command("seed_demo", stdout=StringIO())
    base = live_server.url
    report, blocking = {}, {}
    pages = _main_pages()
    for who in ("anonymous", "kim", "fran"):
        if who != "anonymous":
            _sign_in(page, base, who)
        for name, url in pages.items():
            for unfolded in (False, True):
                result = _audit(page, axe, base + url, open_details=unfolded)
                label = f"{name} ({who}{', details open' if unfolded else ''})"
                report[label] = result["counts"]
                if result["blocking"]:
                    blocking[label] = result["blocking"]
    with capsys.disabled():
        print("\naxe-core violations (affected nodes by impact):")
        for name, counts in report.items():
            print(f"  {name:48} " + "  ".join(f"{k} {v}" for k, v in counts.items()))
    assert blocking == {}


def _focus_is_visible(page) -> bool:
    """The focused element draws an outline (or a box shadow) that is not transparent."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          if (!el || el === document.body) return false;
          const style = getComputedStyle(el);
          const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
            && !style.outlineColor.endsWith(', 0)') && style.outlineColor !== 'transparent';
          return outline || (style.boxShadow && style.boxShadow !== 'none');
        }"""
    )


def _tab_to(page, predicate: str, *, limit=400, backwards=False) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches `predicate` (a JS function of
    the element), checking at every step that the focus is visible."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate(f"({predicate})(document.activeElement)"):
            assert _focus_is_visible(page), page.evaluate("document.activeElement.outerHTML")
            return
        if page.evaluate("document.activeElement !== document.body"):
            assert _focus_is_visible(page), page.evaluate("document.activeElement.outerHTML")
    raise AssertionError(f"Tab never reached {predicate}")


def _arrow_to(page, value: str) -> None:
    """In a radio group, ArrowDown moves the focus and the choice together."""
    for _ in range(4):
        if page.evaluate("document.activeElement.value") == value:
            assert page.evaluate("document.activeElement.checked")
            assert _focus_is_visible(page)
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"the arrow keys never reached {value}")


def test_taking_a_position_with_the_keyboard_alone(live_server, page):
    call_command("seed_demo", stdout=StringIO())
    base = live_server.url
    consultation = Consultation.objects.filter(state="open").order_by("-pk").first()
    section = consultation.version.sections.order_by("position").last()
    url = base + consultation_url(consultation)

    # Sign in with the keyboard: the user name has the focus already.
    page.goto(f"{base}/accounts/login/?next={consultation_url(consultation)}")
    assert page.evaluate("document.activeElement.id") == "id_username"
    assert _focus_is_visible(page)
    page.keyboard.type("sam")
    page.keyboard.press("Tab")
    assert _focus_is_visible(page)
    page.keyboard.type("accord-demo")
    page.keyboard.press("Enter")
    page.wait_for_url(url)

    # The first Tab reaches the skip link, shown on focus; Enter jumps past the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert _focus_is_visible(page)
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"

    # To the section's "Take a position" disclosure; open it with Enter.
    summary = f"#section-{section.key} .position-tool > summary"
    _tab_to(page, f"el => el.matches({summary!r})")
    page.keyboard.press("Enter")
    expect(page.locator(f"#section-{section.key} .position-tool")).to_have_attribute("open", "")

    # The stance radios: Tab into the group, arrow to "Oppose", Space to be sure it is chosen.
    _tab_to(page, "el => el.name === 'stance'")
    _arrow_to(page, "oppose")
    page.keyboard.press("Space")
    # Strength: arrow to "Strongly".
    _tab_to(page, "el => el.name === 'strength'")
    _arrow_to(page, "strong")
    # The reason, then Shift+Tab back to check the choice survived, then submit from the button.
    _tab_to(page, "el => el.name === 'reason'")
    page.keyboard.type("Keyboard only: the reporting route needs a deadline.")
    _tab_to(page, "el => el.name === 'strength'", backwards=True)
    assert page.evaluate("document.activeElement.value") == "strong"
    _tab_to(page, "el => el.type === 'submit' && el.closest('.position-form')")
    page.keyboard.press("Enter")

    expect(page.get_by_text("Your position is recorded.")).to_be_visible()
    position = Position.objects.get(
        consultation=consultation, section_key=section.key, user__username="sam"
    )
    assert (position.stance, position.strength) == ("oppose", "strong")
    assert position.reason == "Keyboard only: the reporting route needs a deadline."
