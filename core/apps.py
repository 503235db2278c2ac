from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The bottom layer has no models; it is an app only to wire what must hold from start-up."""

    name = "core"
    verbose_name = "Core"

    def ready(self):
        from core.fields import strip_control_characters_from_text_fields

        strip_control_characters_from_text_fields()
