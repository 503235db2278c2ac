"""The chain: what the service appends is what transparency.chain (and the verifier) compute."""

import json

import pytest
from django.db import connection

from transparency import chain, services
from transparency.models import LogEntry, LogIsAppendOnly


def recomputed(entry: LogEntry) -> str:
    return chain.entry_hash(
        seq=entry.seq,
        kind=entry.kind,
        object=entry.object_ref,
        payload=json.loads(entry.payload),
        content_hash=entry.content_hash,
        prev_hash=entry.prev_hash,
        created_at=chain.timestamp(entry.created_at),
    )


def test_canonical_json_is_sorted_compact_utf8():
    assert chain.canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'


def test_prefix_completed_equals_the_whole_canonical_text():
    fields = {
        "kind": "k",
        "object": "o:1",
        "payload": {"z": [1, "ü"], "a": None},
        "content_hash": "ab",
        "created_at": "2026-01-01T00:00:00.000000Z",
    }
    whole = chain.canonical_json({**fields, "prev_hash": "0" * 64, "seq": 7})
    assert chain.complete(chain.hash_prefix(**fields), "0" * 64, 7) == whole


@pytest.mark.django_db
def test_appends_chain_from_genesis_and_hash_like_the_pure_module():
    start = LogEntry.objects.count()
    first = services.append("test.event", "tests.thing:1", {"name": "Zoë", "n": 1}, "a" * 64)
    second = services.append("test.event", "tests.thing:2", {}, "")
    rows = list(LogEntry.objects.filter(seq__in=[first.seq, second.seq]))
    assert [r.seq for r in rows] == [start + 1, start + 2]
    if start == 0:
        assert rows[0].prev_hash == chain.GENESIS_HASH
    assert rows[1].prev_hash == rows[0].hash == first.hash
    for row in rows:
        assert row.hash == recomputed(row)
    assert services.head() == (second.seq, second.hash)


@pytest.mark.django_db
def test_append_is_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        services.append("test.event", "tests.thing:1", {"a": 1}, "")


@pytest.mark.django_db
def test_entries_refuse_changes_and_deletion():
    entry = services.append("test.event", "tests.thing:1", {}, "")
    row = LogEntry.objects.get(seq=entry.seq)
    row.kind = "other"
    with pytest.raises(LogIsAppendOnly):
        row.save()
    with pytest.raises(LogIsAppendOnly):
        row.delete()
    with pytest.raises(LogIsAppendOnly):
        LogEntry.objects.filter(seq=entry.seq).update(kind="x")
    with pytest.raises(LogIsAppendOnly):
        LogEntry.objects.filter(seq=entry.seq).delete()


@pytest.mark.django_db
def test_an_append_rolls_back_with_its_transaction():
    from django.db import transaction

    before = services.head()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.append("test.event", "tests.thing:1", {}, "")
        raise RuntimeError
    assert services.head() == before
    assert connection.vendor in {"sqlite", "postgresql"}
