"""Reads for amendments: under the sections they amend, focused, merged, exported and credited,
in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.utils.translation import gettext

from accounts.naming import public_name
from consultations.extensions import ExportPart, PagePart
from consultations.models import Consultation
from consultations.selectors import Tally, consultation_url, tallies
from core.exports import spreadsheet_safe
from policies import diffing
from policies.credits import Credit

from . import amending
from .models import Amendment, AmendmentMerge, AmendmentRevision, amendment_key


def open_keys(consultation: Consultation) -> set[str]:
    """The amendments still proposed: positions may be taken on them as on a section."""
    proposed = Amendment.objects.filter(
        consultation=consultation, state=Amendment.State.PROPOSED
    ).values_list("pk", flat=True)
    return {amendment_key(pk) for pk in proposed}


def export_amendments(consultation: Consultation) -> list[dict]:
    """Every amendment with its state, decision, tally and where it was merged: three queries."""
    headings = {s.key: s.heading for s in consultation.version.sections.all()}
    counts = tallies(consultation)
    rows = []
    for a in (
        Amendment.objects.filter(consultation=consultation)
        .select_related("author", "decided_by", "merge__version")
        .order_by("created_at", "pk")
    ):
        tally = counts.get(a.key, Tally())
        merge = getattr(a, "merge", None)
        rows.append(
            {
                "id": a.pk,
                "section_key": a.section_key,
                "section": headings.get(a.section_key, a.section_key),
                "kind": a.kind,
                "heading": a.heading,
                "text": a.text,
                "rationale": a.rationale,
                "author": public_name(a.author),
                "state": a.state,
                "decision_reason": a.decision_reason,
                "decided_by": a.decided_by.get_username() if a.decided_by else "",
                "revision": a.revision,
                "support": tally.support,
                "oppose": tally.oppose,
                "neutral": tally.neutral,
                "merged_into_version": merge.version.number if merge and merge.version else None,
                "created_at": a.created_at.isoformat(),
            }
        )
    return rows


@dataclass
class AmendmentView:
    amendment: Amendment
    tally: Tally
    diff_html: str
    base_heading: str
    merge: AmendmentMerge | None
    revisions: list = field(default_factory=list)


def amendment_diff(base_body: str, amendment) -> str:
    """The amendment as a word-level diff against the section it amends (HTML, escaped)."""
    if amendment.kind == Amendment.Kind.DELETE:
        return diffing.render_inline(diffing.diff_words(base_body, ""))
    if amendment.kind == Amendment.Kind.INSERT:
        return diffing.render_inline(diffing.diff_words("", amendment.text))
    return diffing.render_inline(diffing.diff_words(base_body, amendment.text))


def amendments_by_section(
    consultation: Consultation, sections, counts: dict[str, Tally]
) -> dict[str, list[AmendmentView]]:
    """Every amendment of the consultation with its tally and diff, grouped by the section it
    amends: one query, whatever the number of amendments."""
    base = {s.key: s for s in sections}
    grouped: dict[str, list[AmendmentView]] = defaultdict(list)
    for amendment in (
        Amendment.objects.filter(consultation=consultation)
        .select_related("author", "decided_by", "merge", "merge__version")
        .order_by("created_at", "pk")
    ):
        section = base.get(amendment.section_key)
        grouped[amendment.section_key].append(
            AmendmentView(
                amendment=amendment,
                tally=counts.get(amendment.key, Tally()),
                diff_html=amendment_diff(section.body if section else "", amendment),
                base_heading=section.heading if section else amendment.section_key,
                merge=getattr(amendment, "merge", None),
            )
        )
    return dict(grouped)


def amendment_revisions(amendment: Amendment) -> list[dict]:
    """The author's revisions, newest first, each diffed against the one before."""
    revisions = list(AmendmentRevision.objects.filter(amendment=amendment).order_by("number"))
    out = []
    for previous, current in zip([None, *revisions], revisions, strict=False):
        out.append(
            {
                "revision": current,
                "diff_html": diffing.render_inline(
                    diffing.diff_words(previous.text if previous else "", current.text)
                )
                if previous
                else "",
            }
        )
    return list(reversed(out))


