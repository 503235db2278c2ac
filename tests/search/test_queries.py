"""The results page makes the same, bounded number of SQL queries however many rows match."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities import services as community_services
from consultations import services
from tests.factories import UserFactory

from .conftest import results_text

# Signed in: session and user (2), the request's savepoint and its release (2); the form's
# policies and consultations (2); policy text (2), positions, replies, the positions those
# replies answer, the authors, summaries and their sections, headings, communities (8).
MAX_QUERIES = 16


def fill(*, consult, publish, page, facilitator, community, n):
    """`n` of everything that matches "kindness": versions, positions, replies, communities,
    and a published summary."""
    key = page.versions.last().sections.get().key
    for i in range(n):
        version = publish(page, [(key, "Kindness", f"Kindness, edit {i}.")])
    c = consult(version, title=f"Round {n}")
    positions = []
    for i in range(n):
        user = UserFactory(username=f"u{n}-{i}")
        community_services.save_membership(community=community, member=user, user=facilitator)
        positions.append(
            services.take_position(
                consultation=c,
                section_key=key,
                user=user,
                stance=["support", "oppose", "neutral"][i % 3],
                reason=f"Kindness first, says number {i}.",
            )
        )
    for i, position in enumerate(positions):
        services.add_reply(position=position, user=facilitator, body=f"Kindness {i} noted.")
    services.close_consultation(consultation=c, user=facilitator, note="Done.")
    services.save_summary(
        consultation=c,
        user=facilitator,
        intro="Kindness came up often.",
        sections=[{"section_key": key, "outcome": "accepted", "text": "More kindness."}],
    )
    services.publish_summary(consultation=c, user=facilitator)


def count(client, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/search/", params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_constant_queries_few_and_many(
    client,
    new_policy,
    publish,
    consult,
    facilitator,
    community,
    participant,
    django_assert_max_num_queries,
):
    page = new_policy()
    publish(page, [(None, "Kindness", "Kindness always.")])
    kind_wiki = community("Kindness Wiki", "kindness-wiki", language="en")
    fill(
        consult=consult,
        publish=publish,
        page=page,
        facilitator=facilitator,
        community=kind_wiki,
        n=1,
    )
    searches = [
        {"q": "kindness"},
        {"q": "kindness", "policy": "baseline"},
        {"q": "kindness", "community": "kindness-wiki"},
        {"q": "kindness", "kind": "positions", "stance": "support"},
    ]
    client.force_login(participant)
    client.get("/search/")  # warm-up, as on a running site: the footer's cached log head
    few = {}
    for params in searches:
        with django_assert_max_num_queries(MAX_QUERIES):
            few[str(params)], response = count(client, params)
        assert "Kindness" in results_text(response)

    fill(
        consult=consult,
        publish=publish,
        page=page,
        facilitator=facilitator,
        community=kind_wiki,
        n=25,
    )
    for i in range(25):
        community(f"Kindness Club {i}", f"club-{i}")
    for params in searches:
        with django_assert_max_num_queries(MAX_QUERIES):
            many, response = count(client, params)
        assert many == few[str(params)], params
    text = results_text(client.get("/search/", {"q": "kindness"}))
    assert "Positions (10+)" in text and "Replies (10+)" in text and "Communities (10+)" in text
