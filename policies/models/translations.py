"""Translations of published versions, tied section by section to the text they translate.

A translation never follows the live draft: it names the immutable version it was made from,
and each of its sections points at that version's section with the same key. Whether it is
still accurate is worked out later, against whatever version is current (policies.translating).

Why not wagtail-localize: it translates the live page tree string by string and re-syncs on
each source publish. Here a translation must stay tied to one immutable published version,
arrive whole from a Markdown file, and be judged fresh section by section against later
versions; its model expresses none of that. Languages are still wagtailcore.Locale rows.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .versions import ImmutableModel


class PolicyTranslation(ImmutableModel):
    """One imported translation of one published version into one language. Like versions,
    rows are never edited: a corrected translation of the same version is a new revision."""

    source_version = models.ForeignKey(
        "policies.PolicyVersion", on_delete=models.PROTECT, related_name="translations"
    )
    locale = models.ForeignKey("wagtailcore.Locale", on_delete=models.PROTECT, related_name="+")
    revision = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=255)
    translator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept beside the foreign key so attribution survives a deleted account.
    translator_name = models.CharField(max_length=150)
    note = models.TextField(blank=True, help_text=_("Who translated it, and how."))
    created_at = models.DateTimeField()
    # The source version's content hash when the translation was made, shown to readers.
    source_content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["source_version", "locale", "revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_version", "locale", "revision"],
                name="unique_translation_revision",
            )
        ]

    def __str__(self):
        return f"{self.title} ({self.locale.language_code}, v{self.source_version.number})"


class TranslatedSection(ImmutableModel):
    translation = models.ForeignKey(
        PolicyTranslation, on_delete=models.PROTECT, related_name="sections"
    )
    # The section of the source version this text translates: its key, heading and body hash
    # are what freshness is judged by.
    source_section = models.ForeignKey(
        "policies.SectionVersion", on_delete=models.PROTECT, related_name="+"
    )
    key = models.SlugField(max_length=60)
    source_body_hash = models.CharField(max_length=64)
    position = models.PositiveIntegerField()
    heading = models.CharField(max_length=255)
    body = models.TextField(blank=True)

    class Meta:
        ordering = ["translation", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["translation", "key"], name="unique_translated_section_key"
            )
        ]

    def __str__(self):
        return f"{self.translation} § {self.heading}"
