"""Ballots against a floor, side by side in one server and run (issue 20): gunicorn on
loopback, PostgreSQL, 4 sync workers, 20 clients.

    .venv/bin/python benchmarks/bench_ballots.py             # the defaults below; also `make bench`
    .venv/bin/python benchmarks/bench_ballots.py --rounds 5 --seconds 6 --show-sql

The floor (benchmarks/floor.py, served only by the benchmark's own settings) is the least a
signed-in, CSRF-checked form post can do here: validate one field, insert one row, render a
small page on base.html. A ballot is what a voter's browser does: the POST, then the GET of the
receipt page it redirects to (post/redirect/get). Measured in rounds, each timing the floor,
then first ballots (fresh voters, the form's based_on=-1), then changes of mind (voters of the
round's first ballots, based_on=0) for --seconds each, with the same clients, so the machine's
load at the time weighs on all three alike. Printed: each path's requests/s, the ratio of the
ballot paths to the floor (goal GOAL_RATIO) with the figures it came from, and the CPU per
request of gunicorn and PostgreSQL.

Steps: (re)create the database `accord_bench_ballots` on 127.0.0.1:5432, migrate it, then in one
Django process create a published policy, a facilitator, an open secret vote, the voters and
their signed-in sessions written straight to the session table, and the floor's table. Warm
the server up on a second vote. Afterwards the database must hold exactly one ballot and one
choice per voter whose ballot was accepted, changed once for each accepted change of mind,
with the option last sent (read back through the application, which decrypts a secret vote's
options) and the digest of the receipt last shown; and one floor row per accepted floor post.
gunicorn is stopped and the database dropped at the end, whatever happened.

Prints one JSON line per measure; exits 0 when the goal is missed ("ok": false), non-zero on a
crash. PostgreSQL unreachable: one line with "skipped" and exit 0."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DB_NAME = "accord_bench_ballots"
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
SETTINGS = "benchmarks.floor_server_settings"
GOAL_RATIO = 0.7
OPTIONS = ("yes", "no", "abstain")
WARMUP_BALLOTS = 200
PROBE_BALLOTS = 40
FLOOR_PATH = "/bench/floor/"
FLOOR_TABLE = "bench_floor_note"
# The floor's one table (benchmarks/floor.py inserts into it); made by the set-up.
CREATE_FLOOR_TABLE = (
    f"CREATE TABLE {FLOOR_TABLE} (id bigserial PRIMARY KEY, user_id integer NOT NULL, "
    "note varchar(40) NOT NULL)"
)
# Measured on the 2-core machine: 4 sync workers, 6 sync workers, gthread 2x4 and 4x2 all came
# within noise of each other (the server is CPU-bound); 2 sync workers were slower (a worker
# waiting on PostgreSQL leaves a core idle). Sync is the simplest. Each worker keeps its
# PostgreSQL connection (DJANGO_CONN_MAX_AGE): with 0, a connection per request more than
# halved the throughput.
DEFAULT_WORKERS = 4
DEFAULT_CLIENTS = 20
DEFAULT_ROUNDS = 3
DEFAULT_SECONDS = 4.0
DEFAULT_VOTERS = 3000
DEFAULT_WORKER_CLASS = "sync"
DEFAULT_THREADS = 1
DEFAULT_CONN_MAX_AGE = 600
RECEIPT = re.compile(rb'<code id="receipt">([A-Za-z0-9_-]+)</code>')
FLOOR_NOTE = re.compile(rb'<p role="status" id="floor-note">([A-Za-z0-9_-]+)</p>')


# --- the Django side: set-up in its own process ------------------------------------------------


def django_setup(out: Path, n_voters: int) -> None:
    """Runs in a child process whose environment points Django at the benchmark database."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from ratification import services
    from tests.factories import EditorFactory, make_policy

    backend = "django.contrib.auth.backends.ModelBackend"
    assert backend in settings.AUTHENTICATION_BACKENDS
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"

    facilitator = EditorFactory(username="bench-facilitator")
    facilitator.groups.add(Group.objects.get(name="Facilitators"))
    page = make_policy(editor=facilitator, slug="ballot-bench", title="Ballot Bench Code")
    version = page.versions.get()
    now = timezone.now()

    def open_vote(question: str):
        config = services.VoteSettings(
            question=question,
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(days=7),
        )
        vote = services.create_vote(version=version, user=facilitator, config=config)
        return services.open_vote(vote=vote, user=facilitator)

    vote = open_vote("Do you ratify the Ballot Bench Code, version 1?")
    # Warm-up and query counting happen on a second vote, so the measured one starts empty.
    probe_vote = open_vote("Warm-up vote")

    User = get_user_model()
    n_extra = WARMUP_BALLOTS + PROBE_BALLOTS
    users = User.objects.bulk_create(
        [
            User(username=f"voter{i:05d}", password=make_password(None))
            for i in range(n_voters + n_extra)
        ],
        batch_size=2000,
    )
    # What django.contrib.auth.login() writes into the session, minus the CSRF rotation.
    store = SessionStore()
    expires = now + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    keys = [get_random_string(32, string.ascii_lowercase + string.digits) for _ in users]
    Session.objects.bulk_create(
        [
            Session(
                session_key=key,
                session_data=store.encode(
                    {
                        SESSION_KEY: str(user.pk),
                        BACKEND_SESSION_KEY: backend,
                        HASH_SESSION_KEY: user.get_session_auth_hash(),
                    }
                ),
                expire_date=expires,
            )
            for user, key in zip(users, keys, strict=True)
        ],
        batch_size=2000,
    )
    voters = [
        [user.pk, key, services.owner_tag(vote.pk, user.pk)]
        for user, key in zip(users[:n_voters], keys[:n_voters], strict=True)
    ]
    warmup = keys[n_voters : n_voters + WARMUP_BALLOTS]
    probes = keys[n_voters + WARMUP_BALLOTS :]

    with connection.cursor() as cursor:
        cursor.execute(CREATE_FLOOR_TABLE)

    # Each path through the whole middleware stack in this process: its SQL, and the time it
    # costs without HTTP and gunicorn.
    token = get_random_string(32)
    client = Client(
        enforce_csrf_checks=True,
        headers={"X-Forwarded-Proto": "https", "Host": "127.0.0.1", "Origin": "https://127.0.0.1"},
    )
    client.cookies["csrftoken"] = token
    ballot_path = f"/votes/{probe_vote.pk}/ballot/"

    def post(path, key, data, expect):
        client.cookies["sessionid"] = key
        # Post/redirect/get: the receipt is shown by the page the ballot redirects to.
        response = client.post(path, data, headers={"X-CSRFToken": token}, follow=True)
        if response.status_code != 200 or not expect.search(response.content):
            raise RuntimeError(f"probe {path}: {response.status_code} {response.content[:500]!r}")

    paths = {
        "floor": lambda key: post(FLOOR_PATH, key, {"note": "probe"}, FLOOR_NOTE),
        "first_vote": lambda key: post(
            ballot_path, key, {"option": "yes", "based_on": "-1"}, RECEIPT
        ),
        "change_of_mind": lambda key: post(
            ballot_path, key, {"option": "no", "based_on": "0"}, RECEIPT
        ),
    }
    probed = {}
    for name, send in paths.items():
        send(probes[0])
        with CaptureQueriesContext(connection) as ctx:
            send(probes[1])
        # Read now: the next request's request_started signal empties the query log.
        sql = [q["sql"][:160] for q in ctx.captured_queries]
        timings = []
        for key in probes[2:]:
            start = time.perf_counter()
            send(key)
            timings.append((time.perf_counter() - start) * 1000)
        probed[name] = {
            "queries": len(sql),
            "sql": sql,
            "in_process_ms": round(statistics.median(timings), 2),
        }
    out.write_text(
        json.dumps(
            {
                "vote_id": vote.pk,
                "probe_vote_id": probe_vote.pk,
                "voters": voters,
                "warmup": warmup,
                "probed": probed,
            }
        )
    )


