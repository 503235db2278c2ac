"""Wiring only: when a baseline publishes a new version, tell the adopting communities."""

from django.db import transaction
from django.dispatch import receiver

from core.site_url import site_base_url
from policies.signals import version_published


@receiver(version_published)
def tell_adopting_communities(sender, version, **kwargs):
    from .tasks import notify_new_baseline_version

    base_url = site_base_url()
    transaction.on_commit(
        lambda: notify_new_baseline_version.enqueue(version.pk, base_url=base_url)
    )
