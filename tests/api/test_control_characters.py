"""Control characters in API writes (issue 21): invisible ones pasted into a text are dropped
before anything is stored, so no feed or export meets them; NUL is refused with a 400 naming
the field, as before."""

import pytest

from communities.models import Adoption
from consultations.models import Position
from tests.api.conftest import post_json
from tests.api.test_writes import token_client

pytestmark = pytest.mark.django_db

PASTED = "Kind\x0b words\x01 for\x1f all.\tTabs\nand lines\r\nstay."
CLEAN = "Kind words for all.\tTabs\nand lines\r\nstay."


def test_a_position_is_stored_without_control_characters(world, participant):
    response = post_json(
        token_client(participant),
        f"/api/v1/consultations/{world.consultation.pk}/positions/",
        {"section_key": world.keys[1], "stance": "support", "reason": PASTED},
    )
    assert response.status_code == 201, response.content
    assert response.json()["reason"] == CLEAN
    assert Position.objects.get(pk=response.json()["id"]).reason == CLEAN


def test_a_declaration_is_stored_without_control_characters(world, facilitator):
    response = post_json(
        token_client(facilitator),
        "/api/v1/communities/birch-project/adoptions/",
        {
            "policy": "baseline",
            "status": "adopted",
            "version": 1,
            "rationale": PASTED,
            "enforcement_body": "The\x0c moderators",
            "parameters": {"[CONTACT METHOD]": "the\x1e birch moderators"},
        },
    )
    assert response.status_code == 201, response.content
    adoption = Adoption.objects.get(community__slug="birch-project")
    assert adoption.rationale == CLEAN
    assert adoption.enforcement_body == "The moderators"
    assert adoption.parameters == {"[CONTACT METHOD]": "the birch moderators"}


def test_nul_is_still_refused_with_the_field_named(world, participant):
    before = Position.objects.count()
    response = post_json(
        token_client(participant),
        f"/api/v1/consultations/{world.consultation.pk}/positions/",
        {"section_key": world.keys[1], "stance": "support", "reason": "a\x00b\x0bc"},
    )
    assert response.status_code == 400
    assert "reason" in response.json()
    assert Position.objects.count() == before
