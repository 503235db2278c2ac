"""Ratification: the board's decision on a version, and community votes on it.

A vote's configuration (question, options, threshold, quorum, eligibility, version, secrecy
and times) is frozen once it leaves the draft state; services refuse and log any change.

Ballots are split in two so that a secret vote stays secret to anyone reading the database:

* `Ballot` is public: who voted, as which community, and whether a scrutineer struck it.
* `Choice` holds the option. In a secret vote it has no reference to the voter: a random UUID
  key, the SHA-256 of the receipt the voter was given, an owner tag that is an HMAC of
  (vote, voter) under a key kept outside the database (settings.BALLOT_SECRET_KEY), and the
  option itself encrypted (AES-GCM) under a key derived from the same secret. Only code
  holding that key can find a voter's choice (to replace it or strike it) or read it.

  Encrypting the option matters: choices carry no timestamps or ordered ids, but a database
  reader can still line rows up with ballots by how the database stores them (insertion order,
  PostgreSQL's transaction ids). They then learn which row is whose, never what it says.
  Counts are worked out when the vote closes and stored on the vote.

After close the vote publishes its ballot list: each counted choice's option beside a
fingerprint only its voter can recognise (ballot_list.py explains the fingerprint)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.naming import public_name

from .terms import TERMS

DEFAULT_OPTIONS = [
    {"key": "yes", "label": "Yes", "counts_as": "for"},
    {"key": "no", "label": "No", "counts_as": "against"},
    {"key": "abstain", "label": "Abstain", "counts_as": "abstain"},
]


def default_options():
    return [dict(option) for option in DEFAULT_OPTIONS]


class BoardRatification(models.Model):
    class Outcome(models.TextChoices):
        RATIFIED = "ratified", _("Ratified")
        REJECTED = "rejected", _("Rejected")
        DEFERRED = "deferred", _("Deferred")

    version = models.ForeignKey(
        "policies.PolicyVersion", on_delete=models.PROTECT, related_name="board_decisions"
    )
    body = models.CharField(
        max_length=200, help_text=_("The governing body, e.g. Board of Trustees.")
    )
    decided_on = models.DateField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    minutes_url = models.URLField(blank=True, verbose_name=_("minutes URL"))
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_on", "-pk"]

    def __str__(self):
        return f"{self.body}: {self.get_outcome_display()} on {self.decided_on}"


class ExternalTally(models.Model):
    """The result of a vote held elsewhere (a community's own wiki vote, a meeting)."""

    class Outcome(models.TextChoices):
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")
        INCONCLUSIVE = "inconclusive", _("Inconclusive")

    version = models.ForeignKey(
        "policies.PolicyVersion", on_delete=models.PROTECT, related_name="external_tallies"
    )
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="external_tallies",
    )
    title = models.CharField(max_length=200)
    held_until = models.DateField(help_text=_("The day the vote closed."))
    votes_for = models.PositiveIntegerField(default=0)
    votes_against = models.PositiveIntegerField(default=0)
    votes_abstain = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    source_url = models.URLField(verbose_name=_("source URL"))
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_until", "-pk"]
        verbose_name_plural = _("external tallies")

    def __str__(self):
        return self.title


class Vote(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Scheduled or open")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    # Every field a voter relies on: the version voted on and the terms (terms.py). None may
    # change once the vote has left the draft state.
    FROZEN_FIELDS = ("version", *TERMS)

    version = models.ForeignKey(
        "policies.PolicyVersion", on_delete=models.PROTECT, related_name="votes"
    )
    content_hash = models.CharField(
        max_length=64, help_text=_("The version's SHA-256, copied when the vote is created.")
    )
    question = models.CharField(max_length=300)
    description = models.TextField(blank=True, help_text=_("Markdown."))
    options = models.JSONField(default=default_options)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    secret = models.BooleanField(
        default=True,
        help_text=_("Secret ballot: the list of voters is public, their choices are not."),
    )
    # Threshold: "for" ballots must be at least numerator/denominator of for + against.
    threshold_numerator = models.PositiveSmallIntegerField(default=2)
    threshold_denominator = models.PositiveSmallIntegerField(default=3)
    quorum_ballots = models.PositiveIntegerField(
        default=0, help_text=_("Minimum number of counted ballots, abstentions included.")
    )
    quorum_communities = models.PositiveIntegerField(
        default=0, help_text=_("Minimum number of communities represented among the voters.")
    )
    breakdown_min_group = models.PositiveSmallIntegerField(
        default=10,
        help_text=_("Communities with fewer voters than this are not shown separately in results."),
    )
    # Eligibility, combined with AND; the include list overrides everything but the exclude list.
    registered_before = models.DateTimeField(
        null=True, blank=True, help_text=_("Accounts created before this moment.")
    )
    min_contributions = models.PositiveIntegerField(
        default=0, help_text=_("Positions and replies written here.")
    )
    min_community_edits = models.PositiveIntegerField(
        default=0, help_text=_("Edits counted by a community (imported memberships).")
    )
    eligible_communities = models.ManyToManyField(
        "communities.Community", blank=True, related_name="+"
    )
    exclude_blocked = models.BooleanField(
        default=True, help_text=_("People blocked in any community may not vote.")
    )
    # Language codes whose translations of the version must be up to date before the vote opens.
    required_languages = models.JSONField(default=list, blank=True)
    include_voters = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    exclude_voters = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    frozen_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)
    # Filled when the vote closes (and again after a late strike): counts per community for
    # groups large enough to show. Computing it needs the ballot key, so it is stored.
    breakdown = models.JSONField(null=True, blank=True)
    # Counted ballots per option, worked out at close (and again after a late strike).
    tally = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="vote_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(threshold_denominator__gt=0)
                & Q(threshold_numerator__lte=models.F("threshold_denominator")),
                name="vote_threshold_is_a_fraction",
            ),
        ]

    def __str__(self):
        return self.question

    def option_labels(self) -> dict[str, str]:
        return {option["key"]: option["label"] for option in self.options}

    @property
    def threshold_text(self) -> str:
        return f"{self.threshold_numerator}/{self.threshold_denominator}"


