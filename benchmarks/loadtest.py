"""The dress rehearsal (`make loadtest`): the rehearsal deployment under a realistic mix, for a
bounded time, then every write accounted for.

    .venv/bin/python benchmarks/loadtest.py                  # also `make loadtest`
    .venv/bin/python benchmarks/loadtest.py --seconds 30 --scale 0.1

Steps: (re)create the PostgreSQL database `accord_loadtest` on 127.0.0.1:5432 (never `test`),
migrate it and build the rehearsal deployment with `manage.py seed_scale`; start a private
Redis on a free loopback port (so nothing shared is flushed or filled) and gunicorn (4 sync
workers, production settings, benchmarks/_server.py). In one Django process, sign in the people
who will write (sessions made by the configured session engine) and list the pages
(seed_scale.rehearsal_pages). Then:

1. capacity: a short closed-loop burst (every client sends its next request as soon as the last
   one is answered) of the mix below; what it completes per second is the capacity;
2. the rehearsal: open-loop arrivals (exponential gaps, a fixed seed) at half that capacity for
   --seconds (default 75, or LOADTEST_SECONDS); each latency counts from the moment the request
   was due, so a server that falls behind shows it;

the mix: 90% page reads over every public page kind (policy, versions, compare, downloads,
translations, consultation, "show all" positions, summary, registry, community pages,
effective texts, dashboard, exports, feeds, votes, ratification, log), 7% positions and
replies (signed in, CSRF-checked), 3% ballots (first ballots, and some changes of mind).

Afterwards the database is read back: every accepted write (the server's redirect) must be
there exactly once and every refused or failed one not at all (account_writes). Prints one
JSON line per page kind (p50/p95/p99, requests, errors) and per write kind, one for the
writes, then a verdict line with the goal: 0 server errors, 0 lost writes, p99 under 5x p50
for every page kind. gunicorn and Redis are stopped and the database dropped at the end,
whatever happened (--keep-db keeps it).

For the fault tests: prepare_plan() and run_mix() run the same mix against any server and
return every request's outcome and the writes it attempted; account_writes() and
stored_writes() check them against the database afterwards.

Exit status 0 when the run completed (goal met or not: see "ok"), non-zero on a crash.
PostgreSQL unreachable: one line with "skipped" and exit 0."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from _server import ROOT, env_for, free_port, serving
from bench_ballots import NoResponse, pg_admin, pg_reachable, read_response

DB_NAME = "accord_loadtest"
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
WORKERS = 4
DEFAULT_SECONDS = float(os.environ.get("LOADTEST_SECONDS") or 75)
BURST_SECONDS = 12.0
BURST_CLIENTS = 12
REQUEST_TIMEOUT = 60.0
P99_OVER_P50 = 5.0
MARKER = "loadtest-"  # in every text the load test writes, with a token of its own
RECEIPT = re.compile(rb'<code id="receipt">([A-Za-z0-9_-]+)</code>')
# Shares of the mix: reads 90%, positions and replies 7%, ballots 3%.
WRITE_SHARES = {"position": 0.05, "reply": 0.02, "ballot": 0.03}
# How often each page kind is read, relative to the others: the pages everybody opens more
# than the ones a few look up.
READ_WEIGHTS = {
    "policy": 14,
    "consultation": 14,
    "positions": 8,
    "version": 6,
    "compare": 5,
    "translation": 5,
    "community": 6,
    "effective": 5,
    "votes": 5,
    "summary": 4,
    "registry": 4,
    "dashboard": 4,
    "feed": 4,
    "ratification": 4,
    "download": 3,
    "history": 2,
    "log": 2,
    "export": 2,
    "consultation_export": 1,
}
POOL = 1500  # people signed in per kind of write: more than a run can use


# --- the plan: pages and signed-in writers (a Django process) ----------------------------------


def django_plan(out: Path) -> None:
    """Runs in a child process whose environment points Django at the rehearsal database."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )

    from communities.models import Membership
    from consultations.models import Consultation, Position
    from policysite.management.commands.seed_scale import (
        PEOPLE_PREFIX,
        SLUG,
        rehearsal_pages,
    )
    from ratification.models import Ballot, Vote

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    backend = "django.contrib.auth.backends.ModelBackend"
    rng = random.Random(20)

    def sign_in(user) -> str:
        store = store_class()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = backend
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    people = list(get_user_model().objects.filter(username__startswith=PEOPLE_PREFIX))
    rng.shuffle(people)
    consultation = Consultation.objects.get(version__policy__slug=SLUG, state="open")
    keys = [s.key for s in consultation.version.sections.all()] + ["__whole__"]
    taken = defaultdict(set)
    for user_id, key in Position.objects.filter(consultation=consultation).values_list(
        "user_id", "section_key"
    ):
        taken[user_id].add(key)
    visible = list(
        Position.objects.filter(consultation=consultation, hidden=False).values_list(
            "pk", flat=True
        )
    )
    positions = []
    for user in people[:POOL]:
        free = [key for key in keys if key not in taken[user.pk]]
        positions.append([user.pk, sign_in(user), rng.choice(free)])
    replies = [[user.pk, sign_in(user), rng.choice(visible)] for user in people[POOL : 2 * POOL]]
    vote = Vote.objects.get(version__policy__slug=SLUG, state="open")
    eligible = set(
        Membership.objects.filter(
            community__in=vote.eligible_communities.all(),
            edit_count__gte=vote.min_community_edits or 0,
        ).values_list("user_id", flat=True)
    )
    voted = set(Ballot.objects.filter(vote=vote).values_list("voter_id", flat=True))
    by_id = {user.pk: user for user in people}
    first = [by_id[pk] for pk in sorted(eligible - voted) if pk in by_id][:POOL]
    again = [by_id[pk] for pk in sorted(voted) if pk in by_id][:POOL]
    ballots = [[u.pk, sign_in(u), -1] for u in first] + [[u.pk, sign_in(u), 0] for u in again]
    rng.shuffle(ballots)
    out.write_text(
        json.dumps(
            {
                "pages": rehearsal_pages(),
                "consultation": rehearsal_pages()["consultation"][0],
                "vote_id": vote.pk,
                "options": [o["key"] for o in vote.options],
                "pools": {"position": positions, "reply": replies, "ballot": ballots},
            }
        )
    )


