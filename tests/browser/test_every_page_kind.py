"""Every kind of page the site serves, on the demo data, signed out and signed in, at 1280 px and
at 390 px (a phone): it answers 200, nothing scrolls sideways at 390 px
(`document.documentElement.scrollWidth <= 390`: wide tables scroll inside their own box, long
hashes and log lines wrap, the header folds), and axe-core (axe-playwright-python, from PyPI)
finds no violation of any impact. Forms folded in <details> are opened first, so both checks
see them too."""

from io import StringIO

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

from communities.models import Adoption
from consultations.models import Consultation, Position
from consultations.selectors import consultation_url
from policies.models import PolicyPage
from ratification.models import Vote

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = 390
WIDTHS = (1280, PHONE)
SIGNED_IN = "fran"  # the demo facilitator: sees every tool a public page offers


def _page_kinds() -> dict[str, str]:
    """One address of each kind of page, by name."""
    policy = PolicyPage.objects.get(slug="shared-conduct-baseline")
    latest = policy.versions.order_by("-number").first().number
    summarised = Consultation.objects.get(state="summarised")
    open_one = Consultation.objects.filter(state="open").order_by("-pk").first()
    position = Position.objects.filter(consultation=open_one).first()
    closed_vote = Vote.objects.filter(state="closed").first()
    open_vote = Vote.objects.filter(state="open").first()
    adoption = Adoption.objects.select_related("community").exclude(version=None).first()
    compare = f"{policy.url}compare/{latest - 1}/{latest}/"
    return {
        "home": "/",
        "policy": policy.url,
        "versions": f"{policy.url}versions/",
        "version": f"{policy.url}versions/1/",
        "compare picker": f"{policy.url}compare/",
        "compare inline": compare,
        "compare side by side": f"{compare}?view=side",
        "compare rendered": f"{compare}?view=rendered",
        "consultation list": f"{policy.url}consultations/",
        "consultation": consultation_url(open_one),
        "show all positions": (
            f"{consultation_url(open_one)}sections/{position.section_key}/positions/"
        ),
        "summary": consultation_url(summarised) + "summary/",
        "moderation log": consultation_url(open_one) + "moderation/",
        "private feedback": consultation_url(open_one) + "feedback/",
        "registry": "/communities/",
        "community": f"/communities/{adoption.community.slug}/",
        "effective text": f"/communities/{adoption.community.slug}/{policy.slug}/effective/",
        "dashboard": "/adoption/",
        "ratification": f"{policy.url}ratification/",
        "votes": "/votes/",
        "vote": f"/votes/{open_vote.pk}/",
        "eligibility": f"/votes/{open_vote.pk}/eligibility/",
        "closed vote": f"/votes/{closed_vote.pk}/",
        "results": f"/votes/{closed_vote.pk}/results/",
        "receipt check": f"/votes/{closed_vote.pk}/receipt/",
        "voters": f"/votes/{closed_vote.pk}/voters/",
        "vote log": f"/votes/{closed_vote.pk}/log/",
        "translations": f"{policy.url}translations/",
        "translation": f"{policy.url}translations/de/",
        "search": "/search/?q=conduct",
        "transparency log": "/log/",
        "API docs": "/api/docs/",
    }


SIGNED_OUT_ONLY = {
    "sign in": "/accounts/login/",
    "password reset": "/accounts/password/reset/",
}
SIGNED_IN_ONLY = {
    "profile": "/accounts/profile/",
    "email addresses": "/accounts/email/",
    "change password": "/accounts/password/change/",
    "delete account": "/accounts/delete/",
}


def _sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("accord-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    expect(page.locator("body")).to_contain_text(username)


def _problems_on(page, axe, width) -> list[str]:
    # Forms folded in <details> are not rendered: open them, so axe and the width see them.
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    problems = []
    if width == PHONE:
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > PHONE:
            problems.append(f"scrolls sideways: {scroll}px wide")
    if page.evaluate("typeof axe === 'undefined'"):
        page.evaluate(axe.axe_script)
    results = page.evaluate("axe.run({resultTypes: ['violations']})")
    for violation in results["violations"]:
        targets = [node["target"] for node in violation["nodes"]][:3]
        problems.append(f"axe {violation['id']} ({violation['impact']}): {targets}")
    return problems


def _checks_can_fail(browser, axe):
    """Controls: axe finds violations on a page built to have them, and the width check sees a
    page that scrolls sideways."""
    page = browser.new_page(viewport={"width": PHONE, "height": 800})
    page.set_content(
        "<html><body><img src='x.png'><input type=text>"
        "<div style='width:600px'>wide</div></body></html>"
    )
    problems = _problems_on(page, axe, PHONE)
    assert any(p.startswith("scrolls sideways: 6") for p in problems), problems
    assert {"image-alt", "label", "html-has-lang"} <= {p.split()[1] for p in problems}
    page.close()


def test_every_page_kind_fits_a_phone_and_passes_axe(browser, live_server):
    axe = Axe()
    _checks_can_fail(browser, axe)
    call_command("seed_demo", stdout=StringIO())
    base = live_server.url
    kinds = _page_kinds()
    found = {}
    for who in (None, SIGNED_IN):
        context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
        # axe-core loads with every page, instead of being sent over for each one.
        context.add_init_script(script=axe.axe_script)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if who:
            _sign_in(page, base, who)
        pages = {**kinds, **(SIGNED_IN_ONLY if who else SIGNED_OUT_ONLY)}
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            for name, path in pages.items():
                response = page.goto(base + path)
                label = f"{name} ({who or 'signed out'}, {width}px) {path}"
                if response.status != 200:
                    found[label] = [f"answered {response.status}"]
                    continue
                if problems := _problems_on(page, axe, width):
                    found[label] = problems
        context.close()
    assert not found, "\n".join(f"{page}: {problems}" for page, problems in found.items())
