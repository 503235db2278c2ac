from pathlib import Path

import pytest
from django.core.cache import cache

from tests.db_template import start_from_migrated_template
from tests.factories import EditorFactory, FacilitatorFactory, SuperuserFactory, UserFactory

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, django_db_blocker):
    start_from_migrated_template(django_db_blocker)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def editor(db):
    return EditorFactory(username="ana")


@pytest.fixture
def other_editor(db):
    return EditorFactory(username="ben")


@pytest.fixture
def participant(db):
    return UserFactory(username="pat")


@pytest.fixture
def facilitator(db):
    return FacilitatorFactory(username="fran")


@pytest.fixture
def superuser(db):
    return SuperuserFactory(username="root")


@pytest.fixture
def corpus():
    if not CORPUS.exists():
        pytest.skip("shared corpus not available")
    return CORPUS


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


# A transactional test empties its database when it ends, the data the migrations created
# included (Wagtail's page tree, groups, the policy index). pytest-django runs them after the
# other database tests, but `make test` hands whole files to each worker (--dist loadfile), so a
# file's transactional test may run before another file's ordinary tests. The data is kept
# from just before the first transactional test and put back after each one that such a test
# follows.
_SNAPSHOT = {}


@pytest.fixture(autouse=True)
def _keep_migrated_data(request):
    # A fixture, not a setup hook: it runs once the test database exists, also when a
    # transactional test is the session's first database test (a browser file run alone).
    if _transactional(request.node) and not _SNAPSHOT:
        from django.db import connection

        request.getfixturevalue("django_db_setup")
        with request.getfixturevalue("django_db_blocker").unblock():
            _SNAPSHOT["data"] = connection.creation.serialize_db_to_string()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    if _SNAPSHOT and _transactional(item) and nextitem is not None and not _transactional(nextitem):
        from django.apps import apps
        from django.core.management import call_command
        from django.core.management.color import no_style
        from django.db import connection
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            call_command(
                "flush",
                verbosity=0,
                interactive=False,
                inhibit_post_migrate=True,
                reset_sequences=False,
            )
            connection.creation.deserialize_db_from_string(_SNAPSHOT["data"])
            # Rows come back with their ids: new rows must be numbered after them.
            models = apps.get_models(include_auto_created=True)
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)
    return result
