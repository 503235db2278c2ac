from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    """The public, append-only, hash-chained log of every public event (transparency.chain)."""

    name = "transparency"
    verbose_name = "Transparency log"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.backends.signals import connection_created

        from core import page_cache
        from core.feeds import register_entry_elements

        from .services import add_sqlite_functions, feed_entry_elements, head_query, head_read

        connection_created.connect(add_sqlite_functions, dispatch_uid="transparency_sqlite")
        register_entry_elements(feed_entry_elements)
        page_cache.register_state("transparency.head", head_query, head_read)
