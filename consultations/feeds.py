"""Atom feed of published consultation summaries."""

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.feeds import XmlSafeAtom1Feed
from policies.markdown_io import render_markdown

from .selectors import WHOLE_TEXT_HEADING, consultation_url, visible_summaries


class SummaryFeed(Feed):
    feed_type = XmlSafeAtom1Feed
    title = _("Accord: consultation summaries")
    link = "/"
    subtitle = _("What people said in each consultation, and what changed.")

    def items(self):
        return (
            visible_summaries(AnonymousUser())
            .select_related("consultation__version__policy", "published_by")
            .prefetch_related("sections", "consultation__version__sections")
            .order_by("-published_at", "-pk")[:50]
        )

    def item_title(self, item):
        return gettext("Summary: %(title)s") % {"title": item.consultation.title}

    def item_description(self, item):
        """The summary as its page shows it: the intro and each section's outcome and text,
        Markdown rendered and sanitised (policies.markdown_io), not the Markdown source."""
        version = item.consultation.version
        headings = {s.key: s.heading for s in version.sections.all()}
        order = {key: i for i, key in enumerate(headings)}
        sections = sorted(item.sections.all(), key=lambda s: order.get(s.section_key, len(order)))
        return format_html(
            "<p>{}</p>{}{}",
            gettext("%(policy)s, version %(number)s.")
            % {"policy": version.policy.title, "number": version.number},
            mark_safe(render_markdown(item.intro)),  # noqa: S308  (sanitised by nh3)
            format_html_join(
                "",
                "<h3>{} ({})</h3>{}",
                (
                    (
                        headings.get(s.section_key, WHOLE_TEXT_HEADING),
                        s.get_outcome_display(),
                        mark_safe(render_markdown(s.text)),  # noqa: S308  (sanitised by nh3)
                    )
                    for s in sections
                ),
            ),
        )

    def item_link(self, item):
        return consultation_url(item.consultation) + "summary/"

    def item_pubdate(self, item):
        return item.published_at

    def item_author_name(self, item):
        return item.published_by.get_username() if item.published_by else ""
