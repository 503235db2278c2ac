"""Communities and where each stands on each baseline policy.

A community with no Adoption row for a policy is "undeclared". Every change of a declaration
and of an override is kept (django-simple-history) and shown as a timeline."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from wagtail.search import index


class Community(index.Indexed, models.Model):
    class Kind(models.TextChoices):
        WIKI = "wiki", _("Wiki")
        PROJECT = "project", _("Project")
        CHAPTER = "chapter", _("Chapter")
        EVENT = "event", _("Event")
        OTHER = "other", _("Other")

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OTHER)
    language = models.CharField(
        max_length=20, blank=True, help_text=_("A language code such as en or pt-br.")
    )
    url = models.URLField(blank=True, verbose_name=_("home URL"))
    delegates = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="delegated_communities",
        help_text=_("People who may declare this community's status."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[])

    search_fields = [
        index.SearchField("name", boost=2),
        index.SearchField("slug"),
        index.FilterField("slug"),
        index.FilterField("language"),
        index.FilterField("kind"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("communities")

    def __str__(self):
        return self.name


class Adoption(models.Model):
    class Status(models.TextChoices):
        ADOPTED = "adopted", _("Adopted")
        OVERRIDES = "adopted_with_overrides", _("Adopted with local overrides")
        EQUIVALENT = "own_equivalent", _("Own equivalent policy")
        OPTED_OUT = "opted_out", _("Opted out")
        DISCUSSING = "under_discussion", _("Under discussion")
        UNDECLARED = "undeclared", _("Undeclared")

    ADOPTING = (Status.ADOPTED, Status.OVERRIDES)

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="adoptions")
    policy = models.ForeignKey("policies.PolicyPage", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.UNDECLARED)
    version = models.ForeignKey(
        "policies.PolicyVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The baseline version this declaration is pinned to."),
    )
    decided_on = models.DateField(null=True, blank=True)
    evidence_url = models.URLField(blank=True, help_text=_("The local discussion or vote."))
    rationale = models.TextField(blank=True)
    # Local enforcement: who enforces, how to report, how to appeal.
    enforcement_body = models.CharField(max_length=200, blank=True)
    report_contact = models.CharField(max_length=200, blank=True)
    appeal_process = models.TextField(blank=True)
    # Values for the baseline's placeholders, e.g. {"[CONTACT METHOD]": "conduct@wiki.example"}.
    parameters = models.JSONField(default=dict, blank=True)
    # Own equivalent policy.
    equivalent_title = models.CharField(max_length=200, blank=True)
    equivalent_url = models.URLField(blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    declared_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "policy"], name="one_adoption_per_policy")
        ]

    def __str__(self):
        return f"{self.community}: {self.get_status_display()}"

    @property
    def is_adopting(self) -> bool:
        return self.status in self.ADOPTING


class SectionOverride(models.Model):
    class Action(models.TextChoices):
        REPLACE = "replace", _("Replace the text")
        OMIT = "omit", _("Omit the section")

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="overrides")
    section_key = models.CharField(max_length=60)
    action = models.CharField(max_length=8, choices=Action.choices, default=Action.REPLACE)
    text = models.TextField(blank=True, help_text=_("Markdown; replaces the baseline section."))
    rationale = models.TextField()
    # The baseline section text this override was written against; when the baseline's
    # latest version has different text for the key, the override is stale.
    based_on = models.ForeignKey(
        "policies.SectionVersion", on_delete=models.PROTECT, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["adoption", "section_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["adoption", "section_key"], name="one_override_per_section"
            )
        ]

    def __str__(self):
        return f"{self.adoption.community}: {self.get_action_display()} {self.section_key}"


class EquivalentMapping(models.Model):
    class Coverage(models.TextChoices):
        COVERED = "covered", _("Covered")
        PARTLY = "partly", _("Partly covered")
        NOT_COVERED = "not_covered", _("Not covered")

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="mappings")
    section_key = models.CharField(max_length=60)
    coverage = models.CharField(max_length=12, choices=Coverage.choices)
    note = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["adoption", "section_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["adoption", "section_key"], name="one_mapping_per_section"
            )
        ]

    def __str__(self):
        return f"{self.section_key}: {self.get_coverage_display()}"


class Membership(models.Model):
    """Someone's standing in a community: used by vote eligibility.

    Edit counts and registration dates usually come from the community's own records (an
    import, or later the wiki's API); `source` and `updated_at` say where and when."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_memberships"
    )
    edit_count = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Edits or contributions counted by the community.")
    )
    registered_on = models.DateField(null=True, blank=True)
    blocked = models.BooleanField(
        default=False, help_text=_("Blocked in this community: not eligible to vote.")
    )
    source = models.CharField(
        max_length=200, blank=True, help_text=_("Where these figures come from.")
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["community", "user"]
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], name="one_membership_per_user")
        ]

    def __str__(self):
        return f"{self.user} in {self.community}"