def amendment_credits(version_ids: list[int]) -> dict[int, list[Credit]]:
    """Merged amendments per published version, for the version history."""
    found: dict[int, list[Credit]] = defaultdict(list)
    for merge in AmendmentMerge.objects.filter(version_id__in=version_ids).select_related(
        "amendment__author", "amendment__consultation__version__policy"
    ):
        amendment = merge.amendment
        found[merge.version_id].append(
            Credit(
                text=gettext("amendment #%(pk)s by %(name)s")
                % {"pk": amendment.pk, "name": amendment.author.get_username()},
                url=consultation_url(amendment.consultation) + f"?section={amendment.key}",
            )
        )
    return dict(found)


def merge_page(consultation: Consultation) -> dict:
    """What the facilitator merging amendments sees: accepted amendments per section, which are
    in the draft, and which would conflict with each other."""
    sections = list(consultation.version.sections.all())
    base = {s.key: s for s in sections}
    amendments = list(
        Amendment.objects.filter(consultation=consultation, state__in=Amendment.MERGEABLE)
        .select_related("author", "merge", "merge__version")
        .order_by("section_key", "created_at")
    )
    changes = {
        a.pk: amending.changes(base[a.section_key].body, a.text)
        for a in amendments
        if a.kind == Amendment.Kind.REPLACE and a.section_key in base
    }
    rows = []
    for a in amendments:
        clashes = []
        for b in amendments:
            if b.pk == a.pk or b.section_key != a.section_key:
                continue
            if Amendment.Kind.INSERT in (a.kind, b.kind):
                continue
            if Amendment.Kind.DELETE in (a.kind, b.kind) or amending.conflicts(
                changes.get(a.pk, []), changes.get(b.pk, [])
            ):
                clashes.append(b)
        section = base.get(a.section_key)
        rows.append(
            {
                "amendment": a,
                "heading": section.heading if section else a.section_key,
                "diff_html": amendment_diff(section.body if section else "", a),
                "merge": getattr(a, "merge", None),
                "conflicts": clashes,
            }
        )
    return {"rows": rows}


def consultation_page_part(
    consultation: Consultation, *, sections, counts: dict[str, Tally], focus: str
) -> PagePart:
    """The amendments on the consultation page: under the sections they amend and, when the page
    is focused on one amendment (`?section=amendment-N`), that amendment with its revisions."""
    amendments = amendments_by_section(consultation, sections, counts)
    part = PagePart(by_section=amendments)
    if focus.startswith("amendment-"):
        view = next(
            (a for group in amendments.values() for a in group if a.amendment.key == focus),
            None,
        )
        if view is not None:
            view.revisions = amendment_revisions(view.amendment)
            part.focus = view
            part.focus_heading = gettext("Amendment #%(pk)s") % {"pk": view.amendment.pk}
            part.focus_template = "amendments/_amendment_detail.html"
            part.focus_accepts_positions = view.amendment.state == Amendment.State.PROPOSED
    return part


def summary_amendments(consultation: Consultation, headings: dict[str, str]) -> dict:
    """Every amendment with its outcome, for the consultation's summary."""
    amendments = list(
        Amendment.objects.filter(consultation=consultation)
        .select_related("author", "decided_by", "merge__version")
        .order_by("created_at", "pk")
    )
    for amendment in amendments:
        amendment.section_heading = headings.get(amendment.section_key, amendment.section_key)
    return {"amendments": amendments}


def export_fingerprint(consultation: Consultation) -> list:
    """Changes whenever an amendment is proposed, revised or decided."""
    stats = Amendment.objects.filter(consultation=consultation).aggregate(
        n=Count("pk"), updated=Max("updated_at")
    )
    return [stats["n"], stats["updated"]]


def export_part(consultation: Consultation) -> ExportPart:
    """The amendments in the consultation's exports: every field in JSON, one row each in CSV."""
    rows = export_amendments(consultation)
    csv_rows = [
        {
            "type": "amendment",
            "id": a["id"],
            "section_key": a["section_key"],
            "section": spreadsheet_safe(a["section"]),
            "author": spreadsheet_safe(a["author"]),
            "kind": a["kind"],
            "text": spreadsheet_safe(a["text"]),
            "created_at": a["created_at"],
            "state": a["state"],
            "support": a["support"],
            "oppose": a["oppose"],
            "neutral": a["neutral"],
        }
        for a in rows
    ]
    return ExportPart(key="amendments", rows=rows, csv_rows=csv_rows)
