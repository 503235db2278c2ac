"""The transparency log: one append-only table, each row chained to the one before it."""

import json

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.immutable import RowIsImmutable, WriteOnceModel


class LogIsAppendOnly(RowIsImmutable):
    """An entry of the transparency log was about to be changed or deleted."""


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk rewrites are refused too: an entry leaves the log only by someone going around
    the application, and the chain then shows it."""

    def update(self, **kwargs):
        raise LogIsAppendOnly("Entries of the transparency log cannot change.")

    def delete(self):
        raise LogIsAppendOnly("Entries of the transparency log cannot be deleted.")


class LogEntry(WriteOnceModel):
    immutable_error = LogIsAppendOnly
    immutable_verb = "in the transparency log"

    seq = models.BigIntegerField(primary_key=True)
    kind = models.CharField(max_length=40, db_index=True)
    # "<app>.<model>:<id>", e.g. "policies.version:12": what the entry is about.
    object_ref = models.CharField(max_length=120, db_index=True)
    # Canonical JSON text (transparency.chain.canonical_json): stored exactly as it was hashed.
    payload = models.TextField()
    content_hash = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")

    def __str__(self):
        return f"#{self.seq} {self.kind} {self.object_ref}"

    @property
    def payload_data(self) -> dict:
        return json.loads(self.payload)
