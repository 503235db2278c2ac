from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from . import selectors

PER_PAGE = 100


@require_safe
def log_list(request):
    """/log/: the transparency log, newest first, filterable by kind and object."""
    kind = request.GET.get("kind", "").strip()[:40]
    obj = request.GET.get("object", "").strip()[:120]
    page = Paginator(selectors.entries(kind=kind, obj=obj), PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = urlencode({k: v for k, v in (("kind", kind), ("object", obj)) if v})
    return render(
        request,
        "transparency/log.html",
        {
            "page_obj": page,
            "kinds": selectors.KINDS,
            "kind": kind,
            "object": obj,
            "query": query,
        },
    )


@require_safe
def log_jsonl(request):
    """/log.jsonl: every entry, oldest first (streamed; what verify/accord_verify.py reads)."""
    response = StreamingHttpResponse(
        selectors.jsonl_lines(), content_type="application/jsonl; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="accord-log.jsonl"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
