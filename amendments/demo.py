"""Demo amendments on the open demo consultation, built on the services. Used by
`manage.py seed_demo` after consultations.demo."""

from consultations import services as consultation_services
from consultations.models import Consultation
from policies.demo import demo_user
from policies.models import PolicyVersion

from . import services
from .models import Amendment


def seed_amendments(page) -> int:
    """Two competing amendments to the reporting section of version 3 (one with positions), and
    one to the appeals section, rejected with a reason."""
    v3 = PolicyVersion.objects.get(policy=page, number=3)
    current = Consultation.objects.filter(version=v3, state=Consultation.State.OPEN).first()
    if current is None:
        return 0
    if Amendment.objects.filter(consultation=current).exists():
        return Amendment.objects.filter(consultation=current).count()
    fran = demo_user("fran", "Fran Mbeki", groups=["Facilitators"])
    kim = demo_user("kim", "Kim Larsen")
    lee = demo_user("lee", "Lee Moreau")
    sam = demo_user("sam", "Sam Iyer")
    keys3 = {s.heading: s.key for s in v3.sections.all()}
    # Two competing amendments to the reporting section, and one to the appeals section.
    report = v3.sections.get(key=keys3["How to report a problem"]).body
    fast = services.propose_amendment(
        consultation=current,
        user=lee,
        section_key=keys3["How to report a problem"],
        kind="replace",
        text=report.replace(
            "within two weeks.", "within two weeks, or within a day when someone is unsafe."
        ),
        rationale="Urgent safety reports cannot wait two weeks.",
    )
    services.propose_amendment(
        consultation=current,
        user=sam,
        section_key=keys3["How to report a problem"],
        kind="replace",
        text=report.replace("within two weeks.", "within one week."),
        rationale="A shorter deadline for every report is simpler than two tracks.",
    )
    consultation_services.take_position(
        consultation=current, section_key=fast.key, user=kim, stance="support",
        reason="A fast path is what people asked for.",
    )  # fmt: skip
    consultation_services.take_position(
        consultation=current, section_key=fast.key, user=sam, stance="neutral",
        reason="Fine if the conduct team can staff it.",
    )  # fmt: skip
    appeals = v3.sections.get(key=keys3["Appeals"]).body
    longer = services.propose_amendment(
        consultation=current,
        user=kim,
        section_key=keys3["Appeals"],
        kind="replace",
        text=appeals.replace("within thirty days", "within sixty days"),
        rationale="Volunteers are often away for a month.",
    )
    services.decide_amendment(
        amendment=longer,
        user=fran,
        state="rejected",
        reason="Most positions support thirty days, and late appeals can still be heard.",
    )
    return Amendment.objects.filter(consultation=current).count()
