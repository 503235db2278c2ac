"""The public policy page with 30 sections: SQL queries per view (goal ≤ 12, Wagtail's own
page serving included) and median render time. Runs on a throwaway test database."""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policysite.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

RUNS = 30


def main():
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from django.test import Client

        from tests.factories import EditorFactory, make_policy

        editor = EditorFactory(username="bench-editor")
        page = make_policy(editor=editor, slug="bench", n_sections=30, n_versions=3, title="Bench")
        client = Client()
        for url, name in [
            (page.url, "policy_page_30_sections"),
            (page.url + "compare/1/3/", "compare_page_30_sections"),
        ]:
            client.get(url)  # warm caches, as a running site would be
            timings, queries = [], []
            for _ in range(RUNS):
                with CaptureQueriesContext(connection) as ctx:
                    start = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - start) * 1000)
                queries.append(len(ctx.captured_queries))
                assert response.status_code == 200
            print(
                json.dumps(
                    {
                        "measure": name,
                        "queries": max(queries),
                        "goal_queries": 12,
                        "median_ms": round(statistics.median(timings), 2),
                        "runs": RUNS,
                        "ok": max(queries) <= 12,
                    }
                )
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
