"""Pages that belong to the whole site rather than one app: the health check. (Site-wide search
is an app of its own: search/.)"""

from django.db import transaction
from django.views.decorators.http import require_safe


@transaction.non_atomic_requests
@require_safe
def health(request):
    """/healthz/: for load balancers. Says the process is up without touching the database, so
    a slow database does not take every web process out of rotation at once."""
    from django.http import HttpResponse

    return HttpResponse("ok\n", content_type="text/plain")
