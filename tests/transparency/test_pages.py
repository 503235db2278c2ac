"""/log/, /log.jsonl, the head in every page footer and in every Atom entry."""

import json
import re

import pytest

from transparency import chain, services
from transparency.models import LogEntry

pytestmark = pytest.mark.django_db

HEAD = re.compile(r'<span class="log-head" data-seq="(\d+)" data-hash="([0-9a-f]{64})">')


def jsonl(client) -> list[dict]:
    response = client.get("/log.jsonl")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/jsonl")
    return [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]


def test_every_public_event_of_the_site_is_in_the_log(site):
    kinds = list(LogEntry.objects.values_list("kind", flat=True))
    assert kinds.count("version.published") == 2
    assert {"moderation.hide", "adoption.declared"} <= set(kinds)


@pytest.mark.parametrize("path", ["/", "/log/", "/baseline/", "/communities/", "/votes/"])
def test_the_footer_shows_the_head(client, site, path):
    response = client.get(path)
    assert response.status_code == 200
    seq, digest = HEAD.search(response.content.decode()).groups()
    assert (int(seq), digest) == services.head()


def test_jsonl_is_every_entry_oldest_first_with_the_hashed_fields(client, site):
    lines = jsonl(client)
    assert [e["seq"] for e in lines] == list(range(1, len(lines) + 1))
    assert set(lines[0]) == {
        "seq",
        "kind",
        "object",
        "payload",
        "content_hash",
        "prev_hash",
        "hash",
        "created_at",
    }
    prev = chain.GENESIS_HASH
    for e in lines:
        assert e["prev_hash"] == prev
        assert e["hash"] == chain.entry_hash(**{k: v for k, v in e.items() if k != "hash"})
        prev = e["hash"]


def test_log_page_lists_filters_and_escapes(client, site):
    services.append("test.event", "tests.thing:1", {"note": "<script>alert(1)</script>"}, "")
    text = client.get("/log/").content.decode()
    assert "version.published" in text and "moderation.hide" in text
    assert "<script>alert(1)" not in text and "&lt;script&gt;" in text
    only = client.get("/log/", {"kind": "moderation.hide"}).content.decode()
    assert only.count('<tr id="entry-') == 1
    version = site["version"]
    one = client.get("/log/", {"object": f"policies.version:{version.pk}"}).content.decode()
    assert one.count('<tr id="entry-') == 1
    every = client.get("/log/", {"object": "policies.version"}).content.decode()
    assert every.count('<tr id="entry-') == 2


def test_log_page_is_paginated_in_constant_queries(client, site, django_assert_max_num_queries):
    client.get("/log/")  # warm-up
    with django_assert_max_num_queries(6) as few:
        client.get("/log/")
    for i in range(250):
        services.append("test.event", f"tests.thing:{i}", {"i": i}, "")
    with django_assert_max_num_queries(len(few)):
        response = client.get("/log/", {"page": 2})
    assert response.content.decode().count('<tr id="entry-') == 100
    assert 'rel="next"' in response.content.decode()


def test_every_atom_entry_carries_the_head(client, site):
    seq, digest = services.head()
    for path in ("/feeds/versions/", "/feeds/adoption/"):
        xml = client.get(path).content.decode()
        entries = xml.count("<entry>")
        assert entries >= 1
        assert xml.count(f'<accord:log-head hash="{digest}" seq="{seq}"/>') == entries
        assert 'xmlns:accord="' in xml
