"""Atom feed of published consultation summaries."""

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.utils.html import escape
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.feeds import XmlSafeAtom1Feed

from .selectors import consultation_url, visible_summaries


class SummaryFeed(Feed):
    feed_type = XmlSafeAtom1Feed
    title = _("Accord: consultation summaries")
    link = "/"
    subtitle = _("What people said in each consultation, and what changed.")

    def items(self):
        return (
            visible_summaries(AnonymousUser())
            .select_related("consultation__version__policy", "published_by")
            .order_by("-published_at", "-pk")[:50]
        )

    def item_title(self, item):
        return gettext("Summary: %(title)s") % {"title": item.consultation.title}

    def item_description(self, item):
        policy = item.consultation.version.policy
        return escape(
            gettext("%(policy)s, version %(number)s.")
            % {"policy": policy.title, "number": item.consultation.version.number}
            + f" {item.intro[:500]}"
        )

    def item_link(self, item):
        return consultation_url(item.consultation) + "summary/"

    def item_pubdate(self, item):
        return item.published_at

    def item_author_name(self, item):
        return item.published_by.get_username() if item.published_by else ""
