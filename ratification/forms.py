from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from policies.selectors import language_choices

from .models import BoardRatification, ExternalTally
from .services import options_text, parse_options
from .terms import COLLECTIONS, RELATIONS, TERMS, Kind, Term, VoteSettings

UTC_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_LIST = 2000


BIGGEST_ID = 2**63 - 1


class CommunitiesField(forms.ModelMultipleChoiceField):
    """Refuses ids no database row can have before looking them up (SQLite cannot even run
    the query for an id past 64 bits)."""

    def _check_values(self, value):
        for pk in value:
            try:
                number = int(pk)
            except (TypeError, ValueError):
                continue  # the parent class words the error for non-numbers
            if not 0 < number <= BIGGEST_ID:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


class OptionsField(forms.CharField):
    """The ballot's options, one per line ("Yes = for"); cleaned into the options' dicts."""

    def clean(self, value):
        text = super().clean(value)
        try:
            return parse_options(text)
        except ValidationError as exc:
            # parse_options names the form field; a field's own error must not (Django
            # refuses a dict of errors there and the page would fail with a server error).
            raise ValidationError(exc.messages) from exc

    def prepare_value(self, value):
        return options_text(value) if isinstance(value, list | tuple) else value


class UsernamesField(forms.CharField):
    """Accounts typed as user names, one per line (or separated by commas)."""

    def clean(self, value):
        text = super().clean(value)
        names = sorted(
            {line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()}
        )
        if len(names) > MAX_LIST:
            raise ValidationError(_("List at most %(limit)s people.") % {"limit": MAX_LIST})
        users = list(get_user_model().objects.filter(username__in=names))
        unknown = sorted(set(names) - {u.get_username() for u in users})
        if unknown:
            raise ValidationError(
                _("No account is called %(names)s.") % {"names": ", ".join(unknown[:10])}
            )
        return tuple(users)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(user.get_username() for user in value)
        return value


def _term_field(term: Term) -> forms.Field:
    """The set-up form's field for one vote term (terms.py)."""
    labels = {"label": term.label, "help_text": term.help_text}
    if term.kind is Kind.TEXT:
        return forms.CharField(max_length=term.limit, required=term.required, **labels)
    if term.kind is Kind.MARKDOWN:
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 3}),
            max_length=term.limit,
            required=term.required,
            **labels,
        )
    if term.kind is Kind.OPTIONS:
        return OptionsField(
            widget=forms.Textarea(attrs={"rows": 4}),
            # Option names are the vote's own words, offered in the facilitator's language;
            # the keywords after "=" are the fixed syntax parse_options reads.
            initial=format_lazy(
                "{} = for\n{} = against\n{} = abstain", _("Yes"), _("No"), _("Abstain")
            ),
            **labels,
        )
    if term.kind is Kind.MOMENT:
        return forms.DateTimeField(widget=UTC_INPUT, required=term.required, **labels)
    if term.kind is Kind.FLAG:
        return forms.BooleanField(required=False, initial=term.default, **labels)
    if term.kind is Kind.NUMBER:
        return forms.IntegerField(
            min_value=term.least, max_value=term.most, initial=term.default, **labels
        )
    if term.kind is Kind.COMMUNITIES:
        return CommunitiesField(
            queryset=Community.objects.order_by("name"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            **labels,
        )
    if term.kind is Kind.PEOPLE:
        return UsernamesField(widget=forms.Textarea(attrs={"rows": 2}), required=False, **labels)
    if term.kind is Kind.LANGUAGES:
        return forms.MultipleChoiceField(
            required=False, widget=forms.CheckboxSelectMultiple, **labels
        )
    raise ValueError(f"No form field for {term.kind} terms.")


# One field per vote term, in the order of terms.VoteSettings.
VoteTermsForm = type(forms.Form)(
    "VoteTermsForm",
    (forms.Form,),
    {"__module__": __name__, **{name: _term_field(term) for name, term in TERMS.items()}},
)


class VoteForm(VoteTermsForm):
    """Setting up or changing a draft vote: the version put to the vote, then its terms."""

    field_order = ["version"]
    version = forms.TypedChoiceField(coerce=int, label=_("Version put to the vote"))

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
        num, den = cleaned.get("threshold_numerator"), cleaned.get("threshold_denominator")
        if num is not None and den and num > den:
            self.add_error("threshold_numerator", _("The threshold cannot be more than 1."))
        return cleaned

    def settings(self) -> VoteSettings:
        values = {}
        for name, term in TERMS.items():
            value = self.cleaned_data[name]
            values[name] = tuple(value) if term.kind in COLLECTIONS else value
        return VoteSettings(**values)

    @classmethod
    def initial_from(cls, vote) -> dict:
        """The form's values for a draft vote (the option and user name fields write their
        lists out as text)."""
        initial = {"version": vote.version.number}
        for name, term in TERMS.items():
            value = getattr(vote, name)
            initial[name] = list(value.all()) if term.kind in RELATIONS else value
        return initial


class BallotForm(forms.Form):
    option = forms.ChoiceField(widget=forms.RadioSelect, label=_("Your choice"))
    community = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label=_("Vote as a member of")
    )
    # The state of the voter's ballot when the form was shown (-1: none yet). The same form
    # submitted twice (a double click, a reload, a second tab) is then recognised and refused
    # instead of replacing the ballot whose receipt the voter was just shown.
    based_on = forms.IntegerField(
        required=False, min_value=-1, max_value=1_000_000, widget=forms.HiddenInput
    )

    def __init__(self, *args, vote, communities=(), own_ballot=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["option"].choices = [(o["key"], o["label"]) for o in vote.options]
        self.fields["community"].choices = [(c.pk, c.name) for c in communities]
        self.initial.setdefault("based_on", own_ballot.times_changed if own_ballot else -1)


class ReceiptForm(forms.Form):
    receipt = forms.CharField(max_length=100, label=_("Your receipt"))


class StrikeForm(forms.Form):
    ballot = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(max_length=500, label=_("Public reason"))


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        label=_("Public reason for cancelling"),
        error_messages={"required": _("Give a public reason.")},
    )


class BoardDecisionForm(forms.Form):
    body = forms.CharField(max_length=200, label=_("Governing body"), initial="Board of Trustees")
    decided_on = forms.DateField(widget=DATE_INPUT, label=_("Date of the decision"))
    outcome = forms.ChoiceField(choices=BoardRatification.Outcome.choices, label=_("Outcome"))
    minutes_url = forms.URLField(
        required=False, label=_("Minutes (web address)"), assume_scheme="https"
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000, label=_("Note")
    )


class ExternalTallyForm(forms.Form):
    title = forms.CharField(
        max_length=200, label=_("Title"), help_text=_("e.g. Alder Wiki request for comment")
    )
    community = forms.ModelChoiceField(
        queryset=Community.objects.order_by("name"), required=False, label=_("Community")
    )
    held_until = forms.DateField(widget=DATE_INPUT, label=_("Closed on"))
    votes_for = forms.IntegerField(min_value=0, max_value=10_000_000, initial=0, label=_("For"))
    votes_against = forms.IntegerField(
        min_value=0, max_value=10_000_000, initial=0, label=_("Against")
    )
    votes_abstain = forms.IntegerField(
        min_value=0, max_value=10_000_000, initial=0, label=_("Abstaining")
    )
    outcome = forms.ChoiceField(choices=ExternalTally.Outcome.choices, label=_("Outcome"))
    source_url = forms.URLField(label=_("Where the result is published"), assume_scheme="https")
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000, label=_("Note")
    )
