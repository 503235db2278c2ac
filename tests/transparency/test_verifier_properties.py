"""The verifier's recount agrees with the site's published result, for random electorates.

In memory (fast, many examples): 1–500 voters over 1–30 communities (and some with none),
random choices among two to four options, random strikes, random threshold and quorums. The
site's own result code (ratification.selectors, on an unsaved vote) publishes; the exports are
shaped as /votes/<id>/ballots.json, voters.json and results.json are; the verifier's recount,
which shares no code with the site, must agree, and must notice any one ballot changed.

Through the database (a few examples): random ballots, replaced ballots and strikes cast
through the services, closed, then the whole site verified as the script does it."""

import contextlib
import datetime as dt
import hashlib
import uuid
from collections import Counter

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from communities.models import Community
from ratification import disclosure, selectors, services
from ratification.models import Ballot, Vote
from tests.factories import UserFactory, make_policy
from tests.ratification.conftest import member
from transparency.models import LogEntry

from .test_verifier import accord_verify, fetcher

COUNTS_AS = ("for", "against", "abstain")


@st.composite
def elections(draw):
    n_options = draw(st.integers(2, 4))
    options = [
        {"key": f"o{i}", "label": f"Option {i}", "counts_as": draw(st.sampled_from(COUNTS_AS))}
        for i in range(n_options)
    ]
    n_communities = draw(st.integers(1, 30))
    voter = st.tuples(
        st.one_of(st.none(), st.integers(0, n_communities - 1)),  # voting as
        st.integers(0, n_options - 1),  # choice
        st.booleans() if draw(st.booleans()) else st.just(False),  # struck
    )
    voters = draw(st.lists(voter, min_size=1, max_size=500))
    denominator = draw(st.integers(1, 5))
    terms = {
        "options": options,
        "threshold_numerator": draw(st.integers(0, denominator)),
        "threshold_denominator": denominator,
        "quorum_ballots": draw(st.integers(0, 60)),
        "quorum_communities": draw(st.integers(0, 8)),
        "breakdown_min_group": draw(st.integers(1, 10)),
    }
    return terms, voters


def fingerprint(n: int) -> str:
    return hashlib.sha256(f"receipt {n}".encode()).hexdigest()


def published(terms, voters):
    """What the site publishes for this electorate: (ballots.json, voters, results.json)."""
    vote = Vote(
        options=terms["options"],
        threshold_numerator=terms["threshold_numerator"],
        threshold_denominator=terms["threshold_denominator"],
        quorum_ballots=terms["quorum_ballots"],
        quorum_communities=terms["quorum_communities"],
        breakdown_min_group=terms["breakdown_min_group"],
    )
    keys = [o["key"] for o in terms["options"]]
    counted = [(c, keys[i]) for c, i, struck in voters if not struck]
    groups: dict = {}
    for community, option in counted:
        groups.setdefault(community, Counter())[option] += 1
    shown = disclosure.shown_groups(groups, vote.breakdown_min_group)
    pooled = disclosure.merge(g for k, g in groups.items() if k not in shown)
    vote.breakdown = {
        "communities": {str(k): dict(groups[k]) for k in shown},
        "pooled": pooled,
        "pooled_voters": disclosure.size(pooled),
    }
    stats = {
        "n_struck": sum(1 for *_, struck in voters if struck),
        "n_communities": len({c for c, _ in counted if c is not None}),
    }
    names = {k: f"Community {k}" for k in shown}
    data = selectors._results(vote, dict(Counter(o for _, o in counted)), stats, names)
    results = {
        "options": [{"key": o.key, "count": o.count} for o in data.options],
        "threshold": vote.threshold_text,
        "quorum_ballots": vote.quorum_ballots,
        "quorum_communities": vote.quorum_communities,
        "votes_for": data.votes_for,
        "votes_against": data.votes_against,
        "votes_abstain": data.votes_abstain,
        "counted": data.counted,
        "struck": data.struck,
        "communities_represented": data.communities_represented,
        "threshold_met": data.threshold_met,
        "quorum_ballots_met": data.quorum_ballots_met,
        "quorum_communities_met": data.quorum_communities_met,
        "outcome": data.outcome,
    }
    rows = [
        {"fingerprint": fingerprint(n), "option": keys[i]}
        for n, (_c, i, struck) in enumerate(voters)
        if not struck
    ]
    struck_rows = [
        {"fingerprint": fingerprint(n), "reason": "Duplicate."}
        for n, (*_, struck) in enumerate(voters)
        if struck
    ]
    ballots = {
        "terms": {k: v for k, v in terms.items() if k != "breakdown_min_group"},
        "ballots": sorted(rows, key=lambda r: r["fingerprint"]),
        "struck": sorted(struck_rows, key=lambda r: r["fingerprint"]),
    }
    roll = [
        {"community": "" if c is None else f"Community {c}", "struck": struck}
        for c, _i, struck in voters
    ]
    return ballots, roll, results


