"""Editable policy pages. The draft lives here; published text lives in versions.py."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import slug_re
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.models import Orderable, Page

from policies.panels import WorkingDraftPanel


class PolicyPageForm(WagtailAdminPageForm):
    """Adds what publishing needs: the version the editor started from (for conflict
    detection) and a required edit summary."""

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A summary describes one publication; never prefill the previous one. A draft's own
        # summary (an import saved as a draft, or a draft saved with one) is kept for publishing.
        if not self._draft_has_own_summary():
            self.initial["edit_summary"] = ""
            self.initial["version_label"] = ""
        if self.instance.pk:
            from policies.selectors import latest_version_number

            self.initial["base_version"] = latest_version_number(self.instance)
        else:
            self.initial["base_version"] = 0

    def _draft_has_own_summary(self) -> bool:
        page = self.instance
        if not page.pk or not page.has_unpublished_changes or not page.edit_summary:
            return False
        from policies.selectors import latest_version

        published = latest_version(page)
        return published is None or published.summary != page.edit_summary

    @property
    def is_publishing(self):
        return "action-publish" in self.data

    def clean(self):
        cleaned = super().clean()
        if self.is_publishing and not (cleaned.get("edit_summary") or "").strip():
            self.add_error(
                "edit_summary",
                _(
                    "Publishing needs an edit summary: say what changed and why, so readers "
                    "can trust the new version."
                ),
            )
        sections = self.formsets.get("sections")
        if self.is_publishing and sections is not None and sections.is_valid():
            live = [
                f for f in sections.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            if not live:
                self.add_error(
                    None, _("A policy needs at least one section before it can be published.")
                )
        return cleaned

    def save(self, commit=True):
        from policies.services import assign_section_keys

        page = super().save(commit=False)
        assign_section_keys(page)
        if commit:
            page.save()
        return page


class PolicyIndexPage(Page):
    intro = models.TextField(blank=True, help_text=_("Shown above the list of policies."))

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["policies.PolicyPage"]
    max_count = 1
    template = "policies/policy_index_page.html"

    def get_context(self, request, *args, **kwargs):
        from policies import home
        from policies.selectors import policy_list, recent_versions

        context = super().get_context(request, *args, **kwargs)
        context["policies"] = policy_list(self)
        # What is happening now: open consultations and votes, the latest versions, and the
        # glances later apps contribute (policies/home.py).
        context["open_items"] = home.open_items(request.user)
        context["recent_versions"] = recent_versions(self)
        context["glances"] = home.glances()
        return context


class PolicyPage(RoutablePageMixin, Page):
    intro = models.TextField(
        blank=True, help_text=_("One or two sentences on what this policy is for (not versioned).")
    )
    version_label = models.CharField(
        max_length=20,
        blank=True,
        help_text=_('Optional label for the next version, such as "2.1".'),
    )
    edit_summary = models.CharField(
        max_length=500,
        blank=True,
        help_text=_(
            "Required to publish: what changed and why. Shown in the public version history."
        ),
    )

    base_form_class = PolicyPageForm
    parent_page_types = ["policies.PolicyIndexPage"]
    subpage_types = []
    template = "policies/policy_page.html"

    content_panels = [
        WorkingDraftPanel(heading=_("What this draft would publish")),
        *Page.content_panels,
        FieldPanel("intro"),
        InlinePanel("sections", heading=_("Sections"), label=_("Section"), min_num=0),
        MultiFieldPanel(
            [FieldPanel("edit_summary"), FieldPanel("version_label"), FieldPanel("base_version")],
            heading=_("Publishing this version"),
        ),
    ]

    search_fields = Page.search_fields

    # Wagtail accepts any Unicode slug, but the policy's consultations, ratification, feeds and
    # API are routed by Django's slug converter, which takes ASCII letters, digits, "-" and "_"
    # only: a page with any other slug would be served while all of those answered 404. Every
    # way in (admin, import, services) saves through these two checks: minimal_clean for a
    # draft, clean_fields when published or edited in the admin.
    def unroutable_slug_error(self) -> str | None:
        if not self.slug or slug_re.fullmatch(self.slug):
            return None
        return _(
            "The slug “%(slug)s” cannot be used: a policy's web addresses take only ASCII "
            "letters (a–z, A–Z), digits, hyphens and underscores."
        ) % {"slug": self.slug}

    def minimal_clean(self):
        super().minimal_clean()
        if message := self.unroutable_slug_error():
            raise ValidationError({"slug": [message]})

    def clean_fields(self, exclude=None):
        errors = {}
        if "slug" not in (exclude or ()) and (message := self.unroutable_slug_error()):
            # Instead of Django's message for a Unicode slug, which would contradict this one.
            errors["slug"] = [message]
            exclude = {*(exclude or ()), "slug"}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    # Routes are thin: each hands over to a view function in policies/views.py.
    @path("")
    def current(self, request):
        from policies import views

        return views.policy_current(request, self)

    @path("versions/")
    def history(self, request):
        from policies import views

        return views.version_history(request, self)

    @path("versions/<int:number>/")
    def version(self, request, number):
        from policies import views

        return views.version_detail(request, self, number)

    @re_path(r"^versions/(?P<number>\d+)/(?P<fmt>markdown|wikitext)/$")
    def version_download(self, request, number, fmt):
        from policies import views

        return views.version_download(request, self, int(number), fmt)

    @path("compare/")
    def compare_picker(self, request):
        from policies import views

        return views.compare_picker(request, self)

    @path("compare/<int:a>/<int:b>/")
    def compare(self, request, a, b):
        from policies import views

        return views.compare(request, self, a, b)

    @path("translations/")
    def translations(self, request):
        from policies import views

        return views.translation_todo(request, self)

    @path("translations/upload/")
    def translation_upload(self, request):
        from policies import views

        return views.translation_upload(request, self)

    @re_path(r"^translations/(?P<code>[a-z]{2,3}(?:-[a-z0-9]{2,8})?)/$")
    def translation(self, request, code):
        from policies import views

        return views.translation_detail(request, self, code)


class PolicySection(Orderable):
    """One section of the editable draft. `key` is assigned once and never changes, so
    positions, overrides and translations keep pointing at the same section through renames
    and moves."""

    page = ParentalKey(PolicyPage, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(max_length=60, blank=True)
    heading = models.CharField(max_length=255)
    body = models.TextField(blank=True, help_text=_("Markdown. Raw HTML is removed when shown."))

    panels = [
        FieldPanel("heading"),
        FieldPanel("body"),
        FieldPanel("key", widget=forms.HiddenInput),
    ]

    def __str__(self):
        return self.heading
