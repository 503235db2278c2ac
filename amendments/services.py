"""Every change to an amendment: proposing, revising, withdrawing and deciding it, and merging
accepted ones into the policy's next draft. Validated, written in a transaction."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from consultations.models import Consultation
from consultations.services import _clean_text, _invalidate_tallies, _require_open, _throttle
from core.roles import is_facilitator, is_participant
from policies import selectors as policy_selectors
from policies.services import normalise_text

from . import amending, rules
from .models import Amendment, AmendmentMerge, AmendmentRevision

_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!?][^>]*>")


def _amendment_text(text: str, *, field: str, required: bool) -> str:
    text = _clean_text(normalise_text(text or ""), field=field, required=required)
    if _HTML_TAG.search(text):
        raise ValidationError(
            {
                field: gettext(
                    "Write plain text or Markdown; HTML tags such as <script> are not accepted."
                )
            }
        )
    return text


def _consulted_sections(consultation: Consultation) -> dict:
    return {s.key: s for s in consultation.version.sections.all()}


def _check_amendment(
    consultation: Consultation, *, section_key: str, kind: str, text: str, heading: str
) -> tuple[str, str]:
    sections = _consulted_sections(consultation)
    if section_key not in sections:
        raise ValidationError(
            {"section_key": gettext("That section is not part of the consulted version.")}
        )
    if kind not in Amendment.Kind.values:
        raise ValidationError(
            {"kind": gettext("Replace the text, delete the section, or add one after.")}
        )
    required = kind != Amendment.Kind.DELETE
    text = _amendment_text(text, field="text", required=required)
    heading = _amendment_text(heading, field="heading", required=kind == Amendment.Kind.INSERT)
    if len(heading) > 255:
        raise ValidationError({"heading": gettext("Keep the heading under 255 characters.")})
    if kind == Amendment.Kind.DELETE:
        if text:
            raise ValidationError(
                {
                    "text": gettext(
                        "To delete the section, leave the text empty (or choose “Replace”)."
                    )
                }
            )
        heading = ""
    elif kind == Amendment.Kind.REPLACE:
        heading = ""
        if normalise_text(sections[section_key].body) == text:
            raise ValidationError(
                {"text": gettext("This is the section's current text: change some words.")}
            )
    return text, heading


def propose_amendment(
    *,
    consultation: Consultation,
    user,
    section_key: str,
    kind: str,
    text: str = "",
    heading: str = "",
    rationale: str,
) -> Amendment:
    """Propose better wording for one section (or its deletion, or a new section after it)."""
    if not rules.can_propose_amendment(user, consultation):
        if not is_participant(user):
            raise PermissionDenied(gettext("Sign in to propose an amendment."))
        _require_open(consultation)
    _throttle(user, "amendment")
    text, heading = _check_amendment(
        consultation, section_key=section_key, kind=kind, text=text, heading=heading
    )
    rationale = _amendment_text(rationale, field="rationale", required=True)
    now = timezone.now()
    with transaction.atomic():
        amendment = Amendment.objects.create(
            consultation=consultation,
            section_key=section_key,
            kind=kind,
            heading=heading,
            text=text,
            rationale=rationale,
            author=user,
            created_at=now,
            updated_at=now,
        )
        AmendmentRevision.objects.create(
            amendment=amendment,
            number=1,
            kind=kind,
            heading=heading,
            text=text,
            rationale=rationale,
            created_at=now,
        )
    _invalidate_tallies(consultation.pk)
    return amendment


@transaction.atomic
def revise_amendment(
    *, amendment: Amendment, user, kind: str, text: str = "", heading: str = "", rationale: str
) -> Amendment:
    """The author rewrites their proposed amendment; every revision is kept."""
    amendment = (
        Amendment.objects.select_for_update().select_related("consultation").get(pk=amendment.pk)
    )
    if not rules.can_revise_amendment(user, amendment):
        if amendment.author_id != getattr(user, "pk", None):
            raise PermissionDenied(gettext("Only its author may revise an amendment."))
        if amendment.state != Amendment.State.PROPOSED:
            raise ValidationError(
                gettext("This amendment is %(state)s: it can no longer be revised.")
                % {"state": amendment.get_state_display().lower()}
            )
        _require_open(amendment.consultation)
    text, heading = _check_amendment(
        amendment.consultation,
        section_key=amendment.section_key,
        kind=kind,
        text=text,
        heading=heading,
    )
    rationale = _amendment_text(rationale, field="rationale", required=True)
    if (amendment.kind, amendment.text, amendment.heading, amendment.rationale) == (
        kind,
        text,
        heading,
        rationale,
    ):
        raise ValidationError(gettext("Nothing changed: edit the wording or the rationale first."))
    now = timezone.now()
    amendment.kind, amendment.text, amendment.heading = kind, text, heading
    amendment.rationale = rationale
    amendment.revision += 1
    amendment.updated_at = now
    amendment.save()
    AmendmentRevision.objects.create(
        amendment=amendment,
        number=amendment.revision,
        kind=kind,
        heading=heading,
        text=text,
        rationale=rationale,
        created_at=now,
    )
    return amendment


@transaction.atomic
def withdraw_amendment(*, amendment: Amendment, user) -> Amendment:
    """The author takes back a proposed amendment. It stays on the page, marked withdrawn."""
    amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
    if not rules.can_withdraw_amendment(user, amendment):
        if amendment.author_id != getattr(user, "pk", None):
            raise PermissionDenied(gettext("Only its author may withdraw an amendment."))
        raise ValidationError(
            gettext("This amendment is %(state)s: it cannot be withdrawn.")
            % {"state": amendment.get_state_display().lower()}
        )
    amendment.state = Amendment.State.WITHDRAWN
    amendment.updated_at = timezone.now()
    amendment.save(update_fields=["state", "updated_at"])
    _invalidate_tallies(amendment.consultation_id)
    return amendment


@transaction.atomic
def decide_amendment(*, amendment: Amendment, user, state: str, reason: str) -> Amendment:
    """A facilitator accepts, partly accepts or rejects a proposed amendment, with a public
    reason."""
    amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
    if not is_facilitator(user):
        raise PermissionDenied(gettext("Only facilitators decide on amendments."))
    if amendment.state != Amendment.State.PROPOSED:
        raise ValidationError(
            gettext("This amendment is already %(state)s.")
            % {"state": amendment.get_state_display().lower()}
        )
    if state not in Amendment.DECIDED:
        raise ValidationError({"state": gettext("Accept, partly accept or reject the amendment.")})
    reason = _amendment_text(reason, field="reason", required=True)
    now = timezone.now()
    amendment.state = state
    amendment.decided_by = user
    amendment.decided_at = now
    amendment.decision_reason = reason
    amendment.updated_at = now
    amendment.save()
    _invalidate_tallies(amendment.consultation_id)
    return amendment


# --- merging amendments into the policy's next draft ------------------------------------------


def _draft_page(consultation: Consultation):
    from policies.models import PolicyPage

    return PolicyPage.objects.get(pk=consultation.version.policy_id)


def _pending_merges(policy_id: int):
    return (
        AmendmentMerge.objects.filter(
            amendment__consultation__version__policy_id=policy_id, version__isnull=True
        )
        .select_related("amendment", "amendment__author")
        .order_by("applied_at", "pk")
    )


def merge_summary(policy_id: int) -> str:
    """The edit summary a merged draft starts with: every amendment merged so far, credited."""
    merges = list(_pending_merges(policy_id))
    if not merges:
        return ""
    parts = [
        gettext("#%(pk)s by %(name)s")
        % {"pk": m.amendment_id, "name": m.amendment.author.get_username()}
        for m in merges
    ]
    summary = gettext("Merged amendments from the consultation: %(list)s.") % {
        "list": "; ".join(parts)
    }
    while len(summary) > 480 and len(parts) > 1:  # the edit summary holds 500 characters
        parts.pop()
        summary = gettext(
            "Merged amendments from the consultation: %(list)s and %(more)s more."
        ) % {"list": "; ".join(parts), "more": len(merges) - len(parts)}
    return summary


@transaction.atomic
def start_merge_draft(*, consultation: Consultation, user):
    """Start the next draft of the policy from the consulted version's text, as a Wagtail
    draft revision. Only when the consulted version is still the latest: otherwise the draft
    would silently undo what was published since."""
    from policies.models import PolicySection

    page = _draft_page(consultation)
    if not rules.can_merge_into_policy(user, consultation):
        raise PermissionDenied(
            gettext("Merging needs a facilitator who may also publish the policy.")
        )
    latest = policy_selectors.latest_version(page)
    if latest.pk != consultation.version_id:
        raise ValidationError(
            gettext(
                "Version %(latest)s was published after the consulted version %(consulted)s; "
                "merge the amendments into it by hand."
            )
            % {"latest": latest.number, "consulted": consultation.version.number}
        )
    if _pending_merges(page.pk).exists():
        raise ValidationError(
            gettext("A merged draft is already in progress: keep applying to it.")
        )
    draft = page.get_latest_revision_as_object()
    draft.sections = [
        PolicySection(key=s.key, heading=s.heading, body=s.body)
        for s in consultation.version.sections.all()
    ]
    draft.edit_summary = ""
    draft.version_label = ""
    return draft.save_revision(user=user, log_action=True)


@transaction.atomic
def apply_amendment(*, amendment: Amendment, user) -> AmendmentMerge:
    """Apply one accepted amendment to the policy's draft (one click). Refuses, naming the
    other amendment and the words, when it touches words another merged amendment changed, and
    refuses when the draft's section was edited by hand since it was started."""
    from policies.models import PolicySection
    from policies.services import assign_section_keys

    amendment = (
        Amendment.objects.select_for_update()
        .select_related("consultation__version", "author")
        .get(pk=amendment.pk)
    )
    if not rules.can_merge_into_policy(user, amendment.consultation):
        raise PermissionDenied(
            gettext("Merging needs a facilitator who may also publish the policy.")
        )
    if not rules.can_merge_amendment(user, amendment):
        raise ValidationError(gettext("Only accepted or partly accepted amendments can be merged."))
    if AmendmentMerge.objects.filter(amendment=amendment).exists():
        raise ValidationError(gettext("This amendment is already in the draft."))
    consultation = amendment.consultation
    page = _draft_page(consultation)
    pending = [m for m in _pending_merges(page.pk)]
    if not pending and not _draft_matches_version(page, consultation):
        start_merge_draft(consultation=consultation, user=user)
    base_sections = _consulted_sections(consultation)
    base = base_sections[amendment.section_key]
    same_section = [m for m in pending if m.amendment.section_key == amendment.section_key]

    mine = amending.changes(base.body, amendment.text) if amendment.kind == "replace" else []
    for other in same_section:
        theirs = other.amendment
        clash = ""
        if "delete" in (amendment.kind, theirs.kind) and "insert" not in (
            amendment.kind,
            theirs.kind,
        ):
            clash = gettext("one of them deletes the section")
        elif amendment.kind == theirs.kind == "replace":
            pairs = amending.conflicts(mine, amending.changes(base.body, theirs.text))
            if pairs:
                clash = gettext("both change “%(words)s”") % {
                    "words": amending.quoted(base.body, pairs[0][0])
                }
        if clash:
            raise ValidationError(
                gettext(
                    "Amendment #%(pk)s conflicts with amendment #%(other)s by %(name)s, already in "
                    "the draft: %(clash)s. Merge one of them, then edit the other's wording into "
                    "the draft by hand."
                )
                % {
                    "pk": amendment.pk,
                    "other": theirs.pk,
                    "name": theirs.author.get_username(),
                    "clash": clash,
                }
            )

    draft = page.get_latest_revision_as_object()
    sections = [(s.key, s.heading, s.body) for s in draft.sections.all()]
    keys = [s[0] for s in sections]
    expected = _expected_body(base.body, same_section)
    if amendment.section_key not in keys:
        if amendment.kind != "insert" or expected is not None:
            raise ValidationError(
                gettext(
                    "The draft no longer has this section: it was removed by hand or by another "
                    "amendment. Merge by hand in the editor."
                )
            )
    else:
        index = keys.index(amendment.section_key)
        current = sections[index][2]
        if expected is not None and normalise_text(current) != normalise_text(expected):
            raise ValidationError(
                gettext(
                    "The draft's “%(heading)s” section was edited by hand since the merge "
                    "started; merge this amendment by hand in the editor."
                )
                % {"heading": sections[index][1]}
            )
    result_key, result_heading = amendment.section_key, base.heading
    if amendment.kind == "replace":
        index = keys.index(amendment.section_key)
        others = [
            c
            for m in same_section
            if m.amendment.kind == "replace"
            for c in amending.changes(base.body, m.amendment.text)
        ]
        body = amending.apply(base.body, others + mine)
        sections[index] = (sections[index][0], sections[index][1], body)
    elif amendment.kind == "delete":
        sections = [s for s in sections if s[0] != amendment.section_key]
    else:
        # After the amended section and any sections already inserted after it; if the
        # amended section was deleted, where it stood: after the nearest earlier one left.
        order = list(base_sections)
        earlier = order[: order.index(amendment.section_key) + 1]
        anchor = next((keys.index(k) for k in reversed(earlier) if k in keys), -1)
        inserted_after = {m.result_key for m in pending if m.amendment.kind == "insert"}
        position = anchor + 1
        while position < len(sections) and sections[position][0] in inserted_after:
            position += 1
        sections.insert(position, ("", amendment.heading, amendment.text))
        result_heading = amendment.heading
    draft.sections = [PolicySection(key=k, heading=h, body=b) for k, h, b in sections]
    assign_section_keys(draft)
    if amendment.kind == "insert":
        result_key = draft.sections.all()[position].key
    merge = AmendmentMerge.objects.create(
        amendment=amendment,
        applied_by=user,
        applied_at=timezone.now(),
        result_key=result_key,
        result_heading=result_heading,
    )
    draft.edit_summary = merge_summary(page.pk)
    draft.save_revision(user=user, log_action=True)
    return merge


