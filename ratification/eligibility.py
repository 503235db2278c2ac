"""Who may vote in a vote, rule by rule, so "Am I eligible?" can say which rule failed.

Rules combine with AND. The exclude list wins over everything; the include list makes someone
eligible whatever the other rules say (for people whose standing the records miss)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils import formats
from django.utils.translation import gettext

from communities import selectors as community_selectors
from consultations import selectors as consultation_selectors
from core.roles import is_participant

from .models import Vote


@dataclass(frozen=True)
class RuleCheck:
    rule: str
    passed: bool
    detail: str


@dataclass
class Eligibility:
    eligible: bool
    checks: list[RuleCheck] = field(default_factory=list)
    # Memberships that satisfy the community rules: the communities this person may vote as.
    voting_communities: list = field(default_factory=list)

    @property
    def failed(self) -> list[RuleCheck]:
        return [check for check in self.checks if not check.passed]

    @property
    def reason(self) -> str:
        """One sentence naming every failed rule."""
        return " ".join(check.detail for check in self.failed)


def vote_lists(vote: Vote) -> dict[str, frozenset[int]]:
    """The vote's community, include and exclude lists. Cached once the vote is frozen, since
    they can no longer change; every ballot asks for them."""
    key = None
    if vote.frozen_at is not None:
        key = f"ratification:vote-lists:{vote.pk}:{vote.frozen_at.timestamp()}"
        cached = cache.get(key)
        if cached is not None:
            return cached
    lists = {
        "communities": frozenset(vote.eligible_communities.values_list("pk", flat=True)),
        "include": frozenset(vote.include_voters.values_list("pk", flat=True)),
        "exclude": frozenset(vote.exclude_voters.values_list("pk", flat=True)),
    }
    if key:
        cache.set(key, lists, 24 * 3600)
    return lists


def _source(membership) -> str:
    """Where a membership's figures come from, and when they were last recorded."""
    return gettext("%(community)s, %(source)s, recorded %(when)s") % {
        "community": membership.community.name,
        "source": membership.source or gettext("imported records"),
        "when": formats.date_format(membership.updated_at, "j F Y"),
    }


def check(vote: Vote, user) -> Eligibility:
    """Check every rule of `vote` for `user` and explain each outcome."""
    if not is_participant(user):
        return Eligibility(
            False,
            [
                RuleCheck(
                    gettext("Signed in"), False, gettext("Sign in with an active account to vote.")
                )
            ],
        )
    lists = vote_lists(vote)
    if user.pk in lists["exclude"]:
        return Eligibility(
            False,
            [
                RuleCheck(
                    gettext("Exclude list"), False, gettext("You are on this vote's exclude list.")
                )
            ],
        )
    # Always loaded: besides the community rules, they say which community the ballot counts
    # for (quorum of communities, breakdown), whatever rules the vote has.
    memberships = community_selectors.memberships_of(user)
    if lists["communities"]:
        eligible_memberships = [m for m in memberships if m.community_id in lists["communities"]]
    else:
        eligible_memberships = list(memberships)
    eligible_memberships = [m for m in eligible_memberships if not m.blocked]

    if user.pk in lists["include"]:
        return Eligibility(
            True,
            [
                RuleCheck(
                    gettext("Include list"), True, gettext("You are on this vote's include list.")
                )
            ],
            eligible_memberships,
        )

    checks: list[RuleCheck] = []
    if vote.registered_before is not None:
        when = formats.date_format(vote.registered_before, "j F Y")
        passed = user.date_joined < vote.registered_before
        detail = gettext("Your account was created before %(when)s.") % {"when": when}
        # An account in an eligible community (e.g. a wiki account fetched from the wiki's API)
        # counts too: someone long active at home may have signed in here only recently.
        older = sorted(
            (
                m
                for m in eligible_memberships
                if m.registered_on and m.registered_on < vote.registered_before.date()
            ),
            key=lambda m: m.registered_on,
        )
        if not passed and older:
            passed = True
            detail = gettext(
                "Your account in %(community)s was registered on %(day)s (%(source)s)."
            ) % {
                "community": older[0].community.name,
                "day": formats.date_format(older[0].registered_on, "j F Y"),
                "source": _source(older[0]),
            }
        elif not passed:
            detail = gettext(
                "Your account must have been created before %(when)s, here or in an eligible "
                "community."
            ) % {"when": when}
        checks.append(RuleCheck(gettext("Account age"), passed, detail))
    if vote.min_contributions:
        count = consultation_selectors.contribution_count(user)
        passed = count >= vote.min_contributions
        checks.append(
            RuleCheck(
                gettext("Contributions"),
                passed,
                gettext(
                    "You have %(count)s positions and replies here; at least %(needed)s are needed."
                )
                % {"count": count, "needed": vote.min_contributions},
            )
        )
    if lists["communities"]:
        passed = bool(eligible_memberships)
        checks.append(
            RuleCheck(
                gettext("Community membership"),
                passed,
                gettext("You are a member of an eligible community.")
                if passed
                else gettext("You are not a recorded member of any of the eligible communities."),
            )
        )
    if vote.min_community_edits:
        counts = [m.edit_count or 0 for m in eligible_memberships]
        best = max(counts, default=0)
        passed = best >= vote.min_community_edits
        detail = gettext(
            "Your highest recorded edit count in an eligible community is %(best)s; "
            "at least %(needed)s are needed."
        ) % {"best": best, "needed": vote.min_community_edits}
        top = max(eligible_memberships, key=lambda m: m.edit_count or 0, default=None)
        if top is not None and top.edit_count is not None:
            # Say where the figure comes from and how old it is (e.g. fetched from the wiki).
            detail += " " + gettext("Source: %(source)s.") % {"source": _source(top)}
        checks.append(RuleCheck(gettext("Community edits"), passed, detail))
        if passed:
            eligible_memberships = [
                m for m in eligible_memberships if (m.edit_count or 0) >= vote.min_community_edits
            ]
    if vote.exclude_blocked:
        blocked_in = [m.community.name for m in memberships if m.blocked]
        checks.append(
            RuleCheck(
                gettext("Not blocked"),
                not blocked_in,
                gettext("You are not blocked in any community.")
                if not blocked_in
                else gettext("You are blocked in %(communities)s.")
                % {"communities": ", ".join(blocked_in)},
            )
        )
    if not checks:
        checks.append(
            RuleCheck(
                gettext("Open to everyone"), True, gettext("Every signed-in account may vote.")
            )
        )
    return Eligibility(all(c.passed for c in checks), checks, eligible_memberships)
