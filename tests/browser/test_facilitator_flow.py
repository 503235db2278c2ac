"""The facilitator's journey (JOURNEYS.md) as someone who is only in the Facilitators group:
import the baseline as a draft, fix a heading in Wagtail's editor, publish v1 with the imported
summary (step 1); after a consultation, edit the text, publish v2, and publish a summary that
shows "you said → we changed" (step 6)."""

import re

import pytest
from playwright.sync_api import expect

from consultations.selectors import consultation_url
from policies.models import PolicyPage, PolicyVersion
from tests.browser.sessions import signed_in
from tests.factories import ConsultationFactory, FacilitatorFactory, PositionFactory, UserFactory

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


def test_facilitator_imports_fixes_publishes_and_answers_the_consultation(
    live_server, browser, shot, tmp_path
):
    fran = FacilitatorFactory(username="fran")
    assert set(fran.groups.values_list("name", flat=True)) == {"Facilitators"}
    base = live_server.url
    page = signed_in(browser, base, "fran", admin=True)

    # Step 1: import the baseline from Markdown as a draft.
    page.get_by_role("link", name="Import policy").click()
    source = tmp_path / "baseline.md"
    source.write_text(BASELINE, encoding="utf-8")
    page.get_by_label("Markdown file").set_input_files(str(source))
    page.get_by_label("Policy slug").fill("community-baseline")
    page.get_by_label("Summary").fill("First baseline, from the federation's file.")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("nothing is published yet")).to_be_visible()
    assert not PolicyVersion.objects.exists()

    # ...fixes the misspelt heading in Wagtail's editor; the import's summary is waiting there.
    expect(page.locator("#id_edit_summary")).to_have_value(
        "First baseline, from the federation's file."
    )
    page.locator("#id_sections-1-heading").fill("Expected behaviour")
    shot("facilitator-fixes-heading", page)
    _publish(page)
    expect(page.get_by_text("Published version 1")).to_be_visible()
    v1 = PolicyVersion.objects.get()
    assert v1.summary == "First baseline, from the federation's file."
    assert v1.author == fran
    assert [s.heading for s in v1.sections.order_by("position")] == [
        "Purpose",
        "Expected behaviour",
        "Reporting",
    ]
    policy = PolicyPage.objects.get(slug="community-baseline")
    page.goto(base + policy.url)
    expect(page.get_by_role("heading", name="Expected behaviour")).to_be_visible()
    expect(page.get_by_text("First baseline, from the federation's file.")).to_be_visible()
    shot("facilitator-published-v1", page)

    # Steps 2–5 happen in between (tests/browser/test_consultation_flow.py walks them).
    key = v1.sections.get(heading="Expected behaviour").key
    consultation = ConsultationFactory(by=fran, version=v1, title="Consultation on the baseline")
    PositionFactory(
        consultation=consultation,
        section_key=key,
        user=UserFactory(username="kim"),
        stance="oppose",
        reason="Too vague: say what patience means.",
    )
    url = base + consultation_url(consultation)

    # Step 6: close, edit the text, publish v2, write and publish the summary.
    page.goto(url)
    page.get_by_role("link", name="Close the consultation…").click()
    page.get_by_role("button", name="Close the consultation").click()
    expect(page.get_by_text("This consultation is closed and read-only.")).to_be_visible()

    page.goto(f"{base}/admin/pages/{policy.pk}/edit/")
    expect(page.locator("#id_edit_summary")).to_have_value("")
    page.locator("#id_sections-1-body").fill("Be kind and patient: give people time to answer.")
    page.locator("#id_edit_summary").fill("Say what patience means, as the consultation asked.")
    _publish(page)
    expect(page.get_by_text("Published version 2")).to_be_visible()

    page.goto(url)
    page.get_by_role("link", name="Write the summary").click()
    v2 = PolicyVersion.objects.get(number=2)
    page.get_by_label(re.compile("The version that answers this consultation")).select_option(
        str(v2.number)
    )
    page.locator(f"#id_s-{key}-outcome").select_option("accepted")
    page.locator(f"#id_s-{key}-text").fill("We now say what patience means.")
    page.locator(f"input[name='s-{key}-cited']").first.check()
    page.get_by_role("button", name="Save and publish").click()
    page.get_by_role("button", name="Publish the summary").click()
    expect(page.get_by_text("Summary published")).to_be_visible()

    page.goto(url + "summary/")
    expect(page.get_by_text("We now say what patience means.")).to_be_visible()
    expect(page.get_by_role("heading", name="You said")).to_be_visible()
    expect(page.get_by_role("heading", name="We changed")).to_be_visible()
    expect(page.get_by_text("Too vague: say what patience means.")).to_be_visible()
    expect(page.locator("ins").filter(has_text="give people time")).to_be_visible()
    shot("facilitator-you-said-we-changed", page)
    page.context.close()
