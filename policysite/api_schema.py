"""What the OpenAPI schema says beyond what drf-spectacular infers from the views: every error
response the API gives, with its body.

The errors come from shared plumbing (core.api: pagination, filters, the exception
handler, the body limit, throttling; DRF's authentication), so they are added here, from what
each operation has, rather than by hand on each view: an operation with query parameters or a
body can answer 400, one with path parameters or pages 404, one with a body 401, 403, 413 and
415, every one 401 (an Authorization header with an unknown token) and 429 (throttled).
Responses a view documents itself (with its own description) are kept.

A module of its own: DRF's settings name core.api, which therefore cannot import
drf-spectacular (it imports DRF's views)."""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent

ERROR = ResolvedComponent(
    name="Error",
    type=ResolvedComponent.SCHEMA,
    object="Error",
    schema={
        "type": "object",
        "description": "What went wrong, in a sentence a person can read.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
)

MESSAGES = {"type": "array", "items": {"type": "string"}}

INVALID = ResolvedComponent(
    name="InvalidRequest",
    type=ResolvedComponent.SCHEMA,
    object="InvalidRequest",
    schema={
        "type": "object",
        "description": (
            "Either `detail` (what is wrong with the request as a whole, e.g. a body that is "
            "not JSON) or, for each query parameter or body field that is not valid, the list "
            "of what is wrong with it; `non_field_errors` for the fields taken together. A "
            "field holding an object (e.g. `parameters`) has the same shape, one level down."
        ),
        "properties": {"detail": {"type": "string"}, "non_field_errors": MESSAGES},
        "additionalProperties": {
            "oneOf": [MESSAGES, {"type": "object", "additionalProperties": MESSAGES}]
        },
        "example": {"page_size": ["page_size must be a whole number between 1 and 100."]},
    },
)

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "schema": {"type": "string"},
        "required": True,
        "description": "How to authenticate: `Token`.",
    }
}
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": "Seconds to wait before trying again, when known.",
    }
}


def tighten(schema: dict) -> None:
    """What the query parsing refuses, said in the parameter's schema: a list needs at least
    one item (an empty one is sent as an empty value, which core.api refuses), and text
    holds no NUL character (Django's form fields refuse it)."""
    if schema.get("type") == "array":
        schema.setdefault("minItems", 1)
    elif schema.get("type") == "string" and not {"enum", "pattern", "format"} & schema.keys():
        schema["pattern"] = "^[^\\x00]*$"


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        filters = getattr(getattr(self.view, "filterset_class", None), "base_filters", {})
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            tighten(parameter["schema"])
            # django-filter's extension leaves a text filter's length limit out.
            limit = getattr(filters.get(parameter["name"]), "extra", {}).get("max_length")
            if limit:
                parameter["schema"]["maxLength"] = limit
        responses = operation["responses"]
        for status, error in self.error_responses(operation).items():
            responses[status] = {**error, **responses.get(status, {})}
        for status, response in responses.items():
            # An error a view documents with a description only has the body all errors have.
            if status.startswith("4") and "content" not in response:
                response["content"] = self.error(ERROR, "")["content"]
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def error_responses(self, operation: dict) -> dict[str, dict]:
        """The errors this operation can answer with, from what it takes."""
        parameters = operation.get("parameters", [])
        takes_query = any(p["in"] == "query" for p in parameters)
        takes_path = any(p["in"] == "path" for p in parameters)
        has_body = "requestBody" in operation
        paginated = any(p["in"] == "query" and p["name"] == "page" for p in parameters)

        errors = {}
        if takes_query or has_body:
            errors["400"] = self.error(
                INVALID,
                "A query parameter or a body field is not valid, or the body is not JSON; the "
                "message names what is wrong."
                if has_body
                else "A query parameter is not valid (a value not of its type, out of range, "
                "empty, or given twice); the message names it.",
            )
        if has_body or self.method in WRITE_METHODS:
            errors["401"] = self.error(
                ERROR,
                "Not signed in: send `Authorization: Token <key>` (or a session cookie with "
                "its CSRF token).",
                headers=WWW_AUTHENTICATE,
            )
            errors["403"] = self.error(ERROR, "Signed in, but not allowed to do this here.")
        else:
            errors["401"] = self.error(
                ERROR,
                "The Authorization header names a token that is not valid (reads need none).",
                headers=WWW_AUTHENTICATE,
            )
        if takes_path or paginated:
            errors["404"] = self.error(
                ERROR,
                "Nothing here: no such object (or not visible to you), or a page past the last."
                if paginated
                else "No such object, or not visible to you.",
            )
        if has_body:
            errors["413"] = self.error(ERROR, "The body is larger than the API accepts.")
            errors["415"] = self.error(ERROR, "The body is not sent as application/json.")
        if self.view.throttle_classes or self.method in WRITE_METHODS:
            errors["429"] = self.error(
                ERROR,
                "Too many requests: wait (Retry-After says how long, when it is known).",
                headers=RETRY_AFTER,
            )
        return errors

    def error(self, component: ResolvedComponent, description: str, headers=None) -> dict:
        self.registry.register_on_missing(component)
        response = {
            "content": {"application/json": {"schema": component.ref}},
            "description": description,
        }
        if headers:
            response["headers"] = headers
        return response
