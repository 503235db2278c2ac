"""Published versions: immutable snapshots of a policy's text."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from core.immutable import RowIsImmutable, WriteOnceModel


class ImmutableVersionError(RowIsImmutable):
    """A published version or section was about to be changed or deleted."""


class ImmutableModel(WriteOnceModel):
    """Rows are written once. Changing published text silently is what this product exists to
    prevent, so an update or delete of a single row fails loudly (core.immutable)."""

    immutable_error = ImmutableVersionError
    immutable_verb = "published"

    class Meta:
        abstract = True


class PolicyVersion(ImmutableModel):
    policy = models.ForeignKey(
        "policies.PolicyPage", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField()
    label = models.CharField(
        max_length=20, blank=True, help_text=_('Optional public label such as "2.1".')
    )
    title = models.CharField(max_length=255)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept beside the foreign key so attribution survives a deleted account.
    author_name = models.CharField(max_length=150)
    summary = models.TextField()
    created_at = models.DateTimeField()
    content_hash = models.CharField(max_length=64)
    revision = models.OneToOneField(
        "wagtailcore.Revision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Change statistics against the previous version, computed once at publication.
    sections_added = models.PositiveIntegerField(default=0)
    sections_removed = models.PositiveIntegerField(default=0)
    sections_changed = models.PositiveIntegerField(default=0)
    words_added = models.PositiveIntegerField(default=0)
    words_removed = models.PositiveIntegerField(default=0)
    word_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["policy", "number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="unique_version_number")
        ]

    def __str__(self):
        return f"{self.title} v{self.number}"

    @property
    def display_name(self):
        return f"version {self.number}" + (f" ({self.label})" if self.label else "")


class SectionVersion(index.Indexed, ImmutableModel):
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="sections")
    key = models.SlugField(max_length=60)
    heading = models.CharField(max_length=255)
    position = models.PositiveIntegerField()
    body = models.TextField(blank=True)
    body_hash = models.CharField(max_length=64, db_index=True)

    # Site search (search/selectors.py). Rows are bulk-created, which sends no post_save, so
    # policies.services.record_version indexes them itself.
    search_fields = [
        index.SearchField("heading", boost=2),
        index.SearchField("body"),
        index.FilterField("version"),
        index.FilterField("key"),
    ]

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "key"], name="unique_section_key_per_version"
            )
        ]

    def __str__(self):
        return f"{self.version} § {self.heading}"
