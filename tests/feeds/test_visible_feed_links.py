"""A reader who never looks at <head> can still follow a page's feeds: every feed a page announces
with <link rel="alternate"> is also a visible link on that page."""

from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

SKIPPED_PREFIXES = ("/admin/", "/django-admin/", "/feeds/", "/api/", "/static/", "/media/")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.feeds: set[str] = set()
        self.visible: set[str] = set()
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "head":
            self._in_head = True
        elif tag == "body":
            self._in_head = False
        elif tag == "link" and attrs.get("rel") == "alternate":
            if attrs.get("type") == "application/atom+xml":
                self.feeds.add(attrs["href"])
        elif tag == "a" and attrs.get("href") and not self._in_head:
            self.visible.add(attrs["href"])


def links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def crawl(client, start: str, *, limit: int) -> dict[str, _Links]:
    """The site's public pages reachable from `start`, breadth first, as a reader would click."""
    seen: dict[str, _Links] = {}
    queue = [start]
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        response = client.get(path)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        found = seen[path] = links(response.content.decode())
        for href in sorted(found.visible):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if parts.path.startswith(SKIPPED_PREFIXES) or parts.path.rsplit("/", 1)[-1]:
                continue  # admin, feeds, API and downloads such as export.csv are not pages
            if parts.path not in seen:
                queue.append(parts.path)
    return seen


def test_every_announced_feed_is_a_visible_link(client):
    call_command("seed_demo", stdout=StringIO())
    pages = crawl(client, "/", limit=80)

    missing = {
        path: sorted(page.feeds - page.visible)
        for path, page in pages.items()
        if page.feeds - page.visible
    }
    assert missing == {}
    announced = set().union(*(page.feeds for page in pages.values()))
    # The crawl reached the pages of every kind of feed: site-wide and per policy.
    assert {
        "/feeds/versions/",
        "/feeds/summaries/",
        "/feeds/adoption/",
        "/feeds/votes/",
    } <= announced
    assert any(f.startswith("/feeds/policies/") and f.endswith("/versions/") for f in announced)
    assert any(f.endswith("/translations/") for f in announced)


def test_policy_pages_show_their_own_feed_by_name(client):
    call_command("seed_demo", stdout=StringIO())
    for path, feed in [
        ("/shared-conduct-baseline/", "/feeds/policies/shared-conduct-baseline/versions/"),
        ("/shared-conduct-baseline/versions/", "/feeds/policies/shared-conduct-baseline/versions/"),
    ]:
        html = client.get(path).content.decode()
        assert (
            f'<a href="{feed}" type="application/atom+xml">Follow new versions: Atom feed</a>'
            in html
        )
