from django.apps import AppConfig


class RatificationConfig(AppConfig):
    name = "ratification"
    verbose_name = "Ratification"

    def ready(self):
        from policies import home, links

        from . import home as ratification_home
        from . import links as ratification_links

        links.register(ratification_links.policy_links)
        home.register_open(ratification_home.open_votes)
