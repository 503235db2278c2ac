"""Taking a position on a section with the keyboard alone, with the focus visible at every step.
(axe-core on every kind of page: tests/browser/test_every_page_kind.py.)"""

import re

import pytest
from playwright.sync_api import expect

from consultations.models import Position
from consultations.selectors import consultation_url
from tests.browser.sessions import PASSWORD
from tests.factories import ConsultationFactory, EditorFactory, UserFactory, make_policy

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


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
    UserFactory(username="sam")
    policy = make_policy(editor=EditorFactory(), n_sections=4)
    consultation = ConsultationFactory(version=policy.versions.get())
    base = live_server.url
    section = consultation.version.sections.order_by("position").last()
    url = base + consultation_url(consultation)

    # Sign in with the keyboard: the user name has the focus already.
    page.goto(f"{base}/accounts/login/?next={consultation_url(consultation)}")
    assert page.evaluate("document.activeElement.id") == "id_username"
    assert _focus_is_visible(page)
    page.keyboard.type("sam")
    page.keyboard.press("Tab")
    assert _focus_is_visible(page)
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(url)

    # The first Tab reaches the skip link, shown on focus; Enter jumps past the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert _focus_is_visible(page)
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"

    # To the section's "Take a position" disclosure, on this page or on the section's own page
    # that the section's link leads to; open it with Enter.
    summary = f"#take-{section.key} > summary"
    if not page.locator(summary).count():
        link = f"#section-{section.key} a[href*='/positions/#take-']"
        _tab_to(page, f"el => el.matches({link!r})")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(f"#take-{section.key}$"))
    _tab_to(page, f"el => el.matches({summary!r})")
    if not page.locator(f"#take-{section.key}").evaluate("el => el.open"):
        page.keyboard.press("Enter")
    expect(page.locator(f"#take-{section.key}")).to_have_attribute("open", "")

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
