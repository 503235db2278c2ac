"""Reads of the transparency log shared by its pages and its export."""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.db.models import QuerySet

from . import chain
from .models import LogEntry

# The kinds of event apps append today (a filter on /log/ offers these).
KINDS = (
    "version.published",
    "translation.imported",
    "moderation.hide",
    "moderation.restore",
    "summary.published",
    "adoption.declared",
    "adoption.changed",
    "adoption.upgraded",
    "override.set",
    "override.rebased",
    "override.removed",
    "wiki_copy.checked",
    "wiki_copy.acknowledged",
    "wiki_copy.published",
    "ratification.created",
    "ratification.changed",
    "ratification.refused",
    "ratification.opened",
    "ratification.cancelled",
    "ratification.closed",
    "ratification.struck",
    "ratification.board",
    "ratification.external",
)


def entries(*, kind: str = "", obj: str = "") -> QuerySet[LogEntry]:
    """Newest first. `obj` is a whole reference ("policies.version:12") or a type
    ("policies.version") meaning every object of that type."""
    qs = LogEntry.objects.order_by("-seq")
    if kind:
        qs = qs.filter(kind=kind)
    if obj:
        qs = (
            qs.filter(object_ref=obj) if ":" in obj else qs.filter(object_ref__startswith=obj + ":")
        )
    return qs


_FIELDS = (
    "seq",
    "kind",
    "object_ref",
    "payload",
    "content_hash",
    "prev_hash",
    "hash",
    "created_at",
)


def jsonl_lines(chunk_size: int = 2000) -> Iterator[str]:
    """Every entry, oldest first, one JSON object per line. The payload is stored as canonical
    JSON and written as is, so the line holds exactly the bytes that were hashed."""
    rows = LogEntry.objects.order_by("seq").values_list(*_FIELDS).iterator(chunk_size=chunk_size)
    dumps = json.dumps
    for seq, kind, obj, payload, content_hash, prev_hash, digest, created_at in rows:
        yield (
            f'{{"seq":{seq},"kind":{dumps(kind, ensure_ascii=False)},'
            f'"object":{dumps(obj, ensure_ascii=False)},"payload":{payload},'
            f'"content_hash":"{content_hash}","prev_hash":"{prev_hash}","hash":"{digest}",'
            f'"created_at":"{chain.timestamp(created_at)}"}}\n'
        )
