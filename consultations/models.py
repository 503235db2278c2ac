"""Consultations on a published policy version: positions, replies, moderation, summaries.

Nothing here is ever deleted by the application: hiding replaces text with a notice, and every
change of a position is kept in its history."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from wagtail.search import index

from accounts.naming import public_name

WHOLE_TEXT = "__whole__"  # the pseudo-section for positions on the policy as a whole


class Consultation(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        SUMMARISED = "summarised", _("Summarised")

    version = models.ForeignKey(
        "policies.PolicyVersion", on_delete=models.PROTECT, related_name="consultations"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text=_("Markdown."))
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    state_note = models.CharField(
        max_length=500, blank=True, help_text=_("Why the consultation is in its current state.")
    )
    # Language codes (settings.ACCORD_POLICY_LANGUAGES) whose translations of the version must
    # be up to date before the consultation may open.
    required_languages = models.JSONField(default=list, blank=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    state_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="consultation_closes_after_opening",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def state_note_text(self) -> str:
        """The note shown beside the state. A consultation closed without one says who closed
        it, named when the page is shown (an anonymised account as "former participant"), so
        the stored note never holds a person's name."""
        if self.state_note:
            return self.state_note
        if self.state == self.State.CLOSED and self.state_changed_by_id:
            return gettext("Closed by %(name)s.") % {"name": public_name(self.state_changed_by)}
        return ""

    @property
    def is_open(self) -> bool:
        """Open and before its closing time: a consultation past its closing time takes no
        more input even before the facilitators (or cron) mark it closed."""
        from django.utils import timezone

        return self.state == self.State.OPEN and timezone.now() < self.closes_at


class Moderatable(models.Model):
    """Hidden content stays in the database and is replaced by a notice on public pages."""

    hidden = models.BooleanField(default=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        abstract = True


class Authored(models.Model):
    """Written by a local account, or imported from a wiki discussion under the name used there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_author = models.CharField(max_length=150, blank=True)
    imported_from = models.CharField(max_length=200, blank=True)
    # A hash of the imported item, so importing the same discussion twice adds nothing.
    import_key = models.CharField(max_length=64, blank=True)

    class Meta:
        abstract = True

    @property
    def author_name(self) -> str:
        if self.user_id:
            # An anonymised account shows as "former participant" (accounts.naming).
            return public_name(self.user)
        return self.imported_author or gettext("unsigned")


class Position(index.Indexed, Moderatable, Authored):
    class Stance(models.TextChoices):
        SUPPORT = "support", _("Support")
        OPPOSE = "oppose", _("Oppose")
        NEUTRAL = "neutral", _("Neutral")

    class Strength(models.TextChoices):
        NONE = "", "—"
        STRONG = "strong", _("Strong")
        WEAK = "weak", _("Weak")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="positions"
    )
    section_key = models.CharField(max_length=60)
    stance = models.CharField(max_length=8, choices=Stance.choices, blank=True)
    strength = models.CharField(max_length=6, choices=Strength.choices, blank=True, default="")
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    history = HistoricalRecords(
        excluded_fields=["hidden_by", "hidden_at", "hidden_reason", "hidden"]
    )

    # Site search (search/selectors.py). Hidden positions are left out of the index
    # (services.moderate removes and restores them) and filtered out again at query time.
    search_fields = [
        index.SearchField("reason"),
        index.FilterField("hidden"),
        index.FilterField("stance"),
        index.FilterField("section_key"),
        index.FilterField("consultation"),
        index.FilterField("user"),
    ]

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # The tally: GROUP BY section and stance over visible positions, index-only.
            models.Index(
                fields=["consultation", "section_key", "stance"],
                condition=Q(hidden=False),
                name="position_tally",
            ),
            # The page: the latest positions per section.
            models.Index(
                fields=["consultation", "section_key", "-updated_at"], name="position_latest"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "section_key", "user"],
                condition=Q(user__isnull=False),
                name="one_position_per_person_per_section",
            ),
            models.UniqueConstraint(
                fields=["consultation", "import_key"],
                condition=~Q(import_key=""),
                name="unique_imported_position",
            ),
        ]

    def __str__(self):
        return f"{self.author_name}: {self.stance or 'comment'} on {self.section_key}"

    @classmethod
    def get_indexed_objects(cls):
        return super().get_indexed_objects().filter(hidden=False)


class Reply(index.Indexed, Moderatable, Authored):
    MAX_DEPTH = 3

    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="replies")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    depth = models.PositiveSmallIntegerField(default=1)
    body = models.TextField()
    created_at = models.DateTimeField()

    # Site search: as for positions, hidden replies stay out of the index and out of results.
    search_fields = [
        index.SearchField("body"),
        index.FilterField("hidden"),
        index.FilterField("position"),
        index.FilterField("user"),
    ]

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = _("replies")
        constraints = [
            models.UniqueConstraint(
                fields=["position", "import_key"],
                condition=~Q(import_key=""),
                name="unique_imported_reply",
            ),
        ]

    def __str__(self):
        return f"Reply by {self.author_name}"

    @classmethod
    def get_indexed_objects(cls):
        return super().get_indexed_objects().filter(hidden=False)


class ModerationAction(models.Model):
    class Action(models.TextChoices):
        HIDE = "hide", _("Hidden")
        RESTORE = "restore", _("Restored")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="moderation_actions"
    )
    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reply = models.ForeignKey(
        Reply, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=8, choices=Action.choices)
    reason = models.CharField(max_length=500)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(position__isnull=False, reply__isnull=True)
                | Q(position__isnull=True, reply__isnull=False),
                name="moderation_targets_one_item",
            )
        ]

    def __str__(self):
        return f"{self.get_action_display()} by {self.actor_id}: {self.reason}"


class Flag(models.Model):
    """A participant asks facilitators to look at a position or reply."""

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="flags")
    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reply = models.ForeignKey(
        Reply, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Flag: {self.reason}"


class PrivateFeedback(models.Model):
    """Seen by facilitators only: never on public pages, in the API, exports or feeds."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="private_feedback"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    section_key = models.CharField(max_length=60, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = _("private feedback")

    def __str__(self):
        return f"Private feedback {self.pk}"


class Summary(index.Indexed, models.Model):
    consultation = models.OneToOneField(
        Consultation, on_delete=models.PROTECT, related_name="summary"
    )
    intro = models.TextField(blank=True, help_text=_("Markdown."))
    # The published version that carries the answer to this consultation, chosen by the
    # facilitators: "you said → we changed" compares the consulted version with it.
    answered_by = models.ForeignKey(
        "policies.PolicyVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    # Site search: the intro and every section's text, one entry per summary. Only published
    # summaries are indexed; services.save_summary re-indexes after changing the sections.
    search_fields = [
        index.SearchField("intro"),
        index.RelatedFields("sections", [index.SearchField("text")]),
        index.FilterField("published_at"),
        index.FilterField("consultation"),
    ]

    class Meta:
        verbose_name_plural = _("summaries")

    def __str__(self):
        return f"Summary of {self.consultation_id}"

    @classmethod
    def get_indexed_objects(cls):
        return super().get_indexed_objects().filter(published_at__isnull=False)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class SummarySection(models.Model):
    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        PARTLY = "partly", _("Partly accepted")
        NOT_ACCEPTED = "not_accepted", _("Not accepted")
        NO_CHANGE = "no_change", _("No change needed")

    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="sections")
    section_key = models.CharField(max_length=60)
    outcome = models.CharField(max_length=14, choices=Outcome.choices)
    text = models.TextField(
        help_text=_("Markdown. Cite positions by their permalinks (#position-N).")
    )
    cited_positions = models.ManyToManyField(Position, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["summary", "section_key"], name="one_summary_per_section"
            )
        ]

    def __str__(self):
        return f"{self.section_key}: {self.get_outcome_display()}"


