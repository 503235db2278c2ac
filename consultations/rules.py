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
# Reading a wiki discussion in writes positions under other people's names: facilitators only
# (services.import_wiki_discussion also refuses a summarised consultation, with its reason).
can_import_from_wiki = rules.predicate(_facilitator)
can_read_private_feedback = rules.predicate(_facilitator)
can_write_summary = rules.predicate(_facilitator) & consultation_has_ended

rules.add_perm("consultations.view_consultation", can_view)
rules.add_perm("consultations.take_position", can_take_position)
rules.add_perm("consultations.reply", can_reply)
rules.add_perm("consultations.give_private_feedback", can_give_private_feedback)
rules.add_perm("consultations.flag", can_flag)
rules.add_perm("consultations.moderate", can_moderate)
rules.add_perm("consultations.manage", can_manage)
rules.add_perm("consultations.import_from_wiki", can_import_from_wiki)
rules.add_perm("consultations.read_private_feedback", can_read_private_feedback)
rules.add_perm("consultations.write_summary", can_write_summary)
