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
    # The wiki page that holds the community's copy (adopted text, override text or its own
    # policy), watched for drift by communities.wiki_services.check_wiki_copies.
    wiki_api_url = models.URLField(
        blank=True,
        verbose_name=_("wiki API address"),
        help_text=_("The wiki's api.php, e.g. https://en.wikipedia.org/w/api.php."),
    )
    wiki_page = models.CharField(
        max_length=255,
        blank=True,
        verbose_name=_("wiki page"),
        help_text=_("The title of the wiki page that holds the community's copy."),
    )
    # The revision the community agreed to (published from Accord, or acknowledged by a
    # delegate) and its text, normalised: a copy equal to it is not flagged again.
    wiki_agreed_revision = models.PositiveBigIntegerField(null=True, blank=True)
    wiki_agreed_text = models.TextField(blank=True)
    # The latest check, kept beside the declaration so lists read it in their own query.
    wiki_check = models.ForeignKey(
        "WikiCopyCheck", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["wiki_agreed_text", "wiki_check"])

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


class WikiCopyCheck(models.Model):
    """One comparison of a declaration's wiki page with what the declaration says. Every check
    is kept (and logged publicly); `Adoption.wiki_check` points at the latest.

    A difference keeps the texts compared (normalised), so the page shows its word diff without
    asking the wiki again; "since" names the first revision that differed."""

    class Outcome(models.TextChoices):
        MATCHES = "matches", _("Matches")
        AGREED = "agreed", _("Differs as agreed")  # equal to an acknowledged or published text
        DIFFERS = "differs", _("Differs")
        FAILED = "failed", _("Check failed")

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="wiki_checks")
    checked_at = models.DateTimeField()
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    api_url = models.URLField()
    page_title = models.CharField(max_length=255)
    revision_id = models.PositiveBigIntegerField(null=True, blank=True)
    revision_at = models.DateTimeField(null=True, blank=True)
    revision_user = models.CharField(max_length=255, blank=True)
    since_revision = models.PositiveBigIntegerField(null=True, blank=True)
    since_at = models.DateTimeField(null=True, blank=True)
    since_user = models.CharField(max_length=255, blank=True)
    expected_text = models.TextField(blank=True)
    wiki_text = models.TextField(blank=True)
    # Whether this check changed what the page says (a new difference, back in line, failing).
    news = models.BooleanField(default=False)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-checked_at", "-pk"]
        indexes = [models.Index(fields=["adoption", "-checked_at"])]

    def __str__(self):
        return f"{self.adoption}: {self.get_outcome_display()} ({self.page_title})"

    @property
    def needs_review(self) -> bool:
        """An own equivalent policy changed on the wiki: its coverage mapping needs review."""
        return self.adoption.status == Adoption.Status.EQUIVALENT


class WikiPublication(models.Model):
    """A text Accord published to a wiki page with a delegate's own account: recorded only once
    the wiki accepted the edit, with the revision it made."""

    class Source(models.TextChoices):
        EFFECTIVE = "effective", _("The community's effective text")
        BASELINE = "baseline", _("The baseline version")

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="publications")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    wiki_username = models.CharField(max_length=255, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    version = models.ForeignKey(
        "policies.PolicyVersion", on_delete=models.PROTECT, related_name="+"
    )
    api_url = models.URLField()
    page_title = models.CharField(max_length=255)
    revision_id = models.PositiveBigIntegerField()
    content_hash = models.CharField(max_length=64)
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["-published_at", "-pk"]

    def __str__(self):
        return f"{self.adoption} → {self.page_title} r{self.revision_id}"