class WikiDiscussionSource(models.Model):
    """A wiki talk page whose discussion is imported into a consultation, and the revision of
    it last read, so that importing it again brings only what changed since."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="wiki_sources"
    )
    api_url = models.URLField(_("MediaWiki API URL"), max_length=500)
    title = models.CharField(_("page title"), max_length=255)
    page_id = models.PositiveBigIntegerField(null=True, blank=True)
    last_revision_id = models.PositiveBigIntegerField(null=True, blank=True)
    last_revision_at = models.DateTimeField(null=True, blank=True)
    last_revision_user = models.CharField(max_length=255, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("wiki discussion source")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "api_url", "title"], name="one_source_per_wiki_page"
            )
        ]

    def __str__(self):
        return f"{self.title} at {self.api_url}"


class WikiComment(models.Model):
    """One comment of a wiki discussion as it read when last imported, under a key that
    survives edits of the comment (consultations.wiki_comments). Its history keeps every
    earlier wording, also of replies, which keep no history of their own."""

    source = models.ForeignKey(
        WikiDiscussionSource, on_delete=models.PROTECT, related_name="comments"
    )
    key = models.CharField(max_length=64)
    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reply = models.ForeignKey(
        Reply, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    content_hash = models.CharField(max_length=64)
    text = models.TextField()
    first_revision_id = models.PositiveBigIntegerField()
    changed_in_revision_id = models.PositiveBigIntegerField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="one_record_per_wiki_comment"),
            models.CheckConstraint(
                condition=Q(position__isnull=False, reply__isnull=True)
                | Q(position__isnull=True, reply__isnull=False),
                name="wiki_comment_is_one_item",
            ),
        ]

    def __str__(self):
        return f"Wiki comment {self.key[:12]} from source {self.source_id}"