def django_stored(out: Path, plan_file: Path) -> None:
    """Runs in a child process: what the database holds of the load test's writes."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from consultations.models import Position, Reply
    from ratification.models import Ballot, Choice
    from ratification.services import owner_tag

    plan = json.loads(plan_file.read_text())
    vote_id = plan["vote_id"]
    voters = {pk for pk, _, _ in plan["pools"]["ballot"]}
    ballots = {}
    for voter, changed in Ballot.objects.filter(vote_id=vote_id, voter_id__in=voters).values_list(
        "voter_id", "times_changed"
    ):
        ballots[voter] = [changed, None]
    tags = {owner_tag(vote_id, pk): pk for pk in voters}
    for tag, digest in Choice.objects.filter(vote_id=vote_id, owner_tag__in=tags).values_list(
        "owner_tag", "receipt_digest"
    ):
        if tags[tag] in ballots:
            ballots[tags[tag]][1] = digest
    out.write_text(
        json.dumps(
            {
                "positions": list(
                    Position.objects.filter(reason__contains=MARKER).values_list(
                        "reason", flat=True
                    )
                ),
                "replies": list(
                    Reply.objects.filter(body__contains=MARKER).values_list("body", flat=True)
                ),
                "ballots": {str(k): v for k, v in ballots.items()},
            }
        )
    )


# --- the load generator ------------------------------------------------------------------------


@dataclass
class Outcome:
    kind: str  # a page kind, or position / reply / ballot
    path: str
    status: int | str  # HTTP status, or the error that stood for one
    seconds: float
    write: dict | None = None

    @property
    def server_error(self) -> bool:
        return not isinstance(self.status, int) or self.status >= 500


@dataclass
class Writers:
    """The signed-in people not yet used: each writes once, so every write is told apart."""

    pools: dict[str, list]
    used: Counter = field(default_factory=Counter)

    def take(self, kind: str):
        pool = self.pools[kind]
        if self.used[kind] >= len(pool):
            return None
        self.used[kind] += 1
        return pool[self.used[kind] - 1]


def _token() -> str:
    return MARKER + "".join(secrets.choice(string.ascii_lowercase) for _ in range(12))


def next_request(plan: dict, writers: Writers, rng: random.Random):
    """(kind, method, path, form fields, cookies, write record) for the next request of the mix."""
    draw = rng.random()
    for kind, share in WRITE_SHARES.items():
        if draw < share:
            taken = writers.take(kind)
            if taken is not None:
                return write_request(plan, kind, taken, rng)
            break
        draw -= share
    kinds = [k for k in READ_WEIGHTS if plan["pages"].get(k)]
    kind = rng.choices(kinds, weights=[READ_WEIGHTS[k] for k in kinds])[0]
    return kind, "GET", rng.choice(plan["pages"][kind]), None, None, None


def write_request(plan: dict, kind: str, taken: list, rng: random.Random):
    user_id, session, target = taken
    token = _token()
    if kind == "position":
        stance = rng.choice(["support", "oppose", "neutral"])
        fields = {
            "action": "position",
            "section_key": target,
            "stance": stance,
            "reason": f"Rehearsal position {token}: {stance} this wording.",
        }
        path = plan["consultation"]
    elif kind == "reply":
        fields = {"action": "reply", "position": str(target), "body": f"Rehearsal reply {token}."}
        path = plan["consultation"]
    else:
        option = rng.choice(plan["options"])
        fields = {"option": option, "based_on": str(target)}
        path = f"/votes/{plan['vote_id']}/ballot/"
    write = {
        "kind": kind,
        "user": user_id,
        "token": token,
        "first": target == -1 if kind == "ballot" else None,
        "accepted": False,
        "receipt": None,
        "status": None,
    }
    return kind, "POST", path, fields, session, write


async def _exchange(port: int, method: str, path: str, fields, session, csrf: str, cookies=""):
    host = f"127.0.0.1:{port}"
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nX-Forwarded-Proto: https\r\n"
            "Connection: close\r\n"
        )
        body = b""
        if session:
            head += f"Cookie: sessionid={session}; csrftoken={csrf}{cookies}\r\n"
        if method == "POST":
            body = urllib.parse.urlencode(fields).encode()
            head += (
                f"Origin: https://{host}\r\nX-CSRFToken: {csrf}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\n"
            )
        writer.write(head.encode() + b"\r\n" + body)
        await writer.drain()
        return await read_response(reader)
    finally:
        writer.close()


async def one_request(port: int, request, due: float, csrf: str) -> Outcome:
    kind, method, path, fields, session, write = request
    try:
        status, headers, payload = await asyncio.wait_for(
            _exchange(port, method, path, fields, session, csrf), REQUEST_TIMEOUT
        )
        if write is not None:
            write["status"] = status
            # Every write answers with a redirect once it is committed (post/redirect/get).
            write["accepted"] = status == 302
            if kind == "ballot" and status == 302:
                location = headers.get("location", "")
                if "://" in location:
                    location = "/" + location.split("://", 1)[1].split("/", 1)[1]
                # The receipt travels to the confirmation in the cookie the redirect set.
                handover = "".join(
                    "; " + line.split(";", 1)[0]
                    for line in headers.get("set-cookie", "").split("\n")
                    if line.startswith("accord_receipt_")
                )
                status, _, payload = await asyncio.wait_for(
                    _exchange(port, "GET", location, None, session, csrf, handover),
                    REQUEST_TIMEOUT,
                )
                found = RECEIPT.search(payload) if status == 200 else None
                write["receipt"] = found.group(1).decode() if found else None
                status = 302 if status == 200 else status
    except NoResponse:
        status = "no response"
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        status = type(exc).__name__
    except TimeoutError:
        status = "timeout"
    return Outcome(kind, path, status, time.perf_counter() - due, write)


async def read_each(port: int, paths: list[str], clients: int = 4) -> list[Outcome]:
    """GET every path once, `clients` at a time (warming caches and workers)."""
    pending = iter(paths)
    outcomes: list[Outcome] = []

    async def client():
        for path in pending:
            request = ("warm", "GET", path, None, None, None)
            outcomes.append(await one_request(port, request, time.perf_counter(), ""))

    await asyncio.gather(*(client() for _ in range(clients)))
    return outcomes


@dataclass
class MixResult:
    outcomes: list[Outcome]
    seconds: float
    writes: list[dict]

    @property
    def per_s(self) -> float:
        return len(self.outcomes) / max(self.seconds, 1e-9)


async def _closed_loop(port, plan, writers, rng, clients, seconds, csrf) -> MixResult:
    outcomes: list[Outcome] = []
    stop = time.perf_counter() + seconds

    async def client():
        while time.perf_counter() < stop:
            outcomes.append(
                await one_request(port, next_request(plan, writers, rng), time.perf_counter(), csrf)
            )

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    took = time.perf_counter() - began
    return MixResult(outcomes, took, [o.write for o in outcomes if o.write])


async def _open_loop(port, plan, writers, rng, rate, seconds, csrf, max_in_flight) -> MixResult:
    outcomes: list[Outcome] = []
    tasks = set()
    gate = asyncio.Semaphore(max_in_flight)

    async def send(request, due):
        async with gate:
            outcomes.append(await one_request(port, request, due, csrf))

    began = time.perf_counter()
    due = began
    while True:
        due += rng.expovariate(rate)
        if due - began > seconds:
            break
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.ensure_future(send(next_request(plan, writers, rng), due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.gather(*tasks)
    took = time.perf_counter() - began
    return MixResult(outcomes, took, [o.write for o in outcomes if o.write])


def run_mix(
    port: int,
    plan: dict,
    *,
    seconds: float,
    rate: float | None = None,
    clients: int = BURST_CLIENTS,
    writers: Writers | None = None,
    seed: int = 1,
    max_in_flight: int = 256,
) -> MixResult:
    """Send the mix to the server on `port` for `seconds`: open-loop at `rate` requests per
    second when given, else closed-loop with `clients` clients. Pass the same `writers` to
    successive runs so nobody writes twice. Returns every outcome and every write attempted
    (accepted or not), for account_writes()."""
    writers = writers or Writers(plan["pools"])
    rng = random.Random(seed)
    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    if rate:
        run = _open_loop(port, plan, writers, rng, rate, seconds, csrf, max_in_flight)
    else:
        run = _closed_loop(port, plan, writers, rng, clients, seconds, csrf)
    return asyncio.run(run)


# --- accounting --------------------------------------------------------------------------------


def _marker_tokens(texts) -> Counter:
    found = Counter()
    for text in texts:
        found.update(re.findall(re.escape(MARKER) + "[a-z]{12}", text))
    return found


def account_writes(writes: list[dict], stored: dict) -> dict:
    """Check the writes the load test attempted against what the database holds afterwards.

    `stored`: {"positions": [reason, ...], "replies": [body, ...], "ballots": {voter id:
    [times_changed, receipt digest]}} for the load test's writers (django_stored). An accepted
    write must be there exactly once (a ballot: with the receipt the voter was shown, changed
    exactly once when it was a change of mind); a refused one (an HTTP answer other than the
    redirect) not at all; an unanswered one (no HTTP answer: status None) at most once; and
    nothing may be there that no write sent. Returns the counts, per kind and in total."""
    texts = {
        "position": _marker_tokens(stored["positions"]),
        "reply": _marker_tokens(stored["replies"]),
    }
    keys = ("accepted", "refused", "unanswered", "lost", "duplicates", "unexpected")
    report = {kind: dict.fromkeys(keys, 0) for kind in ("position", "reply", "ballot")}
    sent = {"position": set(), "reply": set()}
    for write in writes:
        kind = write["kind"]
        counts = report[kind]
        # No HTTP answer at all (a worker killed, a connection cut): the write may have
        # committed or not, but never more than once.
        unanswered = not write["accepted"] and write.get("status") is None
        counts["accepted" if write["accepted"] else "unanswered" if unanswered else "refused"] += 1
        if kind in texts:
            sent[kind].add(write["token"])
            found = texts[kind][write["token"]]
            if write["accepted"]:
                counts["lost"] += found == 0
                counts["duplicates"] += max(0, found - 1)
            elif unanswered:
                counts["duplicates"] += max(0, found - 1)
            else:
                counts["unexpected"] += found
            continue
        row = stored["ballots"].get(str(write["user"]))
        expected_changes = 0 if write["first"] else 1
        if unanswered:
            if row is not None and row[0] > expected_changes:
                counts["duplicates"] += row[0] - expected_changes
        elif write["accepted"]:
            digest_ok = write["receipt"] is None or (
                row is not None and row[1] == hashlib.sha256(write["receipt"].encode()).hexdigest()
            )
            if row is None or not digest_ok:
                counts["lost"] += 1
            elif row[0] > expected_changes:
                counts["duplicates"] += row[0] - expected_changes
            elif row[0] < expected_changes:
                counts["lost"] += 1
        elif row is not None and (write["first"] or row[0] != 0):
            # A refused first ballot left a ballot, or a refused change changed it.
            counts["unexpected"] += 1
    for kind in texts:
        report[kind]["unexpected"] += sum(
            n for token, n in texts[kind].items() if token not in sent[kind]
        )
    report["total"] = {
        key: sum(report[kind][key] for kind in ("position", "reply", "ballot")) for key in keys
    }
    return report


def stored_writes(env: dict, plan_file: Path, workdir: Path) -> dict:
    out = workdir / "stored.json"
    run_quietly([sys.executable, __file__, "_stored", str(out), str(plan_file)], env)
    return json.loads(out.read_text())


# --- reporting ---------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000, 1)


def per_kind(outcomes: list[Outcome]) -> dict[str, dict]:
    grouped = defaultdict(list)
    for outcome in outcomes:
        grouped[outcome.kind].append(outcome)
    lines = {}
    for kind, group in sorted(grouped.items()):
        seconds = [o.seconds for o in group]
        statuses = Counter(str(o.status) for o in group)
        writing = kind in WRITE_SHARES
        expected = "302" if writing else "200"
        p50, p99 = percentile(seconds, 0.5), percentile(seconds, 0.99)
        lines[kind] = {
            "requests": len(group),
            "p50_ms": p50,
            "p95_ms": percentile(seconds, 0.95),
            "p99_ms": p99,
            "p99_over_p50": round(p99 / p50, 2) if p50 else None,
            "server_errors": sum(o.server_error for o in group),
            "other_statuses": {s: n for s, n in statuses.items() if s != expected},
        }
    return lines


# --- the run -----------------------------------------------------------------------------------


def run_quietly(command: list[str], env: dict[str, str], show_stderr: bool = False) -> None:
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=None if show_stderr else subprocess.PIPE,
        text=True,
    )
    if result.returncode:
        sys.stderr.write((result.stdout or "")[-5000:] + (result.stderr or "")[-5000:])
        raise subprocess.CalledProcessError(result.returncode, command)


@contextlib.contextmanager
def private_redis():
    """A Redis of our own on a free loopback port, with no persistence; stopped on the way out."""
    port = free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],  # fmt: skip
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)


def server_env(redis_url: str) -> dict[str, str]:
    env = env_for(Path("unused"))  # the page benchmarks' production settings, then ours:
    env.update(
        {
            "DATABASE_URL": DB_URL,
            "REDIS_URL": redis_url,
            "DJANGO_CONN_MAX_AGE": "600",
        }
    )
    return env


def build_deployment(env: dict, scale: float) -> tuple[float, float]:
    """(Re)create the database, migrate it and run seed_scale; returns both durations (s)."""
    pg_admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    pg_admin(f"CREATE DATABASE {DB_NAME}")
    manage = [sys.executable, str(ROOT / "manage.py")]
    started = time.perf_counter()
    run_quietly([*manage, "migrate", "--no-input", "-v", "0"], env)
    migrate_s = time.perf_counter() - started
    started = time.perf_counter()
    run_quietly([*manage, "seed_scale", f"--scale={scale}"], env, show_stderr=True)
    return migrate_s, time.perf_counter() - started


def prepare_plan(env: dict, workdir: Path) -> tuple[dict, Path]:
    """The pages to read and the signed-in writers (django_plan), for run_mix; the file is
    what stored_writes() needs afterwards."""
    plan_file = workdir / "plan.json"
    run_quietly([sys.executable, __file__, "_plan", str(plan_file)], env)
    return json.loads(plan_file.read_text()), plan_file


def print_line(line: dict) -> None:
    print(json.dumps(line), flush=True)


def run(args) -> int:
    reason = pg_reachable()
    if reason:
        print_line({"measure": "loadtest", "skipped": True, "reason": reason, "ok": False})
        return 0
    if not shutil.which("redis-server"):
        reason = "redis-server is not installed"
        print_line({"measure": "loadtest", "skipped": True, "reason": reason, "ok": False})
        return 0
    workdir = Path(tempfile.mkdtemp(prefix="accord-loadtest-"))
    try:
        with private_redis() as redis_url:
            env = server_env(redis_url)
            migrate_s, seed_s = build_deployment(env, args.scale)
            plan, plan_file = prepare_plan(env, workdir)
            print_line(
                {
                    "measure": "loadtest_setup",
                    "database": "postgresql",
                    "scale": args.scale,
                    "migrate_s": round(migrate_s, 1),
                    "seed_scale_s": round(seed_s, 1),
                }
            )
            with (workdir / "gunicorn.log").open("wb") as log, serving(env, WORKERS, log) as port:
                writers = Writers(plan["pools"])
                # Warm every worker's imports and the page caches: each page a few times.
                paths = [p for paths in plan["pages"].values() for p in paths]
                asyncio.run(read_each(port, paths * WORKERS))
                warm = run_mix(port, plan, seconds=3, clients=4, writers=writers, seed=2)
                burst = run_mix(
                    port, plan, seconds=args.burst, clients=BURST_CLIENTS, writers=writers, seed=3
                )
                rate = burst.per_s / 2
                load = run_mix(port, plan, seconds=args.seconds, rate=rate, writers=writers, seed=4)
            report = account_writes(
                warm.writes + burst.writes + load.writes, stored_writes(env, plan_file, workdir)
            )
            return summarise(args, plan, burst, load, rate, report, warm, workdir)
    finally:
        if not args.keep_db:
            with contextlib.suppress(Exception):
                pg_admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        shutil.rmtree(workdir, ignore_errors=True)


def summarise(args, plan, burst, load, rate, report, warm, workdir) -> int:
    kinds = per_kind(load.outcomes)
    for kind, line in kinds.items():
        print_line({"measure": f"loadtest_{kind}", "write": kind in WRITE_SHARES, **line})
    print_line({"measure": "loadtest_writes", **report})
    server_errors = sum(o.server_error for r in (warm, burst, load) for o in r.outcomes)
    read_kinds = {k: v for k, v in kinds.items() if k not in WRITE_SHARES}
    spread = {
        k: v["p99_over_p50"]
        for k, v in read_kinds.items()
        if v["p99_over_p50"] is not None and v["p99_over_p50"] >= P99_OVER_P50
    }
    # A p99 of fewer than 100 answers is their slowest one: read those ratios with care.
    few = sorted(k for k, v in read_kinds.items() if v["requests"] < 100)
    lost = report["total"]["lost"] + report["total"]["duplicates"] + report["total"]["unexpected"]
    ok = server_errors == 0 and lost == 0 and not spread
    goal = f"0 server errors, 0 lost writes, p99 under {P99_OVER_P50:g}x p50 for every page kind"
    print_line(
        {
            "measure": "loadtest",
            "database": "postgresql",
            "workers": WORKERS,
            "capacity_per_s": round(burst.per_s, 1),
            "rate_per_s": round(rate, 1),
            "achieved_per_s": round(load.per_s, 1),
            "seconds": round(load.seconds, 1),
            "requests": len(load.outcomes),
            "server_errors": server_errors,
            "lost_writes": report["total"]["lost"],
            "duplicate_writes": report["total"]["duplicates"],
            "unexpected_writes": report["total"]["unexpected"],
            "p99_over_5x_p50": spread,
            "kinds_under_100_requests": few,
            "goal": goal,
            "ok": ok,
        }
    )
    if server_errors:
        log = (workdir / "gunicorn.log").read_text(errors="replace")
        sys.stderr.write("gunicorn's log, last lines:\n" + log[-4000:])
    print(f"Goal: {goal}: {'met' if ok else 'MISSED'}", file=sys.stderr)
    return 0


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # so that `finally` stops the servers and drops the database


def main() -> int:
    signal.signal(signal.SIGTERM, _terminate)
    if sys.argv[1:2] == ["_plan"]:
        django_plan(Path(sys.argv[2]))
        return 0
    if sys.argv[1:2] == ["_stored"]:
        django_stored(Path(sys.argv[2]), Path(sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=DEFAULT_SECONDS)
    parser.add_argument("--burst", type=float, default=BURST_SECONDS)
    parser.add_argument(
        "--scale", type=float, default=float(os.environ.get("LOADTEST_SCALE") or 1.0)
    )
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
