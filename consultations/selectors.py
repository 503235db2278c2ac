"""Reads for consultation pages, exports and (later) the API, in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.utils.translation import gettext_lazy

from accounts import selectors as account_selectors
from policies import selectors as policy_selectors
from policies.models import SectionVersion

from . import extensions, rules
from .models import (
    WHOLE_TEXT,
    Consultation,
    ModerationAction,
    Position,
    Reply,
    Summary,
)
from .services import tally_cache_key

STANCES = [s.value for s in Position.Stance]
WHOLE_TEXT_HEADING = gettext_lazy("The whole text")
# Exports are data: one file for every reader (large ones are stored and reused), so English.
WHOLE_TEXT_EXPORT_HEADING = "The whole text"


def consultation_url(consultation: Consultation) -> str:
    return f"/{consultation.version.policy.slug}/consultations/{consultation.pk}/"


def get_consultation(slug: str, pk: int) -> Consultation:
    consultation = (
        Consultation.objects.select_related("version__policy", "state_changed_by")
        .filter(pk=pk, version__policy__slug=slug)
        .first()
    )
    if consultation is None:
        raise Http404("No such consultation on this policy.")
    return consultation


# --- what each person may see: the one place these rules are written as queryset filters -----


def visible_consultations(user) -> QuerySet[Consultation]:
    """Consultations this person may see: every one but drafts, which only facilitators see
    (the queryset form of rules.can_view)."""
    consultations = Consultation.objects.all()
    if not rules.is_facilitator(user):
        consultations = consultations.exclude(state=Consultation.State.DRAFT)
    return consultations


def visible_summaries(user) -> QuerySet[Summary]:
    """Published summaries of the consultations this person may see."""
    return Summary.objects.filter(
        published_at__isnull=False, consultation__in=visible_consultations(user)
    )


def visible_positions() -> QuerySet[Position]:
    """Positions whose text is public: not hidden by a moderator. What tallies count,
    summaries cite and a vote's minimum-contributions rule counts (pages list hidden ones as a
    notice instead)."""
    return Position.objects.filter(hidden=False)


def visible_replies() -> QuerySet[Reply]:
    """Replies whose text is public: not hidden by a moderator."""
    return Reply.objects.filter(hidden=False)


def consultations_for_policy(page, user) -> list[Consultation]:
    """The consultations on a policy this person may see, newest first."""
    return list(
        visible_consultations(user)
        .filter(version__policy=page)
        .select_related("version")
        .order_by("-opens_at")
    )


# --- tallies -------------------------------------------------------------------------------


@dataclass
class Tally:
    support: int = 0
    oppose: int = 0
    neutral: int = 0
    comments: int = 0  # imported comments without a stance
    replies: int = 0
    # (home community name, counts in STANCES order), largest first; positions by people with
    # no linked home community are left out (the totals above include them).
    by_community: list[tuple[str, list[int]]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.support + self.oppose + self.neutral

    def share(self, stance: str) -> float:
        return getattr(self, stance) / self.total if self.total else 0.0

    @property
    def bars(self) -> list[dict]:
        """Segments for the bar (an SVG, or a strip of flex boxes on the first view), each with
        its label and percentage, so the picture has a text equivalent."""
        x = 0.0
        out = []
        for stance in STANCES:
            width = self.share(stance) * 100
            out.append(
                {
                    "stance": stance,
                    "label": Position.Stance(stance).label,
                    "count": getattr(self, stance),
                    "percent": round(width),
                    "x": round(x, 2),
                    "width": round(width, 2),
                    # in twentieths, at least one for any position: a flex strip's share
                    "grow": max(round(width / 5), 1) if getattr(self, stance) else 0,
                }
            )
            x += width
        return out


def tallies(consultation: Consultation) -> dict[str, Tally]:
    """Visible positions per section and stance, plus reply counts: two GROUP BY queries,
    cached until the next write in this consultation."""
    key = tally_cache_key(consultation.pk)
    cached = cache.get(key)
    if cached is not None:
        return cached
    result: dict[str, Tally] = defaultdict(Tally)
    # COUNT(*) in index order lets PostgreSQL answer from the partial index alone.
    rows = (
        visible_positions()
        .filter(consultation=consultation)
        .values("section_key", "stance")
        .annotate(n=Count("*"))
        .order_by("section_key", "stance")
    )
    for row in rows:
        tally = result[row["section_key"]]
        if row["stance"]:
            setattr(tally, row["stance"], row["n"])
        else:
            tally.comments += row["n"]
    replies = (
        visible_replies()
        .filter(position__consultation=consultation)
        .values("position__section_key")
        .annotate(n=Count("*"))
        .order_by()
    )
    for row in replies:
        result[row["position__section_key"]].replies = row["n"]
    _add_community_breakdown(consultation, result)
    result = dict(result)
    cache.set(key, result, 60 * 10)
    return result


def _add_community_breakdown(consultation: Consultation, result: dict[str, Tally]) -> None:
    """Stances per section and home community (issue 9): one GROUP BY query."""
    rows = (
        visible_positions()
        .filter(consultation=consultation, stance__in=STANCES)
        .annotate(home=account_selectors.home_community_name("user"))
        .filter(home__isnull=False)
        .values("section_key", "home", "stance")
        .annotate(n=Count("*"))
        .order_by()
    )
    grouped: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        grouped[row["section_key"]][row["home"]][row["stance"]] = row["n"]
    for key, communities in grouped.items():
        result[key].by_community = sorted(
            ((name, [counts.get(s, 0) for s in STANCES]) for name, counts in communities.items()),
            key=lambda item: (-sum(item[1]), item[0]),
        )


# --- the consultation page -----------------------------------------------------------------


@dataclass
class ReplyNode:
    reply: Reply
    children: list[ReplyNode] = field(default_factory=list)


@dataclass(frozen=True)
class EarlierWording:
    """What a position said before its author changed it, and until when."""

    stance: str
    reason: str
    until: object


@dataclass
class PositionView:
    position: Position
    changes: list[tuple[str, str, object]]  # (from stance, to stance, when)
    replies: list[ReplyNode]
    # Each earlier stance with its reason, oldest first; empty for a position a moderator ever
    # hid (its history may hold the text that was hidden).
    earlier: list[EarlierWording] = field(default_factory=list)


@dataclass
class SectionView:
    key: str
    heading: str
    html: str
    tally: Tally
    positions: list[PositionView]
    own: Position | None
    number: int
    # What later apps show with this section (extensions.PagePart), by extension name.
    extras: dict[str, list] = field(default_factory=dict)
    # On a focused pseudo-section: the item it discusses (an amendment) and its template.
    focus: object = None
    focus_template: str = ""
    accepts_positions: bool = True
    body: str = ""
    # On the first view: the section's kept head and positions, and what the reader may do
    # with it (their own stance, links to the forms; consultations.fragments).
    digest: dict | None = None
    actions: str = ""

    @property
    def has_extras(self) -> bool:
        """Whether a later app shows anything with this section (the first view includes the
        section-end templates only then)."""
        return any(self.extras.values())

    @property
    def shown(self) -> int:
        return len(self.positions)

    @property
    def more(self) -> int:
        return self.tally.total + self.tally.comments - self.shown


def _reply_trees(replies: list[Reply]) -> dict[int, list[ReplyNode]]:
    nodes = {r.pk: ReplyNode(r) for r in replies}
    roots: dict[int, list[ReplyNode]] = defaultdict(list)
    for r in replies:
        if r.parent_id and r.parent_id in nodes:
            nodes[r.parent_id].children.append(nodes[r.pk])
        else:
            roots[r.position_id].append(nodes[r.pk])
    return roots


def _histories(position_ids: list[int]) -> tuple[dict, dict]:
    """From each position's history, in one query: its stance changes (from, to, when), and
    its earlier wordings (stance and reason before each change of either).

    A position that a moderator hid at any time shows its stance changes only: its history
    has no record of which wording was hidden, so no earlier wording of it is shown."""
    was_hidden = ModerationAction.objects.filter(
        position_id=OuterRef("id"), action=ModerationAction.Action.HIDE
    )
    history = (
        Position.history.model.objects.filter(id__in=position_ids)
        .annotate(was_hidden=Exists(was_hidden))
        .order_by("id", "history_date", "history_id")
    )
    changes: dict[int, list] = defaultdict(list)
    earlier: dict[int, list[EarlierWording]] = defaultdict(list)
    last: dict[int, tuple[str, str]] = {}
    for h in history.values("id", "stance", "reason", "history_date", "was_hidden"):
        pid, now = h["id"], (h["stance"], h["reason"])
        before = last.get(pid)
        if before is not None and before[0] != now[0]:
            changes[pid].append((before[0], now[0], h["history_date"]))
        if before is not None and before != now and not h["was_hidden"]:
            earlier[pid].append(EarlierWording(*before, until=h["history_date"]))
        last[pid] = now
    return changes, earlier


def with_relevance(positions: QuerySet[Position]) -> QuerySet[Position]:
    """Positions annotated with what RELEVANCE orders by: `replies_n` (visible replies to it)
    and `has_reason`."""
    replies = (
        visible_replies()
        .filter(position=OuterRef("pk"))
        .order_by()
        .values("position")
        .annotate(n=Count("*"))
        .values("n")[:1]
    )
    return positions.annotate(
        replies_n=Coalesce(Subquery(replies), 0),
        has_reason=Case(When(reason="", then=Value(0)), default=Value(1)),
    )


# Which positions a section shows first (the first view shows the top few, the section's page
# all of them in this order): visible before hidden, with a reason before without, the most
# replied to first, then the newest.
RELEVANCE = [
    F("hidden").asc(),
    F("has_reason").desc(),
    F("replies_n").desc(),
    F("updated_at").desc(),
    F("pk").desc(),
]


def _listed_positions(
    consultation, *, section, stance, relevance, skip, per_section, page, page_size, pinned=None
) -> tuple[list[Position], bool]:
    """The positions a page lists: one section's, a page at a time (and whether a further page
    exists; the `pinned` position first), or each section's first `per_section` but those of
    sections in `skip`."""
    positions = (
        Position.objects.filter(consultation=consultation)
        .select_related("user", "hidden_by")
        .annotate(author_home=account_selectors.home_community_name("user"))
    )
    if stance in STANCES:
        positions = positions.filter(stance=stance)
    ordering = [F("updated_at").desc(), F("pk").desc()]
    if relevance:
        positions = with_relevance(positions)
        ordering = RELEVANCE
    if section:
        if pinned:
            ordering = [Case(When(pk=pinned, then=Value(0)), default=Value(1)).asc(), *ordering]
        # One row beyond the page tells whether a further page exists.
        found = list(
            positions.filter(section_key=section).order_by(*ordering)[
                (page - 1) * page_size : page * page_size + 1
            ]
        )
        return found[:page_size], len(found) > page_size
    if skip:
        positions = positions.exclude(section_key__in=list(skip))
    found = list(
        positions.annotate(
            row=Window(RowNumber(), partition_by=[F("section_key")], order_by=ordering)
        )
        .filter(row__lte=per_section)
        .order_by("section_key", "row")
    )
    return found, False


def published_sections(version) -> list[SectionVersion]:
    """A published version's sections in order, kept: a published version never changes
    (policies.models.ImmutableModel), and every view of a consultation on it reads them."""
    key = f"accord:vsections:v1:{version.pk}"
    sections = cache.get(key)
    if sections is None:
        sections = list(version.sections.all())
        cache.set(key, sections, 60 * 60 * 24)
    return sections


def consultation_page(
    consultation: Consultation,
    user,
    *,
    sort: str = "document",
    stance: str = "",
    section: str = "",
    per_section: int = 5,
    page: int = 1,
    page_size: int = 50,
    order: str = "newest",
    digest: bool = False,
    kept: Collection[str] = (),
    pinned: int | None = None,
) -> dict:
    """Everything the consultation page shows, in a fixed number of queries however many
    sections, positions and replies there are.

    Overview: each section with its tally and its `per_section` latest positions. With
    `section`, that one section with all its positions, `page_size` at a time. `order`
    "relevance" lists positions by RELEVANCE instead of newest first; `pinned` (a position's
    id) comes first on a section's pages, where a reply or moderation lands.

    `digest` (the first view, consultations.fragments): each section's `per_section` most
    relevant positions with their reply counts (`replies_n`), without their replies, histories
    or the section text; sections in `kept` (whose digest is kept) get no positions at all."""
    version = consultation.version
    sections = published_sections(version)
    section_meta = [
        (s.key, s.heading, "" if digest else policy_selectors.rendered_body(s), i + 1)
        for i, s in enumerate(sections)
    ]
    section_meta.append((WHOLE_TEXT, WHOLE_TEXT_HEADING, "", 0))
    counts = tallies(consultation)
    parts = [
        (
            extension.name,
            extension.page(consultation, sections=sections, counts=counts, focus=section),
        )
        for extension in extensions.registered()
        if extension.page
    ]
    focus_part = next((part for _name, part in parts if part.focus is not None), None)
    if focus_part is not None:
        section_meta.append((section, focus_part.focus_heading, "", 0))
    if section and section not in {m[0] for m in section_meta}:
        raise Http404("No such section in this consultation.")

    if digest and set(kept) >= {m[0] for m in section_meta}:
        positions, has_more = [], False  # every section's digest is kept
    else:
        positions, has_more = _listed_positions(
            consultation,
            section=section,
            stance=stance,
            relevance=digest or order == "relevance",
            skip=kept,
            per_section=per_section,
            page=page,
            page_size=page_size,
            pinned=pinned,
        )
    ids = [] if digest else [p.pk for p in positions]
    replies = []
    if ids:
        replies = list(
            Reply.objects.filter(position_id__in=ids)
            .select_related("user", "hidden_by")
            .annotate(author_home=account_selectors.home_community_name("user"))
            .order_by("created_at", "pk")
        )
    trees = _reply_trees(replies)
    changes, earlier = _histories(ids) if ids else ({}, {})
    own = {}
    if user.is_authenticated:
        own = {
            p.section_key: p for p in Position.objects.filter(consultation=consultation, user=user)
        }
    by_section: dict[str, list[PositionView]] = defaultdict(list)
    for p in positions:
        by_section[p.section_key].append(
            PositionView(p, changes.get(p.pk, []), trees.get(p.pk, []), earlier.get(p.pk, []))
        )

    views = [
        SectionView(
            key=key,
            heading=heading,
            html=html,
            tally=counts.get(key, Tally()),
            positions=by_section.get(key, []),
            own=own.get(key),
            number=number,
        )
        for key, heading, html, number in section_meta
        if not section or key == section
    ]

    def order(v):  # the whole text comes after the sections when tied
        return v.number or len(section_meta)

    if sort == "opposed":
        views.sort(key=lambda v: (-v.tally.oppose, -v.tally.share("oppose"), order(v)))
    elif sort == "discussed":
        views.sort(key=lambda v: (-(v.tally.total + v.tally.replies), order(v)))
    overall = Tally()
    for key, t in counts.items():
        if key.startswith("amendment-"):
            continue  # positions on amendments are not positions on the text
        for s in STANCES:
            setattr(overall, s, getattr(overall, s) + getattr(t, s))
        overall.replies += t.replies
    bodies = {s.key: s.body for s in sections}
    for view in views:
        view.body = bodies.get(view.key, "")
        view.extras = {name: part.by_section.get(view.key, []) for name, part in parts}
        if focus_part is not None and view.key == section:
            view.focus = focus_part.focus
            view.focus_template = focus_part.focus_template
            view.accepts_positions = focus_part.focus_accepts_positions
    return {
        "sections": views,
        "overall": overall,
        "own_count": len(own),
        "has_more": has_more,
    }


def moderation_log(consultation: Consultation) -> list[ModerationAction]:
    return list(
        ModerationAction.objects.filter(consultation=consultation).select_related(
            "actor", "position__user", "reply__user", "reply__position"
        )
    )


# --- carry-forward -------------------------------------------------------------------------


@dataclass
class CarryCandidate:
    section_key: str
    heading: str
    position: Position
    unchanged: bool
    diff: dict | None


def carry_forward_candidates(consultation: Consultation, user) -> list[CarryCandidate]:
    """The user's positions in the latest earlier consultation on this policy, each marked
    unchanged (same body hash: can be carried over) or changed (with the diff)."""
    if not user.is_authenticated:
        return []
    previous = (
        Consultation.objects.filter(
            version__policy_id=consultation.version.policy_id,
            version__number__lt=consultation.version.number,
            positions__user=user,
        )
        .select_related("version")
        .order_by("-version__number", "-opens_at")
        .first()
    )
    if previous is None:
        return []
    already = set(
        Position.objects.filter(consultation=consultation, user=user).values_list(
            "section_key", flat=True
        )
    )
    old_sections = {s.key: s for s in previous.version.sections.all()}
    new_sections = {s.key: s for s in consultation.version.sections.all()}
    out = []
    for p in visible_positions().filter(consultation=previous, user=user).order_by("pk"):
        if p.section_key in already:
            continue
        if p.section_key == WHOLE_TEXT:
            unchanged = previous.version.content_hash == consultation.version.content_hash
            out.append(CarryCandidate(p.section_key, WHOLE_TEXT_HEADING, p, unchanged, None))
            continue
        old, new = old_sections.get(p.section_key), new_sections.get(p.section_key)
        if new is None:
            continue  # the section no longer exists
        unchanged = old is not None and old.body_hash == new.body_hash
        diff = None
        if not unchanged and old is not None:
            diff = policy_selectors.body_diff(old.body, old.body_hash, new.body, new.body_hash)
        out.append(CarryCandidate(p.section_key, new.heading, p, unchanged, diff))
    return out


# --- summaries ----------------------------------------------------------------------------


def summary_view(consultation: Consultation, *, include_unpublished: bool = False) -> dict | None:
    """The summary with, once the facilitators have chosen the version that answers the
    consultation, "you said → we changed": each cited position beside the diff of its section
    from the consulted version to that one."""
    summary = (
        Summary.objects.filter(consultation=consultation)
        .select_related("published_by", "answered_by__author")
        .prefetch_related(
            Prefetch("sections__cited_positions", queryset=Position.objects.select_related("user"))
        )
        .first()
    )
    if summary is None or (not summary.is_published and not include_unpublished):
        return None
    version = consultation.version
    next_version = summary.answered_by
    headings = {s.key: s for s in version.sections.all()}
    next_sections = {}
    if next_version:
        next_sections = {s.key: s for s in SectionVersion.objects.filter(version=next_version)}
    rows = []
    order = {key: i for i, key in enumerate(headings)}
    for row in sorted(summary.sections.all(), key=lambda r: order.get(r.section_key, len(order))):
        old = headings.get(row.section_key)
        new = next_sections.get(row.section_key)
        diff = None
        status = None
        renamed_to = ""
        if next_version and row.section_key == WHOLE_TEXT:
            status = "whole"
        elif next_version and old is not None:
            if new is None:
                status = "removed"
            else:
                renamed_to = new.heading if new.heading != old.heading else ""
                if new.body_hash != old.body_hash:
                    status = "changed"
                    diff = policy_selectors.body_diff(
                        old.body, old.body_hash, new.body, new.body_hash
                    )
                else:
                    status = "renamed" if renamed_to else "unchanged"
        rows.append(
            {
                "row": row,
                "heading": old.heading if old else WHOLE_TEXT_HEADING,
                "renamed_to": renamed_to,
                "cited": [p for p in row.cited_positions.all() if not p.hidden],
                "status": status,
                "diff": diff,
            }
        )
    view = {"summary": summary, "rows": rows, "next_version": next_version}
    section_headings = {key: section.heading for key, section in headings.items()}
    for extension in extensions.registered():
        if extension.summary:
            view.update(extension.summary(consultation, section_headings))
    return view


def export_rows(consultation: Consultation) -> list[dict]:
    """Public positions and replies for CSV/JSON export. Hidden items appear as notices only;
    private feedback is never included."""
    headings = {s.key: s.heading for s in consultation.version.sections.all()}
    headings[WHOLE_TEXT] = WHOLE_TEXT_EXPORT_HEADING
    rows = []
    positions = (
        Position.objects.filter(consultation=consultation)
        .select_related("user", "hidden_by")
        .prefetch_related(
            Prefetch("replies", queryset=Reply.objects.select_related("user", "hidden_by"))
        )
        .order_by("section_key", "created_at", "pk")
    )

    def text_or_notice(item, text):
        if item.hidden:
            who = item.hidden_by.get_username() if item.hidden_by else "a facilitator"
            return f"[hidden by {who} on {item.hidden_at:%Y-%m-%d}: {item.hidden_reason}]"
        return text

    for p in positions:
        rows.append(
            {
                "type": "position",
                "id": p.pk,
                "parent": None,
                "section_key": p.section_key,
                "section": headings.get(p.section_key, p.section_key),
                "author": p.author_name,
                "stance": p.stance,
                "strength": p.strength,
                "text": text_or_notice(p, p.reason),
                "hidden": p.hidden,
                "created_at": p.created_at.isoformat(),
                "updated_at": p.updated_at.isoformat(),
            }
        )
        for r in p.replies.all():
            rows.append(
                {
                    "type": "reply",
                    "id": r.pk,
                    "parent": r.parent_id or f"position-{p.pk}",
                    "section_key": p.section_key,
                    "section": headings.get(p.section_key, p.section_key),
                    "author": r.author_name,
                    "stance": "",
                    "strength": "",
                    "text": text_or_notice(r, r.body),
                    "hidden": r.hidden,
                    "created_at": r.created_at.isoformat(),
                    "updated_at": r.created_at.isoformat(),
                }
            )
    return rows


def open_flags_count(consultation: Consultation) -> int:
    return consultation.flags.filter(resolved_at__isnull=True).count()


def contribution_count(user) -> int:
    """Positions and replies this person wrote here that are not hidden: what a vote's
    "minimum contributions" rule counts."""
    if not getattr(user, "pk", None):
        return 0
    # Unordered: SQLite refuses ORDER BY inside the parts of a UNION.
    positions = visible_positions().filter(user=user).order_by().values("pk")
    replies = visible_replies().filter(user=user).order_by().values("pk")
    return positions.union(replies, all=True).count()
