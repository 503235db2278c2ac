"""Demo ratification: the board's decision, a closed vote with results, an open vote, and a
vote held elsewhere. Built on the services; used by `manage.py seed_demo`."""

import datetime as dt

from django.utils import timezone

from communities import services as community_services
from communities.models import Community
from policies.demo import demo_user
from policies.models import PolicyVersion

from . import services
from .models import Vote

# (community slug, number of demo voters, first edit count)
VOTER_GROUPS = [("alder-wiki", 12, 140), ("cedar-project", 6, 100), ("fir-wiki", 5, 300)]


def _voters(fran) -> list:
    people = []
    number = 0
    for slug, count, edits in VOTER_GROUPS:
        community = Community.objects.get(slug=slug)
        for i in range(count):
            number += 1
            user = demo_user(f"voter{number:02d}", f"Demo Voter{number:02d}")
            community_services.save_membership(
                community=community,
                member=user,
                user=fran,
                edit_count=edits + 37 * i,
                registered_on=dt.date(2020, 1, 1) + dt.timedelta(days=40 * i),
                source="demo data",
            )
            people.append(user)
    return people


def seed_ratification(page) -> int:
    """Returns the number of votes; does nothing when votes already exist."""
    if Vote.objects.exists():
        return Vote.objects.count()
    now = timezone.now().replace(microsecond=0)
    fran = demo_user("fran", "Fran Mbeki", groups=["Facilitators"])
    bea = demo_user("bea", "Bea Lindqvist", groups=["Board secretaries"])
    sara = demo_user("sara", "Sara Haddad", groups=["Scrutineers"])
    alder = Community.objects.get(slug="alder-wiki")
    for name, edits in (("kim", 420), ("lee", 60)):
        community_services.save_membership(
            community=alder,
            member=demo_user(name, name.title()),
            user=fran,
            edit_count=edits,
            source="demo data",
        )
    voters = _voters(fran)
    v2 = PolicyVersion.objects.get(policy=page, number=2)
    v3 = PolicyVersion.objects.get(policy=page, number=3)
    eligible = tuple(Community.objects.filter(slug__in=[g[0] for g in VOTER_GROUPS]))

    services.record_board_decision(
        version=v3,
        user=bea,
        body="Board of Trustees",
        decided_on=(now - dt.timedelta(days=6)).date(),
        outcome="ratified",
        minutes_url="https://governance.example.org/minutes/2026-11",
        note="Ratified subject to the community vote; enforcement guidelines to follow.",
        now=now - dt.timedelta(days=5),
    )
    services.record_external_tally(
        version=v3,
        user=fran,
        community=Community.objects.get(slug="birch-translators"),
        title="Birch Translators meeting vote",
        held_until=(now - dt.timedelta(days=3)).date(),
        votes_for=14,
        votes_against=2,
        votes_abstain=1,
        outcome="passed",
        source_url="https://birch-translators.example.org/minutes/conduct-vote",
        now=now - dt.timedelta(days=2),
    )

    # A closed vote on version 2, taken in the past.
    start = now - dt.timedelta(days=40)
    closed = services.create_vote(
        version=v2,
        user=fran,
        config=services.VoteSettings(
            question="Do you ratify the Baseline Code of Conduct, version 2?",
            description="A community ratification vote. Abstentions count towards the quorum.",
            opens_at=start,
            closes_at=start + dt.timedelta(days=14),
            quorum_ballots=15,
            quorum_communities=2,
            min_community_edits=100,
            eligible_communities=eligible,
        ),
        now=start - dt.timedelta(days=3),
    )
    closed = services.open_vote(vote=closed, user=fran, now=start - dt.timedelta(days=2))
    choices = ["yes"] * 15 + ["no"] * 5 + ["abstain"] * 3
    for n, (voter, option) in enumerate(zip(voters, choices, strict=False)):
        services.cast_ballot(
            vote=closed, user=voter, option=option, now=start + dt.timedelta(hours=5 * n + 1)
        )
    # One voter changed their mind; one ballot was struck by a scrutineer.
    services.cast_ballot(
        vote=closed, user=voters[16], option="yes", now=start + dt.timedelta(days=12)
    )
    services.strike_ballot(
        ballot=closed.ballots.get(voter=voters[-1]),
        user=sara,
        reason="Second account of another voter (confirmed by the account holder).",
        now=start + dt.timedelta(days=13),
    )
    services.close_vote(vote=closed, now=start + dt.timedelta(days=14, minutes=5))

    # An open vote on version 3, with a few ballots in.
    current = services.create_vote(
        version=v3,
        user=fran,
        config=services.VoteSettings(
            question="Do you ratify the Baseline Code of Conduct, version 3?",
            description="Ratifies the text the Board of Trustees ratified. "
            "Check your eligibility first; you may change your ballot until the vote closes.",
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=13),
            quorum_ballots=20,
            quorum_communities=3,
            min_community_edits=100,
            eligible_communities=eligible,
        ),
        now=now - dt.timedelta(days=2),
    )
    current = services.open_vote(vote=current, user=fran, now=now - dt.timedelta(days=2))
    for voter, option in zip(
        voters[:6], ["yes", "yes", "no", "yes", "abstain", "yes"], strict=True
    ):
        services.cast_ballot(vote=current, user=voter, option=option)
    return Vote.objects.count()
