"""The site-wide search page. Thin: parse the address, ask the selectors, render."""

from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from . import selectors
from .forms import SearchForm

TEMPLATE = "search/search.html"


@require_safe
def search(request):
    """/search/: words across policy text, positions, replies, summaries and communities, and
    "which version changed this?" for a phrase. The same for everyone: it never shows what
    only the signed-in reader (or a facilitator) could see elsewhere."""
    form = SearchForm(request.GET)
    options = selectors.search_options()
    context = {"form": form, "options": options, "errors": [], "filters": None}
    if not form.is_valid():
        context["errors"] = form.error_list()
        return TemplateResponse(request, TEMPLATE, context, status=400)
    data = form.cleaned_data
    try:
        filters = selectors.resolve_filters(
            options,
            policy=data["policy"],
            version=data["version"],
            consultation=data["consultation"],
            stance=data["stance"],
            community=data["community"],
            language=data["language"],
        )
        context["filters"] = filters
        if data["q"]:
            context["results"] = selectors.search(
                q=data["q"], options=options, filters=filters, kind=data["kind"]
            )
        if data["phrase"]:
            context["history"] = selectors.phrase_history(
                phrase=data["phrase"], options=options, policy=filters.policy
            )
    except ValidationError as exc:
        context["errors"] = exc.messages
        return TemplateResponse(request, TEMPLATE, context, status=400)
    return TemplateResponse(request, TEMPLATE, context)
