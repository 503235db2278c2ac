"""A private deployment for the fault tests: a PostgreSQL cluster (initdb into a temporary
directory, trust auth, a free port), a redis-server on a free port and gunicorn with
production's settings (tests/faults/settings.py). The tests stop, kill and restart these,
never the shared PostgreSQL on 5432 or Redis on 6379.

Migrating and seeding a new cluster takes minutes, so the stopped, migrated and seeded data
directory is kept in the temporary directory, named after the migrations, settings, packages
and seed script (tests/db_template.fingerprint), and each run starts from a copy of it."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import requests

from tests.db_template import fingerprint

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("ACCORD_PG_BIN", "/usr/lib/postgresql/15/bin"))
CACHE = Path(tempfile.gettempdir()) / "accord-faults"
WORKERS = 2
CSRF = "faultsfaultsfaultsfaultsfaults12"  # a CSRF secret (32 letters and digits)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# PostgreSQL refuses to run as root: then the cluster belongs to the system's postgres user.
RUN_AS = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _give_to_server(*paths: Path) -> None:
    if RUN_AS:
        _run(["chown", "-R", "postgres:postgres", *paths])


def _run(command, **kwargs) -> None:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode:
        raise RuntimeError(f"{command[0]} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")


@dataclass
class Postgres:
    data: Path
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/accord"

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} "
            "-c fsync=off -c full_page_writes=off"
        )
        _run(
            [
                *RUN_AS,
                PG_BIN / "pg_ctl",
                "-D",
                self.data,
                "-l",
                self.log,
                "-o",
                options,
                "-w",
                "start",
            ]
        )

    def stop(self) -> None:
        _run([*RUN_AS, PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"])

    def query(self, sql: str, params=()) -> list[tuple]:
        with psycopg.connect(self.url, connect_timeout=5) as conn:
            return conn.execute(sql, params).fetchall()


def server_env(pg: Postgres, redis_port: int | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ACCORD_BALLOT_SECRET_KEY"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.faults.settings",
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": pg.url,
            "DJANGO_SECRET_KEY": "faults-only-" + "x" * 50,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "ACCORD_PAGE_CACHE": "1",
        }
    )
    env.pop("REDIS_URL", None)
    if redis_port:
        env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    return env


def _cache_key() -> str:
    digest = hashlib.sha256(fingerprint().encode())
    for path in (Path(__file__).parent / "_seed.py", ROOT / "tests" / "factories.py"):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _seeded_cluster() -> Path:
    """A stopped cluster, migrated and seeded (built once per _cache_key)."""
    CACHE.mkdir(exist_ok=True)
    base = CACHE / _cache_key()
    with open(CACHE / "build.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (base / "ready").exists():
            return base
        for stale in CACHE.iterdir():
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
        base.mkdir()
        _give_to_server(base)
        pg = Postgres(base / "pgdata", free_port(), base / "build.log")
        _run(
            [
                *RUN_AS,
                PG_BIN / "initdb",
                "-D",
                pg.data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
            ]
            + ["--locale=C.UTF-8", "--no-sync"]
        )
        pg.start()
        try:
            _run(
                [PG_BIN / "createdb", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres"]
                + ["accord"]
            )
            env = server_env(pg, None)
            _run(
                [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env
            )
            _run(
                [sys.executable, Path(__file__).parent / "_seed.py", base / "seed.json"],
                cwd=ROOT,
                env=env,
            )
        finally:
            pg.stop()
        (base / "ready").touch()
        return base


@dataclass
class Outcome:
    kind: str  # read, position, ballot
    key: tuple
    status: int | None  # None: no answer (connection dropped)
    retry_after: str | None = None
    body: str = ""
    at: float = 0.0


@dataclass
class Stack:
    pg: Postgres
    redis: subprocess.Popen
    redis_port: int
    gunicorn: subprocess.Popen
    port: int
    log: Path
    seed: dict
    workdir: Path
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def person(self, index: int) -> tuple[int, str, str]:
        return tuple(self.seed["people"][index])

    def client(self, index: int | None = None) -> requests.Session:
        """A browser: anonymous, or signed in as seeded person `index`."""
        session = requests.Session()
        session.cookies.set("csrftoken", CSRF, domain="127.0.0.1")
        if index is not None:
            session.cookies.set("sessionid", self.person(index)[2], domain="127.0.0.1")
        return session

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.gunicorn.pid}/task/{self.gunicorn.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def server_log(self) -> str:
        return self.log.read_text(errors="replace")


def request(session, method, url, outcome_kind, key, timeout=30, **kwargs) -> Outcome:
    try:
        response = session.request(method, url, timeout=timeout, allow_redirects=False, **kwargs)
    except requests.RequestException:
        return Outcome(outcome_kind, key, None, at=time.monotonic())
    return Outcome(
        outcome_kind,
        key,
        response.status_code,
        response.headers.get("Retry-After"),
        response.text,
        time.monotonic(),
    )


def post_position(stack: Stack, session, person: int, section: str) -> Outcome:
    return request(
        session,
        "POST",
        stack.base + stack.seed["consultation_url"],
        "position",
        (stack.person(person)[0], section),
        data={
            "csrfmiddlewaretoken": CSRF,
            "action": "position",
            "section_key": section,
            "stance": "support",
            "reason": "",
        },
    )


def post_ballot(
    stack: Stack, session, person: int, option: str = "yes", based_on: str = "-1"
) -> Outcome:
    return request(
        session,
        "POST",
        f"{stack.base}/votes/{stack.seed['vote_id']}/ballot/",
        "ballot",
        (stack.person(person)[0],),
        data={"csrfmiddlewaretoken": CSRF, "option": option, "based_on": based_on},
    )


RECEIPT = re.compile(r'<code id="receipt">([A-Za-z0-9_-]{16,64})</code>')


def receipt_shown(stack: Stack, session) -> str | None:
    """The receipt on the confirmation page the ballot redirected to: '' if the page shows
    none, None if no answer came (the page was asked for three times)."""
    for _attempt in range(3):
        try:
            response = session.get(
                f"{stack.base}/votes/{stack.seed['vote_id']}/ballot/recorded/", timeout=30
            )
        except requests.RequestException:
            continue
        found = RECEIPT.search(response.text)
        return found.group(1) if found else ""
    return None


def receipt_status(stack: Stack, receipt: str) -> str:
    session = stack.client()
    response = session.post(
        f"{stack.base}/votes/{stack.seed['vote_id']}/receipt/",
        data={"csrfmiddlewaretoken": CSRF, "receipt": receipt},
        timeout=30,
    )
    return response.text


class Readers:
    """Threads reading public pages until stopped, every answer kept."""

    def __init__(self, stack: Stack, threads: int = 2):
        self.stack = stack
        self.stop = threading.Event()
        self.outcomes: list[Outcome] = []
        self.urls = [
            stack.seed["policy_url"],
            stack.seed["consultation_url"],
            f"/votes/{stack.seed['vote_id']}/",
            "/api/v1/policies/",
        ]
        self.threads = [threading.Thread(target=self._read, daemon=True) for _ in range(threads)]

    def _read(self) -> None:
        session = self.stack.client()
        i = 0
        while not self.stop.is_set():
            url = self.urls[i % len(self.urls)]
            self.outcomes.append(request(session, "GET", self.stack.base + url, "read", (url,)))
            i += 1

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=15)


def wait_for(predicate, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def _start_gunicorn(env, port, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "policysite.wsgi:application"]
        + [f"--bind=127.0.0.1:{port}", f"--workers={WORKERS}", "--worker-class=sync"]
        + ["--no-control-socket", "--log-level=warning", "--graceful-timeout=2", f"--chdir={ROOT}"]
        # The application is loaded once and forked: a killed worker is replaced in a moment.
        + ["--preload"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@pytest.fixture(scope="session")
def stack():
    if not (PG_BIN / "initdb").exists() or not shutil.which("redis-server"):
        pytest.skip(f"needs PostgreSQL's server programs in {PG_BIN} and redis-server")
    base = _seeded_cluster()
    workdir = Path(tempfile.mkdtemp(prefix="accord-faults-"))
    shutil.copytree(base / "pgdata", workdir / "pgdata", symlinks=True)
    _give_to_server(workdir)
    pg = Postgres(workdir / "pgdata", free_port(), workdir / "postgres.log")
    redis_port = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    gunicorn = None
    pg.start()
    try:
        port = free_port()
        log = workdir / "gunicorn.log"
        gunicorn = _start_gunicorn(server_env(pg, redis_port), port, log)
        if not wait_for(lambda: _answers(port), 60, 0.2):
            raise RuntimeError("gunicorn did not answer:\n" + log.read_text()[-3000:])
        seed = json.loads((base / "seed.json").read_text())
        yield Stack(pg, redis, redis_port, gunicorn, port, log, seed, workdir)
    finally:
        if gunicorn is not None and gunicorn.poll() is None:
            os.killpg(gunicorn.pid, signal.SIGQUIT)
            gunicorn.wait(timeout=20)
        if redis.poll() is None:
            redis.kill()
            redis.wait()
        with contextlib.suppress(RuntimeError):
            pg.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _answers(port) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz/", timeout=2).status_code == 200
    except requests.RequestException:
        return False
