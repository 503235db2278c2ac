"""Redis gone (settings.CACHES points at a port nobody listens on): pages are rendered from
the database, a signed-in participant stays signed in, posting limits stay enforced."""

import socket

import pytest

from consultations.models import Position

from .conftest import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def redis_gone(settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": "accord",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.ACCORD_RATE_LIMITS = {**settings.ACCORD_RATE_LIMITS, "position": (2, 600)}


def test_pages_are_served_and_a_participant_stays_signed_in(client, participant, url):
    client.force_login(participant)
    for _ in range(2):  # the second request reads the session back from the database
        response = client.get(url)
        assert response.status_code == 200
        assert f"Sign out {participant.username}" in page_text(response)


def test_posting_limits_stay_enforced(client, participant, url, keys):
    client.force_login(participant)
    for key in keys[:2]:
        response = client.post(
            url, {"action": "position", "section_key": key, "stance": "support", "reason": ""}
        )
        assert response.status_code == 302
    response = client.post(
        url, {"action": "position", "section_key": keys[2], "stance": "support", "reason": ""}
    )
    assert response.status_code == 400
    assert "You have posted 2 times in 10 minutes" in page_text(response)
    assert Position.objects.filter(user=participant).count() == 2
