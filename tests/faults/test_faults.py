"""Faults of a real deployment, under a light load, against a private stack (conftest.py):
PostgreSQL restarting, a web worker killed mid-ballot, Redis disappearing. Run by `make faults`
(marker `faults`; `make test` leaves them out). In this order: the last one kills Redis."""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from .conftest import (
    Readers,
    post_ballot,
    post_position,
    receipt_shown,
    receipt_status,
    request,
    wait_for,
)

pytestmark = pytest.mark.faults

# Seconds the site may take to answer again once PostgreSQL accepts connections.
RECOVERY_SECONDS = 10
ACCEPTED = {302}  # a write's post/redirect/get
COUNTED = "it is the one that counts"


def _positions(stack, people) -> set[tuple[int, str]]:
    ids = [stack.person(i)[0] for i in people]
    rows = stack.pg.query(
        "SELECT user_id, section_key FROM consultations_position "
        "WHERE consultation_id = %s AND user_id = ANY(%s)",
        (stack.seed["consultation_id"], ids),
    )
    return set(rows)


def _ballots(stack, people) -> list[int]:
    ids = [stack.person(i)[0] for i in people]
    rows = stack.pg.query(
        "SELECT voter_id FROM ratification_ballot WHERE vote_id = %s AND voter_id = ANY(%s)",
        (stack.seed["vote_id"], ids),
    )
    return [voter for (voter,) in rows]


def _check_writes(outcomes, present: set) -> None:
    """Every accepted write is there exactly once, every refused one is not; a write that got
    no answer (its connection dropped) may be either."""
    accepted = {o.key for o in outcomes if o.status in ACCEPTED}
    refused = {o.key for o in outcomes if o.status is not None and o.status not in ACCEPTED}
    attempted = {o.key for o in outcomes}
    assert accepted <= present, f"lost: {accepted - present}"
    assert not (refused - accepted) & present, f"refused but kept: {(refused - accepted) & present}"
    assert present <= attempted, f"never sent: {present - attempted}"


def test_postgresql_restarting_mid_load(stack):
    sections = stack.seed["sections"][:3]
    writers_stop = threading.Event()
    writes = []

    def write_positions():
        people = iter(range(0, 20))
        for person in people:
            session = stack.client(person)
            for section in sections:
                if writers_stop.is_set():
                    return
                writes.append(post_position(stack, session, person, section))

    def write_ballots():
        for person in range(20, 30):
            if writers_stop.is_set():
                return
            writes.append(post_ballot(stack, stack.client(person), person))
            time.sleep(0.05)

    threads = [threading.Thread(target=f, daemon=True) for f in (write_positions, write_ballots)]
    with Readers(stack) as readers:
        for thread in threads:
            thread.start()
        assert wait_for(lambda: sum(o.status == 200 for o in readers.outcomes) >= 8, 20)
        stopped_at = time.monotonic()
        stack.pg.stop()
        assert wait_for(lambda: sum(o.status == 503 for o in readers.outcomes) >= 6, 20)
        stack.pg.start()
        up_at = time.monotonic()
        assert wait_for(
            lambda: any(o.status == 200 and o.at > up_at for o in readers.outcomes),
            RECOVERY_SECONDS,
        ), f"no page answered within {RECOVERY_SECONDS} s of PostgreSQL accepting connections"
        recovered_at = min(o.at for o in readers.outcomes if o.status == 200 and o.at > up_at)
        time.sleep(0.5)
        writers_stop.set()
        for thread in threads:
            thread.join(timeout=30)

    answers = readers.outcomes + writes
    during = [o for o in answers if o.status == 503]
    print(
        f"\nPostgreSQL restart: {len(answers)} requests, {len(during)} answered 503 while it was "
        f"down ({up_at - stopped_at:.1f} s), site back {recovered_at - up_at:.2f} s after it"
    )
    assert during, "no request met the outage"
    assert all(o.retry_after == "5" for o in during)
    assert all(
        "briefly unavailable" in o.body or "cannot reach its database" in o.body for o in during
    )
    assert not [o for o in answers if o.status == 500 or (o.status and "Traceback" in o.body)]
    assert {o.status for o in answers} <= {200, 302, 400, 409, 503, None}
    log = stack.server_log()
    assert "Traceback" not in log
    assert "Database unavailable, answering 503" in log

    _check_writes([o for o in writes if o.kind == "position"], _positions(stack, range(0, 20)))
    ballots = _ballots(stack, range(20, 30))
    assert len(ballots) == len(set(ballots))
    _check_writes([o for o in writes if o.kind == "ballot"], {(v,) for v in ballots})


