"""Every change in a consultation: validated, written in a transaction, logged in the open."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext
from wagtail.search import index

from accounts import selectors as account_selectors
from core import errors, mediawiki_api
from core.site_url import site_base_url
from core.text import NulCharacterError, imported_text
from policies import services as policy_services
from policies.models import PolicyVersion
from transparency import chain
from transparency import services as transparency

from . import extensions, fragments, rules, wiki_comments
from .discussion_import import DiscussionFormatError, parse_wikitext
from .models import (
    WHOLE_TEXT,
    Consultation,
    Flag,
    ModerationAction,
    Position,
    PrivateFeedback,
    Reply,
    Summary,
    SummarySection,
    WikiComment,
    WikiDiscussionSource,
)

MAX_TEXT = 5000
State = Consultation.State


def tally_cache_key(consultation_id: int) -> str:
    return f"accord:tally:{consultation_id}"


def _invalidate_tallies(consultation_id: int, section_keys=None) -> None:
    """After commit: the tallies, and the first view's digests of `section_keys` (of every
    section when None), are rendered afresh. The digests' tokens move now as well, so that
    nothing kept before this write is served inside its transaction; moving them again after
    commit drops what a reader may have kept in between."""

    def forget_digests():
        if section_keys is None:
            fragments.consultation_changed(consultation_id)
        else:
            fragments.section_changed(consultation_id, section_keys)

    def forget():
        cache.delete(tally_cache_key(consultation_id))
        forget_digests()

    forget_digests()
    transaction.on_commit(forget)


def _clean_text(text: str, *, field: str, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({field: gettext("This cannot be empty.")})
    if len(text) > MAX_TEXT:
        raise ValidationError(
            {
                field: gettext("Please keep this under %(limit)s characters (it has %(length)s).")
                % {"limit": f"{MAX_TEXT:,}", "length": f"{len(text):,}"}
            }
        )
    return text


# Raised by _throttle; defined in core so the API maps it to 429 without importing this app.
RateLimited = errors.RateLimited


def _throttle(user, action: str) -> None:
    """Count this person's posts of one kind in a fixed window (settings.ACCORD_RATE_LIMITS:
    action → (posts, seconds)); refuse once over. Facilitators are not limited. The count
    lives in the cache, shared by every web process when Redis is configured."""
    limit, window = settings.ACCORD_RATE_LIMITS.get(action, (0, 0))
    if not limit or rules.is_facilitator(user):
        return
    bucket = int(timezone.now().timestamp()) // window
    key = f"accord:rate:{action}:{user.pk}:{bucket}"
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, window)
        count = 1
    if count > limit:
        minutes = max(1, window // 60)
        raise RateLimited(
            gettext(
                "You have posted %(limit)s times in %(minutes)s minutes, the most we accept; "
                "please wait a little and try again."
            )
            % {"limit": limit, "minutes": minutes}
        )


def _section_keys(consultation: Consultation) -> set[str]:
    """What positions may be taken on: the consulted sections, the whole text, and the
    pseudo-sections later apps open for discussion (every amendment still proposed)."""
    keys = {s.key for s in consultation.version.sections.all()} | {WHOLE_TEXT}
    for extension in extensions.registered():
        if extension.open_keys:
            keys |= extension.open_keys(consultation)
    return keys


# --- the consultation itself --------------------------------------------------------------


@transaction.atomic
def create_consultation(
    *,
    version,
    user,
    title: str,
    closes_at: datetime,
    description: str = "",
    opens_at: datetime | None = None,
    open_now: bool = False,
    required_languages=(),
) -> Consultation:
    """Create a consultation on a published version; open it straight away if asked.
    `required_languages` are translation languages that must be up to date before it opens."""
    if not rules.can_manage(user):
        raise PermissionDenied(gettext("Only facilitators create consultations."))
    opens_at = opens_at or timezone.now()
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": gettext("Give the consultation a title.")})
    if closes_at <= opens_at:
        raise ValidationError(
            {"closes_at": gettext("The closing time must be after the opening time.")}
        )
    consultation = Consultation(
        version=version,
        title=title[:200],
        description=_clean_text(description, field="description", required=False),
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=user,
        required_languages=policy_services.clean_language_codes(required_languages),
    )
    consultation.full_clean()
    consultation.save()
    if open_now:
        consultation = open_consultation(consultation=consultation, user=user)
    return consultation


def _change_state(
    consultation, *, user, to: str, note: str, allowed_from: tuple[str, ...], refusal: str
) -> Consultation:
    """Move to state `to` if the locked, current row is in one of `allowed_from`. Updates the
    caller's instance in place, so nobody keeps working on a stale state."""
    if not rules.can_manage(user):
        raise PermissionDenied(gettext("Only facilitators open and close consultations."))
    current = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if current.state not in allowed_from:
        raise ValidationError(refusal)
    consultation.state = to
    consultation.state_note = note[:500]
    consultation.state_changed_at = timezone.now()
    consultation.state_changed_by = user
    consultation.save(update_fields=["state", "state_note", "state_changed_at", "state_changed_by"])
    return consultation


