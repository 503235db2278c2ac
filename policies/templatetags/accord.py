import hashlib
from datetime import UTC, datetime

from django import template
from django.core.cache import cache
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import pgettext

from core.text import without_enclosing_quotes
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


@register.filter
def unquoted(text: str) -> str:
    """Text the template quotes itself (“{{ summary|unquoted }}”, <q>), without the quotation
    marks its author already put around it."""
    return without_enclosing_quotes(text or "")


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


def _bound_form(source):
    """A bound form, from a form or from what a failed POST left for one form on a page
    ({"message": ..., "form": ...}, see form_error)."""
    form = source.get("form") if isinstance(source, dict) else source
    return form if form is not None and getattr(form, "is_bound", False) else None


@register.inclusion_tag("includes/error_summary.html")
def error_summary(source, suffix="", name=""):
    """The error summary at the top of a form that failed (GOV.UK pattern): "There is a
    problem", then each error, linked to its field. `source` is a bound form or a failed-POST
    entry; hand-written forms that share a page name their fields "<name>-<suffix>", while
    forms rendered by Django use each field's own id. Errors not tied to a visible field
    (a refusal from a service, a missing hidden value) are listed without a link. `name`
    tells apart the summaries of several Django forms on one page."""
    form = _bound_form(source)
    items, hidden = [], []
    if form is not None:
        for field_name, errors in form.errors.items():
            if field_name in form.fields and form[field_name].is_hidden:
                hidden.extend({"href": "", "text": error} for error in errors)
                continue
            href = ""
            if field_name in form.fields:
                bound = form[field_name]
                # A radio or checkbox group's label names no input: link to its first choice.
                href = (
                    f"{field_name}-{suffix}"
                    if suffix
                    else bound.id_for_label or f"{bound.auto_id}_0"
                )
            items.extend({"href": href, "text": error} for error in errors)
    message = source.get("message", "") if isinstance(source, dict) else ""
    if not items:
        # Nothing the reader can fix in a field: the view's own sentence says it best.
        items = [{"href": "", "text": message}] if message else hidden
    name = name or suffix  # several forms on one page: one summary id each
    return {"items": items, "summary_id": f"error-summary-{name}" if name else "error-summary"}


def _field_errors(source, name) -> list[str]:
    form = _bound_form(source)
    return list(form.errors.get(name, [])) if form is not None else []


@register.simple_tag
def error_attrs(source, name, suffix):
    """aria-invalid and aria-describedby for a hand-written field "<name>-<suffix>" that
    failed; nothing when it did not."""
    if not _field_errors(source, name):
        return ""
    return format_html(' aria-invalid="true" aria-describedby="{}-{}-error"', name, suffix)


@register.simple_tag
def field_error(source, name, suffix):
    """The error beside a hand-written field "<name>-<suffix>", with the id its
    aria-describedby names; nothing when it did not fail."""
    errors = _field_errors(source, name)
    if not errors:
        return ""
    return format_html(
        '<p class="error field-error" id="{}-{}-error">{}</p>', name, suffix, " ".join(errors)
    )


@register.simple_tag
def dom_id(*parts):
    """An id built from parts, joined by "-" ("reply", 12, "top" → "reply-12-top"), for the
    suffix that names one form's fields among many of the same kind on a page."""
    return "-".join(str(p) for p in parts)
