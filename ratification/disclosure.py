"""Which groups of ballots a vote's results may show on their own (pure; no database).

The voter roll is public: anyone can see who voted, and as which community. So any published
count whose voters all chose the same option tells everyone how each of them voted; and a
count that is unanimous but for one vote ("11 yes, 1 no") is one step from it: as soon as that
one voter's choice is known (they say it, or their ballot is struck and the total moves), the
other eleven are known too. The rule:

* A community is shown on its own only if it has at least `minimum` counted ballots *and* at
  least two options that each hold at least two of them (SAFE_VOTES). A unanimous or
  one-off community, however large, is never shown on its own.
* Everything else is pooled. The pool is published too (and could be worked out anyway, as the
  total minus the shown communities), so it must pass the same test: while it does not, the
  smallest shown community joins it. If nothing passes, only the total is published.
* Each published figure then covers its own set of voters among whom at least two options
  have two votes or more. The sets do not overlap, so no figure, alone or combined with the
  others and the roll, settles any voter's choice, and it still does not once any one of them
  is known (a struck ballot, a voter who tells). The total is the one exception no rule can
  remove: if every voter chose the same option, the result itself says so.

Differencing between publications: there is only one. Nothing is counted in public before a
vote closes, and ballots can be struck only while voting (rules.may_strike), so the results are
published once and never revised. Were a ballot struck after close, the two versions of the
results would differ by exactly that ballot, and the voter roll names whose ballot was struck:
no pooling can hide that (the total moves too), so the only sound rule is that the result, once
published, does not change. tests/ratification/test_disclosure.py plays random sequences of
ballots, changes, strikes and late strike attempts through the services and checks that an
observer collecting every public figure along the way holds one result, which settles nobody.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

Counts = Mapping[str, int]


def size(counts: Counts) -> int:
    return sum(counts.values())


SAFE_VOTES = 2


def is_mixed(counts: Counts) -> bool:
    """At least two options hold SAFE_VOTES votes or more: no voter's choice follows from
    these counts, even once one of them is known."""
    return sum(1 for n in counts.values() if n >= SAFE_VOTES) >= 2


def merge(groups) -> dict[str, int]:
    total: dict[str, int] = {}
    for counts in groups:
        for option, n in counts.items():
            if n:
                total[option] = total.get(option, 0) + n
    return total


def shown_groups(groups: Mapping[Hashable, Counts], minimum: int) -> set[Hashable]:
    """The keys of the groups that may be published on their own (None, "no community", never
    is); the rest make up the pool."""
    shown = {
        key
        for key, counts in groups.items()
        if key is not None and size(counts) >= minimum and is_mixed(counts)
    }

    pool = merge(counts for key, counts in groups.items() if key not in shown)
    ordered = sorted(shown, key=lambda key: (size(groups[key]), str(key)))
    while ordered and size(pool) > 0 and (size(pool) < minimum or not is_mixed(pool)):
        smallest = ordered.pop(0)
        shown.discard(smallest)
        pool = merge([pool, groups[smallest]])
    return shown
