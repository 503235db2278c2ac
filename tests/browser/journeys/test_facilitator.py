"""The facilitator's journey (JOURNEYS.md), as someone who is only in the Facilitators group:
import the baseline as a draft, fix a heading in Wagtail's editor and publish v1 with the
imported summary; open a four-week consultation; sort sections by most opposed, read reasons and
answer in a thread; hide an abusive reply with a public reason; read private feedback; close,
edit the text, publish v2 and a summary that shows "you said → we changed"."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from consultations import services
from consultations.models import Consultation, ModerationAction, Position, Reply, Summary
from policies.models import PolicyPage, PolicyVersion
from tests.factories import FacilitatorFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BASELINE = """# Community baseline

## Purpose
We want everyone to feel welcome.

## Expected behavor
Be kind and patient.

## Reporting
Write to the team.
"""


def _publish(page):
    page.locator("footer .dropdown-toggle, [data-w-dropdown-target='toggle']").last.click()
    page.get_by_role("button", name=re.compile("^Publish")).click()


def test_facilitator_journey(journey, tmp_path):
    fran = FacilitatorFactory(username="fran")
    assert set(fran.groups.values_list("name", flat=True)) == {"Facilitators"}
    kim, lee = UserFactory(username="kim"), UserFactory(username="lee")
    base = journey.base
    admin = journey.page("fran", admin=True)

    # 1. Import the baseline from Markdown as a draft, fix a heading, publish v1 with a summary.
    if journey.width < 800:  # Wagtail folds its menu away on a phone
        admin.get_by_role("button", name="Toggle sidebar").click()
    admin.get_by_role("link", name="Import policy").click()
    source = tmp_path / "baseline.md"
    source.write_text(BASELINE, encoding="utf-8")
    admin.get_by_label("Markdown file").set_input_files(str(source))
    admin.get_by_label("Policy slug").fill("community-baseline")
    admin.get_by_label("Summary").fill("First baseline, from the federation's file.")
    admin.get_by_role("button", name="Import").click()
    expect(admin.get_by_text("nothing is published yet")).to_be_visible()
    assert not PolicyVersion.objects.exists()
    expect(admin.locator("#id_edit_summary")).to_have_value(
        "First baseline, from the federation's file."
    )
    admin.locator("#id_sections-1-heading").fill("Expected behaviour")
    journey.shot(admin, "draft-heading-fixed")
    _publish(admin)
    expect(admin.get_by_text("Published version 1")).to_be_visible()
    v1 = PolicyVersion.objects.get()
    assert (v1.summary, v1.author) == ("First baseline, from the federation's file.", fran)
    policy = PolicyPage.objects.get(slug="community-baseline")

    site = journey.page("fran")
    site.goto(base + policy.url)
    expect(site.get_by_role("heading", name="Expected behaviour")).to_be_visible()
    expect(site.get_by_text("First baseline, from the federation's file.")).to_be_visible()
    expect(site.get_by_text("Version 1", exact=True)).to_be_visible()
    journey.shot(site, "v1-published")

    # 2. Open a four-week consultation on v1 with a short description.
    site.goto(f"{base}{policy.url}consultations/")
    site.get_by_role("link", name="Open a new consultation").click()
    expect(site.get_by_label("Open it now")).to_be_checked()
    site.get_by_label("Title").fill("Consultation on the baseline")
    site.get_by_label("Description").fill("Tell us what is unclear before we ratify.")
    journey.shot(site, "consultation-form")
    with journey.posting(site, count=Consultation.objects.count):
        site.get_by_role("button", name="Create").click()
        expect(site.get_by_text("Consultation created.")).to_be_visible()
        expect(site.get_by_role("heading", name="Consultation on the baseline")).to_be_visible()
    consultation = Consultation.objects.get()
    assert consultation.state == "open"
    assert (consultation.closes_at - consultation.opens_at).days == 28
    url = site.url.split("#")[0].split("?")[0]

    # Participants take positions (their own journeys walk the forms).
    sections = {s.heading: s for s in v1.sections.all()}
    behaviour, reporting = sections["Expected behaviour"], sections["Reporting"]
    kims = services.take_position(
        consultation=consultation,
        section_key=behaviour.key,
        user=kim,
        stance="oppose",
        reason="Too vague: say what patience means.",
    )
    for who in (kim, lee):
        services.take_position(
            consultation=consultation, section_key=reporting.key, user=who, stance="support"
        )
    services.take_position(
        consultation=consultation,
        section_key=behaviour.key,
        user=lee,
        stance="oppose",
        reason="Kind to whom?",
    )
    abusive = services.add_reply(position=kims, user=lee, body="You are an idiot.")
    services.give_private_feedback(
        consultation=consultation, user=kim, body="A moderator was rude to me last year."
    )

    # 3. Sorted by most opposed, "Expected behaviour" comes first; reasons are on the page.
    site.goto(url)
    site.get_by_label("Order sections").select_option("opposed")
    site.get_by_role("button", name="Apply").click()
    site.wait_for_url(re.compile(r"sort=opposed"))
    headings = site.locator("main h2").filter(has_text=re.compile("Purpose|Expected|Reporting"))
    expect(headings.first).to_contain_text("Expected behaviour")
    expect(site.get_by_text("Too vague: say what patience means.").first).to_be_visible()
    journey.shot(site, "sorted-most-opposed")

    # ...and answers Kim in her thread, on the section's own page.
    site.goto(f"{url}sections/{behaviour.key}/positions/")
    kim_post = site.locator(f"#position-{kims.pk}")
    kim_post.locator("summary", has_text="Reply").first.click()
    kim_post.get_by_label("Your reply").first.fill("Would 'give people time to answer' do?")
    with journey.posting(site, count=Reply.objects.count):
        kim_post.get_by_role("button", name="Post reply").first.click()
        expect(site.get_by_text("Would 'give people time to answer' do?")).to_be_visible()

    # 4. Hides the abusive reply with a reason; the log shows it to everyone.
    reply = site.locator(f"#reply-{abusive.pk}")
    reply.locator("summary", has_text="Hide").click()
    reply.get_by_label("Public reason").fill("Personal attack.")
    with journey.posting(site, count=ModerationAction.objects.count):
        reply.get_by_role("button", name="Hide").click()
        expect(site.get_by_text("Hidden by fran on").first).to_contain_text("Personal attack.")
    journey.shot(site, "thread-answered-reply-hidden")
    reader = journey.page()
    reader.goto(f"{url}sections/{behaviour.key}/positions/")
    expect(reader.get_by_text("Hidden by fran on").first).to_contain_text("Personal attack.")
    expect(reader.get_by_text("You are an idiot.")).to_have_count(0)
    reader.goto(url + "moderation/")
    expect(reader.get_by_role("cell", name="Personal attack.")).to_be_visible()
    expect(reader.get_by_text("You are an idiot.")).to_have_count(0)
    journey.shot(reader, "moderation-log-public")

    # 5. Reads the private feedback, which nobody else sees.
    site.goto(url + "feedback/")
    expect(site.get_by_role("heading", name="Received (facilitators only)")).to_be_visible()
    expect(site.get_by_text("A moderator was rude to me last year.")).to_be_visible()
    journey.shot(site, "private-feedback")
    reader.goto(url + "feedback/")
    expect(reader.get_by_text("A moderator was rude to me last year.")).to_have_count(0)

    # 6. Closes (after a confirmation page), edits the text, publishes v2 with a summary...
    site.goto(url)
    site.get_by_role("link", name="Close the consultation…").click()
    expect(site.get_by_text("Nobody can take or change a position")).to_be_visible()
    journey.shot(site, "close-confirmation")
    with journey.posting(site, count=Consultation.objects.filter(state="closed").count):
        site.get_by_role("button", name="Close the consultation").click()
        expect(site.get_by_text("This consultation is closed and read-only.")).to_be_visible()

    admin.goto(f"{base}/admin/pages/{policy.pk}/edit/")
    expect(admin.locator("#id_edit_summary")).to_have_value("")
    admin.locator("#id_sections-1-body").fill("Be kind and patient: give people time to answer.")
    admin.locator("#id_edit_summary").fill("Say what patience means, as the consultation asked.")
    _publish(admin)
    expect(admin.get_by_text("Published version 2")).to_be_visible()

    # ...writes the per-section summary citing Kim, answered by v2, and publishes it.
    site.goto(url)
    site.get_by_role("link", name="Write the summary").click()
    site.get_by_label(re.compile("The version that answers this consultation")).select_option("2")
    site.locator(f"#id_s-{behaviour.key}-outcome").select_option("accepted")
    site.locator(f"#id_s-{behaviour.key}-text").fill("We now say what patience means.")
    site.locator(f"input[name='s-{behaviour.key}-cited'][value='{kims.pk}']").check()
    with journey.posting(site, count=Summary.objects.count):
        site.get_by_role("button", name="Save and publish").click()
    expect(site.get_by_text("Everyone who took a position or replied is emailed")).to_be_visible()
    journey.shot(site, "summary-publish-confirmation")
    mail.outbox.clear()
    published = Summary.objects.exclude(published_at=None).count
    with journey.posting(site, count=published):
        site.get_by_role("button", name="Publish the summary").click()
        expect(site.get_by_text("Summary published")).to_be_visible()
    told = {address for message in mail.outbox for address in message.to}
    assert {kim.email, lee.email} <= told

    # Participants read "you said → we changed" with the diff against v2.
    kim_page = journey.page("kim")
    kim_page.goto(url + "summary/")
    expect(kim_page.get_by_text("We now say what patience means.")).to_be_visible()
    expect(kim_page.get_by_role("heading", name="You said").first).to_be_visible()
    expect(kim_page.get_by_role("heading", name="We changed").first).to_be_visible()
    expect(kim_page.get_by_text("Too vague: say what patience means.").first).to_be_visible()
    expect(kim_page.locator("ins").filter(has_text="give people time").first).to_be_visible()
    journey.shot(kim_page, "you-said-we-changed")
    assert Position.objects.filter(consultation=consultation).count() == 4
