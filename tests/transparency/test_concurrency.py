"""Appends at the same moment, each on its own connection, never fork the chain
(PostgreSQL only: SQLite serialises writers, so it cannot show a race)."""

import threading
import time

import pytest
from django.db import connection, transaction

from transparency import chain, services
from transparency.models import LogEntry

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS, EACH = 8, 10


def test_concurrent_appends_make_one_unbroken_chain():
    barrier = threading.Barrier(THREADS)
    errors = []

    def worker(n):
        try:
            barrier.wait(timeout=20)
            for i in range(EACH):
                with transaction.atomic():
                    services.append("test.event", f"tests.thing:{n}-{i}", {"n": n, "i": i})
                    time.sleep(0.002)  # hold the transaction open: widen any race
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    entries = list(LogEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, THREADS * EACH + 1))
    prev = chain.GENESIS_HASH
    for e in entries:
        assert e.prev_hash == prev
        assert e.hash == chain.entry_hash(
            seq=e.seq,
            kind=e.kind,
            object=e.object_ref,
            payload=e.payload_data,
            content_hash=e.content_hash,
            prev_hash=e.prev_hash,
            created_at=chain.timestamp(e.created_at),
        )
        prev = e.hash
