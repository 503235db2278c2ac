"""People, communities and a published baseline for the communities tests, built through the
services; plus small readers for what a person sees on a page (text, tables, a snapshot of
everything the app stores)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from communities import services
from communities.models import Adoption, Community, EquivalentMapping, SectionOverride
from policies import services as policy_services
from tests.factories import CommunityFactory, UserFactory, make_policy
from tests.reading import page_text, tables  # noqa: F401  (test modules import them from here)

ROLES = [
    "anonymous",
    "participant",
    "delegate",
    "other_delegate",
    "inactive_delegate",
    "facilitator",
    "superuser",
]


def db_state() -> dict:
    """Everything the communities app stores, history included, to compare before and after."""
    return {
        "communities": list(Community.objects.order_by("pk").values()),
        "delegates": list(Community.delegates.through.objects.order_by("pk").values()),
        "adoptions": list(Adoption.objects.order_by("pk").values()),
        "overrides": list(SectionOverride.objects.order_by("pk").values()),
        "mappings": list(EquivalentMapping.objects.order_by("pk").values()),
        "history": [
            model.history.count()
            for model in (Community, Adoption, SectionOverride, EquivalentMapping)
        ],
    }


@pytest.fixture
def community(facilitator):
    return CommunityFactory(
        by=facilitator,
        name="Alder Wiki",
        slug="alder-wiki",
        kind="wiki",
        language="en",
        url="https://alder.example.org/",
    )


@pytest.fixture
def other_community(facilitator):
    return CommunityFactory(
        by=facilitator,
        name="Birch Project",
        slug="birch-project",
        kind="project",
        language="de",
        url="https://birch.example.org/",
    )


@pytest.fixture
def delegate(community):
    user = UserFactory(username="dana")
    community.delegates.add(user)
    return user


@pytest.fixture
def other_delegate(other_community):
    user = UserFactory(username="olga")
    other_community.delegates.add(user)
    return user


@pytest.fixture
def inactive_delegate(community):
    user = UserFactory(username="gone", is_active=False)
    community.delegates.add(user)
    return user


@pytest.fixture
def role_user(participant, delegate, other_delegate, inactive_delegate, facilitator, superuser):
    return {
        "anonymous": AnonymousUser(),
        "participant": participant,
        "delegate": delegate,
        "other_delegate": other_delegate,
        "inactive_delegate": inactive_delegate,
        "facilitator": facilitator,
        "superuser": superuser,
    }


@pytest.fixture
def policy(editor):
    """ "Baseline Code" (slug baseline), version 1: three sections, each with the placeholder
    [CONTACT METHOD]."""
    return make_policy(editor=editor, n_sections=3)


@pytest.fixture
def v1(policy):
    return policy.versions.get(number=1)


@pytest.fixture
def keys(v1):
    return [s.key for s in v1.sections.all()]


@pytest.fixture
def declare(facilitator):
    """declare(community, policy, status="adopted", user=facilitator, **fields)"""

    def do(community, policy, status="adopted", *, user=None, **fields):
        return services.declare_adoption(
            community=community, policy=policy, user=user or facilitator, status=status, **fields
        )

    return do


@pytest.fixture
def override(facilitator):
    """override(adoption, key, text="Local text.", action="replace", rationale=...)"""

    def do(adoption, key, text="Local text.", *, action="replace", rationale="We say it so."):
        return services.set_override(
            adoption=adoption,
            section_key=key,
            user=facilitator,
            action=action,
            text=text,
            rationale=rationale,
        )

    return do


@pytest.fixture
def publish(editor):
    """publish(policy, {key: new body}): a new version that changes only those sections."""

    def do(policy, changes: dict[str, str], summary="Reworded."):
        latest = policy.versions.order_by("-number").first()
        sections = [(s.key, s.heading, changes.get(s.key, s.body)) for s in latest.sections.all()]
        return policy_services.publish_policy(
            page=policy, user=editor, summary=summary, sections=sections
        )

    return do
