"""Taking a position and declaring adoption through the API: who may, with which credentials,
and the same messages as the pages."""

import pytest
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from communities.models import Adoption
from consultations import services as consultation_services
from consultations.models import WHOLE_TEXT, Position
from tests.api.conftest import post_json
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def token_client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def positions_url(world) -> str:
    return f"/api/v1/consultations/{world.consultation.pk}/positions/"


# --- taking a position -----------------------------------------------------------------------


def test_anonymous_cannot_take_a_position(api, world):
    response = post_json(
        api, positions_url(world), {"section_key": WHOLE_TEXT, "stance": "support"}
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert not Position.objects.filter(section_key=WHOLE_TEXT).exists()


def test_token_auth_takes_then_changes_one_position(world):
    client = token_client(UserFactory(username="tess"))
    data = {"section_key": world.keys[2], "stance": "support", "reason": "Good."}
    first = post_json(client, positions_url(world), data)
    assert first.status_code == 201, first.content
    created = first.json()
    assert created["author"] == "tess"
    assert created["stance"] == "support"
    assert created["reason"] == "Good."
    changed = post_json(
        client, positions_url(world), {**data, "stance": "oppose", "reason": "On reflection, no."}
    )
    assert changed.status_code == 200
    assert changed.json()["id"] == created["id"]
    position = Position.objects.get(pk=created["id"])
    assert position.stance == "oppose"
    assert [h.stance for h in position.history.order_by("history_date")] == ["support", "oppose"]
    # The tally on the consultation shows it at once.
    detail = client.get(f"/api/v1/consultations/{world.consultation.pk}/").json()
    tally = next(s["tally"] for s in detail["sections"] if s["key"] == world.keys[2])
    assert tally["oppose"] == 1


def test_session_writes_need_the_csrf_token(world, participant):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(participant)
    data = {"section_key": WHOLE_TEXT, "stance": "neutral"}
    refused = post_json(client, positions_url(world), data)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    client.get("/accounts/login/")  # any page that sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = post_json(client, positions_url(world), data, HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201, accepted.content


def test_the_services_messages_come_back_as_400(world, participant):
    client = token_client(participant)
    url = positions_url(world)
    oppose = post_json(client, url, {"section_key": world.keys[0], "stance": "oppose"})
    assert oppose.status_code == 400
    assert oppose.json() == {"reason": ["This cannot be empty."]}
    unknown = post_json(client, url, {"section_key": "no-such-section", "stance": "support"})
    assert unknown.status_code == 400
    assert unknown.json() == {"section_key": ["That section is not part of the consulted version."]}
    bad_stance = post_json(client, url, {"section_key": world.keys[0], "stance": "maybe"})
    assert bad_stance.status_code == 400
    assert "stance" in bad_stance.json()


def test_a_closed_consultation_is_read_only(world, participant, facilitator):
    consultation_services.close_consultation(
        consultation=world.consultation, user=facilitator, note="Done."
    )
    response = post_json(
        token_client(participant),
        positions_url(world),
        {"section_key": WHOLE_TEXT, "stance": "support"},
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "This consultation is closed: it is read-only now."}


def test_a_draft_consultation_is_not_there(world, participant, facilitator):
    from tests.api.conftest import DAY, timezone

    draft = consultation_services.create_consultation(
        version=world.v2, user=facilitator, title="Draft", closes_at=timezone.now() + DAY
    )
    response = post_json(
        token_client(participant),
        f"/api/v1/consultations/{draft.pk}/positions/",
        {"section_key": WHOLE_TEXT, "stance": "support"},
    )
    assert response.status_code == 404


def test_inactive_accounts_are_refused(world):
    gone = UserFactory(username="gone", is_active=False)
    response = post_json(
        token_client(gone), positions_url(world), {"section_key": WHOLE_TEXT, "stance": "support"}
    )
    assert response.status_code == 401


def test_bad_token_is_401_even_for_reads(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/policies/").status_code == 401


def test_posting_too_fast_is_429_with_the_pages_message(world, settings):
    settings.ACCORD_RATE_LIMITS = {**settings.ACCORD_RATE_LIMITS, "position": (1, 600)}
    client = token_client(UserFactory(username="speedy"))
    url = positions_url(world)
    assert (
        post_json(client, url, {"section_key": WHOLE_TEXT, "stance": "support"}).status_code == 201
    )
    again = post_json(client, url, {"section_key": WHOLE_TEXT, "stance": "neutral"})
    assert again.status_code == 429
    assert again.json()["detail"].startswith("You have posted 1 times in 10 minutes")


def test_writes_have_their_own_throttle(world, participant, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "write", "2/minute")
    client = token_client(participant)
    url = positions_url(world)
    for stance in ("support", "neutral"):
        assert post_json(
            client, url, {"section_key": WHOLE_TEXT, "stance": stance}
        ).status_code in (
            200,
            201,
        )
    third = post_json(client, url, {"section_key": WHOLE_TEXT, "stance": "oppose", "reason": "x"})
    assert third.status_code == 429
    assert "throttled" in third.json()["detail"]
    assert client.get(url).status_code == 200  # reads are not counted as writes


def test_reads_are_throttled_too(world, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "3/minute")
    client = APIClient()
    codes = [client.get("/api/v1/policies/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


# --- declaring adoption ---------------------------------------------------------------------------


def declare_url(slug="alder-wiki") -> str:
    return f"/api/v1/communities/{slug}/adoptions/"


OPT_OUT = {"policy": "baseline", "status": "opted_out", "rationale": "We have our own process."}


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("participant", 403), ("other_delegate", 403), ("inactive", 401)],
)
def test_who_may_not_declare(world, participant, who, status):
    users = {
        "participant": participant,
        "other_delegate": UserFactory(username="olga"),
        "inactive": UserFactory(username="gone", is_active=False),
    }
    if who == "other_delegate":
        world.other_community.delegates.add(users["other_delegate"])
    client = APIClient() if who == "anonymous" else token_client(users[who])
    response = post_json(client, declare_url(), OPT_OUT)
    assert response.status_code == status
    if status == 403:
        assert response.json() == {
            "detail": "Only Alder Wiki's delegates or a facilitator may declare for it."
        }
    assert Adoption.objects.get(community=world.community).status == "adopted"


def test_a_delegate_changes_the_declaration(world, delegate):
    response = post_json(token_client(delegate), declare_url(), OPT_OUT)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "opted_out"
    assert data["rationale"] == "We have our own process."
    assert data["declared_by"] == "dana"
    assert data["version"] == 2
    adoption = Adoption.objects.get(community=world.community)
    assert adoption.status == "opted_out"
    assert adoption.history.count() == 2


def test_a_facilitator_declares_for_any_community(world, facilitator):
    response = post_json(
        token_client(facilitator),
        declare_url("birch-project"),
        {
            "policy": "baseline",
            "status": "adopted",
            "version": 1,
            "decided_on": "2026-01-15",
            "evidence_url": "https://birch.example.net/decision",
            "parameters": {"[CONTACT METHOD]": "the birch moderators"},
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["community"] == "birch-project"
    assert data["version"] == 1
    assert data["decided_on"] == "2026-01-15"
    assert data["parameters"] == {"[CONTACT METHOD]": "the birch moderators"}


def test_declaring_by_session_needs_csrf(world, delegate):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(delegate)
    assert post_json(client, declare_url(), OPT_OUT).status_code == 403
    assert Adoption.objects.get(community=world.community).status == "adopted"


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"rationale": ""}, {"rationale": ["Say briefly why the community opts out."]}),
        ({"policy": "nope"}, {"policy": ["No such policy."]}),
        ({"version": 7}, {"version": ["This policy has no version 7."]}),
        (
            {"status": "own_equivalent"},
            {"equivalent_url": ["Name your own policy and give its address."]},
        ),
        (
            {"evidence_url": "javascript:alert(1)"},
            {"evidence_url": ["Enter a full web address starting with https://."]},
        ),
        (
            {"parameters": {"[NOT A PLACEHOLDER]": "x"}},
            {"parameters": ["[NOT A PLACEHOLDER] is not a placeholder of this version."]},
        ),
    ],
)
def test_declaration_errors_are_the_services(world, delegate, change, errors):
    response = post_json(token_client(delegate), declare_url(), {**OPT_OUT, **change})
    assert response.status_code == 400
    assert response.json() == errors
    assert Adoption.objects.get(community=world.community).status == "adopted"


def test_declaring_for_an_unknown_community_is_404(world, facilitator):
    response = post_json(token_client(facilitator), declare_url("nowhere"), OPT_OUT)
    assert response.status_code == 404


def test_a_superuser_may_declare(world):
    root = UserFactory(username="root", is_superuser=True)
    assert post_json(token_client(root), declare_url(), OPT_OUT).status_code == 200


def test_facilitators_group_is_what_counts(world):
    helper = UserFactory(username="helper")
    assert post_json(token_client(helper), declare_url(), OPT_OUT).status_code == 403
    helper.groups.add(Group.objects.get(name="Facilitators"))
    assert post_json(token_client(helper), declare_url(), OPT_OUT).status_code == 200
