"""Wiring only: amendments merged into a draft are credited when the draft is published, and
the version history shows who wrote the merged wording."""

from django.dispatch import receiver

from policies.signals import version_published


@receiver(version_published)
def credit_merged_amendments(sender, version, **kwargs):
    from .services import record_landed_amendments

    record_landed_amendments(version=version)
