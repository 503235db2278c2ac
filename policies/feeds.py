"""Atom feeds of published versions: every policy's, or one policy's."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.feeds import XmlSafeAtom1Feed

from .models import PolicyPage, PolicyVersion
from .translating import language

ITEMS = 50


class VersionFeed(Feed):
    feed_type = XmlSafeAtom1Feed
    subtitle = gettext_lazy("Every published version, with its author and edit summary.")

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
        if obj:
            return _("Accord: new versions of %(title)s") % {"title": obj.title}
        return _("Accord: new policy versions")

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


class TranslationFeed(Feed):
    """Every imported translation of one policy, newest first, with its language and whether
    it still matches the current version (and which sections do not)."""

    feed_type = XmlSafeAtom1Feed

    def get_object(self, request, slug):
        page = PolicyPage.objects.live().filter(slug=slug).first()
        if page is None:
            raise Http404("No such policy.")
        return page

    def link(self, obj):
        return f"{obj.url}translations/"

    def title(self, obj):
        return _("Accord: translations of %(title)s") % {"title": obj.title}

    def subtitle(self, obj):
        return _("Each imported translation, its language and whether it is up to date.")

    def items(self, obj):
        from .selectors import translation_history

        # The feed object is shared by every request: carry the page's URL in each item.
        base = f"{obj.url}translations/"
        return [(t, fresh, base) for t, fresh in translation_history(obj, limit=ITEMS)]

    def item_title(self, item):
        t, _fresh, _base = item
        return _("%(language)s translation of version %(number)s (revision %(revision)s)") % {
            "language": language(t.locale.language_code).name,
            "number": t.source_version.number,
            "revision": t.revision,
        }

    def item_description(self, item):
        t, fresh, _base = item
        if fresh is None or fresh.is_up_to_date:
            state = _("Locale %(code)s: up to date with the current version.") % {
                "code": t.locale.language_code
            }
        else:
            state = _("Locale %(code)s: outdated against the current version in %(sections)s.") % {
                "code": t.locale.language_code,
                "sections": ", ".join(f"{s.heading} ({s.label})" for s in fresh.stale),
            }
        return escape(
            _("%(state)s Imported by %(name)s.") % {"state": state, "name": t.translator_name}
        )

    def item_link(self, item):
        t, _fresh, base = item
        return f"{base}{t.locale.language_code}/"

    def item_guid(self, item):
        t, _fresh, _base = item
        return f"{self.item_link(item)}#translation-{t.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item[0].created_at

    def item_author_name(self, item):
        return item[0].translator_name

    def item_categories(self, item):
        t, fresh, _base = item
        state = "up_to_date" if fresh is None or fresh.is_up_to_date else "outdated"
        return [f"locale:{t.locale.language_code}", f"freshness:{state}"]
