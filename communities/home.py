"""The baseline policy's adoption at a glance on the home page (registered with policies.home
in apps.py)."""

from django.urls import reverse

from policies import selectors as policy_selectors
from policies.home import Glance
from policies.models import PolicyPage

from .selectors import adoption_picture


def adoption_glance() -> Glance | None:
    """Counts per status for the latest version of the site's baseline policy, linking to the
    dashboard: five queries. None while no baseline policy with a version is set."""
    baseline_id = policy_selectors.baseline_policy_id()
    policy = PolicyPage.objects.live().filter(pk=baseline_id).first() if baseline_id else None
    version = policy_selectors.latest_version(policy) if policy else None
    if version is None:
        return None
    return Glance(
        template="communities/_adoption_glance.html",
        context={
            "policy": policy,
            "version": version,
            "picture": adoption_picture(version),
            "dashboard_url": reverse("communities:dashboard"),
        },
    )