# --- PostgreSQL, gunicorn, CPU accounting --------------------------------------------------------


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def pg_reachable() -> str:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # any failure to connect means: skip
        return f"PostgreSQL not reachable at 127.0.0.1:5432: {exc}".strip()
    return ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stat(pid: int) -> tuple[int, str, float, float]:
    """(ppid, name, own CPU seconds, CPU seconds of reaped children) of a live process."""
    with open(f"/proc/{pid}/stat") as f:
        data = f.read()
    name = data[data.index("(") + 1 : data.rindex(")")]
    f = data[data.rindex(")") + 2 :].split()  # f[0] is field 3 (state) of proc(5)
    tick = os.sysconf("SC_CLK_TCK")
    return int(f[1]), name, (int(f[11]) + int(f[12])) / tick, (int(f[13]) + int(f[14])) / tick


def cpu_snapshot(server_pid: int, count_reaped: bool) -> dict:
    """CPU seconds used so far, per process, by gunicorn (master and workers) and PostgreSQL
    (this database's backends and the auxiliary processes), with the client's and the
    machine's. With a connection per request (count_reaped) our backends exit as they go, so
    the CPU of every backend the postmaster has reaped is counted too, other databases'
    included: an overestimate when something else uses PostgreSQL at the same time."""
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stats[int(entry)] = _stat(int(entry))
    pg = {pid for pid, (_, name, _, _) in stats.items() if name.startswith("postgres")}
    counted = {}
    for pid, (ppid, _, own, reaped) in stats.items():
        if server_pid in (pid, ppid):
            counted[pid] = ("gunicorn", own)
        elif pid in pg and ppid not in pg:  # the postmaster
            counted[pid] = ("postgres", own + (reaped if count_reaped else 0.0))
        elif pid in pg:
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    command = f.read().decode(errors="replace")
            except OSError:
                continue
            other_backend = "(" in command or "[local]" in command
            if DB_NAME in command or not other_backend:
                counted[pid] = ("postgres", own)
    with open("/proc/stat") as f:
        ticks = [int(v) for v in f.readline().split()[1:8]]
    tick = os.sysconf("SC_CLK_TCK")
    return {
        "processes": counted,
        "client": time.process_time(),
        "busy": (sum(ticks) - ticks[3] - ticks[4]) / tick,
        "total": sum(ticks) / tick,
    }


