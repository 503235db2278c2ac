"""Forms for proposing, revising, deciding and merging amendments."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Amendment


class AmendmentForm(forms.Form):
    section_key = forms.CharField(widget=forms.HiddenInput, max_length=60)
    kind = forms.ChoiceField(
        choices=Amendment.Kind.choices, widget=forms.RadioSelect, initial="replace"
    )
    heading = forms.CharField(max_length=255, required=False, label=_("Heading of the new section"))
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=5000,
        label=_("Your wording"),
        help_text=_("Markdown. Start from the current text and change what you would change."),
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label=_("Why this is better")
    )


class AmendmentActionForm(forms.Form):
    amendment = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class DecideAmendmentForm(AmendmentActionForm):
    state = forms.ChoiceField(
        choices=[
            (Amendment.State.ACCEPTED, _("Accept")),
            (Amendment.State.PARTLY, _("Partly accept")),
            (Amendment.State.REJECTED, _("Reject")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Accept, partly accept or reject an existing amendment.")},
    )
    reason = forms.CharField(
        max_length=5000,
        label=_("Public reason"),
        error_messages={"required": _("Give a public reason for the decision.")},
    )


class PublishMergeForm(forms.Form):
    summary = forms.CharField(
        max_length=500,
        label=_("Edit summary of the new version"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