def test_a_worker_killed_mid_ballot(stack):
    people = list(range(30, 50))
    shown: dict[int, str | None] = {}
    dropped = []
    already = []

    def vote(person):
        session = stack.client(person)
        for _attempt in range(6):
            outcome = post_ballot(stack, session, person)
            if outcome.status is None:
                dropped.append(person)
                time.sleep(0.2)
                continue  # the voter sends the form again
            if outcome.status == 302:
                shown[person] = receipt_shown(stack, session)
            elif outcome.status == 409:
                # Cast by the request that lost its answer, so its receipt never arrived: the
                # page offers the ballot as it stands, and casting it again gives a receipt.
                already.append(person)
                assert "already submitted" in outcome.body
                again = post_ballot(stack, session, person, based_on="0")
                assert again.status == 302, again.status
                shown[person] = receipt_shown(stack, session)
            else:
                pytest.fail(f"ballot answered {outcome.status}: {outcome.body[:300]}")
            return

    done = threading.Event()
    kills = []

    def killer():
        # Seven voters keep both workers busy; a worker is killed every 0.3 s until one was
        # killed in the middle of a ballot (its voter got no answer), at most five times.
        wait_for(lambda: len(shown) >= 2, 20, 0.01)
        while not dropped and len(kills) < 5 and not done.is_set():
            workers = stack.workers()
            if workers:
                os.kill(workers[len(kills) % len(workers)], signal.SIGKILL)
                kills.append(time.monotonic())
            time.sleep(0.3)

    with ThreadPoolExecutor(max_workers=7) as pool:
        kill = pool.submit(killer)
        list(pool.map(vote, people))
        done.set()
        kill.result()

    ballots = _ballots(stack, people)
    print(
        f"\n{len(kills)} worker(s) killed: {len(dropped)} ballot request(s) lost their answer; "
        f"{len(shown)} receipts shown, {len(already)} retried ballots were already recorded"
    )
    assert dropped, "no worker was killed in the middle of a ballot"
    assert sorted(ballots) == sorted(stack.person(p)[0] for p in people)  # one each, no more
    choices = stack.pg.query(
        "SELECT count(*) FROM ratification_choice WHERE vote_id = %s", (stack.seed["vote_id"],)
    )[0][0]
    assert choices == len(_ballots(stack, range(len(stack.seed["people"]))))
    lost = [p for p, receipt in shown.items() if receipt is None]
    print(f"{len(lost)} confirmation page(s) lost their answer")
    for person, receipt in shown.items():
        if receipt is not None:
            assert receipt, f"the confirmation page showed {person} no receipt"
            assert COUNTED in receipt_status(stack, receipt), person
    assert "Traceback" not in stack.server_log()


def test_redis_disappearing(stack):
    reader, writer = 50, 51
    signed_in = stack.client(reader)
    name = stack.person(reader)[1]
    url = stack.base + stack.seed["consultation_url"]
    assert f"Sign out {name}" in signed_in.get(url, timeout=10).text
    stack.redis.kill()
    stack.redis.wait()

    anonymous = stack.client()
    for path in (stack.seed["policy_url"], stack.seed["consultation_url"], "/"):
        for _ in range(2):
            outcome = request(anonymous, "GET", stack.base + path, "read", (path,))
            assert outcome.status == 200, (path, outcome.status, outcome.body[:300])
    page = signed_in.get(url, timeout=10)
    assert page.status_code == 200 and f"Sign out {name}" in page.text

    session = stack.client(writer)
    outcomes = [post_position(stack, session, writer, key) for key in stack.seed["sections"]]
    accepted = [o for o in outcomes if o.status == 302]
    refused = [o for o in outcomes if o.status == 400 and "You have posted 3 times" in o.body]
    print(
        f"\nRedis gone: {len(accepted)} of {len(outcomes)} positions accepted from one person "
        "(limit 3 per process)"
    )
    assert refused, "the posting limit was not enforced without Redis"
    assert len(accepted) <= 3 * 2  # the limit, counted in each of the two workers
    assert len(_positions(stack, [writer])) == len(accepted)
    log = stack.server_log()
    assert "unavailable" in log and "serving without the cache" in log
    assert "Traceback" not in log
