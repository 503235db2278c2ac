"""The consultation page with 30 sections, 10,000 positions and 2,000 replies: SQL queries
(goal ≤ 15) and median render time; and the tally of 100,000 positions on PostgreSQL
(goal ≤ 50 ms), when PostgreSQL is reachable."""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
PG_URL = "postgres://postgres@127.0.0.1:5432/test"


def page_benchmark():
    from _setup import bulk_consultation, test_database

    with test_database() as connection:
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from consultations.selectors import consultation_url

        consultation = bulk_consultation(n_sections=30, n_positions=10_000, n_replies=2_000)
        url = consultation_url(consultation)
        client = Client()
        client.get(url)
        timings, queries = [], []
        for _ in range(15):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            queries.append(len(ctx.captured_queries))
            assert response.status_code == 200
        print(
            json.dumps(
                {
                    "measure": "consultation_page_30_sections_10k_positions_2k_replies",
                    "database": connection.vendor,
                    "queries": max(queries),
                    "goal_queries": 15,
                    "median_ms": round(statistics.median(timings), 2),
                    "runs": len(timings),
                    "ok": max(queries) <= 15,
                }
            )
        )


def tally_benchmark():
    from _setup import bulk_consultation, test_database

    with test_database() as connection:
        from django.core.cache import cache

        from consultations.selectors import tallies

        consultation = bulk_consultation(
            n_sections=30, n_positions=100_000, n_replies=0, slug="tally"
        )
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        timings = []
        for _ in range(15):
            cache.clear()
            start = time.perf_counter()
            result = tallies(consultation)
            timings.append((time.perf_counter() - start) * 1000)
        assert sum(t.total for t in result.values()) == 100_000
        print(
            json.dumps(
                {
                    "measure": "tally_100k_positions",
                    "database": connection.vendor,
                    "median_ms": round(statistics.median(timings), 2),
                    "goal_ms": 50,
                    "runs": len(timings),
                    "ok": statistics.median(timings) <= 50,
                }
            )
        )


def postgres_reachable() -> bool:
    return (
        subprocess.run(
            ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], check=False
        ).returncode
        == 0
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["tally"]:
        tally_benchmark()
    else:
        page_benchmark()
        if os.environ.get("DATABASE_URL", "").startswith("postgres"):
            tally_benchmark()
        elif postgres_reachable():
            env = {**os.environ, "DATABASE_URL": PG_URL}
            subprocess.run([sys.executable, __file__, "tally"], env=env, check=True)
        else:
            print(
                json.dumps(
                    {
                        "measure": "tally_100k_positions",
                        "skipped": "PostgreSQL not reachable",
                        "ok": False,
                    }
                )
            )
