"""10,000 ballots from 50 concurrent clients through a real server (gunicorn on loopback) and
PostgreSQL: 0 lost, 0 duplicate, and the throughput (goal ≥ 300 ballots/s).

    .venv/bin/python benchmarks/bench_ballots.py             # the defaults below; also `make bench`
    .venv/bin/python benchmarks/bench_ballots.py --worker-class gthread --workers 2 --threads 4

Steps: (re)create the database `accord_bench_ballots` on 127.0.0.1:5432, migrate it, then in one
Django process create a published policy, a facilitator, an open secret vote, 10,000 voters and
10,000 signed-in sessions written straight to the session table. Start gunicorn on a free
loopback port with production settings (benchmarks/ballot_server_settings.py), warm it up on a
second vote, then 50 clients (asyncio streams: the load generator shares the 2 cores with the
server and PostgreSQL, so it must stay cheap) each post ballots for distinct voters until all
are sent, or 180 s have passed (--timeout). Afterwards the database must hold exactly one
ballot and one choice per 200 response, with the option sent (read back through the
application, which decrypts a secret vote's options) and the digest of the receipt the page
showed. gunicorn is stopped and the database dropped at the end, whatever happened.

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
SETTINGS = "benchmarks.ballot_server_settings"
MEASURE = "ballots_through_gunicorn"
GOAL_PER_S = 300
OPTIONS = ("yes", "no", "abstain")
WARMUP_BALLOTS = 300
PROBE_BALLOTS = 60
# Measured on the 2-core machine: 4 sync workers, 6 sync workers, gthread 2x4 and 4x2 all came
# within noise of each other (the server is CPU-bound); 2 sync workers were slower (a worker
# waiting on PostgreSQL leaves a core idle). Sync is the simplest. Each worker keeps its
# PostgreSQL connection (DJANGO_CONN_MAX_AGE): with 0, a connection per request more than
# halved the throughput.
DEFAULT_WORKERS = 4
DEFAULT_WORKER_CLASS = "sync"
DEFAULT_THREADS = 1
DEFAULT_CONN_MAX_AGE = 600
RECEIPT = re.compile(rb'<code id="receipt">([A-Za-z0-9_-]+)</code>')


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

    # One ballot through the whole middleware stack in this process: its SQL, and the time a
    # ballot costs without HTTP and gunicorn.
    token = get_random_string(32)
    client = Client(
        enforce_csrf_checks=True,
        headers={"X-Forwarded-Proto": "https", "Host": "127.0.0.1", "Origin": "https://127.0.0.1"},
    )
    client.cookies["csrftoken"] = token
    path = f"/votes/{probe_vote.pk}/ballot/"

    def post(key):
        client.cookies["sessionid"] = key
        # Post/redirect/get: the receipt is shown by the page the ballot redirects to.
        response = client.post(path, {"option": "yes"}, headers={"X-CSRFToken": token}, follow=True)
        if response.status_code != 200 or not RECEIPT.search(response.content):
            raise RuntimeError(f"probe ballot: {response.status_code} {response.content[:500]!r}")

    post(probes[0])
    with CaptureQueriesContext(connection) as ctx:
        post(probes[1])
    # Read now: the next request's request_started signal empties the query log.
    sql = [q["sql"][:160] for q in ctx.captured_queries]
    timings = []
    for key in probes[2:]:
        start = time.perf_counter()
        post(key)
        timings.append((time.perf_counter() - start) * 1000)
    out.write_text(
        json.dumps(
            {
                "vote_id": vote.pk,
                "probe_vote_id": probe_vote.pk,
                "voters": voters,
                "warmup": warmup,
                "queries": len(sql),
                "sql": sql,
                "in_process_ms": round(statistics.median(timings), 2),
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
            headers[name.strip().lower()] = value.strip()
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


async def send_ballots(port: int, vote_id: int, jobs: list, clients: int, timeout: float):
    """Each of `clients` coroutines takes the next (voter, session, option) job, posts it and
    records (status or error, receipt, latency). Connections are kept alive when the server
    allows it. A request on a reused connection that the server had closed before reading it
    (no byte came back) is sent once more on a new connection; anything else is an error."""
    host = f"127.0.0.1:{port}"
    path = f"/votes/{vote_id}/ballot/"
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
        for index, (_, session_key, _, option) in pending:
            body = f"option={option}".encode()
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
                        writer.write(
                            (
                                f"GET {location} HTTP/1.1\r\nHost: {host}\r\n"
                                "X-Forwarded-Proto: https\r\n"
                                f"Cookie: sessionid={session_key}; csrftoken={token}\r\n\r\n"
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
                found = RECEIPT.search(payload) if status == 200 else None
                if found:
                    outcome = (200, found.group(1).decode())
                else:
                    outcome = (status if status != 200 else "200 without receipt", payload[:300])
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


def run_load(port, vote_id, jobs, clients, timeout):
    return asyncio.run(send_ballots(port, vote_id, jobs, clients, timeout))


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
    (a secret vote's option is encrypted in the database; the app's own reader decrypts it)."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from ratification import services
    from ratification.models import Ballot, Choice

    read_option = getattr(services, "choice_option", lambda choice: choice.option)
    out.write_text(
        json.dumps(
            {
                "ballots": list(
                    Ballot.objects.filter(vote_id=vote_id).values_list("voter_id", "times_changed")
                ),
                "choices": [
                    [c.owner_tag, read_option(c), c.receipt_digest]
                    for c in Choice.objects.filter(vote_id=vote_id)
                ],
            }
        )
    )


def verify(vote_id: int, jobs: list, results: list, env: dict, workdir: Path) -> dict:
    accepted = {
        jobs[i][0]: (jobs[i][2], jobs[i][3], r[1])  # voter -> (tag, option, receipt)
        for i, r in enumerate(results)
        if r is not None and r[0] == 200
    }
    rows_file = workdir / "rows.json"
    run_quietly([sys.executable, __file__, "_rows", str(rows_file), str(vote_id)], env)
    rows = json.loads(rows_file.read_text())
    ballots, choices = rows["ballots"], rows["choices"]
    ballot_voters = Counter(voter for voter, _ in ballots)
    choice_tags = Counter(tag for tag, _, _ in choices)
    by_tag = {tag: (option, digest) for tag, option, digest in choices}
    lost = 0
    wrong_option = 0
    for voter, (tag, option, receipt) in accepted.items():
        stored = by_tag.get(tag)
        digest = hashlib.sha256(receipt.encode()).hexdigest()
        if voter not in ballot_voters or stored is None or stored[1] != digest:
            lost += 1
        elif stored[0] != option:
            wrong_option += 1
    duplicates = (
        sum(n - 1 for n in ballot_voters.values())
        + sum(n - 1 for n in choice_tags.values())
        + sum(changed for _, changed in ballots)
    )
    sent_options = Counter(option for _, option, _ in accepted.values())
    stored_options = Counter(option for _, option, _ in choices)
    return {
        "ballot_rows": len(ballots),
        "choice_rows": len(choices),
        "lost": lost,
        "duplicates": duplicates,
        "wrong_option": wrong_option,
        # Stored without a 200 reaching the client (e.g. a request cut off after the commit).
        "unacknowledged": len(set(ballot_voters) - set(accepted)),
        "options_match": sent_options == stored_options,
        "option_counts": dict(sorted(stored_options.items())),
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


def run(args) -> int:
    reason = pg_reachable()
    if reason:
        print(json.dumps({"measure": MEASURE, "skipped": True, "reason": reason, "ok": False}))
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
        run_quietly([sys.executable, __file__, "_setup", str(setup_file), str(args.ballots)], env)
        setup = json.loads(setup_file.read_text())
        setup_s = time.perf_counter() - started
        jobs = [
            (voter, key, tag, OPTIONS[i % len(OPTIONS)])
            for i, (voter, key, tag) in enumerate(setup["voters"])
        ]

        port = free_port()
        log_path = workdir / "gunicorn.log"
        server = start_gunicorn(env, port, args.workers, args.worker_class, args.threads, log_path)
        wait_until_ready(server, port, log_path)
        warm = [(None, key, None, "yes") for key in setup["warmup"]]
        warm_results, _, _ = run_load(port, setup["probe_vote_id"], warm, args.clients, 60)
        failed = [r for r in warm_results if r is None or r[0] != 200]
        if failed:
            raise RuntimeError(f"warm-up ballots failed ({len(failed)}), first: {failed[0]}")

        before = cpu_snapshot(server.pid, args.conn_max_age == 0)
        start = time.perf_counter()
        results, retries, aborted = run_load(
            port, setup["vote_id"], jobs, args.clients, args.timeout
        )
        seconds = time.perf_counter() - start
        after = cpu_snapshot(server.pid, args.conn_max_age == 0)
        stop_gunicorn(server)

        statuses = Counter(str(r[0]) if r else "not sent" for r in results)
        ok_count = statuses.get("200", 0)
        errors = len(jobs) - ok_count
        if errors:
            first = next(r for r in results if r is None or r[0] != 200)
            print(f"first error: {first}", file=sys.stderr)
        checked = verify(setup["vote_id"], jobs, results, env, workdir)
        latencies = sorted(r[2] * 1000 for r in results if r)
        cpu = cpu_used(before, after)
        own_cpu = cpu["gunicorn"] + cpu["postgres"] + cpu["client"]
        per_s = ok_count / seconds
        ok = (
            not aborted
            and errors == 0
            and checked["lost"] == 0
            and checked["duplicates"] == 0
            and checked["wrong_option"] == 0
            and checked["unacknowledged"] == 0
            and checked["options_match"]
            and checked["ballot_rows"] == checked["choice_rows"] == ok_count == len(jobs)
            and per_s >= GOAL_PER_S
        )

        def per_ballot_ms(value):
            return round(value / max(ok_count, 1) * 1000, 2)

        print(
            json.dumps(
                {
                    "measure": MEASURE,
                    "database": "postgresql",
                    "ballots": len(jobs),
                    "clients": args.clients,
                    "accepted": ok_count,
                    "seconds": round(seconds, 2),
                    "ballots_per_s": round(per_s, 1),
                    "goal_per_s": GOAL_PER_S,
                    "lost": checked["lost"],
                    "duplicates": checked["duplicates"],
                    "errors": errors,
                    "ballot_rows": checked["ballot_rows"],
                    "choice_rows": checked["choice_rows"],
                    "wrong_option": checked["wrong_option"],
                    "unacknowledged": checked["unacknowledged"],
                    "options_match": checked["options_match"],
                    "option_counts": checked["option_counts"],
                    "statuses": dict(statuses),
                    "retries": retries,
                    "aborted": aborted,
                    "latency_ms": {
                        "p50": round(latencies[len(latencies) // 2], 1) if latencies else None,
                        "p95": round(latencies[int(len(latencies) * 0.95)], 1)
                        if latencies
                        else None,
                        "max": round(latencies[-1], 1) if latencies else None,
                    },
                    "workers": args.workers,
                    "worker_class": args.worker_class,
                    "threads": args.threads,
                    "conn_max_age": args.conn_max_age,
                    "cpu_ms_per_ballot": {
                        "gunicorn": per_ballot_ms(cpu["gunicorn"]),
                        "postgres": per_ballot_ms(cpu["postgres"]),
                        "client": per_ballot_ms(cpu["client"]),
                    },
                    # What the cores could sustain at this CPU cost per ballot, if nothing else
                    # ran: a steadier figure than ballots_per_s on a shared machine.
                    "cpu_bound_per_s": round(
                        (os.cpu_count() or 1) * ok_count / max(own_cpu, 1e-9), 1
                    ),
                    # Of all cores over the run; "others" is CPU used by other programs
                    # (a test suite, say): when it is high, the measure is not representative.
                    "machine_busy_pct": round(100 * cpu["busy"] / max(cpu["total"], 1e-9), 1),
                    "others_cpu_pct": round(100 * cpu["others"] / max(cpu["total"], 1e-9), 1),
                    "setup_s": round(setup_s, 1),
                    "ok": ok,
                }
            )
        )
        print(
            json.dumps(
                {
                    "measure": "queries_per_ballot",
                    "queries": setup["queries"],
                    "in_process_median_ms": setup["in_process_ms"],
                    "database": "postgresql",
                }
            )
        )
        if args.show_sql:
            for sql in setup["sql"]:
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
    parser.add_argument("--ballots", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=50)
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
        "--timeout", type=float, default=180.0, help="abort the load after this many seconds"
    )
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    parser.add_argument("--show-sql", action="store_true", help="print one ballot's SQL")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
