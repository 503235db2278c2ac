"""A participant takes positions and changes one, another replies, a facilitator hides a reply
with a reason, closes the consultation and publishes a summary the participant can read."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from consultations import services
from consultations.selectors import consultation_url
from tests.factories import EditorFactory, UserFactory, make_policy

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("pw-for-tests-only")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=re.compile(f"Sign out {username}"))).to_be_visible()


def _sign_out(page):
    page.get_by_role("button", name=re.compile("Sign out")).click()


def test_consultation_round_trip(live_server, page, shot):
    fran = EditorFactory(username="fran")
    fran.groups.add(Group.objects.get(name="Facilitators"))
    UserFactory(username="kim")
    UserFactory(username="lee")
    policy = make_policy(editor=fran, n_sections=2)
    version = policy.versions.get()
    consultation = services.create_consultation(
        version=version,
        user=fran,
        title="Browser consultation",
        closes_at=timezone.now() + timedelta(days=28),
        open_now=True,
    )
    url = live_server.url + consultation_url(consultation)
    first = version.sections.first()
    # The first view shows each section's digest; threads and their tools are on its page.
    section_page = f"{url}sections/{first.key}/positions/"

    # Kim opposes section 1, then changes to neutral; supports the whole text.
    _sign_in(page, live_server.url, "kim")
    page.goto(url)
    section = page.locator(f"#section-{first.key}")
    section.get_by_text("Take a position").click()
    section.get_by_role("radio", name="Oppose").check()
    section.get_by_role("button", name="Record my position").click()
    expect(page.get_by_role("alert")).to_contain_text("Say why you oppose")
    section = page.locator(f"#section-{first.key}")
    section.get_by_role("radio", name="Oppose").check()
    section.get_by_role("textbox", name=re.compile("Your reason")).fill(
        "Too vague about **who** decides."
    )
    section.get_by_role("button", name="Record my position").click()
    expect(page.get_by_text("Your position is recorded.")).to_be_visible()
    section = page.locator(f"#section-{first.key}")
    section.get_by_text("Change your position").click()
    section.get_by_role("radio", name="Neutral").check()
    section.get_by_role("button", name="Update my position").click()
    expect(page.get_by_text("Change your position (now: Neutral)")).to_be_visible()
    page.goto(section_page)
    expect(page.locator(".change-note").first).to_contain_text("Changed from Oppose to Neutral")
    shot("consultation-kim")
    _sign_out(page)

    # Lee replies under Kim's position.
    _sign_in(page, live_server.url, "lee")
    page.goto(url)
    page.locator(f"#section-{first.key} .show-all a, #section-{first.key} h2 a").first.click()
    position = page.locator(".position").first
    position.locator("summary", has_text="Reply").first.click()
    position.get_by_label("Your reply").first.fill("Who should decide, in your view?")
    position.get_by_role("button", name="Post reply").first.click()
    expect(page.get_by_text("Who should decide, in your view?")).to_be_visible()
    _sign_out(page)

    # Fran hides the reply with a reason, closes, writes and publishes the summary.
    _sign_in(page, live_server.url, "fran")
    page.goto(section_page)
    reply = page.locator(".reply").first
    reply.locator("summary", has_text="Hide").click()
    reply.get_by_label("Public reason").fill("Off-topic; please keep to the text.")
    reply.get_by_role("button", name="Hide").click()
    expect(page.locator(".hidden-notice").first).to_contain_text(
        "Off-topic; please keep to the text."
    )
    page.get_by_role("link", name="Close the consultation…").click()
    expect(page.get_by_text("Nobody can take or change a position")).to_be_visible()
    page.get_by_label("Note (optional").fill("Four weeks are up.")
    page.get_by_role("button", name="Close the consultation").click()
    expect(page.get_by_text("This consultation is closed and read-only.")).to_be_visible()
    page.get_by_role("link", name="Write the summary").click()
    page.locator(f"#id_s-{first.key}-outcome").select_option("partly")
    page.locator(f"#id_s-{first.key}-text").fill("We will name the deciding body.")
    page.locator(f"input[name='s-{first.key}-cited']").first.check()
    page.get_by_role("button", name="Save and publish").click()
    expect(page.get_by_text("Everyone who took a position or replied is emailed")).to_be_visible()
    page.get_by_role("button", name="Publish the summary").click()
    expect(page.get_by_text("Summary published")).to_be_visible()
    _sign_out(page)

    # Kim reads the summary and the moderation log.
    _sign_in(page, live_server.url, "kim")
    page.goto(url + "summary/")
    expect(page.get_by_text("We will name the deciding body.")).to_be_visible()
    expect(page.get_by_text("Partly accepted")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("kim, neutral"))).to_be_visible()
    shot("consultation-summary")
    page.goto(url + "moderation/")
    expect(page.get_by_role("cell", name="Off-topic; please keep to the text.")).to_be_visible()
