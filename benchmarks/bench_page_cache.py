"""Reading pages against the server's floor, side by side in one run (issue 20, first goal).

One gunicorn server (2 sync workers, production settings, loopback only) on a throwaway SQLite
file with a realistic policy: 20 sections of Markdown, 5 versions, a consultation linked from
it. 4 keep-alive clients request each URL for a fixed time: `/healthz/` (the floor: no
database, no template), then the current policy page, an older version and a compare page,
first anonymously and then signed in (a session cookie). Each page's req/s is printed as a
share of the floor with the goal it must meet: anonymous ≥ 0.5×, signed in ≥ 0.25×.

`ACCORD_PAGE_CACHE=0` in the environment turns the page cache off in the server, to measure
the same pages rendered on every request. Always exits 0 unless the server fails to start."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _server import ROOT, env_for, serving

CLIENTS = 4
SECONDS = 3.0
WORKERS = 2
SLUG = "bench-code"
N_SECTIONS = 20
N_VERSIONS = 5
GOALS = {"anonymous": 0.5, "signed_in": 0.25}


def _body(i: int, v: int) -> str:
    words = " ".join(f"word{(i * 7 + j) % 97}" for j in range(60))
    if v:
        words = words.replace("word", f"w{v}x", 1 + (i % 3))
    return (
        f"Members of **part {i + 1}** agree to {words}.\n\n"
        f"- be kind in part {i + 1}\n- say what you mean\n- report harm to [CONTACT METHOD]\n\n"
        f"See the [guide](https://example.org/guide/{i}) and *ask* when in doubt. {words}."
    )


def seed() -> str:
    """Run inside `manage.py shell`: the policy, a consultation, a signed-in reader. Prints
    the reader's session key."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from consultations import services as consultation_services
    from policies import services

    User = get_user_model()
    editor = User.objects.create_user("bench-editor", password="x", is_staff=True)  # noqa: S106
    editor.groups.add(*Group.objects.filter(name__in=["Editors", "Moderators", "Facilitators"]))
    page = services.create_policy_page(title="Bench Code", slug=SLUG, user=editor)
    keys: list[str | None] = [None] * N_SECTIONS
    for v in range(N_VERSIONS):
        sections = [(keys[i], f"Section {i + 1}", _body(i, v)) for i in range(N_SECTIONS)]
        version = services.publish_policy(
            page=page, user=editor, summary=f"Version {v + 1}", sections=sections
        )
        keys = [s.key for s in version.sections.order_by("position")]
    consultation_services.create_consultation(
        version=version,
        user=editor,
        title="Bench",
        closes_at=timezone.now() + timedelta(days=28),
        open_now=True,
    )
    reader = User.objects.create_user("bench-reader", password="x")  # noqa: S106
    session = SessionStore()
    session["_auth_user_id"] = str(reader.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = reader.get_session_auth_hash()
    session.create()
    print("SESSION", session.session_key)
    return session.session_key


def prepare(env) -> str:
    run = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    out = subprocess.run(
        [*run, "shell", "--no-imports", "-c", "import bench_page_cache; bench_page_cache.seed()"],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    return next(line.split()[1] for line in out.splitlines() if line.startswith("SESSION"))


def load(port, path, seconds, cookie="") -> dict:
    """Requests/s for one URL from CLIENTS keep-alive connections; every answer must be 200."""
    headers = {"X-Forwarded-Proto": "https"}
    if cookie:
        headers["Cookie"] = cookie
    counts, errors, sizes = [0], [0], set()
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        done = bad = 0
        while time.monotonic() < stop:
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            if ok:
                done += 1
                sizes.add(len(body))
            else:
                bad += 1
        conn.close()
        with lock:
            counts[0] += done
            errors[0] += bad

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    return {
        "requests_per_s": round(counts[0] / elapsed, 1),
        "errors": errors[0],
        "kb": round(max(sizes, default=0) / 1024, 1),
    }


def main() -> int:
    cached = os.environ.get("ACCORD_PAGE_CACHE", "1") != "0"
    with tempfile.TemporaryDirectory(prefix="accord-page-cache-") as tmp:
        env = env_for(Path(tmp) / "pages.sqlite3")
        session_key = prepare(env)
        pages = {
            "policy": f"/{SLUG}/",
            "version": f"/{SLUG}/versions/2/",
            "compare": f"/{SLUG}/compare/2/{N_VERSIONS}/",
        }
        runs = [("healthz", "floor", "/healthz/", "")]
        for who, cookie in [("anonymous", ""), ("signed_in", f"sessionid={session_key}")]:
            runs += [(name, who, path, cookie) for name, path in pages.items()]
        with serving(env) as port:
            for _, _, path, cookie in runs:  # warm imports and caches in both workers
                load(port, path, 0.3, cookie)
            results = [(*run, load(port, run[2], SECONDS, run[3])) for run in runs]
    floor = results[0][4]["requests_per_s"] or 1
    for name, who, path, _, result in results:
        line = {
            "measure": f"page_cache_{name}" + ("" if who == "floor" else f"_{who}"),
            "path": path,
            "page_cache": cached,
            "workers": WORKERS,
            "clients": CLIENTS,
            "seconds": SECONDS,
            **result,
            "healthz_requests_per_s": floor,
        }
        if who != "floor":
            ratio = round(result["requests_per_s"] / floor, 3)
            line.update(
                {"ratio": ratio, "goal_ratio": GOALS[who], "meets_goal": ratio >= GOALS[who]}
            )
        line["ok"] = result["errors"] == 0 and line.get("meets_goal", True)
        print(json.dumps(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
