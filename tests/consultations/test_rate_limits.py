"""Posting limits: a script flooding a consultation is stopped with a clear message; people
writing by hand and facilitators are not."""

import pytest

from consultations import services
from consultations.models import Flag, Position, Reply

from .conftest import page_text

pytestmark = pytest.mark.django_db
LIMITS = {"position": (2, 600), "reply": (2, 600), "flag": (1, 3600), "amendment": (1, 3600)}


@pytest.fixture(autouse=True)
def tight_limits(settings):
    settings.ACCORD_RATE_LIMITS = LIMITS


def test_positions_beyond_the_limit_are_refused_with_a_message(
    consultation, keys, participant, client, url
):
    for key in keys[:2]:
        services.take_position(
            consultation=consultation, section_key=key, user=participant, stance="support"
        )
    client.force_login(participant)
    response = client.post(
        url, {"action": "position", "section_key": keys[2], "stance": "support", "reason": ""}
    )
    assert response.status_code == 400
    assert "You have posted 2 times in 10 minutes" in page_text(response)
    assert Position.objects.filter(user=participant).count() == 2


def test_replies_and_flags_are_limited_too(consultation, keys, participants):
    pat, quinn, _ = participants
    position = services.take_position(
        consultation=consultation, section_key=keys[0], user=pat, stance="support"
    )
    for _ in range(2):
        services.add_reply(position=position, user=quinn, body="Agreed.")
    with pytest.raises(services.RateLimited):
        services.add_reply(position=position, user=quinn, body="Agreed again.")
    services.flag_item(item=position, user=quinn, reason="Off topic.")
    with pytest.raises(services.RateLimited):
        services.flag_item(item=position, user=quinn, reason="Still off topic.")
    assert Reply.objects.count() == 2 and Flag.objects.count() == 1


def test_facilitators_are_not_limited(consultation, keys, facilitator):
    for key in keys:
        services.take_position(
            consultation=consultation, section_key=key, user=facilitator, stance="neutral"
        )
    assert Position.objects.filter(user=facilitator).count() == len(keys)
