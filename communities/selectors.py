"""Reads for community pages, the adoption dashboard, exports and badges."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import quote

from django.db.models import Count, Q
from django.http import Http404
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from policies import diffing, markdown_io
from policies import selectors as policy_selectors
from policies.models import PolicyPage, PolicyVersion, SectionVersion

from .models import Adoption, Community, Membership, SectionOverride, WikiCopyCheck

Status = Adoption.Status


def changed_keys_since(old: PolicyVersion, new: PolicyVersion) -> list[str]:
    """Headings of sections added, removed or changed between two versions."""
    old_sections = {s.key: s for s in old.sections.all()}
    new_sections = {s.key: s for s in new.sections.all()}
    out = []
    for key, s in new_sections.items():
        before = old_sections.get(key)
        if before is None or before.body_hash != s.body_hash or before.heading != s.heading:
            out.append(s.heading)
    out += [s.heading for k, s in old_sections.items() if k not in new_sections]
    return out


def latest_versions(policy_ids) -> dict[int, PolicyVersion]:
    latest = {}
    for v in PolicyVersion.objects.filter(policy_id__in=list(policy_ids)).order_by(
        "policy_id", "number"
    ):
        latest[v.policy_id] = v
    return latest


def stale_overrides(
    adoption: Adoption, *, latest: PolicyVersion | None = None
) -> list[SectionOverride]:
    """Overrides written against baseline text that the latest version has changed."""
    latest = latest or policy_selectors.latest_version(adoption.policy_id)
    hashes = {s.key: s.body_hash for s in latest.sections.all()} if latest else {}
    return [
        o
        for o in adoption.overrides.select_related("based_on")
        if hashes.get(o.section_key) != o.based_on.body_hash
    ]


def policies_with_versions() -> list[PolicyPage]:
    return list(
        PolicyPage.objects.live().filter(versions__isnull=False).distinct().order_by("title")
    )


# --- registry list ---------------------------------------------------------------------------


def community_list(
    *, q: str = "", language: str = "", kind: str = "", status: str = "", policy=None
):
    communities = Community.objects.all()
    if q:
        communities = communities.filter(Q(name__icontains=q) | Q(slug__icontains=q))
    if language:
        communities = communities.filter(language__iexact=language)
    if kind:
        communities = communities.filter(kind=kind)
    statuses = {}
    if policy is not None:
        statuses = dict(
            Adoption.objects.filter(policy=policy).values_list("community_id", "status")
        )
        if status == Status.UNDECLARED:
            declared = [c for c, s in statuses.items() if s != Status.UNDECLARED]
            communities = communities.exclude(pk__in=declared)
        elif status:
            communities = communities.filter(pk__in=[c for c, s in statuses.items() if s == status])
    rows = [
        {"community": c, "status": statuses.get(c.pk, Status.UNDECLARED)}
        for c in communities.order_by("name")
    ]
    for row in rows:
        row["status_label"] = Status(row["status"]).label
    languages = list(
        Community.objects.exclude(language="")
        .order_by("language")
        .values_list("language", flat=True)
        .distinct()
    )
    return rows, languages


# --- one community ---------------------------------------------------------------------------


@dataclass
class AdoptionCard:
    policy: PolicyPage
    latest: PolicyVersion | None
    adoption: Adoption | None
    stale: list[SectionOverride] = field(default_factory=list)
    changed_since: list[str] = field(default_factory=list)
    overrides: list[SectionOverride] = field(default_factory=list)
    override_rows: list = field(default_factory=list)  # (section heading, override)
    mappings: list = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    unfilled: list[str] = field(default_factory=list)
    timeline: list = field(default_factory=list)
    wiki: WikiCopyState | None = None

    @property
    def status(self) -> str:
        return self.adoption.status if self.adoption else Status.UNDECLARED

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def versions_behind(self) -> int:
        if not (self.adoption and self.adoption.version and self.latest):
            return 0
        return self.latest.number - self.adoption.version.number

    @property
    def badge_version(self) -> str:
        """Changes whenever the badge would, so our own page never shows a cached one."""
        if not self.adoption:
            return "none"
        declared = self.adoption.declared_at.timestamp() if self.adoption.declared_at else 0
        return f"{self.status}-{self.adoption.version_id}-{declared:.0f}"

    @property
    def incomplete(self) -> bool:
        return bool(self.unfilled) and self.status in Adoption.ADOPTING


@dataclass
class WikiCopyState:
    """What the page says about a declaration's wiki copy: the latest check, and when the copy
    differs from what the declaration says (and nobody acknowledged it), the word diff."""

    page: str
    page_url: str
    check: WikiCopyCheck | None
    drift: bool = False
    needs_review: bool = False  # an own equivalent policy changed: review its mapping
    agreed: bool = False  # differs from Accord's text as the delegates agreed
    diff: str = ""  # HTML: the changes with a little unchanged text around each
    revision_url: str = ""


def wiki_copy_drifts(*, outcome, revision_id, agreed_revision) -> bool:
    """A check shows drift when the copy differs and the delegates have not agreed to it."""
    return outcome == WikiCopyCheck.Outcome.DIFFERS and revision_id != agreed_revision


def wiki_page_url(api_url: str, *, title: str = "", revision: int | None = None) -> str:
    base = api_url[: -len("api.php")] if api_url.endswith("api.php") else api_url.rstrip("/") + "/"
    if revision:
        return f"{base}index.php?oldid={revision}"
    return f"{base}index.php?title={quote(title.replace(' ', '_'))}"


def wiki_copy_state(adoption: Adoption) -> WikiCopyState | None:
    """The wiki copy of one declaration (its check comes with the declaration's query)."""
    if not (adoption.wiki_page and adoption.wiki_api_url):
        return None
    check = adoption.wiki_check
    state = WikiCopyState(
        page=adoption.wiki_page,
        page_url=wiki_page_url(adoption.wiki_api_url, title=adoption.wiki_page),
        check=check,
    )
    if check is None:
        return state
    if check.revision_id:
        state.revision_url = wiki_page_url(check.api_url, revision=check.revision_id)
    state.drift = wiki_copy_drifts(
        outcome=check.outcome,
        revision_id=check.revision_id,
        agreed_revision=adoption.wiki_agreed_revision,
    )
    state.agreed = check.outcome == WikiCopyCheck.Outcome.AGREED or (
        check.outcome == WikiCopyCheck.Outcome.DIFFERS and not state.drift
    )
    if state.drift:
        state.needs_review = adoption.status == Status.EQUIVALENT
        state.diff = changes_in_context(check.expected_text, check.wiki_text)
    return state


def _cut(text: str, size: int, *, from_end: bool) -> str:
    """About `size` characters of one end of `text`, cut at a space."""
    if from_end:
        piece = text[-size:]
        return piece[piece.find(" ") + 1 :] if " " in piece else piece
    piece = text[:size]
    return piece[: piece.rfind(" ")] if " " in piece else piece


def changes_in_context(old: str, new: str, *, context: int = 160) -> str:
    """A word diff of two whole pages that shows each change with about `context` characters
    around it; longer unchanged stretches are left out and marked, so a one-word edit in a
    long policy is found at a glance."""
    gap = '<em class="diff-gap meta">{}</em>'.format(
        escape(" … " + _("(unchanged text left out)") + " … ")
    )
    ops = diffing.diff_words(old, new)
    parts = []
    for i, op in enumerate(ops):
        if op.kind != diffing.EQUAL:
            parts.append(diffing.render_inline([op]))
            continue
        text, first, last = op.new, i == 0, i == len(ops) - 1
        keep = (0 if first else context) + (0 if last else context)
        if len(text) <= keep + 80:
            parts.append(escape(text))
            continue
        head = "" if first else _cut(text, context, from_end=False)
        tail = "" if last else _cut(text, context, from_end=True)
        parts.append(escape(head) + gap + escape(tail))
    return "".join(parts)


def get_community(slug: str) -> Community:
    community = Community.objects.prefetch_related("delegates").filter(slug=slug).first()
    if community is None:
        raise Http404("No such community.")
    return community


def adoption_card(
    community: Community, policy: PolicyPage, latest: PolicyVersion | None
) -> AdoptionCard:
    adoption = (
        Adoption.objects.filter(community=community, policy=policy)
        .select_related("version", "declared_by", "wiki_check")
        .first()
    )
    card = AdoptionCard(policy=policy, latest=latest, adoption=adoption)
    if adoption is None:
        return card
    card.wiki = wiki_copy_state(adoption)
    card.overrides = list(adoption.overrides.select_related("based_on", "updated_by"))
    if latest is not None:
        hashes = {s.key: s.body_hash for s in latest.sections.all()}
        card.stale = [
            o for o in card.overrides if hashes.get(o.section_key) != o.based_on.body_hash
        ]
        if (
            adoption.status in Adoption.ADOPTING
            and adoption.version
            and adoption.version.number < latest.number
        ):
            card.changed_since = changed_keys_since(adoption.version, latest)
    if adoption.version:
        sections = list(adoption.version.sections.all())
        headings = {s.key: s.heading for s in sections}
        card.override_rows = [
            (headings.get(o.section_key, o.section_key), o) for o in card.overrides
        ]
        card.mappings = [
            (headings.get(m.section_key, m.section_key), m) for m in adoption.mappings.all()
        ]
        if adoption.status == Status.EQUIVALENT:
            covered = {m.section_key for _, m in card.mappings if m.coverage == "covered"}
            card.gaps = [s.heading for s in sections if s.key not in covered]
        omitted = {o.section_key for o in card.overrides if o.action == SectionOverride.Action.OMIT}
        replaced = {
            o.section_key: o.text
            for o in card.overrides
            if o.action == SectionOverride.Action.REPLACE
        }
        needed = []
        for s in sections:
            if s.key in omitted:
                continue
            for p in markdown_io.find_placeholders(replaced.get(s.key, s.body)):
                if p not in needed:
                    needed.append(p)
        card.unfilled = [p for p in needed if not adoption.parameters.get(p)]
    card.timeline = timeline(adoption)
    return card


@dataclass
class TimelineEvent:
    when: object
    what: str
    who: str
    why: str


def timeline(adoption: Adoption, limit: int = 50) -> list[TimelineEvent]:
    """Every recorded change of the declaration and of its overrides, newest first."""
    events = [
        TimelineEvent(
            when=h.history_date,
            what=Status(h.status).label
            + (_(", version %(number)s") % {"number": h.version.number} if h.version else ""),
            who=h.history_user.get_username() if h.history_user else _("system"),
            why=h.history_change_reason or "",
        )
        for h in adoption.history.select_related("history_user", "version").order_by(
            "-history_date"
        )[:limit]
    ]
    actions = {
        "replace": pgettext("override action, in a sentence", "replace the text"),
        "omit": pgettext("override action, in a sentence", "omit the section"),
    }
    verbs = {
        "+": _("Override on “%(section)s” added (%(action)s)"),
        "~": _("Override on “%(section)s” changed (%(action)s)"),
        "-": _("Override on “%(section)s” removed (%(action)s)"),
    }
    events += [
        TimelineEvent(
            when=h.history_date,
            what=verbs.get(h.history_type, verbs["~"])
            % {
                "section": h.section_key,
                "action": actions.get(h.action) or SectionOverride.Action(h.action).label,
            },
            who=h.history_user.get_username() if h.history_user else _("system"),
            why=h.history_change_reason or h.rationale,
        )
        for h in SectionOverride.history.filter(adoption_id=adoption.pk)
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    ]
    if adoption.wiki_page:
        said = {
            WikiCopyCheck.Outcome.MATCHES: _("The wiki's copy (%(page)s) matches"),
            WikiCopyCheck.Outcome.AGREED: _("The wiki's copy (%(page)s) differs as agreed"),
            WikiCopyCheck.Outcome.DIFFERS: _(
                "The wiki's copy (%(page)s) differs since revision %(revision)s"
            ),
            WikiCopyCheck.Outcome.FAILED: _("The wiki's copy (%(page)s) could not be checked"),
        }
        events += [
            TimelineEvent(
                when=c.checked_at,
                what=said[c.outcome] % {"page": c.page_title, "revision": c.since_revision},
                who=_("drift watch"),
                why=c.error,
            )
            for c in WikiCopyCheck.objects.filter(adoption_id=adoption.pk, news=True)
            .only("checked_at", "outcome", "page_title", "since_revision", "error")
            .order_by("-checked_at")[:limit]
        ]
    events.sort(key=lambda e: e.when, reverse=True)
    return events[:limit]


def community_page(community: Community) -> list[AdoptionCard]:
    policies = policies_with_versions()
    latest = latest_versions(p.pk for p in policies)
    return [adoption_card(community, p, latest.get(p.pk)) for p in policies]


# --- effective text -------------------------------------------------------------------------


def fill_placeholders(text: str, parameters: dict[str, str]) -> str:
    for placeholder, value in parameters.items():
        text = text.replace(placeholder, value)
    return text


def effective_text(adoption: Adoption) -> dict:
    """The community's text: pinned version, overrides applied, placeholders filled; with a
    word-level diff of each section against the baseline."""
    if adoption.version is None:
        raise Http404("This declaration is not pinned to a version.")
    overrides = {o.section_key: o for o in adoption.overrides.all()}
    rows = []
    for s in adoption.version.sections.all():
        override = overrides.get(s.key)
        if override and override.action == SectionOverride.Action.OMIT:
            rows.append(
                {"section": s, "override": override, "omitted": True, "body": "", "diff": None}
            )
            continue
        body = override.text if override else s.body
        body = fill_placeholders(body, adoption.parameters)
        changed = body != s.body
        diff = None
        if changed:
            new_hash = hashlib.sha256(body.encode()).hexdigest()
            diff = policy_selectors.body_diff(s.body, s.body_hash, body, new_hash)
        rows.append(
            {"section": s, "override": override, "omitted": False, "body": body, "diff": diff}
        )
    return {"adoption": adoption, "rows": rows}


def effective_sections(adoption: Adoption) -> list[tuple[str, str]]:
    """(heading, body) of each section the community's text keeps, overrides applied and
    placeholders filled. Reads `adoption.overrides` and `adoption.version.sections` through
    `.all()`, so a prefetch serves a whole list of declarations."""
    if adoption.version is None:
        raise Http404("This declaration is not pinned to a version.")
    overrides = {o.section_key: o for o in adoption.overrides.all()}
    out = []
    for s in adoption.version.sections.all():
        override = overrides.get(s.key)
        if override and override.action == SectionOverride.Action.OMIT:
            continue
        body = override.text if override else s.body
        out.append((s.heading, fill_placeholders(body, adoption.parameters)))
    return out


# --- dashboard ---------------------------------------------------------------------------------


@dataclass
class DashboardRow:
    community: Community
    status: str
    status_label: str
    version_number: int | None
    versions_behind: int
    stale: int
    overrides: int
    wiki_copy: str = ""  # "differs", "review" (own policy changed), "failed" or ""
    wiki_since: tuple = ()  # (revision, date, editor) of the first revision that differed

    @property
    def wiki_copy_label(self) -> str:
        if self.wiki_copy in ("differs", "review"):
            revision, when, editor = self.wiki_since
            text = _("differs since revision %(revision)s (%(date)s, %(editor)s)") % {
                "revision": revision,
                "date": date_format(when, "DATE_FORMAT") if when else "—",
                "editor": editor or "—",
            }
            if self.wiki_copy == "review":
                text += "; " + _("the mapping needs review")
            return text
        return _("check failed") if self.wiki_copy == "failed" else ""


def dashboard(policy: PolicyPage, *, sort: str = "name") -> dict:
    """Counts per status and one row per community for one policy, in a fixed number of
    queries however many communities there are."""
    latest_version = policy_selectors.latest_version(policy)
    latest = latest_version.number if latest_version else 0
    latest_hashes = (
        dict(SectionVersion.objects.filter(version=latest_version).values_list("key", "body_hash"))
        if latest_version
        else {}
    )
    adoptions = {
        a["community_id"]: a
        for a in Adoption.objects.filter(policy=policy).values(
            "community_id",
            "status",
            "version__number",
            "pk",
            "wiki_check__outcome",
            "wiki_check__revision_id",
            "wiki_check__since_revision",
            "wiki_check__since_at",
            "wiki_check__since_user",
            "wiki_agreed_revision",
        )
    }
    override_counts: Counter = Counter()
    stale_counts: Counter = Counter()
    for adoption_id, key, based_hash in SectionOverride.objects.filter(
        adoption__policy=policy
    ).values_list("adoption_id", "section_key", "based_on__body_hash"):
        override_counts[adoption_id] += 1
        if latest_hashes.get(key) != based_hash:
            stale_counts[adoption_id] += 1
    rows = []
    for community in Community.objects.only("name", "slug", "kind", "language").order_by("name"):
        a = adoptions.get(community.pk)
        status = a["status"] if a else Status.UNDECLARED
        number = a["version__number"] if a else None
        rows.append(
            DashboardRow(
                community=community,
                status=status,
                status_label=Status(status).label,
                version_number=number,
                versions_behind=(latest - number) if number and status in Adoption.ADOPTING else 0,
                stale=stale_counts[a["pk"]] if a else 0,
                overrides=override_counts[a["pk"]] if a else 0,
                wiki_copy=_wiki_copy_flag(a) if a else "",
                wiki_since=(
                    a["wiki_check__since_revision"],
                    a["wiki_check__since_at"],
                    a["wiki_check__since_user"],
                )
                if a
                else (),
            )
        )
    keys = {
        "name": lambda r: r.community.name.lower(),
        "status": lambda r: (list(Status.values).index(r.status), r.community.name.lower()),
        "behind": lambda r: (-r.versions_behind, r.community.name.lower()),
        "stale": lambda r: (-r.stale, r.community.name.lower()),
        "wiki": lambda r: (not r.wiki_copy, r.wiki_copy, r.community.name.lower()),
    }
    rows.sort(key=keys.get(sort, keys["name"]))
    counts = Counter(r.status for r in rows)
    total = len(rows) or 1
    x = 0.0
    bars = []
    for value, label in Status.choices:
        width = counts[value] / total * 100
        bars.append(
            {
                "status": value,
                "label": label,
                "count": counts[value],
                "x": round(x, 2),
                "width": round(width, 2),
                "percent": round(width),
            }
        )
        x += width
    return {
        "policy": policy,
        "latest": latest,
        "rows": rows,
        "bars": bars,
        "total": len(rows),
        "wiki_drift": sum(1 for r in rows if r.wiki_copy in ("differs", "review")),
    }


def _wiki_copy_flag(row: dict) -> str:
    if row["wiki_check__outcome"] == WikiCopyCheck.Outcome.FAILED:
        return "failed"
    if wiki_copy_drifts(
        outcome=row["wiki_check__outcome"],
        revision_id=row["wiki_check__revision_id"],
        agreed_revision=row["wiki_agreed_revision"],
    ):
        return "review" if row["status"] == Status.EQUIVALENT else "differs"
    return ""


def memberships_of(user) -> list[Membership]:
    """Every community standing of one person, with the community loaded."""
    if not getattr(user, "pk", None):
        return []
    return list(Membership.objects.filter(user=user).select_related("community"))


def adoption_picture(version: PolicyVersion) -> dict:
    """Where communities stand on one version of a policy: counts per status of declarations
    pinned to this version, how many are pinned to another version, and how many are silent."""
    rows = (
        Adoption.objects.filter(policy_id=version.policy_id)
        .values("status", "version_id")
        .annotate(n=Count("pk"))
    )
    on_version: Counter = Counter()
    elsewhere = 0
    for row in rows:
        if row["status"] == Status.UNDECLARED:
            continue
        if row["version_id"] == version.pk:
            on_version[row["status"]] += row["n"]
        else:
            elsewhere += row["n"]
    total = Community.objects.count()
    declared = sum(on_version.values()) + elsewhere
    statuses = [
        {"status": value, "label": label, "count": on_version[value]}
        for value, label in Status.choices
        if value != Status.UNDECLARED
    ]
    return {
        "statuses": statuses,
        "adopting": sum(on_version[s] for s in Adoption.ADOPTING),
        "other_versions": elsewhere,
        "undeclared": max(total - declared, 0),
        "total": total,
    }
