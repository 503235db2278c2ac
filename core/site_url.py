"""The site's own address, for links that leave it: emails, wiki edit summaries.

Deployments name it in `WAGTAILADMIN_BASE_URL` (production falls back to https:// and the first
of `DJANGO_ALLOWED_HOSTS`). In development nobody sets it, and the default would send people to
localhost:8000 whatever address the site was opened at, so there the links follow the request
being served (`ACCORD_LINKS_FROM_REQUEST`, on in the dev settings when the variable is unset).
Work queued during a request takes the address along as an argument: a worker has no request."""

from contextvars import ContextVar

from django.conf import settings

_current_request: ContextVar = ContextVar("accord_current_request", default=None)


def site_base_url() -> str:
    """The address links start with, without a trailing slash."""
    if getattr(settings, "ACCORD_LINKS_FROM_REQUEST", False) and (
        request := _current_request.get()
    ):
        return request.build_absolute_uri("/").rstrip("/")
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def absolute(path: str, *, base: str = "") -> str:
    """`path` (starting with "/") on the site's address, or on `base` when a caller has one."""
    return (base or site_base_url()).rstrip("/") + path


class RequestBaseUrlMiddleware:
    """Remembers the request being served, so the address it came in on can be read where the
    settings say links follow the request (worked out only then, not on every request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
