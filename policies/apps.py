from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Policies"

    def ready(self):
        from . import signals  # noqa: F401  (connects Wagtail's publish signal)
