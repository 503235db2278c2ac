"""Atom feeds of published versions: every policy's, or one policy's."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from .models import PolicyPage, PolicyVersion

ITEMS = 50


class VersionFeed(Feed):
    feed_type = Atom1Feed
    subtitle = "Every published version, with its author and edit summary."

    def get_object(self, request, slug=None):
        if slug is None:
            return None
        page = PolicyPage.objects.live().filter(slug=slug).first()
        if page is None:
            raise Http404("No such policy.")
        return page

    def link(self, obj):
        return obj.url if obj else "/"

    def title(self, obj):
        return f"Accord: new versions of {obj.title}" if obj else "Accord: new policy versions"

    def items(self, obj):
        versions = PolicyVersion.objects.select_related("policy", "author").order_by(
            "-created_at", "-pk"
        )
        if obj is not None:
            versions = versions.filter(policy=obj)
        return versions[:ITEMS]

    def item_title(self, item):
        label = f" ({item.label})" if item.label else ""
        return f"{item.title}: version {item.number}{label}"

    def item_description(self, item):
        return escape(f"{item.summary} (by {item.author_name}; SHA-256 {item.content_hash})")

    def item_link(self, item):
        return f"{item.policy.url}versions/{item.number}/"

    def item_pubdate(self, item):
        return item.created_at

    def item_author_name(self, item):
        return item.author_name
