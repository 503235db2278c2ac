from django.apps import AppConfig


class RatificationConfig(AppConfig):
    name = "ratification"
    verbose_name = "Ratification"

    def ready(self):
        from policies import links

        from . import links as ratification_links

        links.register(ratification_links.policy_links)
