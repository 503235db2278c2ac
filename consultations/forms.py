from django import forms

from .models import Amendment, Position, SummarySection


class PositionForm(forms.Form):
    section_key = forms.CharField(widget=forms.HiddenInput, max_length=60)
    stance = forms.ChoiceField(choices=Position.Stance.choices, widget=forms.RadioSelect)
    strength = forms.ChoiceField(
        choices=[("", "No qualifier"), ("strong", "Strongly"), ("weak", "Weakly")],
        required=False,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text="Markdown. Required when you oppose.",
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("stance") == Position.Stance.OPPOSE
            and not (cleaned.get("reason") or "").strip()
        ):
            self.add_error("reason", "Say why you oppose, so the drafters can act on it.")
        return cleaned


class ReplyForm(forms.Form):
    position = forms.IntegerField(widget=forms.HiddenInput)
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)
    body = forms.CharField(
        label="Your reply", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )


class TargetForm(forms.Form):
    kind = forms.ChoiceField(choices=[("position", "position"), ("reply", "reply")])
    item = forms.IntegerField(min_value=1)
    reason = forms.CharField(max_length=500)


class ModerateForm(TargetForm):
    hide = forms.TypedChoiceField(
        choices=[("1", "hide"), ("0", "restore")], coerce=lambda v: v == "1"
    )


class FeedbackForm(forms.Form):
    section_key = forms.CharField(required=False, max_length=60, widget=forms.HiddenInput)
    body = forms.CharField(
        label="Your private feedback",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text="Only the facilitators will read this. It is never published.",
    )


class StateForm(forms.Form):
    to = forms.ChoiceField(choices=[("open", "open"), ("closed", "closed")])
    note = forms.CharField(required=False, max_length=500)


class ConsultationForm(forms.Form):
    version = forms.TypedChoiceField(coerce=int, label="Version consulted on")
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    opens_at = forms.DateTimeField(
        label="Opens (UTC)", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label="Closes (UTC)", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    open_now = forms.BooleanField(required=False, label="Open it now")

    def __init__(self, *args, versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [
            (v.number, f"Version {v.number}" + (f" ({v.label})" if v.label else ""))
            for v in versions
        ]

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("opens_at")
            and cleaned.get("closes_at")
            and cleaned["closes_at"] <= cleaned["opens_at"]
        ):
            self.add_error("closes_at", "The closing time must be after the opening time.")
        return cleaned


class SummarySectionForm(forms.Form):
    section_key = forms.CharField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        choices=[("", "— not covered —"), *SummarySection.Outcome.choices], required=False
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
    cited = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label="Cite positions"
    )


class SummaryIntroForm(forms.Form):
    intro = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000
    )


class AmendmentForm(forms.Form):
    section_key = forms.CharField(widget=forms.HiddenInput, max_length=60)
    kind = forms.ChoiceField(
        choices=Amendment.Kind.choices, widget=forms.RadioSelect, initial="replace"
    )
    heading = forms.CharField(max_length=255, required=False, label="Heading of the new section")
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=5000,
        label="Your wording",
        help_text="Markdown. Start from the current text and change what you would change.",
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label="Why this is better"
    )


class AmendmentActionForm(forms.Form):
    amendment = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class DecideAmendmentForm(AmendmentActionForm):
    state = forms.ChoiceField(
        choices=[
            (Amendment.State.ACCEPTED, "Accept"),
            (Amendment.State.PARTLY, "Partly accept"),
            (Amendment.State.REJECTED, "Reject"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(max_length=5000, label="Public reason")


class PublishMergeForm(forms.Form):
    summary = forms.CharField(
        max_length=500,
        label="Edit summary of the new version",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
