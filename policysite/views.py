"""Pages that belong to the whole site rather than one app. Thin: parse, ask a selector,
render."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from . import search as site_search
from .forms import SearchForm


@require_safe
def search(request):
    """/search/: words across policy text, positions, replies, summaries and communities, and
    "which version changed this?" for a phrase. The same for everyone: it never shows what
    only the signed-in reader (or a facilitator) could see elsewhere."""
    form = SearchForm(request.GET)
    options = site_search.search_options()
    context = {"form": form, "options": options, "errors": [], "filters": None}
    if not form.is_valid():
        context["errors"] = form.error_list()
        return TemplateResponse(request, "search.html", context, status=400)
    data = form.cleaned_data
    try:
        filters = site_search.resolve_filters(
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
            context["results"] = site_search.search(
                q=data["q"], options=options, filters=filters, kind=data["kind"]
            )
        if data["phrase"]:
            context["history"] = site_search.phrase_history(
                phrase=data["phrase"], options=options, policy=filters.policy
            )
    except ValidationError as exc:
        context["errors"] = exc.messages
        return TemplateResponse(request, "search.html", context, status=400)
    return TemplateResponse(request, "search.html", context)


@transaction.non_atomic_requests
@require_safe
def health(request):
    """/healthz/: for load balancers. Says the process is up without touching the database, so
    a slow database does not take every web process out of rotation at once."""
    from django.http import HttpResponse

    return HttpResponse("ok\n", content_type="text/plain")