@transaction.atomic
def open_consultation(*, consultation: Consultation, user, note: str = "") -> Consultation:
    """Open a draft (or re-open a closed) consultation for positions. Refused while a required
    translation of the consulted version is missing or outdated."""
    if rules.can_manage(user):
        policy_services.require_translations(
            version=consultation.version,
            languages=consultation.required_languages,
            refusal=gettext("The consultation cannot open"),
        )
    return _change_state(
        consultation,
        user=user,
        to=State.OPEN,
        note=note,
        allowed_from=(State.DRAFT, State.CLOSED),
        refusal=gettext(
            "Only a draft or closed consultation can be opened; a summarised one stays closed."
        ),
    )


@transaction.atomic
def close_consultation(*, consultation: Consultation, user, note: str) -> Consultation:
    """Close an open consultation. The note says why; the page shows it, or "Closed by" and
    the facilitator's name when there is none (Consultation.state_note_text)."""
    note = (note or "").strip()
    return _change_state(
        consultation,
        user=user,
        to=State.CLOSED,
        note=note,
        allowed_from=(State.OPEN,),
        refusal=gettext("Only an open consultation can be closed."),
    )


def close_due_consultations(*, now: datetime | None = None) -> int:
    """Close every open consultation whose closing time has passed (run from cron)."""
    now = now or timezone.now()
    due = list(Consultation.objects.filter(state=State.OPEN, closes_at__lte=now))
    for consultation in due:
        Consultation.objects.filter(pk=consultation.pk).update(
            state=State.CLOSED,
            state_note=(
                gettext("The consultation period ended on %(when)s UTC.")
                % {"when": f"{consultation.closes_at:%Y-%m-%d %H:%M}"}
            ),
            state_changed_at=now,
        )
    return len(due)


def _require_open(consultation: Consultation) -> None:
    if consultation.state == State.OPEN and not consultation.is_open:
        raise ValidationError(
            gettext("This consultation closed on %(when)s UTC: it is read-only now.")
            % {"when": f"{consultation.closes_at:%Y-%m-%d %H:%M}"}
        )
    if consultation.state != State.OPEN:
        raise ValidationError(
            gettext("This consultation is closed: it is read-only now.")
            if consultation.state in (State.CLOSED, State.SUMMARISED)
            else gettext("This consultation has not opened yet.")
        )


# --- positions and replies ----------------------------------------------------------------


def take_position(
    *,
    consultation: Consultation,
    section_key: str,
    user,
    stance: str,
    reason: str = "",
    strength: str = "",
) -> Position:
    """Take or change the user's one position on a section (or on the whole text).

    Changing it updates the same row; its history keeps every earlier stance."""
    if not rules.is_participant(user):
        raise PermissionDenied(gettext("Sign in to take a position."))
    _require_open(consultation)
    _throttle(user, "position")
    if stance not in Position.Stance.values:
        raise ValidationError({"stance": gettext("Choose Support, Oppose or Neutral.")})
    if strength not in Position.Strength.values:
        raise ValidationError({"strength": gettext("Strength is strong, weak or nothing.")})
    reason = _clean_text(reason, field="reason", required=stance == Position.Stance.OPPOSE)
    if section_key not in _section_keys(consultation):
        raise ValidationError(
            {"section_key": gettext("That section is not part of the consulted version.")}
        )
    now = timezone.now()
    for attempt in range(2):
        try:
            with transaction.atomic():
                position = (
                    Position.objects.select_for_update()
                    .filter(consultation=consultation, section_key=section_key, user=user)
                    .first()
                )
                if position is None:
                    position = Position.objects.create(
                        consultation=consultation,
                        section_key=section_key,
                        user=user,
                        stance=stance,
                        strength=strength,
                        reason=reason,
                        created_at=now,
                        updated_at=now,
                    )
                elif (position.stance, position.strength, position.reason) != (
                    stance,
                    strength,
                    reason,
                ):
                    position.stance, position.strength, position.reason = stance, strength, reason
                    position.updated_at = now
                    position.save()
                _invalidate_tallies(consultation.pk, [position.section_key])
                return position
        except IntegrityError:
            # A double submit raced us to the insert; the second pass updates that row.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _thread_depth(position: Position, parent: Reply | None) -> int:
    """How deep a new reply sits: one below the message it answers, within its own thread and
    at most Reply.MAX_DEPTH levels down."""
    if parent is None:
        return 1
    if parent.position_id != position.pk:
        raise ValidationError(gettext("That reply belongs to another thread."))
    depth = parent.depth + 1
    if depth > Reply.MAX_DEPTH:
        raise ValidationError(
            gettext("Threads go %(depth)s levels deep; reply to an earlier message instead.")
            % {"depth": Reply.MAX_DEPTH}
        )
    return depth


