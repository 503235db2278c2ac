"""Who may do what with amendments. Views, services and the API ask here, nowhere else.

Proposing an amendment is taking part in the consultation (consultations.rules); the roles
themselves are defined once, in core.roles."""

import rules

from consultations.rules import can_take_position
from core.roles import is_facilitator, is_participant


def _facilitator(user, obj=None):
    return is_facilitator(user)


@rules.predicate
def is_amendment_author(user, amendment) -> bool:
    return bool(is_participant(user) and amendment.author_id == user.pk)


@rules.predicate
def amendment_is_proposed(user, amendment) -> bool:
    return amendment.state == "proposed"


@rules.predicate
def amendment_consultation_open(user, amendment) -> bool:
    return amendment.consultation.is_open


@rules.predicate
def amendment_is_mergeable(user, amendment) -> bool:
    return amendment.state in ("accepted", "partly")


def _may_publish_consulted_policy(user, consultation) -> bool:
    from policies.rules import can_publish_policy

    return can_publish_policy(user, consultation.version.policy)


# Merging writes the policy's draft: a facilitator who may also publish the policy. This one
# predicate guards the merge page, starting the next draft and every amendment applied to it.
can_merge_into_policy = rules.predicate(_facilitator) & rules.predicate(
    _may_publish_consulted_policy
)


@rules.predicate
def _may_merge_into_amendment_policy(user, amendment) -> bool:
    return can_merge_into_policy(user, amendment.consultation)


can_propose_amendment = can_take_position
can_revise_amendment = is_amendment_author & amendment_is_proposed & amendment_consultation_open
# Withdrawing stays possible after close, until a facilitator decides.
can_withdraw_amendment = is_amendment_author & amendment_is_proposed
can_decide_amendment = rules.predicate(_facilitator) & amendment_is_proposed
can_merge_amendment = _may_merge_into_amendment_policy & amendment_is_mergeable

rules.add_perm("amendments.propose_amendment", can_propose_amendment)
rules.add_perm("amendments.revise_amendment", can_revise_amendment)
rules.add_perm("amendments.withdraw_amendment", can_withdraw_amendment)
rules.add_perm("amendments.decide_amendment", can_decide_amendment)
rules.add_perm("amendments.merge_amendment", can_merge_amendment)
rules.add_perm("amendments.merge_into_policy", can_merge_into_policy)
