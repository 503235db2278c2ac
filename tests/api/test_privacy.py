"""What must never leave through the API, whoever asks: private feedback, the text of hidden
positions and replies, secret (or open) ballot choices, receipts, email addresses."""

import pytest
from rest_framework.test import APIClient

from ratification.models import Choice
from tests.api.conftest import HIDDEN_POSITION, HIDDEN_REPLY, PRIVATE_FEEDBACK, body, close
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEVER_KEYS = {
    "email",
    "receipt",
    "receipt_digest",
    "owner_tag",
    "sealed_option",
    "choice",
    "choices",
    "option",
    "password",
    "voter_id",
}


def every_get_url(world) -> list[str]:
    c, s = world.consultation.pk, world.summarised.pk
    votes = [world.open_vote.pk, world.closed_vote.pk, world.open_public_vote.pk]
    urls = [
        "/api/v1/",
        "/api/v1/policies/",
        "/api/v1/policies/baseline/",
        "/api/v1/policies/baseline/versions/",
        "/api/v1/policies/baseline/versions/2/",
        f"/api/v1/versions/{world.v2.pk}/",
        f"/api/v1/translations/{world.translation.pk}/",
        f"/api/v1/summaries/{world.summarised.summary.pk}/",
        "/api/v1/policies/baseline/compare/1/2/?ops=true",
        f"/api/v1/policies/baseline/versions/2/sections/{world.keys[2]}/",
        "/api/v1/consultations/",
        "/api/v1/summaries/",
        "/api/v1/communities/",
        "/api/v1/communities/alder-wiki/",
        "/api/v1/communities/alder-wiki/adoptions/",
        "/api/v1/adoptions/",
        "/api/v1/votes/",
        "/api/v1/board-ratifications/",
        "/api/v1/external-tallies/",
        "/api/schema/?format=json",
    ]
    for pk in (c, s):
        urls += [
            f"/api/v1/consultations/{pk}/",
            f"/api/v1/consultations/{pk}/positions/?page_size=100",
            f"/api/v1/consultations/{pk}/replies/?page_size=100",
            f"/api/v1/consultations/{pk}/moderation/?page_size=100",
            f"/api/v1/consultations/{pk}/amendments/",
            f"/api/v1/consultations/{pk}/summary/",
        ]
    for pk in votes:
        urls += [
            f"/api/v1/votes/{pk}/",
            f"/api/v1/votes/{pk}/results/",
            f"/api/v1/votes/{pk}/voters/",
        ]
    return urls


def keys_of(data) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {k for v in data.values() for k in keys_of(v)}
    if isinstance(data, list):
        return {k for v in data for k in keys_of(v)}
    return set()


@pytest.fixture
def clients(world, participant, facilitator):
    """Anonymous, the author of the hidden position, the participant who wrote the private
    feedback, a facilitator and a superuser."""
    from consultations.models import Position

    author = Position.objects.get(pk=world.hidden_position.pk).user
    out = {"anonymous": APIClient()}
    for name, user in {
        "hidden_author": author,
        "feedback_author": participant,
        "facilitator": facilitator,
        "superuser": UserFactory(username="root", is_superuser=True, is_staff=True),
    }.items():
        client = APIClient()
        client.force_authenticate(user)
        out[name] = client
    return out


def test_nothing_private_in_any_response(world, clients, subtests):
    # Close the open-ballot vote too: even then the API never says who chose what.
    close(world.open_public_vote)
    secrets = [HIDDEN_POSITION, HIDDEN_REPLY, PRIVATE_FEEDBACK, "@example.org", *world.receipts]
    secrets += [c.receipt_digest for c in Choice.objects.all()]
    secrets += [c.owner_tag for c in Choice.objects.all()]
    for role, client in clients.items():
        for url in every_get_url(world):
            with subtests.test(role=role, url=url):
                response = client.get(url)
                assert response.status_code in (200, 403, 404), response.content
                text = body(response)
                for secret in secrets:
                    assert secret not in text
                if url.startswith("/api/v1/"):
                    assert not keys_of(response.json()) & NEVER_KEYS


def test_open_ballot_choices_stay_out_of_the_voter_roll(world, api):
    vote = close(world.open_public_vote)
    rows = api.get(f"/api/v1/votes/{vote.pk}/voters/").json()["results"]
    assert rows == [{"voter": "public0", "community": None, "struck": False, "struck_reason": ""}]
    assert "abstain" not in str(rows).lower()


def test_results_before_close_say_nothing_of_the_count(world, api):
    response = api.get(f"/api/v1/votes/{world.open_vote.pk}/results/")
    assert response.status_code == 403
    assert response.json() == {"detail": "Results are hidden until the vote closes."}
    detail = api.get(f"/api/v1/votes/{world.open_vote.pk}/").json()
    assert "tally" not in detail and "breakdown" not in detail
    assert detail["results_url"] is None


def test_the_schema_exposes_no_private_field(api):
    components = api.get("/api/schema/?format=json").json()["components"]["schemas"]
    names = {name for schema in components.values() for name in schema.get("properties", {})}
    assert not names & NEVER_KEYS
    assert not any("feedback" in name.lower() for name in [*components, *names])
