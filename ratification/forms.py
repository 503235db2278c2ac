from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from policies.selectors import language_choices

from .models import BoardRatification, ExternalTally
from .services import VoteSettings, options_text, parse_options

UTC_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_LIST = 2000


def _usernames(text: str, field: str):
    names = sorted(
        {line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()}
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


BIGGEST_ID = 2**63 - 1
MAX_COUNT = 1_000_000_000


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


class VoteForm(forms.Form):
    version = forms.TypedChoiceField(coerce=int, label=_("Version put to the vote"))
    question = forms.CharField(max_length=300, label=_("Question"))
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label=_("Description"),
        help_text=_("Markdown."),
    )
    options = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        # Option names are the vote's own words, offered in the facilitator's language; the
        # keywords after "=" are the fixed syntax parse_options reads.
        initial=format_lazy(
            "{} = for\n{} = against\n{} = abstain", _("Yes"), _("No"), _("Abstain")
        ),
        label=_("Options"),
        help_text=_('One option per line, each followed by "= for", "= against" or "= abstain".'),
    )
    opens_at = forms.DateTimeField(label=_("Opens (UTC)"), widget=UTC_INPUT)
    closes_at = forms.DateTimeField(label=_("Closes (UTC)"), widget=UTC_INPUT)
    secret = forms.BooleanField(
        required=False,
        initial=True,
        label=_("Secret ballot (the voter list is public, choices are not)"),
    )
    threshold_numerator = forms.IntegerField(
        min_value=0, max_value=1000, initial=2, label=_("Threshold numerator")
    )
    threshold_denominator = forms.IntegerField(
        min_value=1,
        max_value=1000,
        initial=3,
        label=_("Threshold denominator"),
        help_text=_("Passes when for ≥ numerator/denominator of for + against."),
    )
    quorum_ballots = forms.IntegerField(
        min_value=0,
        max_value=MAX_COUNT,
        initial=0,
        label=_("Quorum: minimum ballots (abstentions count)"),
    )
    quorum_communities = forms.IntegerField(
        min_value=0,
        max_value=MAX_COUNT,
        initial=0,
        label=_("Quorum: minimum communities represented"),
    )
    breakdown_min_group = forms.IntegerField(
        min_value=2,
        max_value=1000,
        initial=10,
        label=_("Show a community in the results only with at least this many voters"),
    )
    registered_before = forms.DateTimeField(
        required=False, label=_("Accounts created before (UTC)"), widget=UTC_INPUT
    )
    min_contributions = forms.IntegerField(
        min_value=0, max_value=MAX_COUNT, initial=0, label=_("Minimum positions and replies here")
    )
    min_community_edits = forms.IntegerField(
        min_value=0,
        max_value=MAX_COUNT,
        initial=0,
        label=_("Minimum edits recorded in an eligible community"),
    )
    eligible_communities = CommunitiesField(
        queryset=Community.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Eligible communities"),
        help_text=_("Leave empty to open the vote to members of any community, or none."),
    )
    exclude_blocked = forms.BooleanField(
        required=False, initial=True, label=_("Exclude people blocked in any community")
    )
    include_voters = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label=_("Always eligible (user names, one per line)"),
    )
    exclude_voters = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label=_("Never eligible (user names, one per line)"),
    )
    required_languages = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Translations that must be up to date before the vote opens"),
        help_text=_("The vote will not open while any of these is missing or outdated."),
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

    def clean_options(self):
        try:
            return parse_options(self.cleaned_data["options"])
        except ValidationError as exc:
            # parse_options names the field; a clean_<field> method must not (Django refuses
            # a dict of errors there and the page would fail with a server error).
            raise ValidationError(exc.messages) from exc

    def clean_include_voters(self):
        return _usernames(self.cleaned_data["include_voters"], "include_voters")

    def clean_exclude_voters(self):
        return _usernames(self.cleaned_data["exclude_voters"], "exclude_voters")

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
        data = self.cleaned_data
        return VoteSettings(
            question=data["question"],
            description=data["description"],
            options=tuple(data["options"]),
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            secret=data["secret"],
            threshold_numerator=data["threshold_numerator"],
            threshold_denominator=data["threshold_denominator"],
            quorum_ballots=data["quorum_ballots"],
            quorum_communities=data["quorum_communities"],
            breakdown_min_group=data["breakdown_min_group"],
            registered_before=data["registered_before"],
            min_contributions=data["min_contributions"],
            min_community_edits=data["min_community_edits"],
            exclude_blocked=data["exclude_blocked"],
            eligible_communities=tuple(data["eligible_communities"]),
            include_voters=data["include_voters"],
            exclude_voters=data["exclude_voters"],
            required_languages=tuple(data["required_languages"]),
        )

    @classmethod
    def initial_from(cls, vote) -> dict:
        return {
            "version": vote.version.number,
            "question": vote.question,
            "description": vote.description,
            "options": options_text(vote.options),
            "opens_at": vote.opens_at,
            "closes_at": vote.closes_at,
            "secret": vote.secret,
            "threshold_numerator": vote.threshold_numerator,
            "threshold_denominator": vote.threshold_denominator,
            "quorum_ballots": vote.quorum_ballots,
            "quorum_communities": vote.quorum_communities,
            "breakdown_min_group": vote.breakdown_min_group,
            "registered_before": vote.registered_before,
            "min_contributions": vote.min_contributions,
            "min_community_edits": vote.min_community_edits,
            "exclude_blocked": vote.exclude_blocked,
            "eligible_communities": list(vote.eligible_communities.all()),
            "include_voters": "\n".join(u.get_username() for u in vote.include_voters.all()),
            "exclude_voters": "\n".join(u.get_username() for u in vote.exclude_voters.all()),
            "required_languages": list(vote.required_languages),
        }


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
    reason = forms.CharField(max_length=500, label=_("Public reason for cancelling"))


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
