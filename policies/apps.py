from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Policies"

    def ready(self):
        from core import forgetting

        from . import services, signals  # noqa: F401  (signals: Wagtail's publish signal)

        forgetting.register(services.forget_user)
