"""Amendments to a consulted version: better wording proposed by a participant, its
revisions, and where an accepted one was merged into the policy.

The tables were created by the consultations app and keep their names (Meta.db_table): moving
the models here changed no row."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation


def amendment_key(amendment_id: int) -> str:
    """The pseudo-section positions on an amendment are filed under, so tallies, threads,
    moderation and exports work for amendments exactly as for sections."""
    return f"amendment-{amendment_id}"


class Amendment(models.Model):
    """Better wording proposed by a participant for one section of the consulted version."""

    class Kind(models.TextChoices):
        REPLACE = "replace", _("Replace the text")
        DELETE = "delete", _("Delete the section")
        INSERT = "insert", _("Add a new section after it")

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        ACCEPTED = "accepted", _("Accepted")
        PARTLY = "partly", _("Partly accepted")
        REJECTED = "rejected", _("Rejected")

    DECIDED = (State.ACCEPTED, State.PARTLY, State.REJECTED)
    MERGEABLE = (State.ACCEPTED, State.PARTLY)

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="amendments"
    )
    section_key = models.CharField(max_length=60)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.REPLACE)
    heading = models.CharField(max_length=255, blank=True, help_text=_("For a new section."))
    text = models.TextField(
        blank=True, help_text=_("Markdown: the replacement or the new section.")
    )
    rationale = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PROPOSED)
    revision = models.PositiveIntegerField(default=1)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "consultations_amendment"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Amendment {self.pk} to {self.section_key}"

    @property
    def key(self) -> str:
        return amendment_key(self.pk)


class AmendmentRevision(models.Model):
    """Every wording the author proposed, so revisions can be compared."""

    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=Amendment.Kind.choices)
    heading = models.CharField(max_length=255, blank=True)
    text = models.TextField(blank=True)
    rationale = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        db_table = "consultations_amendmentrevision"
        ordering = ["amendment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["amendment", "number"], name="one_amendment_revision_number"
            )
        ]

    def __str__(self):
        return f"Amendment {self.amendment_id}, revision {self.number}"


class AmendmentMerge(models.Model):
    """An accepted amendment applied to the policy's draft, and where it landed once published."""

    amendment = models.OneToOneField(Amendment, on_delete=models.PROTECT, related_name="merge")
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField()
    # The section text (or, for a deletion, "") the draft holds after applying it.
    result_heading = models.CharField(max_length=255, blank=True)
    result_key = models.CharField(max_length=60)
    version = models.ForeignKey(
        "policies.PolicyVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_amendments",
        help_text=_("The published version the amendment landed in."),
    )

    class Meta:
        db_table = "consultations_amendmentmerge"
        ordering = ["applied_at", "pk"]

    def __str__(self):
        return f"Merge of amendment {self.amendment_id}"
