"""On a long consultation page, an Oppose without a reason lands with the error summary in
view and focused; its link moves to the reason field; a valid Oppose then lands at the new
position with "Your position is recorded." in view. At 1280 px and at 390 px."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from consultations import services
from consultations.models import Position
from consultations.selectors import consultation_url
from tests.browser.sessions import signed_in
from tests.factories import EditorFactory, UserFactory, make_policy

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = Path("/tmp/shots16")

# Within a pixel: scrolled to the top, a label may sit a fraction of a pixel above it.
IN_VIEW = """el => { const r = el.getBoundingClientRect();
  return r.top >= -1 && r.bottom <= window.innerHeight + 1 && r.height > 0; }"""


@pytest.mark.parametrize("width", [1280, 390])
def test_an_oppose_without_a_reason_lands_at_its_form(live_server, browser, width):
    fran = EditorFactory(username="fran")
    fran.groups.add(Group.objects.get(name="Facilitators"))
    kim = UserFactory(username="kim")
    policy = make_policy(editor=fran, n_sections=10)
    version = policy.versions.get()
    consultation = services.create_consultation(
        version=version,
        user=fran,
        title="A long consultation",
        closes_at=timezone.now() + timedelta(days=28),
        open_now=True,
    )
    sections = list(version.sections.all())
    # Plenty to read above the section Kim opposes: the page runs to thousands of pixels.
    for n in range(6):
        voter = UserFactory(username=f"voter{n}")
        for s in sections[:8]:
            services.take_position(
                consultation=consultation,
                section_key=s.key,
                user=voter,
                stance="oppose",
                reason="Too vague. " * 12,
            )
    target = sections[8]
    url = live_server.url + consultation_url(consultation)

    page = signed_in(browser, live_server.url, kim.username)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(url)
    section = page.locator(f"#section-{target.key}")
    section.get_by_text("Take a position").click()
    section.get_by_role("radio", name="Oppose").check()
    section.get_by_role("button", name="Record my position").click()

    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()
    assert page.evaluate("document.documentElement.scrollHeight") > 3000
    assert summary.evaluate(IN_VIEW), "the error summary is out of view"
    page.screenshot(path=str(SHOTS / f"oppose-error-{width}.png"))

    summary.get_by_role("link", name=re.compile("Say why you oppose")).click()
    reason = page.locator(f"#reason-{target.key}")
    expect(reason).to_be_focused()
    assert reason.evaluate(IN_VIEW)
    assert page.locator(f"label[for='reason-{target.key}']").evaluate(IN_VIEW)
    page.screenshot(path=str(SHOTS / f"oppose-field-{width}.png"))

    reason.fill("Who decides is not said.")
    section.get_by_role("button", name="Record my position").click()
    position = Position.objects.get(user=kim)
    page.wait_for_url(re.compile(f"#position-{position.pk}$"))
    message = page.get_by_text("Your position is recorded.")
    expect(message).to_be_visible()
    assert message.evaluate(IN_VIEW), "the success message is out of view"
    mine = page.locator(f"#position-{position.pk}")
    expect(mine).to_contain_text("Who decides is not said.")
    assert page.evaluate("window.scrollY") > 1000  # landed at the position, not at the top
    page.screenshot(path=str(SHOTS / f"oppose-done-{width}.png"))
    page.context.close()
