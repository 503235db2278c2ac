"""Atom feed of adoption declarations as they change."""

from django.contrib.syndication.views import Feed
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.feeds import XmlSafeAtom1Feed

from .models import Adoption, WikiCopyCheck

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
        """Declaration changes and new differences of a wiki's copy, newest first."""
        changes = list(
            Adoption.history.select_related(
                "community", "policy", "version", "history_user"
            ).order_by("-history_date", "-history_id")[:50]
        )
        drifts = list(
            WikiCopyCheck.objects.filter(outcome=WikiCopyCheck.Outcome.DIFFERS, news=True)
            .select_related("adoption__community", "adoption__policy")
            .order_by("-checked_at", "-pk")[:50]
        )
        merged = sorted(
            changes + drifts,
            key=lambda i: i.checked_at if isinstance(i, WikiCopyCheck) else i.history_date,
            reverse=True,
        )
        return merged[:50]

    def item_title(self, item):
        if isinstance(item, WikiCopyCheck):
            return _("%(community)s: the wiki's copy of %(policy)s differs") % {
                "community": item.adoption.community.name,
                "policy": item.adoption.policy.title,
            }
        version = (
            " " + _("(version %(number)s)") % {"number": item.version.number}
            if item.version_id
            else ""
        )
        return f"{item.community.name}: {_status(item.status)} — {item.policy.title}{version}"

    def item_description(self, item):
        if isinstance(item, WikiCopyCheck):
            text = _(
                "The wiki's copy (%(page)s) differs since revision %(revision)s (%(date)s, "
                "%(editor)s)."
            ) % {
                "page": item.page_title,
                "revision": item.since_revision,
                "date": date_format(item.since_at, "DATE_FORMAT") if item.since_at else "—",
                "editor": item.since_user or "—",
            }
            if item.adoption.status == Adoption.Status.EQUIVALENT:
                text += " " + _("The mapping of the community's own policy needs review.")
            return escape(text)
        return escape(
            item.rationale or _("Declared %(status)s.") % {"status": _status(item.status)}
        )

    def item_link(self, item):
        if isinstance(item, WikiCopyCheck):
            return (
                f"/communities/{item.adoption.community.slug}/#policy-{item.adoption.policy.slug}"
            )
        return f"/communities/{item.community.slug}/"

    def item_guid(self, item):
        if isinstance(item, WikiCopyCheck):
            return f"wiki-copy-differs-{item.pk}"
        return f"adoption-change-{item.history_id}"

    def item_pubdate(self, item):
        return item.checked_at if isinstance(item, WikiCopyCheck) else item.history_date

    def item_author_name(self, item):
        if isinstance(item, WikiCopyCheck):
            return item.revision_user
        return item.history_user.get_username() if item.history_user else ""
