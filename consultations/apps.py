from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = "Consultations"

    def ready(self):
        from policies import credits, links

        from . import links as consultation_links
        from . import selectors, signals  # noqa: F401  (signals: credits merged amendments)

        credits.register(selectors.amendment_credits)
        links.register(consultation_links.policy_links)

        from core import forgetting

        from . import services

        forgetting.register(services.forget_user)
