"""The results' disclosure rule (ratification.disclosure), tried on random electorates.

An observer holds the public voter roll (who voted, as which community) and every published
figure: the communities shown on their own, the pool, the total. Within one published figure
any reshuffling of its voters' choices fits everything published, so a voter's choice is
settled exactly when every voter in their figure chose the same option."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from ratification import disclosure

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
