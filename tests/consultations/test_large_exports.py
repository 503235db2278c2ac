"""Large consultations export through a background task: the page says it is being prepared,
and the same URL serves the file once the worker has written it."""

import pytest

from consultations import services
from consultations.tasks import prepare_export

pytestmark = pytest.mark.django_db


@pytest.fixture
def large(settings, consultation, keys, participants):
    settings.ACCORD_SYNC_EXPORT_LIMIT = 2
    for user in participants:
        services.take_position(
            consultation=consultation, section_key=keys[0], user=user, stance="support"
        )
    return consultation


def test_a_large_export_is_prepared_in_the_background(large, url, client, settings):
    # A real worker would run the task later: the dummy backend only records it.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    pending = client.get(f"{url}export.csv")
    assert pending.status_code == 202
    assert "being prepared in the background" in pending.content.decode()
    (result,) = default_task_backend.results
    prepare_export.call(*result.args)
    ready = client.get(f"{url}export.csv")
    assert ready.status_code == 200
    body = b"".join(ready.streaming_content).decode()
    assert body.startswith("type,id,parent") and body.count("\nposition,") == 3


def test_the_immediate_backend_serves_a_large_export_at_once(large, url, client):
    data = client.get(f"{url}export.json")
    assert data.status_code == 200
    assert '"stance": "support"' in b"".join(data.streaming_content).decode()
