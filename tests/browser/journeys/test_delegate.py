"""The community delegate's journey (JOURNEYS.md): finds their community in the registry and the
baseline's versions; declares an own equivalent policy and maps its coverage (the gaps show);
switches to "adopted with local overrides" with a contact and an enforcement body, replaces one
section and omits another, and reads the effective text; is told which override went stale when
the baseline moves on and rebases it; finally opts out, and the dashboard counts them as opted
out, never as adopting."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from communities.models import Adoption, Community, EquivalentMapping, SectionOverride
from policies import services as policy_services
from tests.factories import EditorFactory, UserFactory, make_policy

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _csv_row(page, base, slug):
    text = page.request.get(f"{base}/adoption/export.csv").text()
    return next(line for line in text.splitlines() if line.startswith(slug + ","))


def _override(page, heading, action, rationale, text=None):
    page.get_by_role("link", name="Add a local override").click()
    page.get_by_role("link", name=heading).click()
    page.get_by_role("radio", name=action).check()
    if text is not None:
        page.locator("#id_text").fill(text)
    page.locator("#id_rationale").fill(rationale)
    page.get_by_role("button", name="Save the override").click()


def test_delegate_journey(journey):
    editor = EditorFactory(username="edna")
    dana = UserFactory(username="dana")
    policy = make_policy(editor=editor, slug="baseline", n_sections=3)
    community = Community.objects.create(name="Alder Wiki", slug="alder-wiki", kind="wiki")
    community.delegates.add(dana)
    Community.objects.create(name="Birch Project", slug="birch-project", kind="project")
    base = journey.base
    first, second, third = policy.versions.get().sections.order_by("position")
    page = journey.page("dana")

    # 1. The registry: their community, the baseline's current version and its versions.
    page.goto(f"{base}/communities/")
    expect(page.get_by_role("link", name="Birch Project")).to_be_visible()
    page.get_by_role("link", name="Alder Wiki").click()
    expect(page.get_by_role("heading", name="Alder Wiki", level=1)).to_be_visible()
    expect(page.get_by_text("Delegates: dana")).to_be_visible()
    journey.shot(page, "community-undeclared")
    page.goto(f"{base}{policy.url}versions/")
    expect(page.get_by_text("Version 1").first).to_be_visible()

    # 2. Declares "own equivalent policy", links it and maps its coverage: the gaps show.
    page.goto(f"{base}/communities/alder-wiki/")
    page.get_by_role("link", name="Declare").click()
    page.get_by_role("radio", name="Opted out").check()
    expect(page.get_by_label("How to report")).to_be_hidden()
    expect(page.get_by_label("Your own policy's title")).to_be_hidden()
    page.get_by_role("radio", name="Own equivalent policy").check()
    page.get_by_label("Your own policy's title").fill("Alder Friendly Space Policy")
    page.get_by_label("Your own policy's address").fill("https://alder.example.org/wiki/FSP")
    journey.shot(page, "declare-own-equivalent")
    with journey.posting(page, count=Adoption.history.count):
        page.get_by_role("button", name="Record the declaration").click()
        expect(page.get_by_text("Declaration recorded.")).to_be_visible()
        expect(page.get_by_role("link", name="Alder Friendly Space Policy")).to_be_visible()
    page.get_by_role("link", name="Map coverage section by section").click()
    page.get_by_role("group", name=first.heading).get_by_label("Coverage").select_option("covered")
    page.get_by_role("group", name=second.heading).get_by_label("Coverage").select_option("partly")
    page.get_by_role("group", name=third.heading).get_by_label("Coverage").select_option(
        "not_covered"
    )
    with journey.posting(page, count=EquivalentMapping.history.count):
        page.get_by_role("button", name="Save coverage").click()
        expect(page.get_by_text("(not fully covered)")).to_be_visible()
    gaps = page.get_by_text("(not fully covered)")
    expect(gaps).to_contain_text(second.heading)
    expect(gaps).to_contain_text(third.heading)
    expect(gaps).not_to_contain_text(first.heading)
    journey.shot(page, "coverage-gaps")

    # 3. A year later: adopted with local overrides. Only that status's fields show; the pin and
    # the date start at the latest version and today; the contact is asked once.
    page.get_by_role("link", name="Change the declaration").click()
    page.get_by_role("radio", name="Adopted", exact=True).check()
    expect(page.get_by_label("Your own policy's title")).to_be_hidden()
    expect(page.get_by_label("Decision date")).to_have_value(timezone.localdate().isoformat())
    expect(page.get_by_label("Pinned to version")).to_have_value("1")
    expect(page.get_by_label("Value for [CONTACT METHOD]")).to_have_count(0)
    page.get_by_label("Who enforces it locally").fill("Alder arbitration committee")
    page.get_by_label("How to report").fill("conduct@alder.example.org")
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
    journey.shot(page, "override-replace")
    with journey.posting(page, count=SectionOverride.history.count):
        page.get_by_role("button", name="Save the override").click()
        expect(page.get_by_text("Adopted with local overrides").first).to_be_visible()
    page.goto(f"{base}/communities/alder-wiki/")
    _override(page, third.heading, "Omit the section", "The Alder wiki has no events.")
    expect(page.get_by_text("The Alder wiki has no events.").first).to_be_visible()
    assert ",adopted_with_overrides,1,1,0,2,0" in _csv_row(page, base, "alder-wiki")

    page.goto(f"{base}/communities/alder-wiki/baseline/effective/")
    expect(page.get_by_text("Alder's own wording for this part.").first).to_be_visible()
    expect(page.get_by_text("conduct@alder.example.org").first).to_be_visible()
    expect(page.locator("main del").first).to_be_visible()  # the diff against the baseline
    journey.shot(page, "effective-text")

    # 4. The baseline publishes version 2, changing the replaced section: it is stale.
    keyed = [(s.key, s.heading, s.body) for s in policy.versions.get().sections.all()]
    keyed[0] = (keyed[0][0], keyed[0][1], keyed[0][2] + " A new baseline sentence.")
    policy_services.publish_policy(page=policy, user=editor, summary="v2", sections=keyed)
    page.goto(f"{base}/communities/alder-wiki/")
    expect(page.get_by_text("Version 2 is out.")).to_be_visible()
    expect(page.get_by_role("link", name="review and rebase")).to_have_count(1)
    journey.shot(page, "override-stale")
    page.get_by_role("link", name="review and rebase").click()
    expect(page.locator("main ins").filter(has_text="A new baseline sentence.")).to_be_visible()
    with journey.posting(page, count=SectionOverride.history.count):
        page.get_by_role("button", name="Confirm against version 2").click()
        expect(page.get_by_role("link", name="review and rebase")).to_have_count(0)
    with journey.posting(page, count=Adoption.history.count):
        page.get_by_role("button", name="Adopt version 2").click()
        expect(page.get_by_text("Now pinned to version 2.")).to_be_visible()
    assert ",adopted_with_overrides,2,2,0,2,0" in _csv_row(page, base, "alder-wiki")

    # 5. Opts out with a rationale: the dashboard counts them as opted out, not adopting.
    page.get_by_role("link", name="Change the declaration").click()
    page.get_by_role("radio", name="Opted out").check()
    page.get_by_label("Rationale").fill("We follow the Foundation's policy instead.")
    page.get_by_role("button", name="Record the declaration").click()
    expect(page.get_by_text("Declaration recorded.")).to_be_visible()
    expect(page.get_by_text("We follow the Foundation's policy instead.")).to_be_visible()
    page.goto(f"{base}/adoption/")
    alder = page.get_by_role("row", name=re.compile("Alder Wiki"))
    expect(alder).to_contain_text("Opted out")
    expect(alder).not_to_contain_text("Adopted")
    expect(page.get_by_role("row", name=re.compile(r"^Opted out 1 \d+%$"))).to_be_visible()
    for adopting in ("Adopted", "Adopted with local overrides"):
        expect(page.get_by_role("row", name=f"{adopting} 0 0%", exact=True)).to_be_visible()
    journey.shot(page, "dashboard-opted-out")
