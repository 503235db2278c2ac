"""The community registry in the Wagtail admin."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import services
from .models import Community, Membership


class CommunityAdminForm(WagtailAdminModelForm):
    """The admin's community form writes through services.save_community, like the import and
    the API: the same permission check and validation whichever way a community is edited."""

    def save(self, commit=True):
        if not commit:
            return super().save(commit=False)
        data = self.cleaned_data
        community, _created = services.save_community(
            user=self.for_user,
            community=self.instance,
            name=data["name"],
            slug=data["slug"],
            kind=data.get("kind", self.instance.kind),
            language=data.get("language", self.instance.language),
            url=data.get("url", self.instance.url),
            delegates=data.get("delegates"),
        )
        self.instance = community
        return community


class MembershipAdminForm(WagtailAdminModelForm):
    """Memberships written in the admin go through services.save_membership (see above)."""

    def clean(self):
        cleaned = super().clean()
        try:
            services.check_membership(
                edit_count=cleaned.get("edit_count"), registered_on=cleaned.get("registered_on")
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field, errors)
        return cleaned

    def save(self, commit=True):
        if not commit:
            return super().save(commit=False)
        data = self.cleaned_data
        membership = services.save_membership(
            user=self.for_user,
            membership=self.instance,
            community=data["community"],
            member=data["user"],
            edit_count=data.get("edit_count"),
            registered_on=data.get("registered_on"),
            blocked=data.get("blocked", False),
            source=data.get("source", ""),
        )
        self.instance = membership
        return membership


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
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("slug"),
            FieldPanel("kind"),
            FieldPanel("language"),
            FieldPanel("url"),
            FieldPanel("delegates", widget=forms.SelectMultiple),
        ],
        base_form_class=CommunityAdminForm,
    )


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
    edit_handler = ObjectList(
        [
            FieldPanel("community", widget=forms.Select),
            FieldPanel("user", widget=forms.Select),
            FieldPanel("edit_count"),
            FieldPanel("registered_on"),
            FieldPanel("blocked"),
            FieldPanel("source"),
        ],
        base_form_class=MembershipAdminForm,
    )


register_snippet(MembershipViewSet)
