"""Who may do what in a consultation. Views, commands and services ask here, nowhere else.

The roles themselves (participant, facilitator) are defined once, in policies.rules."""

import rules

from core.roles import is_facilitator, is_participant

from .models import Consultation


@rules.predicate
def consultation_is_open(user, consultation) -> bool:
    return consultation.is_open


@rules.predicate
def consultation_is_public(user, consultation) -> bool:
    return consultation.state != Consultation.State.DRAFT


@rules.predicate
def consultation_has_ended(user, consultation) -> bool:
    return consultation.state in (Consultation.State.CLOSED, Consultation.State.SUMMARISED)


def _participant(user, obj=None):
    return is_participant(user)


def _facilitator(user, obj=None):
    return is_facilitator(user)


can_view = rules.predicate(lambda user, c: consultation_is_public(user, c) or is_facilitator(user))
can_take_position = rules.predicate(_participant) & consultation_is_open
can_reply = rules.predicate(_participant) & consultation_is_open
can_give_private_feedback = rules.predicate(_participant) & consultation_is_open
can_flag = rules.predicate(_participant) & consultation_is_public
# Moderation stays possible after close: abuse found late must still be hideable, in the open.
can_moderate = rules.predicate(_facilitator)
can_manage = rules.predicate(_facilitator)
can_read_private_feedback = rules.predicate(_facilitator)
can_write_summary = rules.predicate(_facilitator) & consultation_has_ended

rules.add_perm("consultations.view_consultation", can_view)
rules.add_perm("consultations.take_position", can_take_position)
rules.add_perm("consultations.reply", can_reply)
rules.add_perm("consultations.give_private_feedback", can_give_private_feedback)
rules.add_perm("consultations.flag", can_flag)
rules.add_perm("consultations.moderate", can_moderate)
rules.add_perm("consultations.manage", can_manage)
rules.add_perm("consultations.read_private_feedback", can_read_private_feedback)
rules.add_perm("consultations.write_summary", can_write_summary)


# --- amendments ------------------------------------------------------------------------------


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

rules.add_perm("consultations.propose_amendment", can_propose_amendment)
rules.add_perm("consultations.revise_amendment", can_revise_amendment)
rules.add_perm("consultations.withdraw_amendment", can_withdraw_amendment)
rules.add_perm("consultations.decide_amendment", can_decide_amendment)
rules.add_perm("consultations.merge_amendment", can_merge_amendment)
rules.add_perm("consultations.merge_into_policy", can_merge_into_policy)
