"""What every endpoint of the public API shares: pagination, strict query parameters, the
mapping of service errors to HTTP statuses, the request size limit, write throttling and the
OpenAPI hook. (The error responses in the schema are policysite/api_schema.py's.)

The endpoints live in each app's api.py and call that app's selectors and services; the routes
and the docs page are in policysite/api_urls.py. Part of the bottom layer: it imports no app.
DRF's settings name this module, so it must not import DRF's views at load time."""

from __future__ import annotations

import io
import re

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import BaseCSVField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, pagination, parsers, status, throttling
from rest_framework.permissions import SAFE_METHODS

from core.errors import RateLimited


def refuse_repeated_or_empty(query, names, *, may_be_empty=()) -> None:
    """400 for a query parameter given more than once, or given with no value unless it is
    text: the schema gives each parameter one value of its type, and an empty string is none
    but text's. (`?state=` used to mean "any state"; a client sending it has a bug.)"""
    errors = {}
    for name in names:
        values = query.getlist(name)
        if len(values) > 1:
            errors[name] = [_("Give %(name)s once.") % {"name": name}]
        elif values == [""] and name not in may_be_empty:
            errors[name] = [_("Give %(name)s a value, or leave it out.") % {"name": name}]
    if errors:
        raise exceptions.ValidationError(errors)


# The largest id or number an API path or filter accepts: beyond it, databases overflow.
MAX_ID = 999_999_999_999_999_999
WHOLE_NUMBER = re.compile(r"[0-9]+")


class Pagination(pagination.PageNumberPagination):
    """?page=N&page_size=M, at most 100 items a page. Either, when given, must be a whole
    number in range (else 400, as the schema says); a page past the last is a 404."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        refuse_repeated_or_empty(request.query_params, ["page_size"])
        given = request.query_params.get("page_size")
        if given is None:
            return self.page_size
        if not WHOLE_NUMBER.fullmatch(given) or not 1 <= int(given) <= self.max_page_size:
            message = _("page_size must be a whole number between 1 and %(max)d.")
            raise exceptions.ValidationError({"page_size": [message % {"max": self.max_page_size}]})
        return int(given)

    def get_page_number(self, request, paginator):
        refuse_repeated_or_empty(request.query_params, ["page"])
        given = request.query_params.get("page", "1")
        if not WHOLE_NUMBER.fullmatch(given) or given.strip("0") == "":
            message = _("page must be a whole number from 1.")
            raise exceptions.ValidationError({"page": [message]})
        if len(given) > len(str(MAX_ID)):  # certainly past the last page; int() would be slow
            raise exceptions.NotFound(self.invalid_page_message)
        return int(given)

    def get_schema_operation_parameters(self, view):
        page, page_size = super().get_schema_operation_parameters(view)
        page["schema"]["minimum"] = 1
        page_size["schema"].update(minimum=1, maximum=self.max_page_size)
        page_size["description"] = f"Number of results per page, 1 to {self.max_page_size}."
        return [page, page_size]


class FilterBackend(DjangoFilterBackend):
    """django-filter's, refusing a filter given twice, or given empty unless it is text, and a
    list (`?ordering=a,b`) with an empty item."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is not None:
            query, fields = request.query_params, filterset.form.fields
            text = [name for name, field in fields.items() if isinstance(field, forms.CharField)]
            refuse_repeated_or_empty(query, fields, may_be_empty=text)
            errors = {
                name: [_("Give %(name)s a list of values separated by commas.") % {"name": name}]
                for name, field in fields.items()
                if isinstance(field, BaseCSVField) and "" in query.get(name, "x").split(",")
            }
            if errors:
                raise exceptions.ValidationError(errors)
        return super().filter_queryset(request, queryset, view)


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An id or version number: a whole number the database can hold, else 400. (A foreign-key
    lookup with a 30-digit number fails in the database, not in Django.)"""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class BadRequest(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("The request is not valid.")
    default_code = "invalid"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


class LimitedJSONParser(parsers.JSONParser):
    """JSON, refused with 413 beyond settings.ACCORD_API_MAX_BODY_BYTES. Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE only guards form parsing; DRF reads a JSON body straight from
    the stream, so without this a client could make us buffer and parse any amount."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.ACCORD_API_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        try:
            if declared and int(declared) > limit:
                raise RequestTooLarge
        except ValueError:
            raise BadRequest(_("The Content-Length header is not a number.")) from None
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise RequestTooLarge
        too_deep = BadRequest(
            _("The JSON body is nested too deeply (more than %(levels)d levels).")
            % {"levels": MAX_JSON_DEPTH}
        )
        try:
            parsed = super().parse(io.BytesIO(data), media_type, parser_context)
        except RecursionError:
            # The C decoder gives up near the interpreter's recursion limit (~1,000 levels).
            raise too_deep from None
        # Counting brackets (quoted ones too) is cheap and bounds the nesting from above, so
        # the walk runs only for bodies that could be too deep.
        if data.count(b"[") + data.count(b"{") > MAX_JSON_DEPTH and nesting_exceeds(
            parsed, MAX_JSON_DEPTH
        ):
            raise too_deep
        return parsed


# No request of this API nests deeper than a few levels; serializers and services that walk a
# value recursively must never meet one deep enough to exhaust the stack.
MAX_JSON_DEPTH = 64


def nesting_exceeds(value, limit: int) -> bool:
    """Whether lists and objects in `value` nest more than `limit` deep. Iterative, so any
    depth is safe to measure, and it stops at the first container past the limit."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in item)
    return False


def _field_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    return {
        ("non_field_errors" if field == NON_FIELD_ERRORS else field): messages
        for field, messages in exc.message_dict.items()
    }


def exception_handler(exc, context):
    """DRF's handler, plus the errors the services raise: a ValidationError is a 400 carrying
    the same message the pages show (per field when the service names one), a RateLimited a 429.
    PermissionDenied (403) and Http404 (404) DRF already maps; like every handled error the
    request's transaction is rolled back."""
    # Imported here: DRF imports this module while its views module is still loading.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, RateLimited):
        exc = exceptions.Throttled(detail=" ".join(exc.messages))
    elif isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(_field_errors(exc))
        else:
            exc = BadRequest(" ".join(exc.messages))
    return drf_exception_handler(exc, context)


class WriteThrottleMixin:
    """Writes also count against the "write" rate (settings.REST_FRAMEWORK), reads do not."""

    throttle_scope = "write"

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.request.method not in SAFE_METHODS:
            throttles.append(throttling.ScopedRateThrottle())
        return throttles


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def public_paths_only(endpoints, **kwargs):
    """drf-spectacular preprocessing hook: the schema (and `check --deploy`'s schema check)
    covers /api/v1/ only, not Wagtail's internal admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
