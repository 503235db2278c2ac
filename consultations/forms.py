from django import forms
from django.utils.translation import gettext_lazy as _

from policies.selectors import language_choices

from .models import Position, SummarySection


class PositionForm(forms.Form):
    section_key = forms.CharField(widget=forms.HiddenInput, max_length=60)
    stance = forms.ChoiceField(choices=Position.Stance.choices, widget=forms.RadioSelect)
    strength = forms.ChoiceField(
        choices=[("", _("No qualifier")), ("strong", _("Strongly")), ("weak", _("Weakly"))],
        required=False,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text=_("Markdown. Required when you oppose."),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("stance") == Position.Stance.OPPOSE
            and not (cleaned.get("reason") or "").strip()
        ):
            self.add_error("reason", _("Say why you oppose, so the drafters can act on it."))
        return cleaned


class ReplyForm(forms.Form):
    position = forms.IntegerField(widget=forms.HiddenInput)
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)
    body = forms.CharField(
        label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )


class TargetForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("position", "position"), ("reply", "reply")], widget=forms.HiddenInput
    )
    item = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(
        max_length=500, error_messages={"required": _("Say briefly why this needs attention.")}
    )


class ModerateForm(TargetForm):
    hide = forms.TypedChoiceField(
        choices=[("1", "hide"), ("0", "restore")],
        coerce=lambda v: v == "1",
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = _(
            "Moderation needs a reason; it is shown publicly."
        )


class FeedbackForm(forms.Form):
    section_key = forms.CharField(required=False, max_length=60, widget=forms.HiddenInput)
    body = forms.CharField(
        label=_("Your private feedback"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_("Only the facilitators will read this. It is never published."),
    )


class StateForm(forms.Form):
    to = forms.ChoiceField(
        choices=[("open", "open"), ("closed", "closed")], widget=forms.HiddenInput
    )
    note = forms.CharField(
        required=False,
        max_length=500,
        label=_("Note (optional, shown on the consultation page)"),
        help_text=_("For example: “The consultation period has ended.”"),
    )


class ConsultationForm(forms.Form):
    version = forms.TypedChoiceField(coerce=int, label=_("Version consulted on"))
    title = forms.CharField(max_length=200, label=_("Title"))
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label=_("Description")
    )
    opens_at = forms.DateTimeField(
        label=_("Opens (UTC)"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label=_("Closes (UTC)"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    open_now = forms.BooleanField(required=False, label=_("Open it now"))
    required_languages = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Translations that must be up to date before it opens"),
    )

    def __init__(self, *args, versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [
            (
                v.number,
                _("Version %(number)s (%(label)s)") % {"number": v.number, "label": v.label}
                if v.label
                else _("Version %(number)s") % {"number": v.number},
            )
            for v in versions
        ]
        self.fields["required_languages"].choices = language_choices()

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("opens_at")
            and cleaned.get("closes_at")
            and cleaned["closes_at"] <= cleaned["opens_at"]
        ):
            self.add_error("closes_at", _("The closing time must be after the opening time."))
        return cleaned


class SummarySectionForm(forms.Form):
    section_key = forms.CharField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        choices=[("", _("— not covered —")), *SummarySection.Outcome.choices], required=False
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
    cited = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label=_("Cite positions")
    )


class SummaryIntroForm(forms.Form):
    intro = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000
    )
    answered_by = forms.TypedChoiceField(
        label=_("The version that answers this consultation"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_(
            "Each section's “we changed” shows the difference between the consulted version "
            "and this one. Choose the version that carries your changes."
        ),
    )

    def __init__(self, *args, versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answered_by"].choices = [
            ("", _("None yet: no version carries the changes")),
            *[
                (v.number, f"{v.number}{f' ({v.label})' if v.label else ''} — {v.summary[:90]}")
                for v in versions
            ],
        ]
