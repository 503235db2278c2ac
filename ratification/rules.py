"""Who may do what with ratification records and votes. Views, services and commands ask here.

Roles: facilitators (policies.rules) set votes up; scrutineers (the "Scrutineers" group) strike
ballots; board secretaries (the "Board secretaries" group, or a facilitator) record the board's
decisions. Whether a particular person may cast a ballot is the vote's eligibility
(ratification.eligibility), checked by the service with a reason."""

import rules
from django.utils import timezone

from core.roles import is_facilitator, is_participant

from .models import Vote

SCRUTINEERS = "Scrutineers"
BOARD_SECRETARIES = "Board secretaries"


def _in_group(user, name: str) -> bool:
    if not is_participant(user):
        return False
    if user.is_superuser:
        return True
    cache_name = "_accord_groups"
    groups = getattr(user, cache_name, None)
    if groups is None:
        groups = set(user.groups.values_list("name", flat=True))
        setattr(user, cache_name, groups)
    return name in groups


@rules.predicate
def is_scrutineer(user) -> bool:
    return _in_group(user, SCRUTINEERS)


@rules.predicate
def is_board_secretary(user) -> bool:
    return _in_group(user, BOARD_SECRETARIES) or is_facilitator(user)


def phase(vote: Vote, now=None) -> str:
    """draft, scheduled, voting, closed or cancelled: the state the clock implies."""
    now = now or timezone.now()
    if vote.state == Vote.State.DRAFT:
        return "draft"
    if vote.state == Vote.State.CANCELLED:
        return "cancelled"
    if vote.state == Vote.State.CLOSED or now >= vote.closes_at:
        return "closed"
    if now < vote.opens_at:
        return "scheduled"
    return "voting"


@rules.predicate
def vote_is_public(user, vote) -> bool:
    return vote.state != Vote.State.DRAFT


@rules.predicate
def vote_is_voting(user, vote) -> bool:
    return phase(vote) == "voting"


@rules.predicate
def vote_has_closed(user, vote) -> bool:
    return phase(vote) == "closed"


@rules.predicate
def vote_is_draft(user, vote) -> bool:
    return vote.state == Vote.State.DRAFT


def may_strike(user, vote: Vote, now=None) -> bool:
    """A scrutineer strikes ballots only while voting. Nothing is counted in public before
    close, so the results are published once and never revised: a strike after close would
    move the published counts, and the difference between the two versions, beside the voter
    roll that names the struck voter, would show that voter's choice (ratification.disclosure).
    """
    return is_scrutineer(user) and phase(vote, now) == "voting"


def _facilitator(user, obj=None):
    return is_facilitator(user)


def _participant(user, obj=None):
    return is_participant(user)


facilitator = rules.predicate(_facilitator)

can_view_vote = vote_is_public | facilitator
can_create_vote = rules.predicate(lambda user: is_facilitator(user))
can_edit_vote = facilitator & vote_is_draft
can_open_vote = facilitator & vote_is_draft
can_cancel_vote = (
    facilitator
    & ~vote_has_closed
    & ~rules.predicate(lambda user, vote: vote.state == Vote.State.CANCELLED)
)
can_cast_ballot = rules.predicate(_participant) & vote_is_voting
# Results stay hidden until close for everyone, facilitators and admins included.
can_see_results = vote_has_closed
can_strike = rules.predicate(lambda user, vote: may_strike(user, vote))
can_record_board_decision = rules.predicate(lambda user: is_board_secretary(user))
can_record_external_tally = rules.predicate(lambda user: is_facilitator(user))

rules.add_perm("ratification.view_vote", can_view_vote)
rules.add_perm("ratification.create_vote", can_create_vote)
rules.add_perm("ratification.edit_vote", can_edit_vote)
rules.add_perm("ratification.open_vote", can_open_vote)
rules.add_perm("ratification.cancel_vote", can_cancel_vote)
rules.add_perm("ratification.cast_ballot", can_cast_ballot)
rules.add_perm("ratification.see_results", can_see_results)
rules.add_perm("ratification.strike_ballot", can_strike)
rules.add_perm("ratification.record_board_decision", can_record_board_decision)
rules.add_perm("ratification.record_external_tally", can_record_external_tally)
