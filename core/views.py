"""What every app's views do with a refused action: the message to show, where to send
someone who must sign in first, and the page that asks before an action that is hard to undo."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _


def error_text(exc: ValidationError) -> str:
    """A service's ValidationError as one sentence for the page."""
    return " ".join(exc.messages)


def form_message(form) -> str:
    """Every error of a bound form as one sentence (shown beside the form)."""
    return " ".join(e for errs in form.errors.values() for e in errs)


def refusal_text(exc: PermissionDenied | ValidationError) -> str:
    """What to tell someone whose action a service refused."""
    if isinstance(exc, PermissionDenied):
        return str(exc) or _("Not allowed.")
    return error_text(exc)


def add_errors(form, exc: ValidationError) -> None:
    """Service errors land beside the field they name, or at the top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error_text(exc))


def sign_in_first(request, next_url: str | None = None):
    """Redirect to the sign-in page (settings.LOGIN_URL), coming back here afterwards."""
    return redirect_to_login(next_url or request.get_full_path())


@dataclass(frozen=True)
class Confirmation:
    """What a confirmation page tells someone before an action that changes what everyone sees:
    what will happen, who will be told, and whether (or how) it can be undone. GET shows it;
    the form on it posts to the same address, which does the action."""

    title: str
    happens: list[str]
    told: str
    undo: str
    confirm_label: str
    back_url: str
    form: Any = None
    # A template shown under "What will happen" (the terms about to be frozen, say), rendered
    # with `extra` in its context.
    details_template: str = ""
    extra: dict = field(default_factory=dict)


def confirm_page(request, confirmation: Confirmation, *, status: int = 200):
    """Render the shared confirmation page (templates/confirm.html)."""
    context = {"confirmation": confirmation, "form": confirmation.form, **confirmation.extra}
    return TemplateResponse(request, "confirm.html", context, status=status)