LARGE = (
    {
        "options": [
            {"key": "yes", "label": "Yes", "counts_as": "for"},
            {"key": "no", "label": "No", "counts_as": "against"},
            {"key": "abstain", "label": "Abstain", "counts_as": "abstain"},
        ],
        "threshold_numerator": 2,
        "threshold_denominator": 3,
        "quorum_ballots": 50,
        "quorum_communities": 5,
        "breakdown_min_group": 5,
    },
    [((n * 7) % 31 or None, (n * n) % 3, n % 17 == 0) for n in range(500)],
)


@settings(max_examples=150, deadline=None)
@example(LARGE, 12345)
@given(elections(), st.integers(0, 10**6))
def test_the_recount_agrees_with_the_published_result_and_notices_a_changed_ballot(election, pick):
    terms, voters = election
    ballots, roll, results = published(terms, voters)
    assert accord_verify.recount(ballots, results, roll) == []
    if not ballots["ballots"]:
        return
    row = ballots["ballots"][pick % len(ballots["ballots"])]
    others = [o["key"] for o in terms["options"] if o["key"] != row["option"]]
    row["option"] = others[pick % len(others)]
    assert accord_verify.recount(ballots, results, roll) != []


VOTES = st.lists(
    st.tuples(
        st.integers(0, 11),  # who
        st.sampled_from(("yes", "no", "abstain", "strike")),
    ),
    min_size=1,
    max_size=30,
)


@pytest.mark.django_db
@settings(
    max_examples=4,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking a site is slow
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(events=VOTES, n_communities=st.integers(1, 4), quorum=st.integers(0, 8))
def test_a_vote_played_through_the_site_verifies(
    client, editor, facilitator, events, n_communities, quorum
):
    from django.contrib.auth.models import Group
    from django.utils import timezone

    scrutineer = UserFactory()
    scrutineer.groups.add(Group.objects.get(name="Scrutineers"))
    page = make_policy(editor=editor, slug=f"code-{uuid.uuid4().hex[:8]}", n_versions=1)
    now = timezone.now()
    vote = services.create_vote(
        version=page.versions.get(),
        user=facilitator,
        config=services.VoteSettings(
            question="Ratify?",
            opens_at=now - dt.timedelta(hours=1),
            closes_at=now + dt.timedelta(days=1),
            quorum_ballots=quorum,
            breakdown_min_group=2,
        ),
    )
    vote = services.open_vote(vote=vote, user=facilitator)
    places = [
        Community.objects.create(name=f"Place {vote.pk}-{i}", slug=f"place-{vote.pk}-{i}")
        for i in range(n_communities)
    ]
    people = []
    for i in range(12):
        person = UserFactory()
        if i % 5:  # every fifth votes as no community
            member(person, places[i % n_communities])
        people.append(person)
    for who, what in events:
        if what == "strike":
            ballot = Ballot.objects.filter(vote=vote, voter=people[who], struck=False).first()
            if ballot is not None:
                services.strike_ballot(ballot=ballot, user=scrutineer, reason="Duplicate.")
        else:
            with contextlib.suppress(ValidationError):  # a struck ballot stays struck
                services.cast_ballot(vote=vote, user=people[who], option=what)
    services.close_vote(vote=vote, now=vote.closes_at + dt.timedelta(seconds=1))
    cache.clear()  # the API's rate limit counts every example's requests
    failures, _facts = accord_verify.verify(fetcher(client))
    assert failures == []
    assert LogEntry.objects.filter(
        kind="ratification.closed", object_ref=f"ratification.vote:{vote.pk}"
    ).exists()  # so the vote was recounted
