"""Forgetting a person (account anonymisation) across apps, each app doing its own part.

The accounts app owns the account; the other apps own records that name the person. Each app
registers a handler in its AppConfig.ready(); accounts.services.anonymise_user calls them all
inside its transaction, so either everything is forgotten or nothing is. No app reaches into
another's tables."""

from __future__ import annotations

from collections.abc import Callable

# Shown in place of a forgotten person's name where a record stores the name as text.
FORMER_PARTICIPANT = "former participant"

Handler = Callable[..., None]
_handlers: list[Handler] = []


def register(handler: Handler) -> None:
    """`handler(*, user, old_name)`: forget `user` (already renamed; `old_name` was theirs)."""
    if handler not in _handlers:
        _handlers.append(handler)


def forget_user(*, user, old_name: str) -> None:
    for handler in _handlers:
        handler(user=user, old_name=old_name)


def handlers() -> list[Handler]:
    return list(_handlers)
