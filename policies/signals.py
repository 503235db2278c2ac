"""Wiring only: every publication of a policy page, by any path, becomes a version."""

from django.dispatch import Signal, receiver
from wagtail.signals import page_published

from .models import PolicyPage

# Sent after the transaction that recorded a new PolicyVersion commits, with `version`.
# Later apps (communities, translations) listen here instead of being imported by policies.
version_published = Signal()


@receiver(page_published, sender=PolicyPage)
def snapshot_published_policy(sender, instance, revision, alias=False, **kwargs):
    if alias:
        return
    from .services import record_version

    record_version(page=instance, revision=revision, user=revision.user if revision else None)
