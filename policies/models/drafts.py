"""Drafts set aside when their publication was refused because someone published first."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SetAsideDraft(models.Model):
    """A refused draft, kept apart from the page's working draft.

    Wagtail saves the editor's text as the page's latest revision before publishing, so a
    refused publication would otherwise become the text the next editor opens and could publish
    unseen. The refused revision is recorded here instead and the working draft goes back to
    what it was; the draft's author (or another editor) then carries its changes onto the
    current text, seeing what it changes, or discards it."""

    class State(models.TextChoices):
        WAITING = "waiting", _("waiting to be carried over")
        CARRIED = "carried", _("carried onto the current text")
        DISCARDED = "discarded", _("discarded")

    page = models.ForeignKey(
        "policies.PolicyPage", on_delete=models.CASCADE, related_name="set_aside_drafts"
    )
    revision = models.OneToOneField(
        "wagtailcore.Revision", on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The version the author was editing, and the newest version when publishing was refused.
    base_version = models.PositiveIntegerField()
    refused_by_version = models.PositiveIntegerField()
    summary = models.CharField(max_length=500, blank=True)
    set_aside_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-set_aside_at", "-pk"]
        indexes = [models.Index(fields=["page", "state"])]

    def __str__(self):
        return f"set-aside draft {self.pk} of {self.page_id}"
