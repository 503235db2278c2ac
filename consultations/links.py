"""The consultations' link on a policy page (registered with policies.links in apps.py)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from policies.links import Link


def policy_links(page, *, version, place):
    if place != "policy":
        return []
    return [Link(_("Consultations"), reverse("consultations:list", args=[page.slug]))]
