"""A delegate declares adoption with one override; a new baseline version makes the override
stale; the delegate rebases it; the dashboard and the CSV follow each step."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from communities.models import Community
from policies import services as policy_services
from tests.factories import EditorFactory, UserFactory, make_policy

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _csv_row(page, base, slug):
    text = page.request.get(f"{base}/adoption/export.csv").text()
    return next(line for line in text.splitlines() if line.startswith(slug + ","))


def test_delegate_adopts_overrides_and_rebases(live_server, page, shot):
    editor = EditorFactory(username="edna")
    dana = UserFactory(username="dana")
    policy = make_policy(editor=editor, slug="baseline", n_sections=3)
    community = Community.objects.create(name="Alder Wiki", slug="alder-wiki", kind="wiki")
    community.delegates.add(dana)
    base = live_server.url
    first, second, _ = policy.versions.get().sections.order_by("position")

    page.goto(f"{base}/accounts/login/")
    page.locator("#id_username").fill("dana")
    page.locator("#id_password").fill("pw-for-tests-only")
    page.get_by_role("button", name="Sign in").click()

    # Declare "adopted", then add one override.
    page.goto(f"{base}/communities/alder-wiki/")
    page.get_by_role("link", name="Declare").click()
    # Only the chosen status's fields show; the pin and the date start at latest and today.
    page.get_by_role("radio", name="Opted out").check()
    expect(page.get_by_label("How to report")).to_be_hidden()
    expect(page.get_by_label("Your own policy's title")).to_be_hidden()
    page.get_by_role("radio", name="Own equivalent policy").check()
    expect(page.get_by_label("Your own policy's title")).to_be_visible()
    page.get_by_role("radio", name="Adopted", exact=True).check()
    expect(page.get_by_label("Your own policy's title")).to_be_hidden()
    expect(page.get_by_label("Decision date")).to_have_value(timezone.localdate().isoformat())
    expect(page.get_by_label("Pinned to version")).to_have_value("1")
    page.get_by_label("Who enforces it locally").fill("Alder arbitration committee")
    # Asked once: the contact also fills the text's [CONTACT METHOD].
    expect(page.get_by_label("Value for [CONTACT METHOD]")).to_have_count(0)
    page.get_by_label("How to report").fill("conduct@alder.example.org")
    shot("declaration-adopted")
    page.get_by_role("button", name="Record the declaration").click()
    expect(page.get_by_text("Declaration recorded.")).to_be_visible()
    page.get_by_role("link", name="Add a local override").click()
    page.get_by_role("link", name=second.heading).click()
    # The replacement starts from the baseline section; choosing another swaps the text.
    expect(page.locator("#id_text")).to_have_value(second.body)
    page.locator("#id_section_key").select_option(first.key)
    expect(page.locator("#id_text")).to_have_value(first.body)
    page.get_by_role("radio", name="Replace the text").check()
    page.locator("#id_text").fill("Alder's own wording for this part.")
    page.locator("#id_rationale").fill("Our community asked for plainer words.")
    page.get_by_role("button", name="Save the override").click()
    expect(page.locator(".adoption-card").first).to_contain_text("Adopted with local overrides")
    assert ",adopted_with_overrides,1,1,0,1,0" in _csv_row(page, base, "alder-wiki")

    # The baseline publishes version 2, changing the overridden section and another one.
    keyed = [(s.key, s.heading, s.body) for s in policy.versions.get().sections.all()]
    keyed[0] = (keyed[0][0], keyed[0][1], keyed[0][2] + " A new baseline sentence.")
    keyed[1] = (keyed[1][0], keyed[1][1], keyed[1][2] + " Another change.")
    policy_services.publish_policy(page=policy, user=editor, summary="v2", sections=keyed)
    page.goto(f"{base}/communities/alder-wiki/")
    expect(page.get_by_text("Version 2 is out.")).to_be_visible()
    expect(page.locator(".badge-stale")).to_have_count(1)
    shot("adoption-stale")
    page.goto(f"{base}/adoption/")
    row = page.get_by_role("row", name=re.compile("Alder Wiki"))
    expect(row).to_contain_text("1 of 1")
    assert ",adopted_with_overrides,1,2,1,1,1" in _csv_row(page, base, "alder-wiki")

    # Rebase: read the baseline diff, keep the wording, confirm; then adopt version 2.
    page.goto(f"{base}/communities/alder-wiki/")
    page.get_by_role("link", name="review and rebase").click()
    expect(page.locator(".diff-text ins")).to_contain_text("A new baseline sentence.")
    page.get_by_role("button", name="Confirm against version 2").click()
    expect(page.locator(".badge-stale")).to_have_count(0)
    page.get_by_role("button", name="Adopt version 2").click()
    expect(page.get_by_text("Now pinned to version 2.")).to_be_visible()
    assert ",adopted_with_overrides,2,2,0,1,0" in _csv_row(page, base, "alder-wiki")
    page.goto(f"{base}/adoption/")
    expect(page.get_by_role("row", name=re.compile("Alder Wiki"))).to_contain_text("0 of 1")
    shot("adoption-dashboard")

    page.goto(f"{base}/communities/alder-wiki/baseline/effective/")
    expect(page.get_by_text("Alder's own wording for this part.")).to_be_visible()
    expect(page.get_by_text("conduct@alder.example.org").first).to_be_visible()
