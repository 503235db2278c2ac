"""Load test of the two busiest pages through a real server, beside a trivial page.

gunicorn (2 sync workers, production settings, loopback only) serves the demo data from a
throwaway SQLite file (so `make bench` needs no service); 8 concurrent keep-alive clients
request each URL for a fixed time. Prints one JSON line per page: requests/s and latency
percentiles. The trivial page (/healthz/) shows what the server and client cost by themselves,
so the policy and consultation figures read as "the application's share". Always exits 0
unless the server fails to start."""

from __future__ import annotations

import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _server import ROOT, env_for, serving

CLIENTS = 8
SECONDS = 6.0
WORKERS = 2


def prepare(env) -> dict[str, str]:
    """Migrate and seed the demo; return the URLs to load."""
    run = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*run, "seed_demo"], env=env, check=True, cwd=ROOT, capture_output=True)
    code = (
        "from consultations.models import Consultation;"
        "c = Consultation.objects.filter(state='open').select_related('version__policy').first();"
        "print(c.version.policy.slug, c.pk)"
    )
    out = subprocess.run(
        [*run, "shell", "--no-imports", "-c", code],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()
    slug, pk = out[-2], out[-1]
    return {
        "trivial": "/healthz/",
        "policy_page": f"/{slug}/",
        "consultation_page": f"/{slug}/consultations/{pk}/",
    }


def load(port, path, seconds) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"X-Forwarded-Proto": "https"})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            if ok:
                mine.append(time.perf_counter() - started)
            else:
                bad += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    latencies.sort()

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000, 1)

    return {
        "requests": len(latencies),
        "errors": errors[0],
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "median_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p95_ms": pct(0.95) if latencies else None,
    }


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="accord-load-") as tmp:
        env = env_for(Path(tmp) / "load.sqlite3")
        urls = prepare(env)
        with serving(env) as port:
            for path in urls.values():  # warm caches and imports in both workers
                load(port, path, 1.0)
            results = {name: load(port, path, SECONDS) for name, path in urls.items()}
    trivial = results["trivial"]["requests_per_s"] or 1
    for name, result in results.items():
        line = {
            "measure": f"load_{name}",
            "path": urls[name],
            "workers": WORKERS,
            "clients": CLIENTS,
            "seconds": SECONDS,
            **result,
            "share_of_trivial": round(result["requests_per_s"] / trivial, 3),
            "ok": result["errors"] == 0,
        }
        print(json.dumps(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
