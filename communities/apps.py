from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = "Communities"

    def ready(self):
        from core import forgetting
        from policies import home as policy_home

        from . import home, services, signals  # noqa: F401  (signals: listens for new baseline versions)

        forgetting.register(services.forget_user)
        policy_home.register_glance(home.adoption_glance)
