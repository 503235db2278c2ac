"""The drift watch over 1,000 declarations against the fake MediaWiki action API on loopback:
API requests (goal ≤ 20 per 1,000 pages: one per 50 titles) and seconds (goal < 30)."""

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import test_database  # noqa: E402

N = 1000


def main():
    with test_database() as connection:
        from django.conf import settings

        from communities import wiki_services
        from communities.models import Adoption, Community, WikiCopyCheck
        from tests.factories import EditorFactory, make_policy
        from tests.fake_wiki import FakeWiki

        settings.ACCORD_MEDIAWIKI_TIMEOUT = 10
        wiki = FakeWiki.serve()
        try:
            editor = EditorFactory(username="bench-editor")
            policy = make_policy(editor=editor, slug="bench", title="Bench", n_sections=8)
            version = policy.versions.get()
            Community.objects.bulk_create(
                [Community(name=f"C{i:04d}", slug=f"c-{i}", kind="wiki") for i in range(N)]
            )
            Adoption.objects.bulk_create(
                [
                    Adoption(
                        community=c,
                        policy=policy,
                        status="adopted",
                        version=version,
                        wiki_api_url=wiki.api_url,
                        wiki_page=f"Code of conduct {c.slug}",
                    )
                    for c in Community.objects.all()
                ]
            )
            text = wiki_services.expected_wikitext(Adoption.objects.first())
            for i, adoption in enumerate(Adoption.objects.all()):
                # Every tenth copy was edited on the wiki; the rest match.
                body = text + ("\nA local edit." if i % 10 == 0 else "")
                wiki.set_page(adoption.wiki_page, body)
            start = time.perf_counter()
            report = wiki_services.check_wiki_copies()
            seconds = time.perf_counter() - start
        finally:
            wiki.stop()
        differs = WikiCopyCheck.objects.filter(outcome="differs").count()
        assert report.checked == N and differs == N // 10, (report, differs)
        per_thousand = report.requests * 1000 / N
        print(
            json.dumps(
                {
                    "measure": "wiki_drift_check_1000_declarations",
                    "database": connection.vendor,
                    "requests": report.requests,
                    "requests_per_1000_pages": per_thousand,
                    "goal_requests_per_1000_pages": 20,
                    "seconds": round(seconds, 2),
                    "goal_seconds": 30,
                    "differs": differs,
                    "ok": per_thousand <= 20 and seconds < 30,
                }
            )
        )


if __name__ == "__main__":
    main()
