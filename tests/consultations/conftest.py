"""People, a published policy and consultations in each state, built through the services."""

import pytest

from consultations.selectors import consultation_url
from tests.factories import ConsultationFactory, UserFactory, make_policy
from tests.factories import move_consultation as in_state  # noqa: F401  (test modules import it)
from tests.reading import page_text  # noqa: F401  (test modules import them from here)

STATES = ["draft", "open", "closed", "summarised"]


@pytest.fixture
def inactive(db):
    return UserFactory(username="gone", is_active=False)


@pytest.fixture
def participants(db, participant):
    """Three signed-in participants: pat (from tests/conftest.py), quinn and rey."""
    return [participant, UserFactory(username="quinn"), UserFactory(username="rey")]


@pytest.fixture
def policy(editor):
    return make_policy(editor=editor, n_sections=3)


@pytest.fixture
def version(policy):
    return policy.versions.get()


@pytest.fixture
def keys(version):
    return [s.key for s in version.sections.all()]


@pytest.fixture
def make_consultation(facilitator):
    """make_consultation(version, state="open", title=..., description=...)"""

    def make(version, *, state="open", title="Consultation on the code", description=""):
        return ConsultationFactory(
            by=facilitator, version=version, state=state, title=title, description=description
        )

    return make


@pytest.fixture
def consultation(make_consultation, version):
    return make_consultation(version)


@pytest.fixture
def url(consultation):
    return consultation_url(consultation)
