from django.apps import AppConfig


class AmendmentsConfig(AppConfig):
    name = "amendments"
    verbose_name = "Amendments"

    def ready(self):
        from consultations import extensions
        from policies import credits

        from . import extension, selectors, signals  # noqa: F401  (signals: credits merged amendments)

        credits.register(selectors.amendment_credits)
        extensions.register(extension.AMENDMENTS)
