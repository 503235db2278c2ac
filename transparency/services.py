"""Appending to the transparency log, and the little the rest of the site reads from it.

Apps call `append` from their own services, inside the transaction that makes the change
public, so the entry and the change commit (or roll back) together. Nothing private goes in:
callers pass only what their public pages already show (see tests/transparency/test_privacy).
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from . import chain
from .models import LogEntry

# One statement reads the head and inserts the next entry, its hash completed by the database
# from the text Python prepared (chain.hash_prefix): one query per append. On SQLite the
# write transaction is already exclusive (IMMEDIATE, see settings), so nothing can come between
# the read and the insert; on PostgreSQL the function transparency_append (migration 0001)
# takes a transaction-level advisory lock first and then reads the head with a fresh snapshot,
# so two concurrent appends run one after the other and never fork the chain.
_SQLITE_APPEND = """
INSERT INTO transparency_logentry
    (seq, kind, object_ref, payload, content_hash, prev_hash, hash, created_at)
SELECT head.seq + 1, %s, %s, %s, %s, head.hash,
       accord_sha256(%s || head.hash || '","seq":' || (head.seq + 1) || '}'), %s
FROM (SELECT seq, hash FROM transparency_logentry
      UNION ALL SELECT 0, '0000000000000000000000000000000000000000000000000000000000000000'
      ORDER BY seq DESC LIMIT 1) AS head
RETURNING seq, prev_hash, hash
"""
_POSTGRES_APPEND = (
    "SELECT entry_seq, entry_prev, entry_hash FROM transparency_append(%s, %s, %s, %s, %s, %s)"
)


def add_sqlite_functions(sender, connection, **kwargs) -> None:
    """Give SQLite the SHA-256 that PostgreSQL has built in (connection_created)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "accord_sha256", 1, chain.sha256_hex, deterministic=True
        )


def append(kind: str, obj_ref: str, payload: dict, content_hash: str = "") -> LogEntry:
    """Append one public event to the log, in the caller's transaction; returns the entry.

    `obj_ref` names the object ("policies.version:12"), `payload` holds the public facts
    (only what public pages show: never hidden text, private feedback, emails or who chose
    what in a ballot), `content_hash` the SHA-256 of the object's public content when it has
    one, so a verifier can recompute it from the public site."""
    if not transaction.get_connection().in_atomic_block:
        # Outside a transaction the caller's change and its entry could part ways.
        with transaction.atomic():
            return append(kind, obj_ref, payload, content_hash)
    moment = timezone.now()
    created_at = chain.timestamp(moment)
    payload_text = chain.canonical_json(payload)
    prefix = chain.hash_prefix(
        kind=kind, object=obj_ref, payload=payload, content_hash=content_hash, created_at=created_at
    )
    db_moment = LogEntry._meta.get_field("created_at").get_db_prep_value(moment, connection)
    sql = _POSTGRES_APPEND if connection.vendor == "postgresql" else _SQLITE_APPEND
    with connection.cursor() as cursor:
        cursor.execute(sql, [kind, obj_ref, payload_text, content_hash, prefix, db_moment])
        seq, prev_hash, digest = cursor.fetchone()
    entry = LogEntry(
        seq=seq,
        kind=kind,
        object_ref=obj_ref,
        payload=payload_text,
        content_hash=content_hash,
        prev_hash=prev_hash,
        hash=digest,
        created_at=moment,
    )
    # Once committed; until then every reader's head (committed, older) is still true.
    transaction.on_commit(_forget_cached_head)
    entry._state.adding = False
    entry._state.db = connection.alias
    return entry


HEAD_CACHE_KEY = "transparency:head"
# A head a little behind is still a true checkpoint (every head is a prefix of every later
# log), so pages may show a cached one; this bounds how far behind it can be where an append in
# another process cannot clear this process's cache (a per-process cache).
HEAD_CACHE_SECONDS = 30


def head() -> tuple[int, str]:
    """(seq, hash) of the newest entry; (0, 64 zeros) for an empty log. One query."""
    row = LogEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    return tuple(row) if row else (0, chain.GENESIS_HASH)


def cached_head() -> tuple[int, str]:
    """The head for page footers and feeds: from the cache, else one query."""
    found = cache.get(HEAD_CACHE_KEY)
    if found is None:
        found = head()
        cache.set(HEAD_CACHE_KEY, found, HEAD_CACHE_SECONDS)
    return tuple(found)


def head_query():
    """The head as "seq hash", for core.page_cache: every public event moves it."""
    text = Concat(Cast("seq", CharField()), Value(" "), "hash", output_field=CharField())
    return LogEntry.objects.order_by("-seq").values_list(text)[:1]


def head_read(value: str | None) -> None:
    """core.page_cache read the head (head_query): the footer's cached head is refreshed with
    it, so a page rendered after the read shows at least that head."""
    if value is None:
        found = (0, chain.GENESIS_HASH)
    else:
        seq, digest = value.split(" ")
        found = (int(seq), digest)
    cache.set(HEAD_CACHE_KEY, found, HEAD_CACHE_SECONDS)


def _forget_cached_head() -> None:
    cache.delete(HEAD_CACHE_KEY)


def feed_entry_elements():
    """Every Atom entry carries the head, so whoever keeps a feed holds a checkpoint
    (core.feeds.register_entry_elements)."""
    seq, digest = cached_head()
    return [("accord:log-head", {"seq": str(seq), "hash": digest})]
