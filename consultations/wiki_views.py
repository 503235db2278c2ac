"""The facilitator form "Import from a wiki page" on the consultation page.

It plugs into the page through consultations.extensions (an action and a facilitator
template), like the later apps do, so the page's own views stay as they are. Thin: parse the
form, ask the rules, call services.import_wiki_discussion, say what happened."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.mediawiki_api import WikiApiError
from core.views import error_text, form_message

from . import rules, selectors, services
from .extensions import Extension

ACTION = "wiki_import"


class WikiImportForm(forms.Form):
    api_url = forms.URLField(
        label=gettext_lazy("Wiki API address"),
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy("The wiki's api.php, e.g. https://meta.wikimedia.org/w/api.php."),
    )
    title = forms.CharField(
        label=gettext_lazy("Discussion page title"),
        max_length=255,
        help_text=gettext_lazy(
            "Importing the same page again adds new comments and updates edited ones."
        ),
    )


def _fail(request, consultation, message: str, form):
    from .views import _fail as fail_beside_form

    return fail_beside_form(request, consultation, ACTION, message, form)


def post_wiki_import(request, consultation):
    """Import (or re-import) a discussion page; errors show beside the form, nothing saved."""
    if not rules.can_import_from_wiki(request.user, consultation):
        raise PermissionDenied(_("Only facilitators may import a discussion."))
    form = WikiImportForm(request.POST)
    if not form.is_valid():
        return _fail(request, consultation, form_message(form), form)
    try:
        report = services.import_wiki_discussion(
            consultation=consultation,
            api_url=form.cleaned_data["api_url"],
            title=form.cleaned_data["title"],
            user=request.user,
        )
    except ValidationError as exc:
        return _fail(request, consultation, error_text(exc), form)
    except WikiApiError as exc:
        message = _("Nothing was imported: %(why)s") % {"why": exc}
        return _fail(request, consultation, message, form)
    messages.success(request, report.sentence())
    return redirect(selectors.consultation_url(consultation))


def add_wiki_import_context(request, consultation, context) -> None:
    """The form, bound again after a failed POST. (No query: the page keeps its budget.)"""
    if not rules.can_import_from_wiki(request.user, consultation):
        return
    failed = (context.get("errors") or {}).get(ACTION)
    context["wiki_import_form"] = (failed or {}).get("form") or WikiImportForm()
    context["wiki_import_error"] = (failed or {}).get("message", "")


WIKI_IMPORT = Extension(
    name="wiki_import",
    detail_context=add_wiki_import_context,
    actions={ACTION: post_wiki_import},
    facilitator_template="consultations/_wiki_import.html",
)
