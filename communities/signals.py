"""Wiring only: when a baseline publishes a new version, tell the adopting communities."""

from django.db import transaction
from django.dispatch import receiver

from policies.signals import version_published


@receiver(version_published)
def tell_adopting_communities(sender, version, **kwargs):
    from .tasks import notify_new_baseline_version

    transaction.on_commit(lambda: notify_new_baseline_version.enqueue(version.pk))
