"""The floor the ballot is measured against (issue 20): the least a signed-in, CSRF-checked
form post can do on this stack. It validates one field, inserts one row (into a table the
benchmark creates, FLOOR_TABLE) and renders a small page on base.html, through the same
middleware, sessions, authentication and transaction per request as every page.

Used as the URLconf of benchmarks/floor_server_settings.py: the site's own addresses plus
/bench/floor/."""

from django import forms
from django.db import connection
from django.http import HttpResponseBadRequest, HttpResponseForbidden
from django.template.response import TemplateResponse
from django.urls import path
from django.views.decorators.http import require_POST

from policysite.urls import urlpatterns as site_urlpatterns

FLOOR_PATH = "/bench/floor/"
FLOOR_TABLE = "bench_floor_note"  # made by benchmarks/bench_ballots.py's set-up


class NoteForm(forms.Form):
    note = forms.CharField(max_length=40)


@require_POST
def floor(request):
    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    form = NoteForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {FLOOR_TABLE} (user_id, note) VALUES (%s, %s)",  # noqa: S608
            [request.user.pk, form.cleaned_data["note"]],
        )
    return TemplateResponse(request, "bench/floor.html", {"note": form.cleaned_data["note"]})


urlpatterns = [path(FLOOR_PATH.lstrip("/"), floor), *site_urlpatterns]
