from django import forms

from .models import Adoption, EquivalentMapping, SectionOverride


class DeclarationForm(forms.Form):
    status = forms.ChoiceField(choices=Adoption.Status.choices, widget=forms.RadioSelect)
    version = forms.TypedChoiceField(coerce=int, label="Pinned to version")
    decided_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Decision date"
    )
    evidence_url = forms.CharField(
        required=False, max_length=500, label="Evidence (link to the local discussion or vote)"
    )
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    enforcement_body = forms.CharField(
        required=False, max_length=200, label="Who enforces it locally"
    )
    report_contact = forms.CharField(required=False, max_length=200, label="How to report")
    appeal_process = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="How to appeal"
    )
    equivalent_title = forms.CharField(
        required=False, max_length=200, label="Your own policy's title"
    )
    equivalent_url = forms.CharField(
        required=False, max_length=500, label="Your own policy's address"
    )

    def __init__(self, *args, versions=(), placeholders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [
            (v.number, f"Version {v.number}" + (f" ({v.label})" if v.label else ""))
            for v in versions
        ]
        self.placeholders = list(placeholders)
        for i, placeholder in enumerate(self.placeholders):
            self.fields[f"param_{i}"] = forms.CharField(
                required=False, max_length=200, label=f"Value for {placeholder}"
            )

    def parameters(self) -> dict[str, str]:
        return {p: self.cleaned_data.get(f"param_{i}", "") for i, p in enumerate(self.placeholders)}


class OverrideForm(forms.Form):
    section_key = forms.ChoiceField(label="Section")
    action = forms.ChoiceField(choices=SectionOverride.Action.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        label="Replacement text (Markdown)",
    )
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section_key"].choices = [(s.key, s.heading) for s in sections]


class RebaseForm(forms.Form):
    action = forms.ChoiceField(choices=SectionOverride.Action.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        label="Replacement text (Markdown)",
    )


class MappingForm(forms.Form):
    coverage = forms.ChoiceField(
        choices=[("", "—"), *EquivalentMapping.Coverage.choices], required=False
    )
    note = forms.CharField(required=False, max_length=500)
