"""The community registry in the Wagtail admin."""

from django import forms
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Community, Membership


class CommunityViewSet(SnippetViewSet):
    model = Community
    icon = "group"
    menu_label = gettext_lazy("Communities")
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["name", "slug", "kind", "language"]
    list_filter = ["kind", "language"]
    # A plain case-insensitive look-up, not the search index: the database backend on SQLite
    # cannot restrict a search to named fields (it fails with "no such column"), and a
    # registry of a few hundred rows needs no index to find "ald" in "Alder Wiki".
    search_fields = ["name", "slug"]
    search_backend_name = None


register_snippet(CommunityViewSet)


class MembershipViewSet(SnippetViewSet):
    """Standing in a community (edit counts, blocks), read by vote eligibility. Bulk loads go
    through `manage.py import_memberships`."""

    model = Membership
    icon = "user"
    menu_label = gettext_lazy("Memberships")
    menu_order = 261
    add_to_admin_menu = True
    list_display = ["user", "community", "edit_count", "registered_on", "blocked", "updated_at"]
    list_filter = ["community", "blocked"]
    # Membership is not indexed: Wagtail already looks these up in the database.
    search_fields = ["user__username", "community__name"]
    # Plain selects, not Wagtail's chooser: the chooser re-renders a refused value with a
    # database look-up that fails on anything but a number.
    panels = [
        FieldPanel("community", widget=forms.Select),
        FieldPanel("user", widget=forms.Select),
        FieldPanel("edit_count"),
        FieldPanel("registered_on"),
        FieldPanel("blocked"),
        FieldPanel("source"),
    ]


register_snippet(MembershipViewSet)
