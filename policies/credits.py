"""Credits shown beside published versions, contributed by later apps without this app
importing them (consultations credits the authors of merged amendments).

A provider takes a list of version ids and returns {version_id: [Credit, ...]} in a fixed
number of queries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Credit:
    text: str  # e.g. "Amendment #12 by kim"
    url: str = ""


_providers: list[Callable[[list[int]], dict[int, list[Credit]]]] = []


def register(provider: Callable[[list[int]], dict[int, list[Credit]]]) -> None:
    if provider not in _providers:
        _providers.append(provider)


def credits_for(version_ids: list[int]) -> dict[int, list[Credit]]:
    found: dict[int, list[Credit]] = {}
    for provider in _providers:
        for version_id, credits in provider(version_ids).items():
            found.setdefault(version_id, []).extend(credits)
    return found
