"""The terms of a vote, declared once: everything a facilitator decides before a vote opens, and
that nobody may change once it has.

`VoteSettings` has one field per term, in the order the set-up form asks for them. Each field
carries a `Term`: what kind of value it holds, its default, its bounds, its label and where the
API shows it. Everything else is derived from this one declaration:

* `Vote.FROZEN_FIELDS`: the terms, and the version voted on;
* the service's checks of the settings (services.create_vote, services.update_vote);
* the set-up form's fields, and the values it shows for a draft (forms.VoteForm);
* the API's fields for the terms (api.VoteSerializer and its `eligibility`).

The model declares the columns, as Django needs; tests check that they agree with the terms.
Pure: no ORM, forms or serializers here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from typing import Any

from django.utils.translation import gettext_lazy as _

# The most a form accepts for a count (ballots, communities, contributions, edits).
MAX_COUNT = 1_000_000_000


class Kind(enum.Enum):
    TEXT = "text"  # one line
    MARKDOWN = "markdown"  # longer text, in Markdown
    OPTIONS = "options"  # the ballot's options: dicts of key, label and counts_as
    MOMENT = "moment"  # a date and time (typed in UTC)
    FLAG = "flag"  # yes or no
    NUMBER = "number"  # a whole number from `least` (to `most` in the form)
    COMMUNITIES = "communities"  # communities: a many-to-many relation of the vote
    PEOPLE = "people"  # accounts, typed as user names: a many-to-many relation of the vote
    LANGUAGES = "languages"  # language codes


# Terms stored as many-to-many relations: set once the vote has been saved.
RELATIONS = frozenset({Kind.COMMUNITIES, Kind.PEOPLE})
# Terms holding several values (a tuple in VoteSettings).
COLLECTIONS = RELATIONS | {Kind.OPTIONS, Kind.LANGUAGES}


class _NoDefault:
    def __repr__(self):
        return "NO_DEFAULT"


# The default of a term that must be given.
NO_DEFAULT = _NoDefault()


@dataclasses.dataclass(frozen=True)
class Term:
    kind: Kind
    label: str
    help_text: str = ""
    # NO_DEFAULT: the term must be given (VoteSettings cannot be made without it).
    default: Any = NO_DEFAULT
    # Text: the most characters.
    limit: int | None = None
    # Numbers: the least the form and the service accept, and the most the form accepts.
    least: int = 0
    most: int | None = None
    # Numbers: what the service says of one below `least`, and on which term's field (the
    # threshold is one fraction: both its parts are reported on the numerator).
    refusal: str = _("Enter a whole number, 0 or more.")
    reported_on: str = ""
    # Where the API shows the term: "vote", "eligibility", or "" (not on its own: the
    # threshold is shown as one fraction; the include and exclude lists, which name people,
    # and the required languages are not shown).
    api: str = ""
    api_name: str = ""
    api_help: str = ""
    name: str = ""  # filled in from the VoteSettings field

    @property
    def required(self) -> bool:
        return self.default is NO_DEFAULT

    @property
    def field_for_errors(self) -> str:
        return self.reported_on or self.name


def term(**spec) -> Any:
    """A VoteSettings field carrying the `Term` made of `spec`."""
    declared = Term(**spec)
    default = dataclasses.MISSING if declared.required else declared.default
    return dataclasses.field(default=default, metadata={"term": declared})


THRESHOLD_REFUSAL = _("The threshold is a fraction between 0 and 1, such as 2/3.")


@dataclasses.dataclass(frozen=True, kw_only=True)
class VoteSettings:
    """Everything a facilitator decides about a vote before it opens."""

    question: str = term(kind=Kind.TEXT, limit=300, label=_("Question"), api="vote")
    description: str = term(
        kind=Kind.MARKDOWN,
        default="",
        limit=20_000,
        label=_("Description"),
        help_text=_("Markdown."),
        api="vote",
        api_help="Markdown.",
    )
    # Empty: the default options (models.DEFAULT_OPTIONS).
    options: tuple = term(
        kind=Kind.OPTIONS,
        default=(),
        label=_("Options"),
        help_text=_('One option per line, each followed by "= for", "= against" or "= abstain".'),
        api="vote",
    )
    opens_at: dt.datetime = term(kind=Kind.MOMENT, label=_("Opens (UTC)"), api="vote")
    closes_at: dt.datetime = term(kind=Kind.MOMENT, label=_("Closes (UTC)"), api="vote")
    secret: bool = term(
        kind=Kind.FLAG,
        default=True,
        label=_("Secret ballot (the voter list is public, choices are not)"),
        api="vote",
    )
    # Passes when "for" ballots reach numerator/denominator of for + against.
    threshold_numerator: int = term(
        kind=Kind.NUMBER,
        default=2,
        most=1000,
        label=_("Threshold numerator"),
        refusal=THRESHOLD_REFUSAL,
    )
    threshold_denominator: int = term(
        kind=Kind.NUMBER,
        default=3,
        least=1,
        most=1000,
        label=_("Threshold denominator"),
        help_text=_("Passes when for ≥ numerator/denominator of for + against."),
        refusal=THRESHOLD_REFUSAL,
        reported_on="threshold_numerator",
    )
    quorum_ballots: int = term(
        kind=Kind.NUMBER,
        default=0,
        most=MAX_COUNT,
        label=_("Quorum: minimum ballots (abstentions count)"),
        api="vote",
    )
    quorum_communities: int = term(
        kind=Kind.NUMBER,
        default=0,
        most=MAX_COUNT,
        label=_("Quorum: minimum communities represented"),
        api="vote",
    )
    breakdown_min_group: int = term(
        kind=Kind.NUMBER,
        default=10,
        least=2,
        most=1000,
        label=_("Show a community in the results only with at least this many voters"),
        refusal=_("Show communities only when they have at least 2 voters."),
        api="vote",
    )
    # Eligibility: the rules combine with AND; the include list overrides everything but the
    # exclude list (eligibility.py).
    registered_before: dt.datetime | None = term(
        kind=Kind.MOMENT,
        default=None,
        label=_("Accounts created before (UTC)"),
        api="eligibility",
    )
    min_contributions: int = term(
        kind=Kind.NUMBER,
        default=0,
        most=MAX_COUNT,
        label=_("Minimum positions and replies here"),
        api="eligibility",
    )
    min_community_edits: int = term(
        kind=Kind.NUMBER,
        default=0,
        most=MAX_COUNT,
        label=_("Minimum edits recorded in an eligible community"),
        api="eligibility",
    )
    eligible_communities: tuple = term(
        kind=Kind.COMMUNITIES,
        default=(),
        label=_("Eligible communities"),
        help_text=_("Leave empty to open the vote to members of any community, or none."),
        api="eligibility",
        api_name="communities",
        api_help="Slugs of the communities whose members may vote (empty: any).",
    )
    exclude_blocked: bool = term(
        kind=Kind.FLAG,
        default=True,
        label=_("Exclude people blocked in any community"),
        api="eligibility",
    )
    include_voters: tuple = term(
        kind=Kind.PEOPLE, default=(), label=_("Always eligible (user names, one per line)")
    )
    exclude_voters: tuple = term(
        kind=Kind.PEOPLE, default=(), label=_("Never eligible (user names, one per line)")
    )
    # Translations of the version that must be up to date before the vote opens.
    required_languages: tuple = term(
        kind=Kind.LANGUAGES,
        default=(),
        label=_("Translations that must be up to date before the vote opens"),
        help_text=_("The vote will not open while any of these is missing or outdated."),
    )


# name → Term, in the order of VoteSettings.
TERMS: dict[str, Term] = {
    field.name: dataclasses.replace(field.metadata["term"], name=field.name)
    for field in dataclasses.fields(VoteSettings)
}


def shown_in_api(place: str) -> list[Term]:
    """The terms the API shows at `place` ("vote" or "eligibility"), in order."""
    return [t for t in TERMS.values() if t.api == place]
