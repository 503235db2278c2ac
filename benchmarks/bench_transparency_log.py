"""The transparency log's costs (issue: a history nobody can rewrite).

Run from the project root::

    .venv/bin/python benchmarks/bench_transparency_log.py

On a throwaway test database (SQLite, the test settings; DATABASE_URL=postgres://... for
PostgreSQL), prints one JSON line per measure:
  - transparency_append: median milliseconds and SQL queries of one append inside the
    caller's transaction (goal: at most 1 ms and 1 query);
  - transparency_verify_100k: seconds for verify/accord_verify.py to download (through Django's
    test client, streaming /log.jsonl) and check a 100,000-entry log (goal: under 5 s), and the
    share of that spent by the verifier itself.
Always exits 0; a missed goal shows as ``"ok": false``.
"""

from __future__ import annotations

import importlib.util
import json
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import test_database  # noqa: E402

APPENDS = 2000
ENTRIES = 100_000
GOAL_APPEND_MS = 1.0
GOAL_APPEND_QUERIES = 1
GOAL_VERIFY_S = 5.0
ROOT = Path(__file__).resolve().parents[1]


def load_verifier():
    spec = importlib.util.spec_from_file_location(
        "accord_verify", ROOT / "verify" / "accord_verify.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure_append(connection) -> dict:
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    from transparency import services

    payload = {"policy": "baseline", "number": 1, "title": "Code", "summary": "Bench"}
    timings, queries = [], []
    for i in range(APPENDS):
        with transaction.atomic():
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                services.append("bench.event", f"bench.thing:{i}", payload, "a" * 64)
                timings.append((time.perf_counter() - start) * 1000)
            queries.append(len(captured))
    median_ms = statistics.median(timings)
    most = max(queries)
    return {
        "measure": "transparency_append",
        "vendor": connection.vendor,
        "appends": APPENDS,
        "median_ms": round(median_ms, 3),
        "p95_ms": round(sorted(timings)[int(len(timings) * 0.95)], 3),
        "queries": most,
        "goal_ms": GOAL_APPEND_MS,
        "goal_queries": GOAL_APPEND_QUERIES,
        "ok": median_ms <= GOAL_APPEND_MS and most <= GOAL_APPEND_QUERIES,
    }


def fill_log(n: int) -> None:
    """n entries appended to the current log, hashed exactly as the service hashes them."""
    from django.utils import timezone

    from transparency import chain
    from transparency.models import LogEntry
    from transparency.services import head

    seq, prev = head()
    start = timezone.now()
    batch = []
    for i in range(n):
        seq += 1
        moment = start + timedelta(microseconds=i)
        # A kind the verifier checks by the chain alone: this measures the log's length. Its
        # object checks (a version's text, a vote's terms and recount, a consultation's
        # moderation records) cost one fetch per public object, whatever the log's length.
        payload = {"consultation": i, "target": f"position:{i}", "actor": "fac", "reason": "Bench."}
        fields = {
            "seq": seq,
            "kind": "bench.event",
            "object": f"bench.thing:{i}",
            "payload": payload,
            "content_hash": "",
            "prev_hash": prev,
            "created_at": chain.timestamp(moment),
        }
        prev = chain.entry_hash(**fields)
        batch.append(
            LogEntry(
                seq=seq,
                kind=fields["kind"],
                object_ref=fields["object"],
                payload=chain.canonical_json(payload),
                content_hash="",
                prev_hash=fields["prev_hash"],
                hash=prev,
                created_at=moment,
            )
        )
        if len(batch) == 5000:
            LogEntry.objects.bulk_create(batch)
            batch = []
    LogEntry.objects.bulk_create(batch)


def measure_verify(verifier) -> dict:
    from django.test import Client

    from transparency.models import LogEntry

    fill_log(ENTRIES - LogEntry.objects.count())
    client = Client()
    spent = {"fetch": 0.0}

    def fetch(path):
        start = time.perf_counter()
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        spent["fetch"] += time.perf_counter() - start
        return response.status_code, body

    start = time.perf_counter()
    failures, facts = verifier.verify(fetch)
    total = time.perf_counter() - start
    return {
        "measure": "transparency_verify_100k",
        "entries": facts.get("entries"),
        "failures": len(failures),
        "seconds": round(total, 2),
        "export_seconds": round(spent["fetch"], 2),
        "verifier_seconds": round(total - spent["fetch"], 2),
        "goal_seconds": GOAL_VERIFY_S,
        "ok": not failures and total < GOAL_VERIFY_S,
    }


def main() -> int:
    with test_database() as connection:
        print(json.dumps(measure_append(connection)), flush=True)
        print(json.dumps(measure_verify(load_verifier())), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