@transaction.atomic
def add_reply(*, position: Position, user, body: str, parent: Reply | None = None) -> Reply:
    """Reply to a position, or to a reply under it, up to three levels deep."""
    if not rules.is_participant(user):
        raise PermissionDenied(gettext("Sign in to reply."))
    _require_open(position.consultation)
    _throttle(user, "reply")
    body = _clean_text(body, field="body", required=True)
    if position.hidden:
        raise ValidationError(gettext("That position is hidden; replies to it are closed."))
    depth = _thread_depth(position, parent)
    if parent is not None and parent.hidden:
        raise ValidationError(gettext("That reply is hidden; replies to it are closed."))
    reply = Reply.objects.create(
        position=position,
        parent=parent,
        depth=depth,
        user=user,
        body=body,
        created_at=timezone.now(),
    )
    _invalidate_tallies(position.consultation_id, [position.section_key])
    return reply


# --- moderation, flags, private feedback ------------------------------------------------


def _target_fields(item) -> dict:
    if isinstance(item, Position):
        return {"position": item, "consultation_id": item.consultation_id}
    return {"reply": item, "consultation_id": item.position.consultation_id}


@transaction.atomic
def moderate(*, item: Position | Reply, user, hide: bool, reason: str) -> ModerationAction:
    """Hide or restore a position or reply. The reason is public; nothing is deleted."""
    if not rules.can_moderate(user):
        raise PermissionDenied(gettext("Only facilitators moderate."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": gettext("Moderation needs a reason; it is shown publicly.")}
        )
    if len(reason) > 500:
        raise ValidationError({"reason": gettext("Keep the reason under 500 characters.")})
    if item.hidden == hide:
        raise ValidationError(
            gettext("It is already hidden.") if hide else gettext("It is not hidden.")
        )
    now = timezone.now()
    item.hidden = hide
    item.hidden_by = user if hide else None
    item.hidden_at = now if hide else None
    item.hidden_reason = reason if hide else ""
    type(item).objects.filter(pk=item.pk).update(
        hidden=item.hidden,
        hidden_by=item.hidden_by,
        hidden_at=item.hidden_at,
        hidden_reason=item.hidden_reason,
    )
    # The update above sends no post_save: keep the search index in step by hand. Hidden items
    # leave the index (search also filters them out at query time); restored ones return.
    if hide:
        index.remove_object(item)
    else:
        index.insert_or_update_object(item)
    fields = _target_fields(item)
    section_key = item.section_key if isinstance(item, Position) else item.position.section_key
    _invalidate_tallies(fields["consultation_id"], [section_key])
    Flag.objects.filter(**{k: v for k, v in fields.items() if k != "consultation_id"}).filter(
        resolved_at__isnull=True
    ).update(resolved_at=now)
    moderation = ModerationAction.objects.create(
        action=ModerationAction.Action.HIDE if hide else ModerationAction.Action.RESTORE,
        reason=reason,
        actor=user,
        created_at=now,
        **fields,
    )
    # That it was hidden, by whom and why; never the text itself.
    transparency.append(
        f"moderation.{moderation.action}",
        f"consultations.moderation:{moderation.pk}",
        {
            "consultation": fields["consultation_id"],
            "target": f"{'position' if isinstance(item, Position) else 'reply'}:{item.pk}",
            "actor": user.get_username(),
            "reason": reason,
        },
    )
    return moderation


@transaction.atomic
def flag_item(*, item: Position | Reply, user, reason: str) -> Flag:
    """Ask facilitators to review a position or reply."""
    fields = _target_fields(item)
    consultation = Consultation.objects.get(pk=fields["consultation_id"])
    if not rules.can_flag(user, consultation):
        raise PermissionDenied(gettext("Sign in to flag content."))
    _throttle(user, "flag")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": gettext("Say briefly why this needs a facilitator's attention.")}
        )
    target = {k: v for k, v in fields.items() if k != "consultation_id"}
    existing = Flag.objects.filter(user=user, resolved_at__isnull=True, **target).first()
    if existing:
        return existing
    return Flag.objects.create(
        consultation=consultation,
        user=user,
        reason=reason[:500],
        created_at=timezone.now(),
        **target,
    )


