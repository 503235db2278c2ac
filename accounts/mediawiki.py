"""A small client for the MediaWiki action API: one person's edit count, registration date and
block status. Timeouts are short and answers are cached, so a slow or broken wiki costs one
short wait and never a broken page."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _


class WikiError(Exception):
    """A failed look-up; str() is a sentence a person can read."""


@dataclass(frozen=True)
class WikiUser:
    name: str
    edit_count: int
    registered_at: dt.datetime | None
    blocked: bool
    # When the wiki answered (a cached answer keeps its original time).
    fetched_at: dt.datetime


def _cache_key(api_url: str, username: str) -> str:
    digest = hashlib.sha256(f"{api_url}\n{username}".encode()).hexdigest()
    return f"accounts:mediawiki:{digest}"


def fetch_user(api_url: str, username: str, *, use_cache: bool = True) -> WikiUser:
    """Ask the wiki at `api_url` about `username`. Raises WikiError with a readable message."""
    key = _cache_key(api_url, username)
    if use_cache and (hit := cache.get(key)) is not None:
        return hit
    params = {
        "action": "query",
        "list": "users",
        "ususers": username,
        "usprop": "editcount|registration|blockinfo",
        "format": "json",
        "formatversion": "2",
    }
    headers = {"User-Agent": settings.ACCORD_MEDIAWIKI_USER_AGENT}
    try:
        response = requests.get(
            api_url, params=params, headers=headers, timeout=settings.ACCORD_MEDIAWIKI_TIMEOUT
        )
        response.raise_for_status()
        data = response.json()
    except requests.Timeout as exc:
        raise WikiError(_("The wiki did not answer in time; try again later.")) from exc
    except (requests.RequestException, ValueError) as exc:
        raise WikiError(_("The wiki could not be reached or gave an unreadable answer.")) from exc
    if not isinstance(data, dict):
        raise WikiError(_("The wiki gave an unreadable answer."))
    if "error" in data:
        info = str((data.get("error") or {}).get("info", ""))[:200]
        raise WikiError(_("The wiki refused the request: %(info)s") % {"info": info})
    users = (data.get("query") or {}).get("users") or []
    if not users or not isinstance(users[0], dict):
        raise WikiError(_("The wiki gave an unreadable answer."))
    entry = users[0]
    if entry.get("missing") or entry.get("invalid"):
        raise WikiError(
            _("The wiki has no user named %(name)s.") % {"name": entry.get("name", username)}
        )
    try:
        edit_count = int(entry.get("editcount") or 0)
    except (TypeError, ValueError) as exc:
        raise WikiError(_("The wiki gave an unreadable answer.")) from exc
    registered = entry.get("registration")
    result = WikiUser(
        name=str(entry.get("name", username)),
        edit_count=max(edit_count, 0),
        registered_at=parse_datetime(registered) if isinstance(registered, str) else None,
        blocked="blockid" in entry or "blockedby" in entry,
        fetched_at=timezone.now(),
    )
    cache.set(key, result, settings.ACCORD_MEDIAWIKI_CACHE_SECONDS)
    return result


def api_url_from_rest(rest_api: str) -> str:
    """…/w/rest.php (the OAuth endpoint allauth uses) → …/w/api.php (the action API)."""
    base = rest_api.rstrip("/")
    if base.endswith("rest.php"):
        return base[: -len("rest.php")] + "api.php"
    return base + "/api.php"
