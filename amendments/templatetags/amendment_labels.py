"""Amendment labels as they read inside a sentence (see consultations' consultation_labels:
each phrase is its own message, so German can inflect it)."""

from django import template
from django.utils.translation import pgettext

from ..models import Amendment

register = template.Library()


@register.filter
def kind_word(value: str) -> str:
    """An amendment's kind inside a sentence: "replace the text", "delete the section"."""
    words = {
        Amendment.Kind.REPLACE: pgettext("amendment kind inside a sentence", "replace the text"),
        Amendment.Kind.DELETE: pgettext("amendment kind inside a sentence", "delete the section"),
        Amendment.Kind.INSERT: pgettext(
            "amendment kind inside a sentence", "add a new section after it"
        ),
    }
    return words.get(value, value)