@transaction.atomic
def give_private_feedback(
    *, consultation: Consultation, user, body: str, section_key: str = ""
) -> PrivateFeedback:
    """Feedback only facilitators can read."""
    if not rules.can_give_private_feedback(user, consultation):
        if rules.is_participant(user):
            _require_open(consultation)
        raise PermissionDenied(gettext("Sign in to send private feedback."))
    body = _clean_text(body, field="body", required=True)
    if section_key and section_key not in _section_keys(consultation):
        raise ValidationError(
            {"section_key": gettext("That section is not part of the consulted version.")}
        )
    return PrivateFeedback.objects.create(
        consultation=consultation,
        user=user,
        body=body,
        section_key=section_key,
        created_at=timezone.now(),
    )


# --- imported discussions (manage.py import_discussion) ----------------------------------


def _check_imported(consultation: Consultation, *, source: str) -> None:
    if consultation.state == State.SUMMARISED:
        raise ValidationError(
            gettext(
                "“%(title)s” is already summarised; importing now would change the positions "
                "its summary is based on."
            )
            % {"title": consultation.title}
        )
    if not source.strip():
        raise ValidationError({"imported_from": gettext("Say where the item was imported from.")})


@transaction.atomic
def import_position(
    *,
    consultation: Consultation,
    section_key: str,
    author: str,
    source: str,
    import_key: str,
    stance: str,
    strength: str,
    reason: str,
    when: datetime,
    user=None,
) -> Position:
    """Record a position from a wiki discussion under its wiki author's name (an unsigned one
    has none), dated when it was written. Unlike take_position it needs no account and takes
    any state but summarised (discussions are imported after the fact); `import_key` makes
    importing twice a no-op (the database refuses a second row with the same key). `user` is
    the account the signature belongs to, when one is known (the wiki name is kept too)."""
    _check_imported(consultation, source=source)
    if stance and stance not in Position.Stance.values:
        raise ValidationError({"stance": gettext("Choose Support, Oppose or Neutral.")})
    if strength not in Position.Strength.values:
        raise ValidationError({"strength": gettext("Strength is strong, weak or nothing.")})
    if (
        section_key != WHOLE_TEXT
        and not consultation.version.sections.filter(key=section_key).exists()
    ):
        raise ValidationError(
            {"section_key": gettext("That section is not part of the consulted version.")}
        )
    position = Position(
        consultation=consultation,
        section_key=section_key,
        stance=stance,
        strength=strength,
        reason=reason,
        created_at=when,
        updated_at=when,
        user=user,
        imported_author=author[:150],
        imported_from=source,
        import_key=import_key,
    )
    position._change_reason = f"Imported from {source}"
    position.save()
    _invalidate_tallies(consultation.pk)
    return position


@transaction.atomic
def import_reply(
    *,
    position: Position,
    parent: Reply | None,
    author: str,
    source: str,
    import_key: str,
    body: str,
    when: datetime,
    user=None,
) -> Reply:
    """Record a reply from a wiki discussion under its wiki author's name, one level below the
    message it answers (threads go Reply.MAX_DEPTH levels deep, as on the page); `user` as for
    import_position."""
    _check_imported(position.consultation, source=source)
    if not body.strip():
        raise ValidationError({"body": gettext("This cannot be empty.")})
    depth = _thread_depth(position, parent)
    reply = Reply.objects.create(
        position=position,
        parent=parent,
        depth=depth,
        body=body,
        created_at=when,
        user=user,
        imported_author=author[:150],
        imported_from=source,
        import_key=import_key,
    )
    _invalidate_tallies(position.consultation_id)
    return reply


