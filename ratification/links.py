"""The ratification status of a version, linked from the policy page and from each entry of
its version history (registered with policies.links in apps.py)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from policies.links import Link


def policy_links(page, *, version, place):
    if version is None:
        return []
    url = reverse("ratification:status_version", args=[page.slug, version.number])
    if place == "policy":
        return [Link(_("Ratification"), url)]
    if place == "history":
        return [Link(_("Ratification of version %(number)s") % {"number": version.number}, url)]
    return []
