import hashlib
from datetime import UTC, datetime

from django import template
from django.core.cache import cache
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import pgettext

from policies import markdown_io

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    """User-written Markdown, rendered and sanitised with nh3's allow-list. Cached by the text's
    hash: the same text always renders the same way."""
    text = text or ""
    if not text:
        return ""
    key = "accord:mdf:v1:" + hashlib.sha256(text.encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        html = markdown_io.render_markdown(text)
        cache.set(key, html, 60 * 60 * 24)
    return mark_safe(html)  # noqa: S308  (sanitised by nh3)


# Templates written before the interface was translated name the English shape of a date; each
# maps to the named format that gives that shape in English and the locale's own shape elsewhere.
_NAMED_FORMATS = {
    "j F Y, H:i": "DATETIME_FORMAT",
    "j F Y": "DATE_FORMAT",
    "j M Y": "SHORT_DATE_FORMAT",
}


@register.inclusion_tag("includes/utc_time.html")
def utc(value, fmt="DATETIME_FORMAT"):
    """A UTC timestamp in the active language's date format (DATETIME_FORMAT, DATE_FORMAT or
    SHORT_DATE_FORMAT); site.js adds the reader's local time beside it."""
    if not value:
        return {"value": value, "text": ""}
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = value.astimezone(UTC)
    return {"value": value, "text": date_format(value, _NAMED_FORMATS.get(fmt, fmt))}


_DIFF_LABEL = '<span class="visually-hidden">{}: </span>'


@register.filter
def diff_html(value) -> str:
    """Diff HTML from policies.diffing, with the hidden "added:" / "removed:" labels read by
    screen readers put into the reader's language. Diffs are rendered and cached once for every
    language, in English, so the labels are swapped here, at display time."""
    html = str(value or "")
    for english, translated in (
        ("added", pgettext("diff, read before inserted text", "added")),
        ("removed", pgettext("diff, read before deleted text", "removed")),
    ):
        if translated != english:
            html = html.replace(_DIFF_LABEL.format(english), _DIFF_LABEL.format(escape(translated)))
    return mark_safe(html)  # noqa: S308  (escaped by policies.diffing; the label is escaped)


@register.simple_tag
def form_error(errors, *parts):
    """The error a failed POST left for one form on the page, keyed like "reply-12-" ."""
    if not errors:
        return None
    key = "-".join("" if p is None else str(p) for p in parts)
    return errors.get(key)