# --- carry-forward ------------------------------------------------------------------------


@transaction.atomic
def carry_forward(*, consultation: Consultation, user, section_keys: list[str]) -> list[Position]:
    """Copy the user's positions from the previous consultation on this policy to this one,
    for sections whose text has not changed since (same body hash)."""
    from .selectors import carry_forward_candidates

    candidates = {
        c.section_key: c for c in carry_forward_candidates(consultation, user) if c.unchanged
    }
    carried = []
    for key in section_keys:
        candidate = candidates.get(key)
        if candidate is None:
            raise ValidationError(
                gettext(
                    "That section's text changed since you commented; read the diff and take a "
                    "new position instead."
                )
            )
        old = candidate.position
        carried.append(
            take_position(
                consultation=consultation,
                section_key=key,
                user=user,
                stance=old.stance,
                reason=old.reason,
                strength=old.strength,
            )
        )
    return carried


# --- summaries ------------------------------------------------------------------------------


_KEEP = object()


def answering_versions(consultation: Consultation):
    """The published versions that can answer a consultation: those after the one consulted."""
    version = consultation.version
    return PolicyVersion.objects.filter(
        policy_id=version.policy_id, number__gt=version.number
    ).order_by("number")


@transaction.atomic
def save_summary(
    *,
    consultation: Consultation,
    user,
    intro: str,
    sections: list[dict],
    answered_by: int | None | object = _KEEP,
) -> Summary:
    """Write or update the summary. `sections`: dicts with section_key, outcome, text and
    cited (position ids). Cited positions must belong to this consultation and be visible.
    `answered_by`: the number of the published version that answers the consultation (a later
    version of the same policy), or None for none yet; left out, it stays as it was."""
    if not rules.can_write_summary(user, consultation):
        if rules.can_manage(user):
            raise ValidationError(gettext("Summaries are written at or after close."))
        raise PermissionDenied(gettext("Only facilitators write summaries."))
    keys = _section_keys(consultation)
    summary, _ = Summary.objects.get_or_create(consultation=consultation)
    summary.intro = _clean_text(intro, field="intro", required=False)
    if answered_by is not _KEEP:
        summary.answered_by = None
        if answered_by is not None:
            later = answering_versions(consultation)
            summary.answered_by = later.filter(number=answered_by).first()
            if summary.answered_by is None:
                raise ValidationError(
                    {
                        "answered_by": gettext(
                            "Version %(number)s cannot answer this consultation: choose a "
                            "version published after the consulted version %(consulted)s."
                        )
                        % {"number": answered_by, "consulted": consultation.version.number}
                    }
                )
    summary.save()
    from .selectors import visible_positions

    visible = set(
        visible_positions().filter(consultation=consultation).values_list("pk", flat=True)
    )
    for data in sections:
        key = data["section_key"]
        if key not in keys:
            raise ValidationError(
                {"section_key": gettext("Unknown section “%(key)s”.") % {"key": key}}
            )
        text = _clean_text(data.get("text", ""), field="text", required=False)
        outcome = data.get("outcome") or ""
        if not text and not outcome:
            SummarySection.objects.filter(summary=summary, section_key=key).delete()
            continue
        if outcome not in SummarySection.Outcome.values:
            raise ValidationError(
                {"outcome": gettext("Choose an outcome for “%(key)s”.") % {"key": key}}
            )
        cited = [int(pk) for pk in data.get("cited", [])]
        if set(cited) - visible:
            raise ValidationError(
                {"cited": gettext("Only visible positions of this consultation can be cited.")}
            )
        row, _ = SummarySection.objects.update_or_create(
            summary=summary, section_key=key, defaults={"outcome": outcome, "text": text}
        )
        row.cited_positions.set(cited)
    # Sections were saved after the summary row: re-index it (a no-op until it is published).
    index.insert_or_update_object(summary)
    if summary.published_at is not None:
        # A published summary's page shows an edit at once: the log records every wording it
        # shows, so nobody can change it silently.
        _check_outcomes_match_the_answer(summary)
        _log_summary(summary, user, first_publication=False)
    return summary


