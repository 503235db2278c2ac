from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = "Consultations"

    def ready(self):
        from core import forgetting
        from policies import links

        from . import links as consultation_links
        from . import services

        links.register(consultation_links.policy_links)
        forgetting.register(services.forget_user)
