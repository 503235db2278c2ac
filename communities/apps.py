from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = "Communities"

    def ready(self):
        from core import forgetting

        from . import services, signals  # noqa: F401  (signals: listens for new baseline versions)

        forgetting.register(services.forget_user)