class Ballot(models.Model):
    """The public record that someone voted. In a secret vote it says nothing of the choice."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="ballots")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The community the voter voted as."),
    )
    cast_at = models.DateTimeField()
    changed_at = models.DateTimeField()
    times_changed = models.PositiveIntegerField(default=0)
    struck = models.BooleanField(default=False)
    struck_reason = models.CharField(max_length=500, blank=True)
    struck_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    struck_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["vote", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "voter"], name="one_ballot_per_voter")
        ]

    def __str__(self):
        return f"Ballot of {self.voter} in vote {self.vote_id}"


class Choice(models.Model):
    """The option a ballot counts for. See the module docstring for why it looks like this."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="choices")
    owner_tag = models.CharField(max_length=64)
    receipt_digest = models.CharField(max_length=64, unique=True)
    # The row's public fingerprint in the ballot list (ballot_list.py): derived from the receipt,
    # never equal to receipt_digest. Blank for choices cast before it was stored.
    fingerprint = models.CharField(max_length=64, blank=True)
    option = models.CharField(max_length=40, blank=True, help_text=_("Open votes only."))
    sealed_option = models.TextField(
        blank=True, help_text=_("Secret votes: the option, encrypted with the ballot key.")
    )
    struck = models.BooleanField(default=False)
    # Only in an open (non-secret) vote.
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vote", "owner_tag"], name="one_choice_per_voter")
        ]
        indexes = [models.Index(fields=["vote", "struck", "option"], name="choice_count")]

    def __str__(self):
        return f"A choice in vote {self.vote_id}"


class RetiredReceipt(models.Model):
    """A receipt replaced when its holder changed their ballot: checking it says so."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="+")
    digest = models.CharField(max_length=64, unique=True)

    def __str__(self):
        return f"A replaced receipt in vote {self.vote_id}"


class AuditEntry(models.Model):
    """The public log of a vote's life and of ratification records: who did what, and why.

    People are kept as references, never as names in the text: `actor` did it, `subject` is
    whom it is about (a struck ballot's voter). Names are worked out when the log is shown, so
    when an account is anonymised every entry about it reads "former participant" with nothing
    stored rewritten."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        CHANGED = "changed", _("Changed")
        REFUSED = "refused", _("Change refused")
        OPENED = "opened", _("Opened")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")
        STRUCK = "struck", _("Ballot struck")
        BOARD = "board", _("Board decision recorded")
        EXTERNAL = "external", _("External tally recorded")

    # How an entry about someone reads; `message` holds what follows their name.
    ABOUT_SUBJECT = {Action.STRUCK: "Struck the ballot of {subject}: {message}"}

    vote = models.ForeignKey(
        Vote, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_entries"
    )
    version = models.ForeignKey(
        "policies.PolicyVersion", on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Whom the entry is about (a struck ballot's voter), named only when the log is shown.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    message = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = _("audit entries")

    def __str__(self):
        return f"{self.get_action_display()}: {self.text}"

    @property
    def text(self) -> str:
        """The entry as the public log shows it, naming its subject by their public name."""
        template = self.ABOUT_SUBJECT.get(self.action)
        if template is None or self.subject_id is None:
            return self.message
        return template.format(subject=public_name(self.subject), message=self.message)
