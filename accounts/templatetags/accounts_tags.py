from django import template

from ..naming import public_name

register = template.Library()


@register.filter
def display_name(user) -> str:
    """The public name of a person: the username, or "former participant"."""
    return public_name(user)
