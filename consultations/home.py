"""Open consultations on the home page (registered with policies.home in apps.py)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from policies.home import OpenItem

from .models import Consultation
from .selectors import consultation_url, visible_consultations


def open_consultations(user, *, limit: int) -> list[OpenItem]:
    """Consultations taking positions now, closing soonest first: one query."""
    consultations = (
        visible_consultations(user)
        .filter(state=Consultation.State.OPEN, closes_at__gt=timezone.now())
        .select_related("version__policy")
        .order_by("closes_at")[:limit]
    )
    return [
        OpenItem(
            kind=_("Consultation"),
            title=c.title,
            url=consultation_url(c),
            closes_at=c.closes_at,
            policy=_("%(policy)s, version %(number)s")
            % {"policy": c.version.policy.title, "number": c.version.number},
            action=_("Read and take a position"),
        )
        for c in consultations
    ]