def cpu_used(before: dict, after: dict) -> dict[str, float]:
    used = {"gunicorn": 0.0, "postgres": 0.0}
    for pid, (group, seconds) in after["processes"].items():
        used[group] += seconds - before["processes"].get(pid, (group, 0.0))[1]
    for key in ("client", "busy", "total"):
        used[key] = after[key] - before[key]
    used["others"] = max(0.0, used["busy"] - used["gunicorn"] - used["postgres"] - used["client"])
    return used


def start_gunicorn(env, port, workers, worker_class, threads, log_path):
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "policysite.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--worker-class={worker_class}",
        f"--threads={threads}",
        f"--chdir={ROOT}",
        "--no-control-socket",
        "--timeout=60",
        "--graceful-timeout=5",
        "--keep-alive=5",
        "--log-level=warning",
    ]
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
        )


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        # Our own session: the master and its workers, nothing else.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


# --- the load generator ------------------------------------------------------------------------


class NoResponse(Exception):
    """The connection closed before any byte of a response arrived."""


async def read_response(reader) -> tuple[int, dict[str, str], bytes]:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            raise NoResponse from exc
        raise
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie" and name in headers:
                value = headers[name] + "\n" + value
            headers[name] = value
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(parts)
    else:
        body = await reader.read()
        headers["connection"] = "close"
    return status, headers, body


