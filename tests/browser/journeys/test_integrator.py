"""The integrator's journey (JOURNEYS.md): a bot or dashboard author reads the OpenAPI schema and
its docs page (which loads with no internet), pulls the adoption JSON and subscribes to the Atom
feeds; walks every API collection the root links to and each link found in the answers; and
never meets private feedback, hidden text, an email address or what a secret ballot chose."""

import json
import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from communities import services as community_services
from consultations import services as consultations
from ratification import services as votes
from tests.factories import (
    CommunityFactory,
    ConsultationFactory,
    EditorFactory,
    FacilitatorFactory,
    MembershipFactory,
    UserFactory,
    VoteFactory,
    make_policy,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FEEDBACK = "PRIVATE-FEEDBACK-7f3a: the moderator is my ex."
HIDDEN = "HIDDEN-REPLY-91bc: doxxing address here"
FEEDS = ["versions/", "summaries/", "adoption/", "votes/", "policies/baseline/versions/"]


def _build_site():
    fran = FacilitatorFactory(username="fran")
    policy = make_policy(editor=EditorFactory(username="edna"), slug="baseline", n_versions=2)
    version = policy.versions.get(number=2)
    kim, lee = UserFactory(username="kim"), UserFactory(username="lee")
    consultation = ConsultationFactory(by=fran, version=version, title="Consultation on v2")
    key = version.sections.first().key
    position = consultations.take_position(
        consultation=consultation, section_key=key, user=kim, stance="oppose", reason="Vague."
    )
    reply = consultations.add_reply(position=position, user=lee, body=HIDDEN)
    consultations.moderate(item=reply, user=fran, hide=True, reason="Personal data.")
    consultations.give_private_feedback(consultation=consultation, user=kim, body=FEEDBACK)
    alder = CommunityFactory(by=fran, name="Alder Wiki", slug="alder-wiki")
    alder.delegates.add(kim)
    community_services.declare_adoption(
        community=alder,
        policy=policy,
        user=kim,
        status="adopted",
        version=version,
        report_contact="the Alder arbitration committee's talk page",
    )
    vote = VoteFactory(by=fran, version=version, question="Ratify version 2?", secret=True)
    receipts = {}
    yes, no = list(vote.option_labels())[:2]
    for voter, option in ((kim, yes), (lee, no)):
        MembershipFactory(by=fran, community=alder, user=voter)
        _, receipts[voter.username] = votes.cast_ballot(vote=vote, user=voter, option=option)
    type(vote).objects.filter(pk=vote.pk).update(closes_at=timezone.now())
    votes.close_vote(vote=vote)
    # What an integrator reads besides what the API's root links to, by their ids.
    known = [
        f"policies/{policy.slug}/versions/2/",
        f"policies/{policy.slug}/compare/1/2/",
        f"consultations/{consultation.pk}/",
        f"consultations/{consultation.pk}/positions/",
        f"consultations/{consultation.pk}/replies/",
        f"consultations/{consultation.pk}/moderation/",
        f"votes/{vote.pk}/",
        f"votes/{vote.pk}/results/",
        f"votes/{vote.pk}/voters/",
    ]
    return policy, [kim, lee, fran], receipts, known


def _links(value, base):
    """Every address of this site's API found in a JSON answer."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _links(item, base)
    elif isinstance(value, list):
        for item in value:
            yield from _links(item, base)
    elif isinstance(value, str) and value.startswith(f"{base}/api/v1/"):
        yield value


def test_integrator_journey(journey):
    policy, people, receipts, known = _build_site()
    base = journey.base
    page = journey.page()
    ours = f"{urlsplit(base).scheme}://{urlsplit(base).netloc}"
    elsewhere = []

    def offline(route):
        if route.request.url.startswith(("data:", "blob:")) or route.request.url.startswith(ours):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.context.route("**/*", offline)

    # The docs page renders from our own static files, with the operations listed.
    page.goto(f"{base}/api/docs/")
    expect(page.get_by_text("Accord API").first).to_be_visible()
    operation = page.locator(".opblock-summary-path", has_text="/api/v1/policies/")  # Swagger UI's
    expect(operation.first).to_be_visible()
    journey.shot(page, "api-docs")
    assert elsewhere == []
    schema = page.request.get(f"{base}/api/schema/?format=json")
    assert schema.ok
    paths = json.loads(schema.text())["paths"]
    assert "/api/v1/adoptions/" in paths and "/api/v1/votes/{id}/results/" in str(paths)

    answers = {}

    def fetch(url):
        response = page.request.get(url)
        assert response.status == 200, (url, response.status)
        answers[url] = response.text()
        return answers[url]

    # Pulls the adoption JSON, as a nightly job would.
    adoption = json.loads(fetch(f"{base}/adoption/export.json"))
    assert adoption and "baseline" in json.dumps(adoption)

    # Subscribes to the Atom feeds, found from visible links.
    page.goto(base + policy.url)
    expect(page.get_by_role("link", name="Follow new versions: Atom feed")).to_be_visible()
    journey.shot(page, "feed-links")
    for feed in FEEDS:
        text = fetch(f"{base}/feeds/{feed}")
        assert text.lstrip().startswith("<?xml") and "<feed" in text, feed

    # Walks the API from its root, following every link (pages too).
    queue, seen = [f"{base}/api/v1/", *(f"{base}/api/v1/{path}" for path in known)], set()
    while queue and len(seen) < 120:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        body = json.loads(fetch(url))
        queue.extend(link for link in _links(body, base) if link not in seen)
    assert len(seen) >= 20, sorted(seen)

    # Nothing private anywhere: feedback, hidden text, emails, who chose what.
    for url, text in answers.items():
        assert FEEDBACK not in text, url
        assert HIDDEN not in text, url
        for person in people:
            assert person.email not in text, url
        assert not re.search(r"[\w.+-]+@example\.(org|com)", text), url
        for username, receipt in receipts.items():
            assert not (receipt in text and re.search(rf"\b{username}\b", text)), url
