"""Keeping Wagtail's search index in step with bulk writes.

Saving an indexed row indexes it through a post_save signal: about half a dozen queries per
row. Imports that save thousands of rows index them together at the end instead."""

from contextlib import contextmanager

from django.db.models.signals import post_save
from modelsearch.signal_handlers import post_save_signal_handler
from wagtail.search.backends import get_search_backends

BATCH = 500


def index_rows(model, rows) -> None:
    """Add or refresh `rows` of `model` in every search backend, in batches."""
    rows = list(rows)
    for backend in get_search_backends(with_auto_update=True):
        for start in range(0, len(rows), BATCH):
            backend.add_bulk(model, rows[start : start + BATCH])


@contextmanager
def indexing_deferred(model):
    """Rows of `model` saved inside the block are indexed together when it ends (and not at
    all if it raises), rather than one by one as they are saved. The switch is process-wide:
    for management commands, not for code serving requests."""
    saved: set = set()

    def remember(sender, instance, raw=False, **kwargs):
        if not raw:
            saved.add(instance.pk)

    post_save.disconnect(post_save_signal_handler, sender=model)
    post_save.connect(remember, sender=model, weak=False)
    try:
        yield
    finally:
        post_save.disconnect(remember, sender=model)
        post_save.connect(post_save_signal_handler, sender=model)
    if saved:
        index_rows(model, model.get_indexed_objects().filter(pk__in=saved))
