"""Who may vote in a vote, rule by rule, so "Am I eligible?" can say which rule failed.

Rules combine with AND. The exclude list wins over everything; the include list makes someone
eligible whatever the other rules say (for people whose standing the records miss)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils import formats

from communities import selectors as community_selectors
from consultations import selectors as consultation_selectors
from policies.rules import is_participant

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


def check(vote: Vote, user) -> Eligibility:
    """Check every rule of `vote` for `user` and explain each outcome."""
    if not is_participant(user):
        return Eligibility(
            False, [RuleCheck("Signed in", False, "Sign in with an active account to vote.")]
        )
    lists = vote_lists(vote)
    if user.pk in lists["exclude"]:
        return Eligibility(
            False,
            [RuleCheck("Exclude list", False, "You are on this vote's exclude list.")],
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
            [RuleCheck("Include list", True, "You are on this vote's include list.")],
            eligible_memberships,
        )

    checks: list[RuleCheck] = []
    if vote.registered_before is not None:
        when = formats.date_format(vote.registered_before, "j F Y")
        passed = user.date_joined < vote.registered_before
        checks.append(
            RuleCheck(
                "Account age",
                passed,
                f"Your account was created before {when}."
                if passed
                else f"Your account must have been created before {when}.",
            )
        )
    if vote.min_contributions:
        count = consultation_selectors.contribution_count(user)
        passed = count >= vote.min_contributions
        checks.append(
            RuleCheck(
                "Contributions",
                passed,
                f"You have {count} positions and replies here; "
                f"at least {vote.min_contributions} are needed.",
            )
        )
    if lists["communities"]:
        passed = bool(eligible_memberships)
        checks.append(
            RuleCheck(
                "Community membership",
                passed,
                "You are a member of an eligible community."
                if passed
                else "You are not a recorded member of any of the eligible communities.",
            )
        )
    if vote.min_community_edits:
        counts = [m.edit_count or 0 for m in eligible_memberships]
        best = max(counts, default=0)
        passed = best >= vote.min_community_edits
        checks.append(
            RuleCheck(
                "Community edits",
                passed,
                f"Your highest recorded edit count in an eligible community is {best}; "
                f"at least {vote.min_community_edits} are needed.",
            )
        )
        if passed:
            eligible_memberships = [
                m for m in eligible_memberships if (m.edit_count or 0) >= vote.min_community_edits
            ]
    if vote.exclude_blocked:
        blocked_in = [m.community.name for m in memberships if m.blocked]
        checks.append(
            RuleCheck(
                "Not blocked",
                not blocked_in,
                "You are not blocked in any community."
                if not blocked_in
                else "You are blocked in " + ", ".join(blocked_in) + ".",
            )
        )
    if not checks:
        checks.append(RuleCheck("Open to everyone", True, "Every signed-in account may vote."))
    return Eligibility(all(c.passed for c in checks), checks, eligible_memberships)
