"""People, a published policy and votes for the ratification tests, built through the
services. Times are explicit: each vote helper says where "now" stands in the vote's life."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from communities.models import Community, Membership
from ratification import services
from ratification.models import Ballot, Vote
from tests.factories import UserFactory, make_policy
from tests.reading import page_text, tables  # noqa: F401  (test modules import them from here)

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@pytest.fixture
def policy(editor):
    return make_policy(editor=editor, slug="baseline", title="Baseline Code", n_versions=2)


@pytest.fixture
def version(policy):
    return policy.versions.order_by("-number").first()


@pytest.fixture
def scrutineer(db):
    user = UserFactory(username="scott")
    user.groups.add(Group.objects.get(name="Scrutineers"))
    return user


@pytest.fixture
def secretary(db):
    user = UserFactory(username="sec")
    user.groups.add(Group.objects.get(name="Board secretaries"))
    return user


@pytest.fixture
def voters(db):
    return [UserFactory(username=f"voter{i}") for i in range(5)]


@pytest.fixture
def community(db):
    return Community.objects.create(name="Alder Wiki", slug="alder")


def member(user, community, *, edits=None, blocked=False):
    return Membership.objects.create(
        user=user, community=community, edit_count=edits, blocked=blocked
    )


def settings_for(**overrides) -> services.VoteSettings:
    now = timezone.now()
    values = {
        "question": "Do you ratify the Baseline Code?",
        "opens_at": now - HOUR,
        "closes_at": now + DAY,
    }
    values.update(overrides)
    return services.VoteSettings(**values)


def make_vote(version, facilitator, *, open_it=True, **overrides) -> Vote:
    """A vote that is (by default) open and taking ballots now."""
    vote = services.create_vote(version=version, user=facilitator, config=settings_for(**overrides))
    if open_it:
        vote = services.open_vote(vote=vote, user=facilitator)
    return vote


def close(vote: Vote) -> Vote:
    """Move the vote's closing time into the past (as the clock would) and close it."""
    Vote.objects.filter(pk=vote.pk).update(
        opens_at=vote.opens_at - 3 * DAY, closes_at=timezone.now() - dt.timedelta(seconds=1)
    )
    vote.refresh_from_db()
    return services.close_vote(vote=vote)


@pytest.fixture
def open_vote(version, facilitator):
    return make_vote(version, facilitator)


def cast_many(vote: Vote, options, *, community=None, prefix="v", now=None) -> list:
    """Cast one ballot per entry of `options` ("yes", "no", ...), each by a new account (a member
    of `community` if given). Returns the voters, in order."""
    start = Ballot.objects.filter(vote=vote).count()
    people = []
    for index, option in enumerate(options):
        user = UserFactory(username=f"{prefix}{vote.pk}-{start + index}")
        if community is not None:
            member(user, community)
        services.cast_ballot(vote=vote, user=user, option=option, now=now)
        people.append(user)
    return people


def counts(**by_option) -> list[str]:
    """counts(yes=2, no=1) -> ["yes", "yes", "no"]."""
    return [option for option, n in by_option.items() for _ in range(n)]
