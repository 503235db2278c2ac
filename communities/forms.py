from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Adoption, EquivalentMapping, SectionOverride, WikiPublication
from .placeholders import declaration_field_for


class DeclarationForm(forms.Form):
    status = forms.ChoiceField(
        choices=Adoption.Status.choices, widget=forms.RadioSelect, label=gettext_lazy("Status")
    )
    version = forms.TypedChoiceField(coerce=int, label=gettext_lazy("Pinned to version"))
    decided_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label=gettext_lazy("Decision date"),
    )
    evidence_url = forms.CharField(
        required=False,
        max_length=500,
        label=gettext_lazy("Evidence (link to the local discussion or vote)"),
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label=gettext_lazy("Rationale")
    )
    enforcement_body = forms.CharField(
        required=False, max_length=200, label=gettext_lazy("Who enforces it locally")
    )
    report_contact = forms.CharField(
        required=False, max_length=200, label=gettext_lazy("How to report")
    )
    appeal_process = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label=gettext_lazy("How to appeal"),
    )
    equivalent_title = forms.CharField(
        required=False, max_length=200, label=gettext_lazy("Your own policy's title")
    )
    equivalent_url = forms.CharField(
        required=False, max_length=500, label=gettext_lazy("Your own policy's address")
    )
    wiki_page = forms.CharField(
        required=False,
        max_length=255,
        label=gettext_lazy("Wiki page with the community's copy"),
        help_text=gettext_lazy(
            "The page title on your wiki, e.g. Project:Code of conduct. Accord checks it daily "
            "and says when it no longer matches this declaration."
        ),
    )
    wiki_api_url = forms.CharField(
        required=False,
        max_length=500,
        label=gettext_lazy("Wiki API address"),
        help_text=gettext_lazy(
            "The wiki's api.php, e.g. https://en.wikipedia.org/w/api.php. Left empty, Accord "
            "uses /w/api.php on the community's home URL."
        ),
    )

    # Which fields each status asks for: a fieldset per group, labelled with its statuses (a
    # script shows only the chosen status's; the server ignores the others). None: every status.
    Status = Adoption.Status
    GROUPS = (
        (
            gettext_lazy("The decision"),
            None,
            ("version", "decided_on", "evidence_url", "rationale"),
        ),
        (
            gettext_lazy("Reporting and enforcement"),
            Adoption.ADOPTING,
            ("report_contact", "enforcement_body", "appeal_process", "params"),
        ),
        (
            gettext_lazy("Your own policy"),
            (Status.EQUIVALENT,),
            ("equivalent_title", "equivalent_url"),
        ),
        (
            gettext_lazy("The community's copy on its wiki"),
            (*Adoption.ADOPTING, Status.EQUIVALENT),
            ("wiki_page", "wiki_api_url"),
        ),
    )
    # Irrelevant wiki fields keep what is stored (None); the others are cleared.
    KEPT_WHEN_IRRELEVANT = ("wiki_page", "wiki_api_url")

    def __init__(self, *args, versions=(), placeholders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [
            (
                v.number,
                _("Version %(number)s") % {"number": v.number}
                + (f" ({v.label})" if v.label else ""),
            )
            for v in versions
        ]
        self.placeholders = list(placeholders)
        for i, placeholder in enumerate(self.placeholders):
            # [CONTACT METHOD] and [GOVERNING BODY] are answered by the fields above: asked once.
            if declaration_field_for(placeholder):
                continue
            self.fields[f"param_{i}"] = forms.CharField(
                required=False,
                max_length=200,
                label=_("Value for %(placeholder)s") % {"placeholder": placeholder},
            )

    def _group_fields(self, names) -> list[str]:
        if "params" not in names:
            return list(names)
        params = [n for n in self.fields if n.startswith("param_")]
        return [n for n in names if n != "params"] + params

    def fieldsets(self) -> list[dict]:
        """The groups to render: legend, the statuses it applies to, its bound fields."""
        statuses = dict(Adoption.Status.choices)
        out = []
        for legend, applies_to, names in self.GROUPS:
            out.append(
                {
                    "legend": legend,
                    "statuses": " ".join(applies_to or ()),
                    "applies_to": [statuses[s] for s in applies_to or ()],
                    "fields": [self[n] for n in self._group_fields(names)],
                }
            )
        return out

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        if not status:
            return cleaned
        for _legend, applies_to, names in self.GROUPS:
            if applies_to is None or status in applies_to:
                continue
            for name in self._group_fields(names):
                # Typed while another status was chosen, or left from before: not part of
                # this declaration, so it neither fails nor is saved.
                self._errors.pop(name, None)
                cleaned[name] = None if name in self.KEPT_WHEN_IRRELEVANT else ""
        return cleaned

    def parameters(self) -> dict[str, str]:
        return {
            p: self.cleaned_data.get(f"param_{i}", "")
            for i, p in enumerate(self.placeholders)
            if f"param_{i}" in self.fields
        }


class OverrideForm(forms.Form):
    section_key = forms.ChoiceField(label=gettext_lazy("Section"))
    action = forms.ChoiceField(
        choices=SectionOverride.Action.choices,
        widget=forms.RadioSelect,
        label=gettext_lazy("Action"),
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        label=gettext_lazy("Replacement text (Markdown)"),
        help_text=gettext_lazy(
            "It starts from the baseline's text. Placeholders such as [CONTACT METHOD] are "
            "filled from the declaration's contact and enforcement body."
        ),
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label=gettext_lazy("Rationale")
    )

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section_key"].choices = [(s.key, s.heading) for s in sections]


class RebaseForm(forms.Form):
    action = forms.ChoiceField(
        choices=SectionOverride.Action.choices,
        widget=forms.RadioSelect,
        label=gettext_lazy("Action"),
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        label=gettext_lazy("Replacement text (Markdown)"),
    )


class MappingForm(forms.Form):
    coverage = forms.ChoiceField(
        choices=[("", "—"), *EquivalentMapping.Coverage.choices],
        required=False,
        label=gettext_lazy("Coverage"),
    )
    note = forms.CharField(required=False, max_length=500, label=gettext_lazy("Note"))


class AcknowledgeForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    note = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=gettext_lazy("How was the change agreed?"),
        help_text=gettext_lazy("Shown in the public history, e.g. a link to the local discussion."),
    )


class PublishForm(forms.Form):
    """The page and the text; the page's revision the person saw travels beside it (the view's
    hidden `base_revision`), so a newer edit on the wiki is a conflict, not overwritten."""

    page_title = forms.CharField(max_length=255, label=gettext_lazy("Wiki page title"))
    source = forms.ChoiceField(
        choices=WikiPublication.Source.choices,
        widget=forms.RadioSelect,
        label=gettext_lazy("What to publish"),
    )

    def __init__(self, *args, adopting: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not adopting:
            self.fields["source"].choices = [
                c for c in self.fields["source"].choices if c[0] == WikiPublication.Source.BASELINE
            ]
