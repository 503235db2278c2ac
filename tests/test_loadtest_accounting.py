"""`make loadtest` checks the database after the run: every accepted write there exactly once,
nothing refused or never sent there (benchmarks/loadtest.account_writes)."""

import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from loadtest import MARKER, account_writes  # noqa: E402

A, B, C, D = (MARKER + letter * 12 for letter in "abcd")


def write(kind, token="", *, accepted=True, user=1, first=None, receipt=None, status="auto"):
    return {
        "kind": kind,
        "token": token,
        "user": user,
        "first": first,
        "accepted": accepted,
        "receipt": receipt,
        "status": (302 if accepted else 429) if status == "auto" else status,
    }


def digest(receipt):
    return hashlib.sha256(receipt.encode()).hexdigest()


def test_every_accepted_position_and_reply_there_once_is_a_clean_run():
    writes = [write("position", A), write("reply", B), write("position", C, accepted=False)]
    stored = {"positions": [f"Rehearsal position {A}: support"], "replies": [B], "ballots": {}}
    report = account_writes(writes, stored)
    assert report["total"] == {
        "accepted": 2,
        "refused": 1,
        "unanswered": 0,
        "lost": 0,
        "duplicates": 0,
        "unexpected": 0,
    }


def test_lost_duplicated_and_unexpected_texts_are_each_counted():
    writes = [
        write("position", A),  # lost
        write("reply", B),  # stored twice
        write("position", C, accepted=False),  # refused, yet stored
    ]
    stored = {"positions": [C, f"no token {D}"], "replies": [B, B], "ballots": {}}
    report = account_writes(writes, stored)
    assert report["position"]["lost"] == 1
    assert report["reply"]["duplicates"] == 1
    # C was refused but is there; D was never sent by anyone.
    assert report["position"]["unexpected"] == 2
    assert report["total"]["lost"] == 1


def test_ballots_must_hold_the_receipt_shown_and_change_exactly_once():
    writes = [
        write("ballot", user=1, first=True, receipt="r1"),  # recorded with its receipt
        write("ballot", user=2, first=True, receipt="r2"),  # stored with another receipt
        write("ballot", user=3, first=False, receipt="r3"),  # a change of mind, applied twice
        write("ballot", user=4, first=True, accepted=False),  # refused, yet a ballot is there
        write("ballot", user=5, first=False, accepted=False),  # refused change left alone
        write("ballot", user=6, first=True, receipt=None),  # accepted, receipt page unread
    ]
    stored = {
        "positions": [],
        "replies": [],
        "ballots": {
            "1": [0, digest("r1")],
            "2": [0, digest("other")],
            "3": [2, digest("r3")],
            "4": [0, digest("x")],
            "5": [0, digest("y")],
            "6": [0, digest("z")],
        },
    }
    report = account_writes(writes, stored)["ballot"]
    assert report == {
        "accepted": 4,
        "refused": 2,
        "unanswered": 0,
        "lost": 1,
        "duplicates": 1,
        "unexpected": 1,
    }


def test_an_accepted_ballot_missing_from_the_database_is_lost():
    writes = [write("ballot", user=7, first=True, receipt="r7")]
    report = account_writes(writes, {"positions": [], "replies": [], "ballots": {}})
    assert report["ballot"]["lost"] == 1


def test_a_write_that_got_no_answer_may_be_there_once_or_not_at_all_never_twice():
    writes = [
        write("position", A, accepted=False, status=None),  # committed before the cut
        write("position", B, accepted=False, status=None),  # never committed
        write("reply", C, accepted=False, status=None),  # committed twice: a retry doubled it
        write("ballot", user=8, first=True, accepted=False, status=None),
        write("ballot", user=9, first=False, accepted=False, status=None),  # changed twice
    ]
    stored = {
        "positions": [A],
        "replies": [C, C],
        "ballots": {"8": [0, digest("r8")], "9": [2, digest("r9")]},
    }
    report = account_writes(writes, stored)
    assert report["total"]["unanswered"] == 5
    assert report["position"]["lost"] == report["position"]["unexpected"] == 0
    assert report["reply"]["duplicates"] == 1
    assert report["ballot"] == {
        "accepted": 0,
        "refused": 0,
        "unanswered": 2,
        "lost": 0,
        "duplicates": 1,
        "unexpected": 0,
    }