def _draft_matches_version(page, consultation) -> bool:
    draft = page.get_latest_revision_as_object()
    current = [(s.key, s.heading, normalise_text(s.body)) for s in draft.sections.all()]
    consulted = [
        (s.key, s.heading, normalise_text(s.body)) for s in consultation.version.sections.all()
    ]
    return current == consulted


def _expected_body(base: str, merges: list[AmendmentMerge]) -> str | None:
    """What the draft's section should read after the merges so far (None: deleted)."""
    if any(m.amendment.kind == "delete" for m in merges):
        return None
    replaced = [
        c
        for m in merges
        if m.amendment.kind == "replace"
        for c in amending.changes(base, m.amendment.text)
    ]
    return amending.apply(base, replaced)


@transaction.atomic
def publish_merged_draft(*, consultation: Consultation, user, summary: str):
    """Publish the merged draft as the next version (the edit summary lists the merged
    amendments); each merged amendment then links to the version and diff it landed in."""
    from policies.services import publish_policy

    page = _draft_page(consultation)
    if not _pending_merges(page.pk).exists():
        raise ValidationError(gettext("No amendment has been merged into the draft yet."))
    return publish_policy(
        page=page,
        user=user,
        summary=summary,
        base_version=consultation.version.number,
    )


def record_landed_amendments(*, version) -> int:
    """Called when a version is published: pending merges whose wording is in the new text
    are credited to it. A merge whose text was edited away before publishing stays pending."""
    sections = {s.key: s for s in version.sections.all()}
    landed = 0
    for merge in _pending_merges(version.policy_id):
        amendment = merge.amendment
        if amendment.kind == "delete":
            ok = amendment.section_key not in sections
        elif amendment.kind == "insert":
            ok = merge.result_key in sections and normalise_text(amendment.text) in normalise_text(
                sections[merge.result_key].body
            )
        else:
            body = sections.get(amendment.section_key)
            base = amendment.consultation.version.sections.filter(key=amendment.section_key).first()
            ok = (
                body is not None
                and base is not None
                and all(
                    " ".join(c.new.split()) in " ".join(body.body.split())
                    for c in amending.changes(base.body, amendment.text)
                    if c.new.strip()
                )
            )
        if ok:
            AmendmentMerge.objects.filter(pk=merge.pk).update(version=version)
            landed += 1
    return landed
