"""The roles every app's rules.py builds on. A role is a group in the Wagtail admin (Settings →
Groups); superusers hold every role.

- Participant: any signed-in, active account (positions, replies, private feedback).
- Editors and Moderators (Wagtail's own groups): edit policy text in the admin; Moderators
  also publish it. They do not run consultations.
- Facilitators: run consultations, votes, the community registry and memberships, and also
  import, edit and publish policy text (policies/migrations/0007 gives them the page
  permissions), since their journey starts with publishing the baseline.
- Translators: import translations, never the source text (policies.rules).
- Board secretaries, Scrutineers: record board decisions, strike ballots (ratification.rules).
- Delegates are per community, not a group: Community.delegates (communities.rules).
"""

import rules

FACILITATORS = "Facilitators"
EDITORS = "Editors"
MODERATORS = "Moderators"
TRANSLATORS = "Translators"


@rules.predicate
def is_participant(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


@rules.predicate
def is_facilitator(user) -> bool:
    if not is_participant(user):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_accord_is_facilitator", None)
    if cached is None:
        cached = user.groups.filter(name=FACILITATORS).exists()
        user._accord_is_facilitator = cached
    return cached
