"""Who may do what with an account. Asked by the views, the admin and the services alike.

A person manages their own identities and may delete their own account; only superusers act on
someone else's account, for an erasure request that reached the site by other means."""

import rules

from core.roles import is_participant


@rules.predicate
def is_self(user, target) -> bool:
    return is_participant(user) and target is not None and user.pk == target.pk


@rules.predicate
def owns_identity(user, account) -> bool:
    return is_participant(user) and account is not None and account.user_id == user.pk


@rules.predicate
def is_admin(user, target=None) -> bool:
    return is_participant(user) and user.is_superuser


can_view_profile = rules.predicate(lambda user: is_participant(user))
can_refresh_identity = owns_identity
can_anonymise = is_self | is_admin

rules.add_perm("accounts.view_profile", can_view_profile)
rules.add_perm("accounts.refresh_identity", can_refresh_identity)
rules.add_perm("accounts.anonymise", can_anonymise)
