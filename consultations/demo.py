"""Demo consultations, built on the services. Used by `manage.py seed_demo`."""

from datetime import timedelta

from django.utils import timezone

from policies.demo import demo_user
from policies.models import PolicyVersion

from . import services
from .models import WHOLE_TEXT, Consultation


def seed_consultations(page) -> int:
    """A summarised consultation on version 2 (so its summary shows "you said → we changed"
    against version 3) and an open one on version 3."""
    if Consultation.objects.filter(version__policy=page).exists():
        return Consultation.objects.filter(version__policy=page).count()
    fran = demo_user("fran", "Fran Mbeki", groups=["Facilitators"])
    kim = demo_user("kim", "Kim Larsen")
    lee = demo_user("lee", "Lee Moreau")
    sam = demo_user("sam", "Sam Iyer")
    v2 = PolicyVersion.objects.get(policy=page, number=2)
    v3 = PolicyVersion.objects.get(policy=page, number=3)
    keys = {s.heading: s.key for s in v2.sections.all()}
    now = timezone.now()

    past = services.create_consultation(
        version=v2,
        user=fran,
        title="Consultation on version 2",
        description="Two weeks to comment on the clarified reporting times.",
        opens_at=now - timedelta(days=30),
        # Still open while the demo participants take their positions; closed just below.
        closes_at=now + timedelta(hours=1),
        open_now=True,
    )
    opening = keys["Why this exists"]
    reporting = keys["How to report a problem"]
    p1 = services.take_position(
        consultation=past,
        section_key=opening,
        user=kim,
        stance="oppose",
        reason="“Why this exists” reads like an essay title; call it *Purpose*.",
    )
    services.take_position(
        consultation=past,
        section_key=reporting,
        user=lee,
        stance="support",
        reason="Three days for an acknowledgement is realistic for volunteers.",
    )
    p3 = services.take_position(
        consultation=past,
        section_key=WHOLE_TEXT,
        user=sam,
        stance="neutral",
        reason="There is no way to appeal a decision. Please add one.",
        strength="strong",
    )
    services.add_reply(position=p3, user=lee, body="Agreed: an appeal to different people.")
    services.close_consultation(consultation=past, user=fran, note="The two-week period ended.")
    services.save_summary(
        consultation=past,
        user=fran,
        intro="Thank you to everyone who commented. Version 3 takes up two suggestions.",
        answered_by=v3.number,
        sections=[
            {
                "section_key": opening,
                "outcome": "accepted",
                "text": "Renamed to *Purpose*.",
                "cited": [p1.pk],
            },
            {
                "section_key": WHOLE_TEXT,
                "outcome": "accepted",
                "text": "Version 3 adds an *Appeals* section.",
                "cited": [p3.pk],
            },
        ],
    )
    services.publish_summary(consultation=past, user=fran)

    current = services.create_consultation(
        version=v3,
        user=fran,
        title="Four weeks on version 3",
        description="Take a position on each section you care about, and say why.",
        closes_at=now + timedelta(days=28),
        open_now=True,
    )
    keys3 = {s.heading: s.key for s in v3.sections.all()}
    services.take_position(
        consultation=current,
        section_key=keys3["Appeals"],
        user=kim,
        stance="support",
        reason="Thirty days is fair.",
    )
    position = services.take_position(
        consultation=current,
        section_key=keys3["How to report a problem"],
        user=lee,
        stance="oppose",
        reason="Two weeks is too long for urgent reports: add a fast path.",
    )
    services.add_reply(position=position, user=sam, body="A fast path for safety issues, yes.")
    rude = services.add_reply(position=position, user=kim, body="This is a silly idea.")
    services.moderate(item=rude, user=fran, hide=True, reason="Dismissive; please argue the point.")
    services.take_position(
        consultation=current,
        section_key=keys3["What is not acceptable"],
        user=sam,
        stance="neutral",
        reason="Fine, but say something about doxxing outside our spaces.",
    )
    return 2
