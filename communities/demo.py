"""Demo communities across every status, built on the services. Used by `manage.py seed_demo`."""

import datetime as dt

from policies.demo import demo_user
from policies.models import PolicyVersion

from . import services
from .models import Adoption, Community

KINDS = ["wiki", "project", "chapter", "event"]
LANGUAGES = ["en", "de", "fr", "es", "pt", "ar", "ja", "sw"]
NAMES = [
    "Alder Wiki",
    "Birch Translators",
    "Cedar Project",
    "Dogwood Chapter",
    "Elm Meetups",
    "Fir Wiki",
    "Ginkgo Docs",
    "Hazel Project",
    "Ironwood Wiki",
    "Juniper Chapter",
    "Kapok Wiki",
    "Larch Project",
    "Maple Wiki",
    "Neem Chapter",
    "Oak Sprint",
    "Pine Wiki",
    "Quince Project",
    "Rowan Wiki",
    "Spruce Chapter",
    "Teak Wiki",
    "Umbrella Pine Project",
    "Viburnum Wiki",
    "Willow Chapter",
    "Xylosma Wiki",
    "Yew Project",
    "Zelkova Wiki",
    "Acacia Camp",
    "Banyan Wiki",
    "Cypress Project",
    "Date Palm Wiki",
]


def status_terms(community, status) -> dict:
    """What a demo declaration of `status` says besides its version and date: the equivalent
    policy it points to, or why the community opted out (also used by seed_scale)."""
    if status == Adoption.Status.EQUIVALENT:
        return {
            "equivalent_title": f"{community.name} behaviour policy",
            "equivalent_url": f"{community.url}policy/conduct",
        }
    if status == Adoption.Status.OPTED_OUT:
        return {"rationale": "Our arbitration committee's policy already covers this."}
    return {}


def seed_communities(page) -> int:
    """About thirty communities: adopters (some with overrides, one of them stale), an own
    equivalent policy with its coverage, opt-outs, discussions and undeclared ones."""
    if Community.objects.exists():
        return Community.objects.count()
    fran = demo_user("fran", "Fran Mbeki", groups=["Facilitators"])
    dana = demo_user("dana", "Dana Silva")
    v2 = PolicyVersion.objects.get(policy=page, number=2)
    v3 = PolicyVersion.objects.get(policy=page, number=3)
    communities = []
    for i, name in enumerate(NAMES):
        community, _ = services.save_community(
            user=fran,
            name=name,
            slug=name.lower().replace(" ", "-"),
            kind=KINDS[i % len(KINDS)],
            language=LANGUAGES[i % len(LANGUAGES)],
            url=f"https://{name.lower().replace(' ', '-')}.example.org/",
            delegates=[dana] if i == 0 else None,
        )
        communities.append(community)
    Status = Adoption.Status
    plan = [Status.ADOPTED] * 9 + [Status.OVERRIDES] * 4 + [Status.EQUIVALENT] * 3
    plan += [Status.OPTED_OUT] * 3 + [Status.DISCUSSING] * 4
    for community, status in zip(communities, plan, strict=False):
        index = communities.index(community)
        version = v2 if index % 3 == 0 else v3
        kwargs = status_terms(community, status)
        adoption = services.declare_adoption(
            community=community,
            policy=page,
            user=fran,
            status=status if status != Status.OVERRIDES else Status.ADOPTED,
            version=version,
            decided_on=dt.date(2026, 10, 1) + dt.timedelta(days=index),
            evidence_url=f"{community.url}discussion/conduct",
            enforcement_body=f"{community.name} conduct team"
            if status in Adoption.ADOPTING
            else "",
            report_contact=f"conduct@{community.slug}.example.org" if index % 2 else "",
            parameters={
                "[CONTACT METHOD]": f"conduct@{community.slug}.example.org",
                "[GOVERNING BODY]": f"{community.name} conduct team",
            }
            if status in Adoption.ADOPTING and index % 2
            else {},
            **kwargs,
        )
        if status == Status.OVERRIDES:
            keys = {s.heading: s.key for s in version.sections.all()}
            report = keys["How to report a problem"]
            services.set_override(
                adoption=adoption,
                section_key=report,
                user=fran,
                action="replace",
                text="Write to [CONTACT METHOD] or ask any administrator in the community chat.",
                rationale="Most reports here start in the chat.",
            )
        if status == Status.EQUIVALENT:
            services.set_mappings(
                adoption=adoption,
                user=fran,
                mappings=[
                    {"section_key": s.key, "coverage": ("covered", "partly", "not_covered")[n % 3]}
                    for n, s in enumerate(version.sections.all())
                ],
            )
    return len(communities)
