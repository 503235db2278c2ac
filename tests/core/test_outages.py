"""While the database cannot be reached, readers get a short 503 page (JSON under /api/) with
Retry-After, never a 500 or a traceback; any other database error stays a 500."""

import logging
import sqlite3

import psycopg
import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client

from core import outages
from core.outages import is_database_unavailable

pytestmark = pytest.mark.django_db


def _error(cause: Exception) -> OperationalError:
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


REFUSED = psycopg.OperationalError(
    'connection failed: connection to server at "127.0.0.1", port 5432 failed: Connection refused'
)


@pytest.fixture
def database_down(monkeypatch):
    """Every query fails as it does while PostgreSQL is stopped."""

    def refuse(*args, **kwargs):
        raise _error(REFUSED)

    monkeypatch.setattr(connection, "cursor", refuse)
    # Django closes a broken connection when the request ends; the test's own must stay.
    monkeypatch.setattr(connection, "close_if_unusable_or_obsolete", lambda: None)


@pytest.fixture
def anonymous():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("path", ["/", "/policies/", "/django-admin/"])
def test_pages_answer_503_with_retry_after_and_no_traceback(database_down, anonymous, path, caplog):
    with caplog.at_level(logging.INFO):
        response = anonymous.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    assert "Accord is briefly unavailable" in text
    assert "Nothing you sent in this request was saved" in text
    assert "Traceback" not in text and "OperationalError" not in text
    # One line at most, a warning, never an error with a traceback.
    assert all(r.levelno < logging.ERROR and r.exc_info is None for r in caplog.records)


def test_the_api_answers_json(database_down, anonymous):
    response = anonymous.get("/api/v1/policies/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "5"
    assert "cannot reach its database" in response.json()["detail"]


def test_a_write_during_the_outage_is_answered_503(participant, database_down):
    client = Client(raise_request_exception=False)
    response = client.post("/accounts/login/", {"login": "pat", "password": "accord-demo"})
    assert response.status_code == 503


def test_the_outage_is_logged_once_not_per_request(database_down, anonymous, caplog, monkeypatch):
    monkeypatch.setattr(outages, "_log", type(outages._log)())
    with caplog.at_level(logging.WARNING, logger="accord.outages"):
        for _ in range(3):
            assert anonymous.get("/").status_code == 503
    warnings = [r for r in caplog.records if r.name == "accord.outages"]
    assert len(warnings) == 1
    assert "Database unavailable" in warnings[0].getMessage()
    assert warnings[0].exc_info is None


def test_other_database_errors_stay_500(monkeypatch, anonymous):
    deadlock = psycopg.errors.DeadlockDetected("deadlock detected")

    def fail(*args, **kwargs):
        raise _error(deadlock)

    monkeypatch.setattr(connection, "cursor", fail)
    monkeypatch.setattr(connection, "close_if_unusable_or_obsolete", lambda: None)
    response = anonymous.get("/")
    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (_error(REFUSED), True),
        (_error(psycopg.errors.AdminShutdown("terminating connection")), True),
        (_error(psycopg.errors.CannotConnectNow("the database system is starting up")), True),
        (_error(psycopg.errors.TooManyConnections("too many clients")), True),
        (InterfaceError("connection already closed"), True),
        (_error(psycopg.errors.DeadlockDetected("deadlock")), False),
        (_error(psycopg.errors.QueryCanceled("statement timeout")), False),
        (_error(sqlite3.OperationalError("database is locked")), False),
        (_error(sqlite3.OperationalError("unable to open database file")), True),
        (ValueError("not a database error"), False),
    ],
)
def test_which_errors_mean_the_database_is_away(error, unavailable):
    assert is_database_unavailable(error) is unavailable