async def send_posts(port, path, jobs, clients, timeout, seconds=None, expect=RECEIPT):
    """Each of `clients` coroutines takes the next (voter, session, option, body) job, posts it
    and records (status or error, what `expect` found on the page, latency); after `seconds`
    no new job is taken. Connections are kept alive when the server allows it. A request on a
    reused connection that the server had closed before reading it (no byte came back) is sent
    once more on a new connection; anything else is an error."""
    host = f"127.0.0.1:{port}"
    stop_at = time.monotonic() + seconds if seconds else float("inf")
    results: list = [None] * len(jobs)
    pending = iter(enumerate(jobs))
    retries = 0

    async def client():
        nonlocal retries
        token = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
        prefix = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: https://{host}\r\n"
            "X-Forwarded-Proto: https\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"X-CSRFToken: {token}\r\n"
        ).encode()
        reader = writer = None
        reused = False
        for index, (_, session_key, _, _, body) in pending:
            if time.monotonic() > stop_at:
                break
            body = body.encode()
            request = (
                prefix
                + (
                    f"Cookie: sessionid={session_key}; csrftoken={token}\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n"
                ).encode("ascii")
                + body
            )
            start = time.perf_counter()
            outcome = None
            for _attempt in range(2):
                try:
                    if writer is None:
                        reader, writer = await asyncio.open_connection("127.0.0.1", port)
                        reused = False
                    writer.write(request)
                    status, headers, payload = await read_response(reader)
                    if status in (302, 303) and "location" in headers:
                        # Post/redirect/get: the receipt page, as a browser would load it.
                        if headers.get("connection", "").lower() == "close":
                            writer.close()
                            reader, writer = await asyncio.open_connection("127.0.0.1", port)
                        location = headers["location"]
                        if "://" in location:
                            location = "/" + location.split("://", 1)[1].split("/", 1)[1]
                        # The cookies the redirect set (the sealed receipt), as a browser would.
                        cookies = "".join(
                            "; " + line.split(";", 1)[0].strip()
                            for line in headers.get("set-cookie", "").split("\n")
                            if line
                        )
                        writer.write(
                            (
                                f"GET {location} HTTP/1.1\r\nHost: {host}\r\n"
                                "X-Forwarded-Proto: https\r\n"
                                f"Cookie: sessionid={session_key}; csrftoken={token}{cookies}"
                                "\r\n\r\n"
                            ).encode("ascii")
                        )
                        status, headers, payload = await read_response(reader)
                except NoResponse:
                    writer.close()
                    writer = None
                    if reused:
                        retries += 1
                        continue
                    outcome = ("no response", None)
                    break
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    if writer is not None:
                        writer.close()
                    writer = None
                    outcome = (type(exc).__name__, None)
                    break
                if headers.get("connection", "").lower() == "close":
                    writer.close()
                    writer = None
                else:
                    reused = True
                found = expect.search(payload) if status == 200 else None
                if found:
                    outcome = (200, found.group(1).decode())
                else:
                    outcome = (status if status != 200 else "200 without its mark", payload[:300])
                break
            results[index] = (*outcome, time.perf_counter() - start)
        if writer is not None:
            writer.close()

    tasks = [asyncio.ensure_future(client()) for _ in range(clients)]
    aborted = False
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), timeout)
    except TimeoutError:
        aborted = True
    return results, retries, aborted


def run_load(port, path, jobs, clients, timeout, seconds=None, expect=RECEIPT):
    return asyncio.run(send_posts(port, path, jobs, clients, timeout, seconds, expect))


def wait_until_ready(process, port, log_path, timeout=60.0) -> None:
    deadline = time.monotonic() + timeout
    request = (
        f"GET /votes/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Forwarded-Proto: https\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited:\n" + Path(log_path).read_text()[-3000:])
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(request)
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 60 s:\n" + Path(log_path).read_text())


# --- verification ------------------------------------------------------------------------------


