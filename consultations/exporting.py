"""Consultation exports (CSV and JSON), built the same way for a download and for the
background task that prepares large ones."""

from __future__ import annotations

import csv
import hashlib
import io
import json

from django.db.models import Count, Max
from django.utils import translation

from core.exports import spreadsheet_safe

from . import extensions, selectors
from .models import Consultation, Position, Reply

COLUMNS = [
    "type",
    "id",
    "parent",
    "section_key",
    "section",
    "author",
    "stance",
    "strength",
    "text",
    "hidden",
    "created_at",
    "updated_at",
    "kind",
    "state",
    "support",
    "oppose",
    "neutral",
]


def size(consultation: Consultation) -> int:
    """Positions and replies: what makes an export big."""
    return (
        Position.objects.filter(consultation=consultation).count()
        + Reply.objects.filter(position__consultation=consultation).count()
    )


def fingerprint(consultation: Consultation) -> str:
    """Changes whenever the export's content would: new, edited, hidden or restored items,
    and whatever later apps export with it (amendment decisions)."""
    parts = []
    for model, field, edited in (
        (Position, "consultation", "updated_at"),
        (Reply, "position__consultation", "created_at"),
    ):
        stats = model.objects.filter(**{field: consultation}).aggregate(
            n=Count("pk"), edited=Max(edited), hidden=Max("hidden_at")
        )
        parts += [stats["n"], stats["edited"], stats["hidden"]]
    for extension in extensions.registered():
        if extension.fingerprint:
            parts += extension.fingerprint(consultation)
    parts.append(consultation.state)
    return "-".join(str(p.timestamp() if hasattr(p, "timestamp") else p) for p in parts)


# Exports are data: the same file for every reader, and large ones are stored and served again,
# so the few words the code supplies ("unsigned", the whole text's heading) stay English.
@translation.override("en")
def render(consultation: Consultation, fmt: str) -> bytes:
    rows = selectors.export_rows(consultation)
    extra = [e.export(consultation) for e in extensions.registered() if e.export]
    if fmt == "json":
        data = {
            "consultation": {
                "id": consultation.pk,
                "title": consultation.title,
                "policy": consultation.version.policy.slug,
                "version": consultation.version.number,
                "content_hash": consultation.version.content_hash,
                "state": consultation.state,
            },
            "items": rows,
            **{part.key: part.rows for part in extra},
        }
        return json.dumps(data, ensure_ascii=False, indent=1).encode()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, restval="")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})
    for part in extra:
        writer.writerows(part.csv_rows)
    return out.getvalue().encode()


def stored_name(consultation: Consultation, fmt: str, print_: str) -> str:
    digest = hashlib.sha256(print_.encode()).hexdigest()[:16]
    return f"exports/consultation-{consultation.pk}-{digest}.{fmt}"
