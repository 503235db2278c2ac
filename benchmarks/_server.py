"""One gunicorn server on loopback for the page benchmarks, on a SQLite file of their own:
the same settings (benchmarks/ballot_server_settings.py), start and readiness check for every
measure that compares pages with /healthz/ in one server."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(db_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "ballot_server_settings",
            "PYTHONPATH": f"{ROOT / 'benchmarks'}{os.pathsep}{ROOT}",
            "DATABASE_URL": f"sqlite:///{db_path}",
            "DJANGO_SECRET_KEY": "bench-only-" + "x" * 50,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
        }
    )
    env.pop("REDIS_URL", None)
    return env


def start(env, port, workers: int = WORKERS, log=subprocess.PIPE):
    """`log`: where the server's stderr goes (a file for long runs: an unread pipe fills up
    and blocks the workers)."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "policysite.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--worker-class=sync",
        "--no-control-socket",
        "--log-level=warning",
        f"--chdir={ROOT}",
    ]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,
    )


def wait_ready(port, process, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            told = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise RuntimeError(f"gunicorn exited: {told[-2000:]}")
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz/", headers={"X-Forwarded-Proto": "https"})
            if conn.getresponse().status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


@contextlib.contextmanager
def serving(env, workers: int = WORKERS, log=subprocess.PIPE):
    """A gunicorn server answering on a free port (yielded), stopped on the way out."""
    port = free_port()
    server = start(env, port, workers, log)
    try:
        wait_ready(port, server)
        yield port
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=15)
