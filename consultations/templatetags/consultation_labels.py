"""Stance labels as they read inside a sentence.

English lower-cases a label mid-sentence ("Strong support", "alice, oppose"); German keeps its
nouns capitalised and inflects adjectives, so each phrase is its own message rather than a
label run through |lower."""

from django import template
from django.utils.translation import gettext, pgettext

from ..models import Position

register = template.Library()

Stance = Position.Stance
Strength = Position.Strength


def _signature(strength: str, stance: str) -> str:
    phrases = {
        (Strength.STRONG, Stance.SUPPORT): gettext("Strong support"),
        (Strength.STRONG, Stance.OPPOSE): gettext("Strong oppose"),
        (Strength.STRONG, Stance.NEUTRAL): gettext("Strong neutral"),
        (Strength.WEAK, Stance.SUPPORT): gettext("Weak support"),
        (Strength.WEAK, Stance.OPPOSE): gettext("Weak oppose"),
        (Strength.WEAK, Stance.NEUTRAL): gettext("Weak neutral"),
    }
    return phrases.get((strength, stance), "")


@register.filter
def stance_label(position) -> str:
    """The label a position is signed with: "Strong support", "Neutral", "Comment"."""
    if position.strength and position.stance:
        return _signature(position.strength, position.stance)
    return position.get_stance_display() or gettext("Comment")


@register.filter
def stance_name(value: str) -> str:
    """A stance value as its label ("Support"), or "comment" for a position without one."""
    if value in Stance.values:
        return Stance(value).label
    return gettext("comment")


@register.filter
def stance_word(value: str) -> str:
    """A stance value as a word inside a sentence: "support", "oppose", "comment"."""
    words = {
        Stance.SUPPORT: pgettext("stance inside a sentence", "support"),
        Stance.OPPOSE: pgettext("stance inside a sentence", "oppose"),
        Stance.NEUTRAL: pgettext("stance inside a sentence", "neutral"),
    }
    return words.get(value, pgettext("stance inside a sentence", "comment"))
