from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = "Consultations"

    def ready(self):
        from policies import links

        from . import links as consultation_links

        # No forgetting handler (core.forgetting): nothing stored here names an account; pages
        # name people at display time (accounts.naming.public_name).
        links.register(consultation_links.policy_links)
