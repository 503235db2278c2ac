"""Open and scheduled votes on the home page (registered with policies.home in apps.py)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from policies.home import OpenItem

from .models import Vote


def open_votes(user, *, limit: int) -> list[OpenItem]:
    """Votes open now or scheduled to open, closing soonest first: one query. Every vote past
    its draft is public, so the reader does not matter."""
    now = timezone.now()
    votes = (
        Vote.objects.filter(state=Vote.State.OPEN, closes_at__gt=now)
        .select_related("version__policy")
        .order_by("closes_at")[:limit]
    )
    return [
        OpenItem(
            kind=_("Vote"),
            title=v.question,
            url=reverse("ratification:vote", args=[v.pk]),
            closes_at=v.closes_at,
            opens_at=v.opens_at if v.opens_at > now else None,
            policy=_("%(policy)s, version %(number)s")
            % {"policy": v.version.policy.title, "number": v.version.number},
            action=_("Cast your ballot") if v.opens_at <= now else "",
        )
        for v in votes
    ]
