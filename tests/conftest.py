import os
from pathlib import Path

import pytest
from django.core.cache import cache

from tests.db_template import start_from_migrated_template
from tests.factories import EditorFactory, FacilitatorFactory, SuperuserFactory, UserFactory

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, django_db_blocker):
    start_from_migrated_template(django_db_blocker)


# Fixtures through which a test reaches the database (directly or through the fixtures it uses).
# (pytest-django's django_db_blocker is in every test's closure, so it says nothing.)
_DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "django_db_setup",
    "live_server",
    "admin_user",
    "admin_client",
    "django_user_model",
}


def uses_database(item) -> bool:
    return bool(item.get_closest_marker("django_db")) or bool(
        _DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


def pytest_collection_modifyitems(config, items):
    """ACCORD_ONLY_DATABASE_TESTS=1 keeps only the tests that touch the database. CI sets it for
    its second backend: a test that never opens a connection gives the same answer on either,
    so running it again on PostgreSQL would repeat the SQLite run (markdown, diffs, parsers)."""
    if os.environ.get("ACCORD_ONLY_DATABASE_TESTS") != "1":
        return
    kept, dropped = [], []
    for item in items:
        (kept if uses_database(item) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


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
