"""The home page's "what is happening now", contributed by later apps without this app importing
them (the same registry shape as policies.links and policies.credits).

- Open items (`register_open`): what a reader can take part in now or soon, with its closing
  date: a consultation taking positions, a vote taking ballots. A provider takes the reader and
  a limit and returns at most that many OpenItem in a fixed number of queries.
- Glances (`register_glance`): a small panel in its app's own template (the adoption of the
  baseline policy at a glance). A provider takes nothing and returns a Glance or None, in a
  fixed number of queries.

Providers are called in registration order (INSTALLED_APPS); open items are then sorted by
closing date, soonest first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# How many open items the home page lists (each provider is asked for at most this many).
OPEN_LIMIT = 8


@dataclass(frozen=True)
class OpenItem:
    kind: str  # "Consultation", "Vote" (translated)
    title: str
    url: str
    closes_at: datetime
    opens_at: datetime | None = None  # set while it has not opened yet
    policy: str = ""  # "Shared Conduct Baseline, version 3"
    action: str = ""  # what a reader does there: "Take a position", "Vote"


@dataclass(frozen=True)
class Glance:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


_open_providers: list[Callable[..., list[OpenItem]]] = []
_glance_providers: list[Callable[[], Glance | None]] = []


def register_open(provider: Callable[..., list[OpenItem]]) -> None:
    if provider not in _open_providers:
        _open_providers.append(provider)


def register_glance(provider: Callable[[], Glance | None]) -> None:
    if provider not in _glance_providers:
        _glance_providers.append(provider)


def open_items(user, limit: int = OPEN_LIMIT) -> list[OpenItem]:
    """Everything open or about to open that `user` may see, closing soonest first."""
    items = [item for provider in _open_providers for item in provider(user, limit=limit)]
    return sorted(items, key=lambda item: item.closes_at)[:limit]


def glances() -> list[Glance]:
    return [glance for provider in _glance_providers if (glance := provider()) is not None]
