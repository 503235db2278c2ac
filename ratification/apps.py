from django.apps import AppConfig


class RatificationConfig(AppConfig):
    name = "ratification"
    verbose_name = "Ratification"

    def ready(self):
        from core import forgetting

        from . import services

        forgetting.register(services.forget_user)
