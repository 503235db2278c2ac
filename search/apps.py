from django.apps import AppConfig


class SearchConfig(AppConfig):
    """Site-wide search: it reads every other app and no app imports it. Its label, "search",
    is free: Wagtail's search framework (wagtail.search) is labelled "wagtailsearch"."""

    name = "search"
    label = "search"
    verbose_name = "Site search"
