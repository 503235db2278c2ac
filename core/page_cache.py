"""Pages rendered once: a reading page's response is kept and served again, without routing or
rendering, until the public state it was rendered from changes.

A view opts in with `keep(request, response)` after calling `begin(request)` first thing (so
the state a kept page is filed under is never newer than what it shows). The state is a short
tuple that apps contribute (`register_state`): the transparency log's head, Wagtail's page log.
Every public change moves one of them, and then every kept page is rendered afresh on its next
request: nothing kept is ever served from an older state.

What is kept is the page with its site header cut out: the header is the one part that
depends on the reader (signed in or not, name, staff) and holds the CSRF token. Anonymous
readers get the anonymous header kept with the page, its token replaced with a fresh one per
request; signed-in readers get theirs rendered per request (a small template). Pages are
filed by path, query string and interface language. Every answer carries a weak ETag of the
state, the address, the language and the reader (the CSRF token differs per answer, the page
does not), and `If-None-Match` with it gives 304 before anything is rendered.

A page that also shows what the global state does not follow (a consultation's positions) is
kept with a validator: `begin(request, validator=(name, args))` names a function registered
with `register_validator` that returns a short string which changes whenever such a page may;
the page is served again only while it returns the same. `anonymous_only` pages are served only
to readers who are not signed in (their body holds nothing of a reader's own only then).

The middleware must be the last one, so that sessions, language, CSRF, authentication and
messages have run; it serves nothing while the reader has messages waiting. With
ACCORD_PAGE_CACHE off every page is rendered on every request (benchmarks compare the two)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import parse_http_date_safe

# name -> (queryset of one row and one column, called with the value read or None)
_states: dict[str, tuple[Callable[[], QuerySet], Callable[[object], None] | None]] = {}
# name -> function(*args) -> str that changes whenever a page kept with it may change
_validators: dict[str, Callable[..., str]] = {}
# The states' statement as compiled for the database in use (_states_sql).
_compiled: dict[str, object] = {}

HEADER_TEMPLATE = "includes/site_header.html"
_HEADER_START = b'<header class="site-header">'
_HEADER_END = b"</header>"
_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{32,64}(")')
_TOKEN_MARK = b"\x00csrf\x00"
# Kept pages are refreshed on the next request after any public change; this only bounds how
# long an address nobody reads any more stays in the cache.
CACHE_SECONDS = 60 * 60 * 24
# A signed-in reader's header is kept a shorter while: there is one per reader and address.
HEADER_SECONDS = 60 * 10
_VERSION = "pc1"


def register_state(
    name: str, query: Callable[[], QuerySet], on_read: Callable[[object], None] | None = None
) -> None:
    """`query()` gives a queryset of one value that changes whenever a public page may change
    (such as the newest entry of a log). All are read in one SQL statement per request;
    `on_read(value)` is told what was read."""
    _states[name] = (query, on_read)


def register_validator(name: str, validator: Callable[..., str]) -> None:
    """`validator(*args)` returns a short string that changes whenever a page kept with
    `begin(request, validator=(name, args))` may change beyond the registered states."""
    _validators[name] = validator


def _validated(validator) -> str | None:
    """The validator's value now, or None when the page it was stored with is out of date."""
    if validator is None:
        return ""
    name, args, value = validator
    found = _validators.get(name)
    if found is None or found(*args) != value:
        return None
    return value


def enabled() -> bool:
    return getattr(settings, "ACCORD_PAGE_CACHE", True)


def _states_sql() -> tuple[str, list]:
    """The one statement that reads every state. The queries never change, so it is compiled
    once per process and database (compiling the querysets cost more than running it)."""
    key = (connection.vendor, tuple(_states))
    if _compiled.get("key") != key:
        parts, params = [], []
        for query, _ in _states.values():
            sql, query_params = query().query.sql_with_params()
            parts.append(f"({sql})")
            params.extend(query_params)
        _compiled.update(key=key, sql="SELECT " + ", ".join(parts), params=params)
    return _compiled["sql"], _compiled["params"]


def _read_states() -> dict[str, object]:
    if not _states:
        return {}
    sql, params = _states_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    values = dict(zip(_states, row, strict=True))
    for name, (_, on_read) in _states.items():
        if on_read is not None:
            on_read(values[name])
    return values


def current_state(request=None) -> str:
    """A digest of every registered state (one query); kept on `request` when given."""
    values = _read_states()
    if request is not None:
        request._page_cache_values = values
    text = "\x1f".join([getattr(settings, "ACCORD_RELEASE", ""), *map(str, values.values())])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def state_value(request, name: str):
    """The value of one registered state as read for this request (after `begin`)."""
    return getattr(request, "_page_cache_values", {}).get(name)


def begin(request, validator: tuple[str, tuple] | None = None) -> None:
    """Read the state (and the view's validator) before the view reads anything it shows
    (call first in a kept view)."""
    if enabled() and not hasattr(request, "_page_cache_state"):
        request._page_cache_state = current_state(request)
        if validator is not None:
            name, args = validator
            request._page_cache_validator = (name, tuple(args), _validators[name](*args))


def keep(
    request,
    response,
    *,
    per_reader: bool = True,
    shared: bool = False,
    anonymous_only: bool = False,
) -> HttpResponse:
    """Mark a response to be kept. `per_reader=False`: the page is the same for every reader
    (no site header: downloads); `shared`: it may also be kept by shared caches (CDNs);
    `anonymous_only`: served again only to readers who are not signed in."""
    if hasattr(request, "_page_cache_state"):
        response._page_cache = {
            "per_reader": per_reader,
            "shared": shared,
            "anonymous_only": anonymous_only,
        }
    return response


