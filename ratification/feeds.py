"""Atom feed of votes opening, closing and being cancelled."""

from django.contrib.syndication.views import Feed
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from core.feeds import XmlSafeAtom1Feed

from .models import AuditEntry

EVENTS = (AuditEntry.Action.OPENED, AuditEntry.Action.CLOSED, AuditEntry.Action.CANCELLED)


class VoteFeed(Feed):
    feed_type = XmlSafeAtom1Feed
    title = _("Accord: votes opened and closed")
    link = "/votes/"
    subtitle = _("Ratification votes as they open, close or are cancelled.")

    def items(self):
        return (
            AuditEntry.objects.filter(action__in=EVENTS, vote__isnull=False)
            .select_related("vote", "actor")
            .order_by("-created_at", "-pk")[:50]
        )

    def item_title(self, item):
        return f"{item.get_action_display()}: {item.vote.question}"

    def item_description(self, item):
        return escape(item.text)

    def item_link(self, item):
        suffix = "results/" if item.action == AuditEntry.Action.CLOSED else ""
        return f"/votes/{item.vote_id}/{suffix}"

    def item_guid(self, item):
        return f"vote-event-{item.pk}"

    def item_pubdate(self, item):
        return item.created_at
