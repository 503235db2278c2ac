"""Errors the services raise that every interface (pages, API) maps the same way."""

from django.core.exceptions import ValidationError


class RateLimited(ValidationError):
    """Someone is posting faster than a person writes (a 429 in the API)."""
