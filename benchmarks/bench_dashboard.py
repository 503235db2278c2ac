"""The adoption dashboard with 1,000 communities × 10 policies: SQL queries (goal ≤ 10) and
median render time (goal ≤ 150 ms)."""

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import test_database  # noqa: E402

N_COMMUNITIES = 1000
N_POLICIES = 10


def main():
    with test_database() as connection:
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from communities.models import Adoption, Community, SectionOverride
        from tests.factories import EditorFactory, make_policy

        editor = EditorFactory(username="bench-editor")
        policies = [
            make_policy(
                editor=editor, slug=f"policy-{i}", title=f"Policy {i}", n_sections=5, n_versions=2
            )
            for i in range(N_POLICIES)
        ]
        Community.objects.bulk_create(
            [
                Community(
                    name=f"Community {i:04d}", slug=f"community-{i}", kind="wiki", language="en"
                )
                for i in range(N_COMMUNITIES)
            ]
        )
        communities = list(Community.objects.all())
        statuses = list(Adoption.Status.values)
        for policy in policies:
            versions = list(policy.versions.all())
            Adoption.objects.bulk_create(
                [
                    Adoption(
                        community=c,
                        policy=policy,
                        status=statuses[i % len(statuses)],
                        version=versions[i % 2],
                    )
                    for i, c in enumerate(communities)
                ],
                batch_size=1000,
            )
            first_section = versions[0].sections.first()
            SectionOverride.objects.bulk_create(
                [
                    SectionOverride(
                        adoption=a,
                        section_key=first_section.key,
                        text="Local.",
                        rationale="Bench.",
                        based_on=first_section,
                    )
                    for a in Adoption.objects.filter(policy=policy, status="adopted_with_overrides")
                ]
            )
        client = Client()
        url = f"/adoption/?policy={policies[0].slug}"
        client.get(url)
        timings, queries = [], []
        for _ in range(15):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            queries.append(len(ctx.captured_queries))
            assert response.status_code == 200
        median = statistics.median(timings)
        print(
            json.dumps(
                {
                    "measure": "adoption_dashboard_1000_communities_10_policies",
                    "database": connection.vendor,
                    "queries": max(queries),
                    "goal_queries": 10,
                    "median_ms": round(median, 2),
                    "goal_ms": 150,
                    "runs": len(timings),
                    "ok": max(queries) <= 10 and median <= 150,
                }
            )
        )


if __name__ == "__main__":
    main()
