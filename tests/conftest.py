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
