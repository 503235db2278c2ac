"""The results' disclosure rule (ratification.disclosure), tried on random electorates.

An observer holds the public voter roll (who voted, as which community) and every published
figure: the communities shown on their own, the pool, the total. Within one published figure
any reshuffling of its voters' choices fits everything published, so a voter's choice is
settled exactly when every voter in their figure chose the same option."""

import contextlib
import json
import uuid
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communities.models import Community
from ratification import disclosure, services
from ratification.models import Ballot
from tests.factories import UserFactory

from .conftest import close, make_vote, member

OPTIONS = ("yes", "no", "abstain")


@st.composite
def electorates(draw):
    """1–500 voters over 1–30 communities (and some with none), each with a random choice."""
    n_communities = draw(st.integers(1, 30))
    community = st.one_of(st.none(), st.integers(0, n_communities - 1))
    return draw(st.lists(st.tuples(community, st.sampled_from(OPTIONS)), min_size=1, max_size=500))


def publish(ballots, minimum):
    groups: dict = {}
    for community, option in ballots:
        counts = groups.setdefault(community, {})
        counts[option] = counts.get(option, 0) + 1
    shown = disclosure.shown_groups(groups, minimum)
    cells = {("community", key): groups[key] for key in shown}
    pool = disclosure.merge(counts for key, counts in groups.items() if key not in shown)
    if pool:
        cells[("pool",)] = pool
    cell_of = [("community", c) if c in shown else ("pool",) for c, _ in ballots]
    return cells, cell_of


def settled(counts) -> bool:
    return sum(1 for n in counts.values() if n) == 1


@settings(max_examples=300, deadline=None)
@given(electorates(), st.integers(1, 10))
def test_no_published_figure_settles_any_voters_choice(ballots, minimum):
    cells, cell_of = publish(ballots, minimum)
    total = Counter(option for _, option in ballots)
    assert disclosure.merge(cells.values()) == dict(total)  # the figures add up to the total
    for key, counts in cells.items():
        if key[0] == "community":
            assert disclosure.size(counts) >= minimum
    only_the_total = list(cells) == [("pool",)]
    if settled(total):
        return  # every voter chose the same option: the result itself says so
    known = [i for i, cell in enumerate(cell_of) if settled(cells[cell])]
    assert known == [], (cells, known)
    if not only_the_total:
        pooled = disclosure.size(cells.get(("pool",), {}))
        assert pooled == 0 or pooled >= minimum


@settings(max_examples=300, deadline=None)
@given(electorates(), st.integers(1, 10), st.data())
def test_one_known_choice_settles_nobody_elses(ballots, minimum, data):
    """A voter tells, or their ballot is struck and the total moves: whoever shares a published
    figure with them is still not settled (unless only the total is published)."""
    cells, cell_of = publish(ballots, minimum)
    if list(cells) == [("pool",)]:
        return  # only the total: that one is published whatever the rule
    i = data.draw(st.integers(0, len(ballots) - 1))
    counts = dict(cells[cell_of[i]])
    counts[ballots[i][1]] -= 1
    if disclosure.size(counts):
        assert not settled(counts), (cells[cell_of[i]], ballots[i])


def test_a_unanimous_community_of_twelve_is_never_shown_alone():
    groups = {"alder": {"yes": 12}, "birch": {"yes": 3, "no": 4}, "cedar": {"no": 2, "yes": 2}}
    assert disclosure.shown_groups(groups, 3) == {"birch"}


# --- sequences of publications, through the site ----------------------------------------------
#
# Every figure an observer can collect over a vote's life: the voter roll after each event, and
# the results (with their breakdown) whenever they can be read, including after late strike
# attempts. Ballots can be struck only while voting (rules.may_strike), so the observer holds
# one result, however the events fall, and it settles nobody's choice.

EVENTS = st.lists(
    st.one_of(
        st.tuples(st.just("cast"), st.integers(0, 7), st.sampled_from(OPTIONS)),
        st.tuples(st.just("strike"), st.integers(0, 7), st.just("")),
    ),
    min_size=1,
    max_size=24,
)


@pytest.mark.django_db
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(events=EVENTS, late=st.lists(st.integers(0, 7), max_size=3))
def test_an_observer_of_every_publication_holds_one_result_that_settles_nobody(
    client, version, facilitator, scrutineer, events, late
):
    tag = uuid.uuid4().hex[:8]
    places = [
        Community.objects.create(name=f"Place {tag} {i}", slug=f"p-{tag}-{i}") for i in range(3)
    ]
    people = []
    for i in range(8):
        person = UserFactory()
        if i < 7:  # the last votes as no community
            member(person, places[i % 3])
        people.append(person)
    vote = make_vote(version, facilitator, breakdown_min_group=2)
    seen_results = set()

    def observe():
        roll = json.loads(client.get(f"/votes/{vote.pk}/voters.json").content)["voters"]
        response = client.get(f"/votes/{vote.pk}/results.json")
        if response.status_code == 200:
            seen_results.add(response.content)
        return roll

    def strike(i):
        ballot = Ballot.objects.filter(vote=vote, voter=people[i], struck=False).first()
        if ballot is not None:
            services.strike_ballot(ballot=ballot, user=scrutineer, reason="Sock puppet.")
        return ballot is not None

    for kind, i, option in events:
        if kind == "cast":
            with contextlib.suppress(ValidationError):  # a struck ballot cannot be replaced
                services.cast_ballot(vote=vote, user=people[i], option=option)
        else:
            strike(i)
        observe()
        assert not seen_results  # nothing is counted in public before close

    vote = close(vote)
    roll = observe()
    for i in late:
        with contextlib.suppress(PermissionDenied):
            assert not strike(i), "a ballot was struck after close"
        observe()
    assert len(seen_results) == 1, "the results changed after they were published"

    results = json.loads(next(iter(seen_results)))
    total = {o["key"]: o["count"] for o in results["options"]}
    if results["counted"] == 0 or settled(total):
        return  # nothing counted, or every voter chose the same option: the result says so
    cells = {row["community"]: row["counts"] for row in results["breakdown"]}
    pool = results["pooled"]["counts"] if results["pooled"] else {}
    for voter in roll:
        if voter["struck"]:
            continue
        counts = cells.get(voter["community"], pool)
        assert not settled(counts), (voter, results["breakdown"], results["pooled"])
