from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = "Consultations"

    def ready(self):
        from core import forgetting, page_cache
        from policies import home, links

        from . import extensions, fragments
        from . import home as consultation_home
        from . import links as consultation_links
        from .wiki_views import WIKI_IMPORT

        # Nothing stored here names an account: pages name people at display time
        # (accounts.naming.public_name). The first view's kept digests hold names, so a
        # forgotten person makes them be rendered afresh.
        forgetting.register(fragments.names_changed)
        # An anonymous reader's first view is kept whole (core.page_cache) while this holds.
        page_cache.register_validator("consultations.first_view", fragments.first_view_version)
        links.register(consultation_links.policy_links)
        home.register_open(consultation_home.open_consultations)
        # The wiki import form joins the page like the later apps' parts do.
        extensions.register(WIKI_IMPORT)
