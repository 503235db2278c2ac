"""The community registry in the Wagtail admin."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Community


class CommunityViewSet(SnippetViewSet):
    model = Community
    icon = "group"
    menu_label = "Communities"
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["name", "slug", "kind", "language"]
    list_filter = ["kind", "language"]
    search_fields = ["name", "slug"]


register_snippet(CommunityViewSet)