def django_rows(out: Path, vote_id: int) -> None:
    """Runs in a child process: the vote's ballots and choices as the application reads them
    (a secret vote's option is encrypted in the database; the app's own reader decrypts it),
    and the number of the floor's rows."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from ratification import services
    from ratification.models import Ballot, Choice

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {FLOOR_TABLE} WHERE note <> 'warm'")  # noqa: S608
        floor_rows = cursor.fetchone()[0]
    out.write_text(
        json.dumps(
            {
                "ballots": list(
                    Ballot.objects.filter(vote_id=vote_id).values_list("voter_id", "times_changed")
                ),
                "choices": [
                    [c.owner_tag, services.choice_option(c), c.receipt_digest]
                    for c in Choice.objects.filter(vote_id=vote_id)
                ],
                "floor_rows": floor_rows,
            }
        )
    )


def verify(vote_id: int, expected: dict, env: dict, workdir: Path) -> dict:
    """`expected`: voter -> (tag, option, receipt, times_changed) of every voter whose last
    post was accepted, as the pages answered them."""
    rows_file = workdir / "rows.json"
    run_quietly([sys.executable, __file__, "_rows", str(rows_file), str(vote_id)], env)
    rows = json.loads(rows_file.read_text())
    ballots, choices = rows["ballots"], rows["choices"]
    ballot_voters = Counter(voter for voter, _ in ballots)
    changed = dict(ballots)
    choice_tags = Counter(tag for tag, _, _ in choices)
    by_tag = {tag: (option, digest) for tag, option, digest in choices}
    lost = wrong_option = wrong_changes = 0
    for voter, (tag, option, receipt, times_changed) in expected.items():
        stored = by_tag.get(tag)
        digest = hashlib.sha256(receipt.encode()).hexdigest()
        if voter not in ballot_voters or stored is None or stored[1] != digest:
            lost += 1
        elif stored[0] != option:
            wrong_option += 1
        elif changed[voter] != times_changed:
            wrong_changes += 1
    duplicates = sum(n - 1 for n in ballot_voters.values()) + sum(
        n - 1 for n in choice_tags.values()
    )
    sent_options = Counter(option for _, option, _, _ in expected.values())
    stored_options = Counter(option for _, option, _ in choices)
    return {
        "ballot_rows": len(ballots),
        "choice_rows": len(choices),
        "floor_rows": rows["floor_rows"],
        "lost": lost,
        "duplicates": duplicates,
        "wrong_option": wrong_option,
        "wrong_changes": wrong_changes,
        # Stored without a 200 reaching the client (e.g. a request cut off after the commit).
        "unacknowledged": len(set(ballot_voters) - set(expected)),
        "options_match": sent_options == stored_options,
    }


# --- main --------------------------------------------------------------------------------------


def child_env(conn_max_age: int) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "ACCORD_BALLOT_SECRET_KEY")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "DATABASE_URL": DB_URL,
            "DJANGO_SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_CONN_MAX_AGE": str(conn_max_age),
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def run_quietly(command: list[str], env: dict[str, str]) -> None:
    """Production settings log every background task at INFO: keep that off the JSON output
    unless the step fails."""
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        sys.stderr.write(result.stdout[-5000:] + result.stderr[-5000:])
        raise subprocess.CalledProcessError(result.returncode, command)


PATHS = ("floor", "first_vote", "change_of_mind")


def run(args) -> int:
    reason = pg_reachable()
    if reason:
        print(json.dumps({"measure": "ballots_vs_floor", "skipped": True, "reason": reason}))
        return 0
    workdir = Path(tempfile.mkdtemp(prefix="accord-bench-ballots-"))
    env = child_env(args.conn_max_age)
    server = None
    try:
        pg_admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        pg_admin(f"CREATE DATABASE {DB_NAME}")
        started = time.perf_counter()
        run_quietly([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], env)
        setup_file = workdir / "setup.json"
        run_quietly([sys.executable, __file__, "_setup", str(setup_file), str(args.voters)], env)
        setup = json.loads(setup_file.read_text())
        setup_s = time.perf_counter() - started
        vote_path = f"/votes/{setup['vote_id']}/ballot/"

        port = free_port()
        log_path = workdir / "gunicorn.log"
        server = start_gunicorn(env, port, args.workers, args.worker_class, args.threads, log_path)
        wait_until_ready(server, port, log_path)
        warm = [(None, key, None, "yes", "option=yes&based_on=-1") for key in setup["warmup"]]
        warm_results, _, _ = run_load(
            port, f"/votes/{setup['probe_vote_id']}/ballot/", warm, args.clients, 60
        )
        warm_floor = [(None, key, None, None, "note=warm") for key in setup["warmup"]]
        warm_results += run_load(port, FLOOR_PATH, warm_floor, args.clients, 60, 2, FLOOR_NOTE)[0]
        failed = [r for r in warm_results if r is not None and r[0] != 200]
        if failed:
            raise RuntimeError(f"warm-up failed ({len(failed)}), first: {failed[0]}")

        # voter -> (tag, option, receipt, times_changed) as the last accepted answer showed it
        expected: dict = {}
        totals = {name: Counter() for name in PATHS}
        errors: list = []
        retries = 0
        aborted = False

        def measure(name, path, jobs, expect, on_accepted):
            nonlocal retries, aborted
            before = cpu_snapshot(server.pid, args.conn_max_age == 0)
            start = time.perf_counter()
            results, retried, cut = run_load(
                port, path, jobs, args.clients, args.timeout, args.seconds, expect
            )
            seconds = time.perf_counter() - start
            cpu = cpu_used(before, after=cpu_snapshot(server.pid, args.conn_max_age == 0))
            retries += retried
            aborted |= cut
            total = totals[name]
            total["seconds"] += seconds
            for job, result in zip(jobs, results, strict=True):
                if result is None:
                    continue  # not sent: the round's time was up
                if result[0] == 200:
                    total["accepted"] += 1
                    on_accepted(job, result[1])
                else:
                    total["errors"] += 1
                    errors.append((name, result[:2]))
            for key in ("gunicorn", "postgres", "others", "busy", "total"):
                total[key] += cpu[key]
            # Clients take jobs in order: those sent are a prefix of the list.
            return sum(1 for result in results if result is not None)

        def first_vote(job, receipt):
            voter, _, tag, option, _ = job
            expected[voter] = (tag, option, receipt, 0)

        def change_of_mind(job, receipt):
            voter, _, tag, option, _ = job
            expected[voter] = (tag, option, receipt, 1)

        remaining = setup["voters"]
        floor_sessions = [key for _, key, _ in remaining]
        for round_ in range(args.rounds):
            floor_jobs = [
                (None, key, None, None, f"note=r{round_}n{i}")
                for i, key in enumerate(floor_sessions)
            ]
            measure("floor", FLOOR_PATH, floor_jobs, FLOOR_NOTE, lambda job, note: None)
            fresh = [
                (voter, key, tag, option, f"option={option}&based_on=-1")
                for i, (voter, key, tag) in enumerate(remaining)
                for option in [OPTIONS[i % len(OPTIONS)]]
            ]
            sent = measure("first_vote", vote_path, fresh, RECEIPT, first_vote)
            remaining = remaining[sent:]  # the next round starts with voters not yet sent
            changes = [
                (voter, key, tag, option, f"option={option}&based_on=0")
                for voter, key, tag, first, _ in fresh[:sent]
                if voter in expected
                for option in [OPTIONS[(OPTIONS.index(first) + 1) % len(OPTIONS)]]
            ]
            measure("change_of_mind", vote_path, changes, RECEIPT, change_of_mind)
        stop_gunicorn(server)
        if errors:
            print(f"first error: {errors[0]}", file=sys.stderr)
        checked = verify(setup["vote_id"], expected, env, workdir)
        sound = (
            not aborted
            and not errors
            and checked["lost"] == 0
            and checked["duplicates"] == 0
            and checked["wrong_option"] == 0
            and checked["wrong_changes"] == 0
            and checked["unacknowledged"] == 0
            and checked["options_match"]
            and checked["ballot_rows"] == checked["choice_rows"] == len(expected)
            and checked["floor_rows"] == totals["floor"]["accepted"]
        )

        def rate(name):
            total = totals[name]
            return total["accepted"] / max(total["seconds"], 1e-9)

        def per_request_ms(name, key):
            total = totals[name]
            return round(total[key] / max(total["accepted"], 1) * 1000, 2)

        floor = rate("floor")
        for name in PATHS:
            total = totals[name]
            line = {
                "measure": f"ballots_{name}" if name != "floor" else "ballots_floor",
                "database": "postgresql",
                "requests_per_s": round(rate(name), 1),
                "accepted": total["accepted"],
                "errors": total["errors"],
                "seconds": round(total["seconds"], 2),
                "cpu_ms_per_request": {
                    "gunicorn": per_request_ms(name, "gunicorn"),
                    "postgres": per_request_ms(name, "postgres"),
                },
                "queries": setup["probed"][name]["queries"],
                "in_process_ms": setup["probed"][name]["in_process_ms"],
                # Of all cores while it ran: when high, the figure is not representative.
                "others_cpu_pct": round(100 * total["others"] / max(total["total"], 1e-9), 1),
            }
            if name != "floor":
                ratio = rate(name) / max(floor, 1e-9)
                cpu_ratio = (
                    per_request_ms("floor", "gunicorn") + per_request_ms("floor", "postgres")
                ) / max(per_request_ms(name, "gunicorn") + per_request_ms(name, "postgres"), 1e-9)
                line.update(
                    {
                        "floor_requests_per_s": round(floor, 1),
                        "ratio": round(ratio, 3),
                        # The same from the CPU each costs: steadier on a shared machine.
                        "cpu_ratio": round(cpu_ratio, 3),
                        "goal_ratio": GOAL_RATIO,
                        "ok": sound and ratio >= GOAL_RATIO,
                    }
                )
            print(json.dumps(line))
        print(
            json.dumps(
                {
                    "measure": "ballots_guarantees",
                    "voters_with_a_ballot": len(expected),
                    **checked,
                    "retries": retries,
                    "aborted": aborted,
                    "workers": args.workers,
                    "worker_class": args.worker_class,
                    "clients": args.clients,
                    "rounds": args.rounds,
                    "conn_max_age": args.conn_max_age,
                    "setup_s": round(setup_s, 1),
                    "ok": sound,
                }
            )
        )
        if args.show_sql:
            for name in PATHS:
                print(f"-- {name}", file=sys.stderr)
                for sql in setup["probed"][name]["sql"]:
                    print(sql, file=sys.stderr)
        return 0
    finally:
        if server is not None:
            stop_gunicorn(server)
        if not args.keep_db:
            with contextlib.suppress(Exception):
                pg_admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        shutil.rmtree(workdir, ignore_errors=True)


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # so that `finally` stops gunicorn and drops the database


def main() -> int:
    signal.signal(signal.SIGTERM, _terminate)
    if sys.argv[1:2] == ["_setup"]:
        django_setup(Path(sys.argv[2]), int(sys.argv[3]))
        return 0
    if sys.argv[1:2] == ["_rows"]:
        django_rows(Path(sys.argv[2]), int(sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=DEFAULT_VOTERS)
    parser.add_argument("--clients", type=int, default=DEFAULT_CLIENTS)
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS)
    parser.add_argument(
        "--seconds", type=float, default=DEFAULT_SECONDS, help="each path's time per round"
    )
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--worker-class", default=DEFAULT_WORKER_CLASS)
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=DEFAULT_CONN_MAX_AGE,
        help="DJANGO_CONN_MAX_AGE for the server: 0 opens a PostgreSQL connection per request",
    )
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="abort one measure after this many seconds"
    )
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    parser.add_argument("--show-sql", action="store_true", help="print one ballot's SQL")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
