"""Every list endpoint answers in a fixed number of queries, however many rows it lists."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amendments import services as amendment_services
from communities import services as community_services
from consultations import services as consultation_services
from ratification import services as vote_services
from tests.api.conftest import cast, close, make_vote, open_consultation
from tests.factories import UserFactory, make_policy

pytestmark = pytest.mark.django_db


def list_urls(world) -> list[str]:
    c, s = world.consultation.pk, world.summarised.pk
    return [
        "/api/v1/policies/",
        "/api/v1/policies/baseline/",
        "/api/v1/policies/baseline/versions/",
        "/api/v1/policies/baseline/versions/2/",
        "/api/v1/policies/baseline/compare/1/2/",
        "/api/v1/consultations/",
        f"/api/v1/consultations/{c}/",
        f"/api/v1/consultations/{c}/positions/",
        f"/api/v1/consultations/{c}/replies/",
        f"/api/v1/consultations/{c}/moderation/",
        f"/api/v1/consultations/{c}/amendments/",
        f"/api/v1/consultations/{s}/summary/",
        "/api/v1/summaries/",
        f"/api/v1/summaries/{world.summarised.summary.pk}/",
        f"/api/v1/translations/{world.translation.pk}/",
        "/api/v1/communities/",
        "/api/v1/communities/alder-wiki/",
        "/api/v1/communities/alder-wiki/adoptions/",
        "/api/v1/adoptions/",
        "/api/v1/votes/",
        f"/api/v1/votes/{world.open_vote.pk}/",
        f"/api/v1/votes/{world.open_vote.pk}/voters/",
        f"/api/v1/votes/{world.closed_vote.pk}/results/",
        "/api/v1/board-ratifications/",
        "/api/v1/external-tallies/",
    ]


def grow(world, editor, facilitator) -> None:
    """Many more of everything the lists show."""
    for i in range(4):
        policy = make_policy(editor=editor, slug=f"extra-{i}", title=f"Extra {i}", n_versions=2)
        summarised = open_consultation(policy.versions.get(number=1), facilitator)
        consultation_services.close_consultation(
            consultation=summarised, user=facilitator, note="Ended."
        )
        consultation_services.save_summary(
            consultation=summarised,
            user=facilitator,
            intro="Heard.",
            sections=[
                {"section_key": s.key, "outcome": "no_change", "text": "Fine."}
                for s in policy.versions.get(number=1).sections.all()
            ],
        )
        consultation_services.publish_summary(consultation=summarised, user=facilitator)
    people = [UserFactory(username=f"crowd{i}") for i in range(25)]
    for i, person in enumerate(people):
        position = consultation_services.take_position(
            consultation=world.consultation,
            section_key=world.keys[i % 3],
            user=person,
            stance=["support", "oppose", "neutral"][i % 3],
            reason=f"Reason {i}.",
        )
        reply = consultation_services.add_reply(position=position, user=people[0], body="Yes.")
        if i % 5 == 0:
            consultation_services.moderate(item=reply, user=facilitator, hide=True, reason="No.")
            consultation_services.moderate(item=position, user=facilitator, hide=True, reason="No.")
        if i < 6:
            amendment_services.propose_amendment(
                consultation=world.consultation,
                section_key=world.keys[i % 3],
                user=person,
                kind="replace",
                text=f"Other words {i}.",
                rationale="Better.",
            )
    for i in range(20):
        community, _ = community_services.save_community(
            user=facilitator, name=f"Community {i:02}", slug=f"community-{i:02}"
        )
        community.delegates.add(people[i], people[i + 1])
        community_services.declare_adoption(
            community=community, policy=world.policy, user=facilitator, status="adopted"
        )
    world.community.delegates.add(*people[:5])
    for i in range(3):
        vote = make_vote(world.v2, facilitator, question=f"Another {i}?")
        vote.eligible_communities.add(world.community, world.other_community)
    cast(world.open_vote, ["yes", "no", "abstain"] * 5, prefix="late")
    extra = make_vote(world.v1, facilitator, question="Closed too?")
    cast(extra, ["yes"] * 4, prefix="extra")
    close(extra)
    for i in range(5):
        vote_services.record_board_decision(
            version=world.v2,
            user=facilitator,
            body=f"Board {i}",
            decided_on=timezone.now().date(),
            outcome="deferred",
        )
        vote_services.record_external_tally(
            version=world.v1,
            user=facilitator,
            title=f"Elsewhere {i}",
            held_until=timezone.now().date(),
            votes_for=1,
            votes_against=1,
            votes_abstain=0,
            outcome="inconclusive",
            source_url="https://elsewhere.example.net/",
            community=world.other_community,
        )


def queries(client, url) -> int:
    cache.clear()  # tallies and rendered text are cached; count them cold
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, {"page_size": 100} if url.endswith("s/") else {})
    assert response.status_code == 200, (url, response.content)
    return len(context)


@pytest.mark.parametrize("role", ["anonymous", "facilitator"])
def test_list_endpoints_do_not_grow_with_the_data(
    api, world, editor, facilitator, django_assert_max_num_queries, subtests, role
):
    if role == "facilitator":
        api.force_authenticate(facilitator)
    urls = list_urls(world)
    small = {url: queries(api, url) for url in urls}
    grow(world, editor, facilitator)
    for url in urls:
        with subtests.test(url=url):
            assert small[url] <= 12, "a handful of queries per page"
            cache.clear()
            with django_assert_max_num_queries(small[url]):
                response = api.get(url, {"page_size": 100} if url.endswith("s/") else {})
            assert response.status_code == 200
    # The lists did grow.
    assert api.get("/api/v1/communities/").json()["count"] == 22
    positions = f"/api/v1/consultations/{world.consultation.pk}/positions/"
    assert api.get(positions).json()["count"] == 27
