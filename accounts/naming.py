"""How a person is named in public. Pure functions, no queries: pages call them once per row.

An anonymised account keeps its row (positions, replies and ballots point at it) but its
username is replaced by `former-participant-<id>`; the public sees "former participant"."""

from django.utils.translation import gettext

ANONYMOUS_PREFIX = "former-participant-"


def is_anonymised(user) -> bool:
    return bool(user) and (user.get_username() or "").startswith(ANONYMOUS_PREFIX)


def public_name(user) -> str:
    """The name shown next to someone's contributions: the username, never an email."""
    if not user:
        return ""
    if is_anonymised(user):
        return gettext("former participant")
    return user.get_username()
