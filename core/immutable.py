"""Rows written once and never changed: published versions, the transparency log.

An abstract model, so it adds no table and no migration; an app subclasses it and may name its
own error (a subclass of RowIsImmutable) for messages its users recognise."""

from django.db import models


class RowIsImmutable(Exception):
    """A write-once row was about to be changed or deleted."""


class WriteOnceModel(models.Model):
    """save() inserts and refuses updates; delete() always refuses. Queryset-level writes
    (`.update()`, `.delete()`) are outside this guard on purpose: the rare sanctioned rewrite
    (forgetting a person's name) goes through them, visibly, in one service."""

    immutable_error: type[RowIsImmutable] = RowIsImmutable
    immutable_verb = "written once"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise self.immutable_error(
                f"{self._meta.verbose_name} {self.pk} is {self.immutable_verb} and cannot change."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise self.immutable_error(
            f"{self._meta.verbose_name} {self.pk} is {self.immutable_verb} and cannot be deleted."
        )
