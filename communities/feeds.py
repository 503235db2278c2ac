"""Atom feed of adoption declarations as they change."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from .models import Adoption


class AdoptionFeed(Feed):
    feed_type = Atom1Feed
    title = "Accord: adoption changes"
    link = "/adoption/"
    subtitle = "Each community's declaration against the baseline policies, as it changes."

    def items(self):
        return Adoption.history.select_related(
            "community", "policy", "version", "history_user"
        ).order_by("-history_date", "-history_id")[:50]

    def item_title(self, item):
        version = f" (version {item.version.number})" if item.version_id else ""
        status = Adoption.Status(item.status).label
        return f"{item.community.name}: {status.lower()} — {item.policy.title}{version}"

    def item_description(self, item):
        return escape(item.rationale or f"Declared {Adoption.Status(item.status).label.lower()}.")

    def item_link(self, item):
        return f"/communities/{item.community.slug}/"

    def item_guid(self, item):
        return f"adoption-change-{item.history_id}"

    def item_pubdate(self, item):
        return item.history_date

    def item_author_name(self, item):
        return item.history_user.get_username() if item.history_user else ""
