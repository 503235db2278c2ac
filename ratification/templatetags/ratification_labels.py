"""Labels for the fixed keywords a vote's options are counted as ("for", "against", "abstain").

The keywords are data (facilitators type them when setting up options, exports carry them), so
they stay English in the database and are translated only where a page shows them."""

from django import template
from django.utils.translation import pgettext

register = template.Library()


@register.filter
def counts_as_label(value: str) -> str:
    words = {
        "for": pgettext("an option counted for the text", "for"),
        "against": pgettext("an option counted against the text", "against"),
        "abstain": pgettext("an option counted as an abstention", "abstain"),
    }
    return words.get(value, value)
