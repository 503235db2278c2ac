from django.apps import AppConfig


class RatificationConfig(AppConfig):
    name = "ratification"
    verbose_name = "Ratification"
