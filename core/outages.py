"""What readers get while the database is away: a short 503 page (JSON under /api/) with
`Retry-After`, instead of a 500 and a traceback in the log for every request.

`server_error` is the site's handler500 (policysite/urls.py). Django calls it for every
exception no view or middleware handled, from any layer (a view, the session or user loaded by
a middleware, the page cache's state query), so one place sees them all. It answers 503 only
when the exception says the database could not be reached (connection refused or lost, the
server shutting down or starting up, too many connections); any other error stays a 500 with
its traceback logged as before. With ATOMIC_REQUESTS the request's transaction was rolled back
before this runs: nothing a request wrote half-way survives. Connections found broken are
closed when the request ends, and CONN_HEALTH_CHECKS checks a kept one before reuse, so the
site answers again as soon as the database does.

The 503 page is built here from a string: no template that extends base.html, no context
processor, no session or user, nothing that could need the database itself."""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
import threading
import time

from django import db
from django.http import HttpResponse
from django.views import defaults

logger = logging.getLogger("accord.outages")

# Seconds a client is asked to wait before trying again; a restarted PostgreSQL usually
# accepts connections again within a few.
RETRY_AFTER_SECONDS = 5
# While the database stays away, one warning per process at most this often (with how many
# requests were answered 503 since the last one), not one per request.
LOG_EVERY_SECONDS = 30.0

# PostgreSQL error codes that mean "not reachable now" rather than "this statement failed":
# class 08 (connection exception), and the server shutting down, crashing or still starting
# (57P01-57P03), or refusing a connection over its limit (53300).
_UNAVAILABLE_SQLSTATES = {"57P01", "57P02", "57P03", "53300"}

_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Accord is briefly unavailable</title></head>
<body>
<main>
<h1>Accord is briefly unavailable</h1>
<p>The site cannot reach its database just now. Nothing you sent in this request was saved.</p>
<p>Please try again in a few seconds. If you were sending a form, go back and send it again.</p>
</main>
</body>
</html>
"""
_DETAIL = (
    "The service cannot reach its database just now; nothing was saved. "
    f"Try again in {RETRY_AFTER_SECONDS} seconds."
)


def is_database_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc` says the database could not be reached (as opposed to a statement that
    failed: a constraint, a deadlock, a timeout, a locked SQLite file)."""
    if isinstance(exc, db.InterfaceError):  # "connection already closed" and the like
        return True
    if not isinstance(exc, db.OperationalError):
        return False
    cause = exc.__cause__
    if isinstance(cause, sqlite3.OperationalError):
        return "unable to open database" in str(cause)
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is None:
        # psycopg gives no code when the failure is the client's: refused, reset, closed.
        return cause is not None and type(cause).__module__.startswith("psycopg")
    return sqlstate.startswith("08") or sqlstate in _UNAVAILABLE_SQLSTATES


def _chain(exc: BaseException | None, depth: int = 4):
    """`exc` and what it was raised from or while handling (a failed rollback after a lost
    connection raises from inside the handler of the first error)."""
    while exc is not None and depth:
        yield exc
        exc, depth = exc.__cause__ or exc.__context__, depth - 1


class _Throttled:
    """Counts 503s answered and says so in the log at most every LOG_EVERY_SECONDS."""

    def __init__(self):
        self._lock = threading.Lock()
        self._last = float("-inf")
        self._since = 0

    def record(self, request, exc) -> None:
        with self._lock:
            self._since += 1
            now = time.monotonic()
            if now - self._last < LOG_EVERY_SECONDS:
                return
            count, self._since, self._last = self._since, 0, now
        logger.warning(
            "Database unavailable, answering 503 (%d request(s) since the last warning); "
            "latest: %s %s: %s",
            count,
            request.method,
            request.path,
            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
        )


_log = _Throttled()


def unavailable_response(request) -> HttpResponse:
    """The 503 for `request`: JSON under /api/, else the plain page."""
    if request.path.startswith("/api/"):
        response = HttpResponse(
            json.dumps({"detail": _DETAIL}), status=503, content_type="application/json"
        )
    else:
        response = HttpResponse(_PAGE, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # Django logs a handled 5xx with its traceback unless told it has been logged: the
    # throttled warning above is the whole record of an outage.
    response._has_been_logged = True
    return response


def server_error(request, *args, **kwargs):
    """handler500: a 503 while the database is away, else Django's own 500."""
    exc = sys.exc_info()[1]
    if any(is_database_unavailable(e) for e in _chain(exc)):
        _log.record(request, exc)
        return unavailable_response(request)
    return defaults.server_error(request, *args, **kwargs)
