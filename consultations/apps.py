from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = "Consultations"

    def ready(self):
        from policies import links

        from . import extensions
        from . import links as consultation_links
        from .wiki_views import WIKI_IMPORT

        # No forgetting handler (core.forgetting): nothing stored here names an account; pages
        # name people at display time (accounts.naming.public_name).
        links.register(consultation_links.policy_links)
        # The wiki import form joins the page like the later apps' parts do.
        extensions.register(WIKI_IMPORT)
