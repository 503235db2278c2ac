from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = "Communities"

    def ready(self):
        from . import signals  # noqa: F401  (listens for new baseline versions)
