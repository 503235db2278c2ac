from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from consultations.models import Position

from .selectors import KINDS, MAX_QUERY_CHARS, normalise_phrase


class SearchForm(forms.Form):
    """The search page's address: words, filters and a phrase to trace through versions. Only
    the shape of each value is checked here; whether it names something public is the
    selector's question."""

    q = forms.CharField(
        required=False,
        max_length=MAX_QUERY_CHARS,
        error_messages={
            "max_length": _(
                "Your search is %(show_value)d characters long; keep it under %(limit_value)d."
            )
        },
    )
    kind = forms.ChoiceField(
        required=False,
        choices=[("", _("everything")), *KINDS.items()],
        error_messages={
            "invalid_choice": format_lazy(_("Kind is one of: {kinds}."), kinds=", ".join(KINDS))
        },
    )
    policy = forms.SlugField(
        required=False,
        max_length=255,
        error_messages={"invalid": _("A policy is given by its slug, such as “baseline”.")},
    )
    version = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100_000,
        error_messages={
            "invalid": _("A version is a number, such as 3."),
            "min_value": _("Versions are numbered from 1."),
            "max_value": _("No policy has that many versions."),
        },
    )
    consultation = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        error_messages={
            "invalid": _("A consultation is given by its number."),
            "min_value": _("A consultation is given by its number."),
            "max_value": _("A consultation is given by its number."),
        },
    )
    stance = forms.ChoiceField(
        required=False,
        choices=[("", _("any")), *Position.Stance.choices],
        error_messages={"invalid_choice": _("Stance is support, oppose or neutral.")},
    )
    community = forms.SlugField(
        required=False,
        max_length=100,
        error_messages={"invalid": _("A community is given by its slug, such as “alder-wiki”.")},
    )
    language = forms.CharField(
        required=False,
        max_length=20,
        error_messages={"max_length": _("A language is a code such as en, de or pt-br.")},
    )
    phrase = forms.CharField(
        required=False,
        max_length=MAX_QUERY_CHARS,
        error_messages={
            "max_length": _(
                "The phrase is %(show_value)d characters long; keep it under %(limit_value)d."
            )
        },
    )

    def clean_phrase(self):
        phrase = self.cleaned_data["phrase"]
        if phrase:
            normalise_phrase(phrase)  # raises ValidationError for a phrase too short to trace
        return phrase

    def error_list(self) -> list[str]:
        return [message for errors in self.errors.values() for message in errors]