def _log_summary(summary: Summary, user, *, first_publication: bool) -> None:
    transparency.append(
        "summary.published",
        f"consultations.summary:{summary.pk}",
        {
            "consultation": summary.consultation_id,
            "first_publication": first_publication,
            "published_by": user.get_username(),
        },
        _summary_hash(summary),
    )


def _summary_hash(summary: Summary) -> str:
    """SHA-256 of the summary's public text: intro and each section's outcome and text."""
    sections = summary.sections.order_by("section_key").values_list(
        "section_key", "outcome", "text"
    )
    return chain.sha256_hex(
        chain.canonical_json({"intro": summary.intro, "sections": [list(row) for row in sections]})
    )


def _check_outcomes_match_the_answer(summary: Summary) -> None:
    """A section marked accepted or partly accepted must change in the version that answers
    the consultation; otherwise the summary would say one thing and the text another."""
    answer = summary.answered_by
    if answer is None:
        return
    consulted = {
        s.key: (s.heading, s.body_hash) for s in summary.consultation.version.sections.all()
    }
    answered = {s.key: (s.heading, s.body_hash) for s in answer.sections.all()}
    claims = (SummarySection.Outcome.ACCEPTED, SummarySection.Outcome.PARTLY)
    unchanged = [
        consulted[row.section_key][0]
        for row in summary.sections.all()
        if row.outcome in claims
        and row.section_key in consulted
        and consulted[row.section_key] == answered.get(row.section_key)
    ]
    if unchanged:
        raise ValidationError(
            ngettext(
                "%(sections)s is marked as accepted, but version %(number)s leaves its text "
                "unchanged: choose the version that carries the change, or another outcome.",
                "%(sections)s are marked as accepted, but version %(number)s leaves their text "
                "unchanged: choose the version that carries the changes, or other outcomes.",
                len(unchanged),
            )
            % {
                "sections": ", ".join(
                    pgettext("a section heading in a sentence", "“%(heading)s”")
                    % {"heading": heading}
                    for heading in unchanged
                ),
                "number": answer.number,
            }
        )


@transaction.atomic
def publish_summary(*, consultation: Consultation, user) -> Summary:
    """Publish the summary, mark the consultation summarised and tell the participants."""
    if not rules.can_write_summary(user, consultation):
        raise PermissionDenied(gettext("Only facilitators publish summaries, at or after close."))
    summary = Summary.objects.filter(consultation=consultation).first()
    if summary is None or not summary.sections.exists():
        raise ValidationError(
            gettext("Write at least one section of the summary before publishing it.")
        )
    _check_outcomes_match_the_answer(summary)
    first_publication = summary.published_at is None
    if first_publication:
        summary.published_at = timezone.now()
        summary.published_by = user
        summary.save()
    _change_state(
        consultation,
        user=user,
        to=State.SUMMARISED,
        note=gettext("The facilitators published a summary."),
        allowed_from=(State.CLOSED, State.SUMMARISED),
        refusal=gettext("Close the consultation before publishing its summary."),
    )
    _log_summary(summary, user, first_publication=first_publication)
    from .tasks import notify_summary_published

    if first_publication:
        # Later edits are visible on the page; participants are emailed once.
        base_url = site_base_url()
        transaction.on_commit(
            lambda: notify_summary_published.enqueue(consultation.pk, base_url=base_url)
        )
    return summary


# --- discussions read from a wiki page (manage.py import_discussion --wiki, the facilitator
# form) -------------------------------------------------------------------------------------


@dataclass
class WikiImportReport:
    """What one import from a wiki page did; `skipped` holds (line number, why)."""

    title: str
    revision_id: int
    revision_at: datetime | None
    revision_user: str
    previous_revision_id: int | None
    redirected_from: str = ""
    added_positions: int = 0
    added_replies: int = 0
    changed_positions: int = 0
    changed_replies: int = 0
    unchanged: int = 0
    gone: int = 0  # imported earlier, no longer on the page (kept here)
    signed_in: int = 0  # new items whose signature belongs to an account here
    skipped: list[tuple[int, str]] = field(default_factory=list)

    @property
    def added(self) -> int:
        return self.added_positions + self.added_replies

    @property
    def changed(self) -> int:
        return self.changed_positions + self.changed_replies

    def sentence(self) -> str:
        """The outcome in one translated sentence, for the page's message."""
        text = gettext(
            "Read “%(title)s” at revision %(revision)s: added %(added)s, changed %(changed)s, "
            "left %(unchanged)s alone."
        ) % {
            "title": self.title,
            "revision": self.revision_id,
            "added": self.added,
            "changed": self.changed,
            "unchanged": self.unchanged,
        }
        if self.redirected_from:
            text += " " + gettext(
                "“%(old)s” was renamed; it redirects to “%(new)s”, which was read instead."
            ) % {"old": self.redirected_from, "new": self.title}
        if self.skipped:
            text += " " + ngettext(
                "%(n)s line was skipped.", "%(n)s lines were skipped.", len(self.skipped)
            ) % {"n": len(self.skipped)}
        return text


