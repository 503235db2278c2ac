"""Atom feeds: integrators subscribe to new versions, summaries, adoption changes and votes."""

import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def demo(db):
    from io import StringIO

    call_command("seed_demo", stdout=StringIO())


def entries(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314  (our own feed)
    return [
        (e.findtext(f"{ATOM}title"), e.find(f"{ATOM}link").get("href"))
        for e in root.findall(f"{ATOM}entry")
    ]


def test_version_feeds_list_versions_newest_first(demo, client):
    items = entries(client, "/feeds/policies/shared-conduct-baseline/versions/")
    assert [title.split(": ")[1] for title, _ in items] == [
        "version 3 (2.0)",
        "version 2 (1.1)",
        "version 1 (1.0)",
    ]
    assert items[0][1].endswith("/shared-conduct-baseline/versions/3/")
    assert entries(client, "/feeds/versions/")
    assert client.get("/feeds/policies/no-such-policy/versions/").status_code == 404


def test_summary_adoption_and_vote_feeds(demo, client):
    summaries = entries(client, "/feeds/summaries/")
    assert summaries and summaries[0][0].startswith("Summary: ")
    adoption = entries(client, "/feeds/adoption/")
    assert any("opted out" in title for title, _ in adoption)
    votes = entries(client, "/feeds/votes/")
    titles = [title for title, _ in votes]
    assert any(t.startswith("Opened: ") for t in titles)
    assert any(t.startswith("Closed: ") for t in titles)
    assert any(link.endswith("/results/") for _, link in votes)


def test_pages_link_their_feeds(demo, client):
    html = client.get("/shared-conduct-baseline/").content.decode()
    assert 'type="application/atom+xml"' in html
    assert "/feeds/policies/shared-conduct-baseline/versions/" in html
    assert "/feeds/votes/" in client.get("/votes/").content.decode()
