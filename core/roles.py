"""The roles every app's rules.py builds on: a participant is any signed-in, active account;
facilitators are the "Facilitators" group (and superusers)."""

import rules


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
        cached = user.groups.filter(name="Facilitators").exists()
        user._accord_is_facilitator = cached
    return cached
