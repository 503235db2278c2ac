"""Atom feed of adoption declarations as they change."""

from django.contrib.syndication.views import Feed
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.feeds import XmlSafeAtom1Feed

from .models import Adoption

# Statuses as a sentence mentions them (lower case in English, not in every language).
STATUS_IN_SENTENCE = {
    "adopted": pgettext_lazy("adoption status, in a sentence", "adopted"),
    "adopted_with_overrides": pgettext_lazy(
        "adoption status, in a sentence", "adopted with local overrides"
    ),
    "own_equivalent": pgettext_lazy("adoption status, in a sentence", "own equivalent policy"),
    "opted_out": pgettext_lazy("adoption status, in a sentence", "opted out"),
    "under_discussion": pgettext_lazy("adoption status, in a sentence", "under discussion"),
    "undeclared": pgettext_lazy("adoption status, in a sentence", "undeclared"),
}


def _status(value: str) -> str:
    return str(STATUS_IN_SENTENCE.get(value) or Adoption.Status(value).label)


class AdoptionFeed(Feed):
    feed_type = XmlSafeAtom1Feed
    title = gettext_lazy("Accord: adoption changes")
    link = "/adoption/"
    subtitle = gettext_lazy(
        "Each community's declaration against the baseline policies, as it changes."
    )

    def items(self):
        return Adoption.history.select_related(
            "community", "policy", "version", "history_user"
        ).order_by("-history_date", "-history_id")[:50]

    def item_title(self, item):
        version = (
            " " + _("(version %(number)s)") % {"number": item.version.number}
            if item.version_id
            else ""
        )
        return f"{item.community.name}: {_status(item.status)} — {item.policy.title}{version}"

    def item_description(self, item):
        return escape(
            item.rationale or _("Declared %(status)s.") % {"status": _status(item.status)}
        )

    def item_link(self, item):
        return f"/communities/{item.community.slug}/"

    def item_guid(self, item):
        return f"adoption-change-{item.history_id}"

    def item_pubdate(self, item):
        return item.history_date

    def item_author_name(self, item):
        return item.history_user.get_username() if item.history_user else ""
