from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Policies"

    def ready(self):
        from core import forgetting, page_cache

        from . import selectors, services, signals  # noqa: F401  (signals: Wagtail's publish signal)

        forgetting.register(services.forget_user)
        page_cache.register_state("policies.page_log", selectors.page_log_query)
        page_cache.register_state("policies.restricted", selectors.view_restriction_query)
