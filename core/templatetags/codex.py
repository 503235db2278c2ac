"""Form widgets in the markup of Wikimedia Codex's CSS-only components (text input, text area,
select, radio, checkbox): the class names and wrappers Codex documents for use without Vue."""

from django import forms, template
from django.utils.html import format_html, format_html_join

register = template.Library()

_TEXT_TYPES = {
    "text",
    "search",
    "email",
    "url",
    "number",
    "password",
    "date",
    "datetime-local",
    "tel",
}


def _with_class(attrs: dict, name: str) -> dict:
    return {**attrs, "class": f"{attrs.get('class', '')} {name}".strip()}


def _choices(field, kind: str) -> str:
    options = []
    for choice in field.subwidgets:
        choice.data["attrs"] = _with_class(choice.data["attrs"], f"cdx-{kind}__input")
        options.append((kind, choice.tag(), choice.id_for_label, choice.choice_label))
    return format_html_join(
        "",
        '<div class="cdx-{0}"><div class="cdx-{0}__wrapper">{1}'
        '<span class="cdx-{0}__icon"></span><div class="cdx-{0}__label cdx-label">'
        '<label for="{2}" class="cdx-label__label">{3}</label></div></div></div>',
        options,
    )


@register.simple_tag
def codex_widget(field):
    """The field's widget with Codex's classes (and the wrapper its markup needs); a field in
    error carries Codex's error status too."""
    widget = field.field.widget
    status = " cdx-{}--status-error" if field.errors else ""
    if isinstance(widget, forms.RadioSelect):
        return _choices(field, "radio")
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return _choices(field, "checkbox")
    if isinstance(widget, forms.Textarea):
        rendered = field.as_widget(attrs=_with_class(widget.attrs, "cdx-text-area__textarea"))
        return format_html(
            '<div class="cdx-text-area{}">{}</div>', status.format("text-area"), rendered
        )
    if isinstance(widget, forms.Select) and not widget.allow_multiple_selected:
        return field.as_widget(attrs=_with_class(widget.attrs, "cdx-select"))
    if getattr(widget, "input_type", None) in _TEXT_TYPES:
        rendered = field.as_widget(attrs=_with_class(widget.attrs, "cdx-text-input__input"))
        return format_html(
            '<div class="cdx-text-input{}">{}</div>', status.format("text-input"), rendered
        )
    return field.as_widget()


@register.simple_tag
def codex_checkbox(field):
    """A single checkbox with its label, as Codex's checkbox."""
    rendered = field.as_widget(attrs=_with_class(field.field.widget.attrs, "cdx-checkbox__input"))
    return format_html(
        '<div class="cdx-checkbox"><div class="cdx-checkbox__wrapper">{}'
        '<span class="cdx-checkbox__icon"></span><div class="cdx-checkbox__label cdx-label">'
        '<label for="{}" class="cdx-label__label">{}</label></div></div></div>',
        rendered,
        field.id_for_label,
        field.label,
    )