def _entry_key(request) -> str:
    lang = getattr(request, "LANGUAGE_CODE", "")
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"accord:{_VERSION}:{lang}:{digest}"


def _header_key(request, reader: str) -> str:
    lang = getattr(request, "LANGUAGE_CODE", "")
    text = f"{reader}\x1f{request.get_full_path()}"
    return f"accord:{_VERSION}:header:{lang}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def _reader(request) -> str:
    """Everything the site header shows of the reader (includes/site_header.html): a header
    kept for one reader is served only to a reader with the same of each."""
    user = request.user
    if not user.is_authenticated:
        return "anonymous"
    return f"user:{user.pk}:{user.get_username()}:{user.is_staff}"


def _etag(state: str, request, reader: str) -> str:
    text = "\x1f".join(
        [state, request.get_full_path(), getattr(request, "LANGUAGE_CODE", ""), reader]
    )
    return 'W/"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def _split(content: bytes) -> tuple[bytes, bytes, bytes] | None:
    start = content.find(_HEADER_START)
    end = content.find(_HEADER_END, start) if start >= 0 else -1
    if end < 0:
        return None
    end += len(_HEADER_END)
    return content[:start], content[start:end], content[end:]


def _without_token(part: bytes) -> bytes:
    return _TOKEN.sub(rb"\1" + _TOKEN_MARK + rb"\2", part)


def _finish(response, entry, request, etag) -> HttpResponse:
    response["ETag"] = etag
    if entry["shared"]:
        patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    else:
        # The page holds a token for this reader's CSRF cookie: browsers may keep it, shared
        # caches may not; revalidated every time, since the page's state may move any time.
        patch_cache_control(response, private=True, no_cache=True)
    return response


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not enabled() or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        messages = getattr(request, "_messages", None)
        if messages is not None and len(messages):  # a peek: nothing is marked as read
            return self.get_response(request)
        key = _entry_key(request)
        entry = cache.get(key)
        if entry is not None:
            served = self._serve(request, entry)
            if served is not None:
                return served
        response = self.get_response(request)
        etag = self._store(request, response, key)
        if etag is not None:
            last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
            conditional = get_conditional_response(
                request, etag=etag, last_modified=last_modified, response=response
            )
            return conditional or response
        return response

    def _serve(self, request, entry) -> HttpResponse | None:
        if entry.get("anonymous_only") and request.user.is_authenticated:
            return None
        state = current_state()
        if state != entry["state"]:
            return None
        validated = _validated(entry.get("validator"))
        if validated is None:
            return None
        reader = "everyone" if not entry["per_reader"] else _reader(request)
        etag = _etag(state + validated, request, reader)
        not_modified = get_conditional_response(
            request, etag=etag, last_modified=entry.get("last_modified")
        )
        if not_modified is not None:
            return _finish(not_modified, entry, request, etag)
        if not entry["per_reader"]:
            content = entry["whole"]
        else:
            header = self._header(request, entry, reader)
            content = entry["before"] + header + entry["after"]
            if _TOKEN_MARK in content:
                content = content.replace(_TOKEN_MARK, get_token(request).encode())
        response = HttpResponse(content, status=entry["status"])
        for name, value in entry["headers"]:
            response[name] = value
        return _finish(response, entry, request, etag)

    def _header(self, request, entry, reader) -> bytes:
        """The site header for this reader, address and language, its token left out: kept
        with the page for anonymous readers, apart per signed-in reader."""
        if reader == "anonymous" and entry["anonymous_header"] is not None:
            return entry["anonymous_header"]
        key = _header_key(request, reader)
        header = None if reader == "anonymous" else cache.get(key)
        if header is None:
            html = render_to_string(HEADER_TEMPLATE, request=request).encode()
            parts = _split(html)
            header = _without_token(parts[1] if parts else html)
            if reader == "anonymous":
                cache.set(entry["key"], {**entry, "anonymous_header": header}, CACHE_SECONDS)
            else:
                cache.set(key, header, HEADER_SECONDS)
        return header

    def _store(self, request, response, key) -> str | None:
        """Keep a response its view marked; returns its ETag, or None when not kept."""
        kept = getattr(response, "_page_cache", None)
        state = getattr(request, "_page_cache_state", None)
        if (
            kept is None
            or state is None
            or response.status_code != 200
            or response.streaming
            or response.cookies
        ):
            return None
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        validator = getattr(request, "_page_cache_validator", None)
        entry = {
            "key": key,
            "state": state,
            "validator": validator,
            "status": response.status_code,
            "headers": list(response.items()),
            "last_modified": parse_http_date_safe(response.get("Last-Modified", "")),
            **kept,
        }
        if kept["per_reader"]:
            parts = _split(response.content)
            if parts is None:
                return None
            before, header, after = parts
            reader = _reader(request)
            header = _without_token(header)
            entry.update(
                before=_without_token(before),
                after=_without_token(after),
                anonymous_header=header if reader == "anonymous" else None,
            )
            if reader != "anonymous":
                cache.set(_header_key(request, reader), header, HEADER_SECONDS)
        else:
            reader = "everyone"
            entry["whole"] = response.content
        cache.set(key, entry, CACHE_SECONDS)
        etag = _etag(state + (validator[2] if validator else ""), request, reader)
        _finish(response, entry, request, etag)
        return etag
