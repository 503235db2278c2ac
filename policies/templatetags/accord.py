import hashlib

from django import template
from django.core.cache import cache
from django.utils.safestring import mark_safe

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


@register.inclusion_tag("includes/utc_time.html")
def utc(value, fmt="j F Y, H:i"):
    """A UTC timestamp; site.js adds the reader's local time beside it."""
    return {"value": value, "fmt": fmt}


@register.simple_tag
def form_error(errors, *parts):
    """The error a failed POST left for one form on the page, keyed like "reply-12-" ."""
    if not errors:
        return None
    key = "-".join("" if p is None else str(p) for p in parts)
    return errors.get(key)
