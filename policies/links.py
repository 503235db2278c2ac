"""Links from policy pages to pages of later apps (a policy's consultations, the ratification
status of a version), contributed by those apps without this app importing them or knowing
their URLs.

A provider takes the policy page, the version shown (or None) and the place on the page
("policy": the links under a version; "history": the links under each entry of the version
history) and returns a list of Link. Providers build URLs with reverse() and run no query, so
a page costs the same number of queries whatever is registered. Links appear in the order the
providers were registered (INSTALLED_APPS order), then in the order each provider returns them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Link:
    text: str
    url: str


Provider = Callable[..., list[Link]]

_providers: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def links_for(page: Any, version: Any = None, place: str = "policy") -> list[Link]:
    found: list[Link] = []
    for provider in _providers:
        found.extend(provider(page, version=version, place=place))
    return found
