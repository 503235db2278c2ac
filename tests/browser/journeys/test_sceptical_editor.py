"""The sceptical editor's journey (JOURNEYS.md): lands on the policy, sees which version it is,
who published it and why; compares it with the version they commented on; opposes a section
(first without a reason, which the form refuses where they can see it), supports another, then
changes the opposition to neutral and sees the change recorded with the old reason; after the
consultation finds their comment still there or, hidden, why and by whom; follows the feed of new
versions."""

import re

import pytest
from playwright.sync_api import expect

from consultations import services
from consultations.models import Position
from consultations.selectors import consultation_url
from policies import services as policy_services
from tests.browser.journeys.steps import take_position
from tests.factories import (
    ConsultationFactory,
    EditorFactory,
    FacilitatorFactory,
    UserFactory,
    make_policy,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_sceptical_editor_journey(journey):
    edna = EditorFactory(username="edna")
    fran = FacilitatorFactory(username="fran")
    kim = UserFactory(username="kim")
    policy = make_policy(editor=edna, slug="baseline", n_sections=3)
    v1 = policy.versions.get()
    first, second, _ = v1.sections.order_by("position")
    earlier = ConsultationFactory(by=fran, version=v1, title="Consultation on version 1")
    services.take_position(
        consultation=earlier, section_key=first.key, user=kim, stance="oppose", reason="Vague."
    )
    keyed = [(s.key, s.heading, s.body.replace("word", "kindly", 1)) for s in v1.sections.all()]
    policy_services.publish_policy(
        page=policy, user=edna, summary="Say who decides, as asked.", sections=keyed
    )
    v2 = policy.versions.get(number=2)
    consultation = ConsultationFactory(by=fran, version=v2, title="Consultation on version 2")
    url = journey.base + consultation_url(consultation)

    # 1. Lands on the policy from a link: which version, who published it, and why.
    page = journey.page()
    page.goto(journey.base + policy.url)
    meta = page.get_by_text(re.compile(r"published by edna on"))
    expect(meta).to_contain_text("Version 2")
    expect(meta).to_contain_text("Say who decides, as asked.")
    journey.shot(page, "policy-version-2")

    # 2. Compares it with version 1, which they commented on: a word-level diff.
    page.get_by_role("link", name="Changes from version 1").click()
    page.wait_for_url(re.compile(r"/compare/1/2/"))
    expect(page.locator("main ins").filter(has_text="kindly").first).to_be_visible()
    expect(page.get_by_text("Say who decides, as asked.").first).to_be_visible()
    journey.shot(page, "compare-1-2")

    # 3. Signs in from the consultation page, opposes one section without a reason: refused,
    # with the error where they are; then with a reason.
    page.goto(url)
    page.get_by_role("link", name="Sign in", exact=True).first.click()
    page.locator("#id_username").fill("kim")
    page.locator("#id_password").fill("pw-for-tests-only")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda address: "/accounts/login/" not in address)
    assert page.url.startswith(url)
    take_position(page, first.key, "Oppose")
    expect(page.get_by_text("Say why you oppose").first).to_be_visible()
    journey.shot(page, "oppose-without-reason")
    # (Going back to that refused form would send it again, refused again: as any browser does
    # with a page that answered a post. Only a successful post redirects.)
    page.goto(url)
    with journey.posting(page, count=Position.history.count):
        take_position(page, first.key, "Oppose", "Still too vague about **who** decides.")
        expect(page.get_by_text("Your position is recorded.")).to_be_visible()
    page.goto(url)
    take_position(page, second.key, "Support")
    expect(page.get_by_text("Your position is recorded.")).to_be_visible()

    # ...later changes the opposition to neutral: the change is recorded, not erased.
    page.goto(url)
    with journey.posting(page, count=Position.history.count):
        take_position(page, first.key, "Neutral")
        expect(page.get_by_text("Your position is recorded.")).to_be_visible()
    page.goto(f"{url}sections/{first.key}/positions/")
    note = page.get_by_text("Changed from Oppose to Neutral").first
    expect(note).to_be_visible()
    expect(page.get_by_text("Still too vague about").first).to_be_visible()
    journey.shot(page, "position-history")
    mine = Position.objects.get(consultation=consultation, section_key=first.key, user=kim)
    assert mine.stance == "neutral"

    # 4. After the consultation: hidden by a facilitator, the comment says why and by whom.
    services.moderate(item=mine, user=fran, hide=True, reason="Quoted a private email.")
    services.close_consultation(consultation=consultation, user=fran, note="Time is up.")
    page.goto(f"{url}sections/{first.key}/positions/")
    expect(page.get_by_text("This consultation is closed and read-only.")).to_be_visible()
    expect(page.get_by_text("Hidden by fran on").first).to_contain_text("Quoted a private email.")
    supported = page.context.new_page()
    supported.goto(f"{url}sections/{second.key}/positions/")
    expect(
        supported.locator(f"#position-{Position.objects.get(section_key=second.key).pk}")
    ).to_be_visible()
    supported.close()
    journey.shot(page, "after-close-hidden-why-and-by-whom")

    # 5. Follows the feed of new versions, from a visible link on the policy page.
    page.goto(journey.base + policy.url)
    feed = page.get_by_role("link", name="Follow new versions: Atom feed")
    expect(feed).to_be_visible()
    response = page.request.get(journey.base + feed.get_attribute("href"))
    assert response.ok
    assert "atom" in response.headers["content-type"]
    body = response.text()
    assert "Say who decides, as asked." in body
    assert "Still too vague" not in body