def _wiki_source_name(api_url: str, title: str) -> str:
    host = urlsplit(api_url).netloc or api_url
    return f"{host}: {title}"[: Position._meta.get_field("imported_from").max_length]


def check_wiki_api_url(api_url: str) -> str:
    """An action API address people may give: http(s), with a host, no credentials."""
    parts = urlsplit((api_url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
        raise ValidationError(
            {
                "api_url": gettext(
                    "Give the wiki's API address, e.g. https://meta.wikimedia.org/w/api.php."
                )
            }
        )
    return parts.geturl()


def import_wiki_discussion(
    *,
    consultation: Consultation,
    api_url: str,
    title: str,
    user=None,
    mapping: dict[str, str | None] | None = None,
    client=None,
    dry_run: bool = False,
) -> WikiImportReport:
    """Read the current revision of a wiki talk page and bring its discussion into the
    consultation: comments not imported before become positions and replies, comments edited
    on the wiki since are updated (the position's history and the import record's history keep
    the earlier wording), everything else is left alone; nothing is ever duplicated.

    `user` is the facilitator asking (the form); a command passes None. Signatures of people
    who signed in here with that wiki's account are recorded as theirs. Raises PermissionDenied,
    ValidationError (summarised consultation, bad address, unreadable page) or
    core.mediawiki_api.WikiApiError (the wiki did not give the page); in every case nothing was
    written. `mapping` (normalised heading → section key or None) wins over heading matching."""
    if user is not None and not rules.can_import_from_wiki(user, consultation):
        raise PermissionDenied(gettext("Only facilitators may import a discussion."))
    api_url = check_wiki_api_url(api_url)
    title = " ".join((title or "").replace("_", " ").split())
    if not title or len(title) > WikiDiscussionSource._meta.get_field("title").max_length:
        raise ValidationError({"title": gettext("Give the title of the discussion page.")})
    source_name = _wiki_source_name(api_url, title)
    _check_imported(consultation, source=source_name)

    client = client or mediawiki_api.MediaWikiClient.from_settings(api_url)
    page = client.fetch_page(title)  # WikiApiError: nothing read, nothing written
    try:
        parsed = parse_wikitext(imported_text(page.content))
    except (DiscussionFormatError, NulCharacterError) as exc:
        raise ValidationError(
            gettext("“%(title)s” does not read as a discussion: %(why)s")
            % {"title": page.title, "why": exc}
        ) from exc
    sections = consultation.version.sections.values_list("key", "heading")
    plan = wiki_comments.plan_import(parsed, wiki_comments.heading_resolver(sections, mapping))
    signers = account_selectors.wiki_signers(api_url=api_url, names=plan.authors)
    source_name = _wiki_source_name(api_url, page.title)

    with transaction.atomic():
        # Serialise imports into the same consultation (a no-op on SQLite).
        Consultation.objects.select_for_update().get(pk=consultation.pk)
        source = _wiki_source_for(consultation, api_url, page)
        report = WikiImportReport(
            title=page.title,
            revision_id=page.revision_id,
            revision_at=page.timestamp,
            revision_user=page.user,
            previous_revision_id=source.last_revision_id,
            redirected_from=page.redirected_from,
            skipped=plan.skipped,
        )
        _apply_wiki_plan(consultation, source, page, plan, signers, source_name, report)
        source.title = page.title
        source.page_id = page.page_id or source.page_id
        source.last_revision_id = page.revision_id
        source.last_revision_at = page.timestamp
        source.last_revision_user = page.user[:255]
        source.imported_at = timezone.now()
        source.imported_by = user
        source.save()
        if dry_run:
            transaction.set_rollback(True)
    return report


def _wiki_source_for(consultation, api_url, page) -> WikiDiscussionSource:
    """The page's import record: found by page id (survives renames), else by title."""
    sources = WikiDiscussionSource.objects.select_for_update().filter(
        consultation=consultation, api_url=api_url
    )
    found = None
    if page.page_id:
        found = sources.filter(page_id=page.page_id).first()
    for title in (page.title, page.requested_title, page.redirected_from):
        if found is None and title:
            found = sources.filter(title=title).first()
    if found is None:
        found = WikiDiscussionSource.objects.create(
            consultation=consultation, api_url=api_url, title=page.title, page_id=page.page_id
        )
    return found


def _apply_wiki_plan(consultation, source, page, plan, signers, source_name, report) -> None:
    """Create, update or leave alone every planned comment (inside the caller's transaction)."""
    records = {
        c.key: c
        for c in WikiComment.objects.filter(source=source).select_related("position", "reply")
    }
    taken = set(
        Position.objects.filter(consultation=consultation, user__isnull=False).values_list(
            "section_key", "user_id"
        )
    )
    seen: set[str] = set()
    revision = page.revision_id
    for planned in plan.positions:
        item = planned.item
        key = wiki_comments.digest(str(source.pk), planned.identity)
        seen.add(key)
        text = wiki_comments.position_text(item.stance, item.strength, item.reason)
        record = records.get(key)
        if record is None:
            person = signers.get(item.author)
            if person is not None and (planned.section_key, person.pk) in taken:
                person = None  # one position per person per section: keep the wiki name only
            position = import_position(
                consultation=consultation,
                section_key=planned.section_key,
                author=item.author,
                source=source_name,
                import_key=key,
                stance=item.stance,
                strength=item.strength,
                reason=item.reason,
                when=item.timestamp or consultation.opens_at,
                user=person,
            )
            if person is not None:
                taken.add((planned.section_key, person.pk))
                report.signed_in += 1
            record = WikiComment.objects.create(
                source=source,
                key=key,
                position=position,
                content_hash=planned.content,
                text=text,
                first_revision_id=revision,
            )
            records[key] = record
            report.added_positions += 1
        elif record.content_hash != planned.content:
            position = record.position
            position.section_key = planned.section_key
            position.stance, position.strength = item.stance, item.strength
            position.reason = item.reason
            position.updated_at = page.timestamp or timezone.now()
            position._change_reason = f"Edited on {source_name} (revision {revision})"
            position.save()
            _record_wiki_change(record, planned.content, text, revision)
            report.changed_positions += 1
        else:
            report.unchanged += 1
        _apply_wiki_replies(record.position, source, planned, records, signers, seen, report, page)
    report.gone = sum(1 for key in records if key not in seen)
    _invalidate_tallies(consultation.pk)


def _apply_wiki_replies(position, source, planned, records, signers, seen, report, page) -> None:
    saved: list[Reply] = []  # parallel to planned.replies, for parent lookups
    for reply in planned.replies:
        item = reply.item
        key = wiki_comments.digest(str(source.pk), reply.identity)
        seen.add(key)
        record = records.get(key)
        parent = saved[reply.parent] if reply.parent is not None else None
        if record is None:
            person = signers.get(item.author)
            created = import_reply(
                position=position,
                parent=parent,
                author=item.author,
                source=position.imported_from or _wiki_source_name(source.api_url, source.title),
                import_key=key,
                body=item.body,
                # Without a timestamp, a reply is dated like the message it answers.
                when=item.timestamp or (parent or position).created_at,
                user=person,
            )
            if person is not None:
                report.signed_in += 1
            record = WikiComment.objects.create(
                source=source,
                key=key,
                reply=created,
                content_hash=reply.content,
                text=item.body,
                first_revision_id=page.revision_id,
            )
            records[key] = record
            report.added_replies += 1
        elif record.content_hash != reply.content:
            record.reply.body = item.body
            record.reply.save(update_fields=["body"])
            _record_wiki_change(record, reply.content, item.body, page.revision_id)
            report.changed_replies += 1
        else:
            report.unchanged += 1
        saved.append(record.reply)


def _record_wiki_change(record: WikiComment, content: str, text: str, revision: int) -> None:
    record.content_hash = content
    record.text = text
    record.changed_in_revision_id = revision
    record._change_reason = f"Edited on the wiki (revision {revision})"
    record.save()
