"""People, a published policy and consultations in each state, built through the services."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from consultations import services
from consultations.models import Consultation
from consultations.selectors import consultation_url
from tests.factories import UserFactory, make_policy
from tests.reading import page_text  # noqa: F401  (test modules import them from here)

STATES = ["draft", "open", "closed", "summarised"]


def in_state(consultation: Consultation, state: str, *, user) -> Consultation:
    """Move an open (or draft) consultation to `state` the way a facilitator would."""
    if state == consultation.state:
        return consultation
    if state == "draft":
        raise ValueError("a consultation cannot go back to draft")
    if consultation.state == "draft":
        consultation = services.open_consultation(consultation=consultation, user=user)
    if state in ("closed", "summarised") and consultation.state == "open":
        consultation = services.close_consultation(
            consultation=consultation, user=user, note="The period ended."
        )
    if state == "summarised":
        services.save_summary(
            consultation=consultation,
            user=user,
            intro="What we heard.",
            sections=[{"section_key": "__whole__", "outcome": "no_change", "text": "Thanks."}],
        )
        services.publish_summary(consultation=consultation, user=user)
    return Consultation.objects.select_related("version__policy").get(pk=consultation.pk)


@pytest.fixture
def facilitator(db):
    user = UserFactory(username="fran")
    user.groups.add(Group.objects.get(name="Facilitators"))
    return user


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


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
        consultation = services.create_consultation(
            version=version,
            user=facilitator,
            title=title,
            description=description,
            closes_at=timezone.now() + timedelta(days=28),
            open_now=state != "draft",
        )
        return in_state(consultation, state, user=facilitator)

    return make


@pytest.fixture
def consultation(make_consultation, version):
    return make_consultation(version)


@pytest.fixture
def url(consultation):
    return consultation_url(consultation)
