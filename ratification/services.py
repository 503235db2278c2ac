"""Every change to ratification records and votes: checked, in a transaction, logged in public.

Times: every service takes an optional `now` so commands and the demo seed can act at a stated
moment; pages leave it to the clock."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import slugify
from django.utils.translation import gettext

from policies import services as policy_services
from policies.models import PolicyVersion
from transparency import services as transparency

from . import disclosure, eligibility, rules
from .ballot_list import fingerprint as ballot_fingerprint
from .ballot_list import shown_fingerprint, terms_hash
from .models import (
    AuditEntry,
    Ballot,
    BoardRatification,
    Choice,
    ExternalTally,
    RetiredReceipt,
    Vote,
    default_options,
)
from .terms import RELATIONS, TERMS, THRESHOLD_REFUSAL, Kind, Term, VoteSettings

COUNTS_AS = ("for", "against", "abstain")
MAX_OPTIONS = 12


class NotEligible(PermissionDenied):
    """Raised with the failed rules spelled out."""


class BallotAlreadyCast(ValidationError):
    """The ballot form was submitted again after it had already cast (or changed) the ballot."""


# --- helpers -----------------------------------------------------------------------------


def _ballot_key() -> bytes:
    return _derived_keys(getattr(settings, "BALLOT_SECRET_KEY", ""), settings.SECRET_KEY)[0]


@functools.lru_cache(maxsize=4)
def _derived_keys(configured: str, secret_key: str) -> tuple[bytes, AESGCM]:
    """The ballot key and the option cipher, worked out once per key rather than per ballot."""
    if configured:
        key = configured.encode()
    else:
        key = salted_hmac("accord.ballot-key", "owner-tag", secret=secret_key).digest()
    return key, AESGCM(hmac.new(key, b"accord:ballot-option", hashlib.sha256).digest())


def owner_tag(vote_id: int, voter_id: int) -> str:
    """The keyed tag that lets the application (and only holders of the key) find a voter's
    choice. Without the key it is indistinguishable from random."""
    message = f"{vote_id}:{voter_id}".encode()
    return hmac.new(_ballot_key(), message, hashlib.sha256).hexdigest()


def _option_cipher() -> AESGCM:
    return _derived_keys(getattr(settings, "BALLOT_SECRET_KEY", ""), settings.SECRET_KEY)[1]


def seal_option(vote_id: int, option: str) -> str:
    """Encrypt a secret ballot's option; the vote id is bound in, so a sealed option cannot be
    moved to another vote."""
    nonce = secrets.token_bytes(12)
    sealed = _option_cipher().encrypt(nonce, option.encode(), str(vote_id).encode())
    return base64.b64encode(nonce + sealed).decode()


def choice_option(choice: Choice) -> str:
    """The option a choice counts for, decrypting it in a secret vote."""
    if not choice.sealed_option:
        return choice.option
    raw = base64.b64decode(choice.sealed_option)
    return _option_cipher().decrypt(raw[:12], raw[12:], str(choice.vote_id).encode()).decode()


def _option_fields(vote: Vote, option: str) -> dict:
    if vote.secret:
        return {"option": "", "sealed_option": seal_option(vote.pk, option)}
    return {"option": option, "sealed_option": ""}


def receipt_digest(receipt: str) -> str:
    return hashlib.sha256(receipt.strip().encode()).hexdigest()


def _log(
    *,
    version_id: int,
    action: str,
    actor,
    message: str,
    vote=None,
    subject=None,
    now=None,
    content_hash: str = "",
) -> AuditEntry:
    """Write the vote's public audit entry and append the same public facts to the
    transparency log (never a ballot's choice). A person the entry is about goes in `subject`,
    never into `message`: the audit log names them when it is shown (AuditEntry.text). The
    transparency log gets the line as it reads now (it names a voter only when striking),
    and `content_hash` when the entry vouches for public content (a vote's frozen terms)."""
    entry = AuditEntry.objects.create(
        vote=vote,
        version_id=version_id,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        subject=subject,
        message=message,
        created_at=now or timezone.now(),
    )
    transparency.append(
        f"ratification.{action}",
        f"ratification.vote:{vote.pk}" if vote is not None else f"ratification.audit:{entry.pk}",
        {
            "vote": vote.pk if vote is not None else None,
            "version_id": version_id,
            "actor": entry.actor.get_username() if entry.actor else "",
            "message": entry.text,
        },
        content_hash,
    )
    return entry


def _check_url(value: str, field: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if not value:
        if required:
            raise ValidationError({field: gettext("Give the web address.")})
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError as exc:
        raise ValidationError(
            {field: gettext("Enter a full web address starting with https://.")}
        ) from exc
    return value


def _text(value: str, field: str, *, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: gettext("This field is required.")})
    if len(value) > limit:
        raise ValidationError(
            {field: gettext("Keep this under %(limit)s characters.") % {"limit": limit}}
        )
    return value


def parse_options(text: str) -> list[dict]:
    """Options from lines such as "Yes = for" (for, against or abstain). A line without a role
    counts as abstain."""
    options: list[dict] = []
    seen: set[str] = set()
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        label, _, role = line.partition("=")
        label, role = label.strip(), (role.strip().lower() or "abstain")
        if role not in COUNTS_AS:
            raise ValidationError(
                {
                    "options": gettext(
                        'Line %(number)s: say "for", "against" or "abstain" after "=".'
                    )
                    % {"number": number}
                }
            )
        key = slugify(label)[:40]
        if not label or not key:
            raise ValidationError(
                {
                    "options": gettext("Line %(number)s: give the option a name.")
                    % {"number": number}
                }
            )
        if key in seen:
            raise ValidationError(
                {
                    "options": gettext('Line %(number)s: "%(label)s" is listed twice.')
                    % {"number": number, "label": label}
                }
            )
        seen.add(key)
        options.append({"key": key, "label": label[:80], "counts_as": role})
    _check_options(options)
    return options


def options_text(options: list[dict]) -> str:
    return "\n".join(f"{o['label']} = {o['counts_as']}" for o in options)


def _check_options(options: list[dict]) -> None:
    if len(options) < 2:
        raise ValidationError({"options": gettext("A vote needs at least two options.")})
    if len(options) > MAX_OPTIONS:
        raise ValidationError(
            {"options": gettext("A vote takes at most %(limit)s options.") % {"limit": MAX_OPTIONS}}
        )
    roles = {o["counts_as"] for o in options}
    if "for" not in roles or "against" not in roles:
        raise ValidationError(
            {"options": gettext('Mark at least one option "for" and one "against" the text.')}
        )


# --- votes: set-up ---------------------------------------------------------------------------


# The terms stored as many-to-many relations of the vote.
_RELATED = tuple(name for name, term in TERMS.items() if term.kind in RELATIONS)


def _validated(values: VoteSettings) -> dict:
    """The vote's columns from `values`, each term checked as its kind says (terms.py), then
    the rules that join terms. The relations (communities, people) are set after saving."""
    data = {
        name: _checked(term, getattr(values, name))
        for name, term in TERMS.items()
        if term.kind not in RELATIONS
    }
    if not values.opens_at or not values.closes_at:
        raise ValidationError({"opens_at": gettext("Give both the opening and the closing time.")})
    if values.closes_at <= values.opens_at:
        raise ValidationError({"closes_at": gettext("The vote must close after it opens.")})
    if values.threshold_numerator > values.threshold_denominator:
        raise ValidationError({"threshold_numerator": str(THRESHOLD_REFUSAL)})
    overlap = {u.pk for u in values.include_voters} & {u.pk for u in values.exclude_voters}
    if overlap:
        raise ValidationError(
            {"exclude_voters": gettext("Someone is on both the include and exclude lists.")}
        )
    return data


def _checked(term: Term, value):
    """One term's value as stored, or a ValidationError on its field."""
    if term.kind in (Kind.TEXT, Kind.MARKDOWN):
        return _text(value, term.name, limit=term.limit, required=term.required)
    if term.kind is Kind.OPTIONS:
        options = [dict(option) for option in value] or default_options()
        _check_options(options)
        return options
    if term.kind is Kind.FLAG:
        return bool(value)
    if term.kind is Kind.NUMBER:
        if not isinstance(value, int) or value < term.least:
            raise ValidationError({term.field_for_errors: str(term.refusal)})
        return value
    if term.kind is Kind.LANGUAGES:
        return _required_languages(value)
    return value


def _required_languages(codes) -> list[str]:
    try:
        return policy_services.clean_language_codes(codes)
    except ValidationError as exc:
        raise ValidationError({"required_languages": exc.messages}) from exc


def _describe(vote: Vote) -> str:
    return (
        f"threshold {vote.threshold_text} of for + against, quorum {vote.quorum_ballots} ballots"
        + (f" from {vote.quorum_communities} communities" if vote.quorum_communities else "")
        + f", options {', '.join(o['label'] for o in vote.options)}"
        + (", secret ballot" if vote.secret else ", open ballot")
        + (
            f", translations required in {', '.join(vote.required_languages)}"
            if vote.required_languages
            else ""
        )
    )


@transaction.atomic
def create_vote(*, version: PolicyVersion, user, config: VoteSettings, now=None) -> Vote:
    """Create a draft vote on one published version. Nothing is frozen until it is opened."""
    if not rules.can_create_vote(user):
        raise PermissionDenied(gettext("Only facilitators may set up votes."))
    now = now or timezone.now()
    data = _validated(config)
    vote = Vote(
        version=version,
        content_hash=version.content_hash,
        created_by=user,
        created_at=now,
        **data,
    )
    vote.full_clean(exclude=["created_by", *_RELATED])
    vote.save()
    for name in _RELATED:
        getattr(vote, name).set(getattr(config, name))
    _log(
        version_id=version.pk,
        vote=vote,
        action=AuditEntry.Action.CREATED,
        actor=user,
        message=f"Created the draft vote: {_describe(vote)}.",
        now=now,
    )
    return vote


def _current(vote: Vote) -> dict:
    values = {name: getattr(vote, name) for name in Vote.FROZEN_FIELDS if name not in _RELATED}
    values["version"] = vote.version_id
    for name in _RELATED:
        values[name] = set(getattr(vote, name).values_list("pk", flat=True))
    return values


def update_vote(*, vote: Vote, user, config: VoteSettings, version=None, now=None) -> Vote:
    """Change a draft vote. Once a vote has opened, every change is refused and the attempt is
    written to the public log (outside the refused transaction, so it survives)."""
    now = now or timezone.now()
    if not rules.can_create_vote(user):
        raise PermissionDenied(gettext("Only facilitators may change votes."))
    with transaction.atomic():
        locked = Vote.objects.select_for_update().get(pk=vote.pk)
        if locked.state == Vote.State.DRAFT:
            data = _validated(config)
            before = _current(locked)
            for name, value in data.items():
                setattr(locked, name, value)
            if version is not None:
                locked.version = version
                locked.content_hash = version.content_hash
            locked.full_clean(exclude=["created_by", "opened_by", *_RELATED])
            locked.save()
            for name in _RELATED:
                getattr(locked, name).set(getattr(config, name))
            after = _current(locked)
            changed = sorted(k for k in after if after[k] != before[k])
            if changed:
                _log(
                    version_id=locked.version_id,
                    vote=locked,
                    action=AuditEntry.Action.CHANGED,
                    actor=user,
                    message="Changed " + ", ".join(n.replace("_", " ") for n in changed) + ".",
                    now=now,
                )
            return locked
    refuse_frozen_change(vote=vote, user=user, what="the vote's settings", now=now)


def refuse_frozen_change(*, vote: Vote, user, what: str, now=None):
    """Log an attempt to change a frozen vote, then refuse it."""
    with transaction.atomic():
        _log(
            version_id=vote.version_id,
            vote=vote,
            action=AuditEntry.Action.REFUSED,
            actor=user,
            message=f"Refused a change to {what}: the vote's settings were frozen when it opened.",
            now=now,
        )
    raise ValidationError(
        gettext(
            "This vote has opened, so its question, options, threshold, quorum, eligibility, "
            "times and version can no longer change. The attempt has been logged."
        )
    )


@transaction.atomic
def open_vote(*, vote: Vote, user, now=None) -> Vote:
    """Freeze a draft vote and schedule it: ballots are accepted from opens_at to closes_at."""
    now = now or timezone.now()
    if not rules.can_create_vote(user):
        raise PermissionDenied(gettext("Only facilitators may open votes."))
    locked = Vote.objects.select_for_update().get(pk=vote.pk)
    if locked.state != Vote.State.DRAFT:
        raise ValidationError(gettext("This vote has already been opened."))
    if locked.closes_at <= now:
        raise ValidationError(
            {"closes_at": gettext("The closing time has passed; change it first.")}
        )
    # Voters reading a required translation must be reading the text they vote on.
    policy_services.require_translations(
        version=locked.version,
        languages=locked.required_languages,
        refusal=gettext("The vote cannot open"),
    )
    locked.state = Vote.State.OPEN
    locked.opened_by = user
    locked.frozen_at = now
    locked.save(update_fields=["state", "opened_by", "frozen_at"])
    from .selectors import frozen_terms

    # The log vouches for the terms as published: anyone can recompute this hash.
    _log(
        version_id=locked.version_id,
        vote=locked,
        action=AuditEntry.Action.OPENED,
        actor=user,
        message=f"Opened and froze the vote: {_describe(locked)}; "
        f"content hash {locked.content_hash}.",
        now=now,
        content_hash=terms_hash(frozen_terms(locked)),
    )
    return locked


@transaction.atomic
def cancel_vote(*, vote: Vote, user, reason: str, now=None) -> Vote:
    """Stop a vote that has not closed. Ballots are kept; no result is ever shown."""
    now = now or timezone.now()
    reason = _text(reason, "reason", limit=500)
    locked = Vote.objects.select_for_update().get(pk=vote.pk)
    if not rules.can_cancel_vote(user, locked):
        raise PermissionDenied(gettext("Only facilitators may cancel a vote that has not closed."))
    locked.state = Vote.State.CANCELLED
    locked.cancel_reason = reason
    locked.closed_at = now
    locked.save(update_fields=["state", "cancel_reason", "closed_at"])
    _log(
        version_id=locked.version_id,
        vote=locked,
        action=AuditEntry.Action.CANCELLED,
        actor=user,
        message=f"Cancelled the vote: {reason}",
        now=now,
    )
    return locked


# --- ballots -----------------------------------------------------------------------------------


def _require_voting(vote: Vote, now) -> None:
    current = rules.phase(vote, now)
    if current == "voting":
        return
    messages = {
        "draft": gettext("This vote has not been opened yet."),
        "scheduled": gettext("Voting has not started yet."),
        "closed": gettext("Voting has closed."),
        "cancelled": gettext("This vote was cancelled."),
    }
    raise ValidationError(messages[current])


def cast_ballot(
    *,
    vote: Vote,
    user,
    option: str,
    community_id=None,
    now=None,
    checked=None,
    based_on: int | None = None,
):
    """Record `user`'s ballot, or replace it: the last ballot before close counts.

    `checked` is the eligibility.check result for this vote and user when the caller has just
    worked it out (the ballot view needs it for the form); otherwise it is checked here.
    `based_on` is the state of the voter's ballot the form was shown with (-1: none yet, else
    its times_changed); when given, a ballot that has changed since is not replaced
    (BallotAlreadyCast), so one form submitted many times at once casts exactly one ballot.
    Returns (ballot, receipt). The receipt is shown once; only its SHA-256 is stored."""
    now = now or timezone.now()
    _require_voting(vote, now)
    labels = vote.option_labels()
    if option not in labels:
        raise ValidationError({"option": gettext("Choose one of the vote's options.")})
    result = checked if checked is not None else eligibility.check(vote, user)
    if not result.eligible:
        raise NotEligible(gettext("You are not eligible to vote.") + " " + result.reason)
    allowed = {m.community_id: m for m in result.voting_communities}
    if community_id not in (None, ""):
        try:
            community_id = int(community_id)
        except (TypeError, ValueError):
            community_id = -1
        if community_id not in allowed:
            raise ValidationError(
                {"community": gettext("Vote as one of your own eligible communities.")}
            )
    else:
        ranked = sorted(allowed.values(), key=lambda m: (-(m.edit_count or 0), m.community_id))
        community_id = ranked[0].community_id if ranked else None

    receipt = secrets.token_urlsafe(18)
    if based_on == -1:
        # The form was shown before any ballot: insert straight away (the unique constraint
        # on vote and voter is the lock), two statements in one transaction. A ballot that
        # exists already means the same form was submitted before: refused, as below.
        # On PostgreSQL outside a transaction the insert is one statement, atomic on its own.
        one_statement = connection.vendor == "postgresql" and not connection.in_atomic_block
        try:
            with contextlib.nullcontext() if one_statement else transaction.atomic():
                ballot = _insert_ballot(vote, user, option, community_id, receipt, now)
        except IntegrityError:
            if not Ballot.objects.filter(vote=vote, voter=user).exists():
                raise
            raise _already_cast() from None
        return ballot, receipt
    with transaction.atomic():
        return _cast_or_replace(vote, user, option, community_id, receipt, now, based_on)


def _already_cast() -> BallotAlreadyCast:
    return BallotAlreadyCast(
        gettext(
            "This ballot form was already submitted, so it was not cast again: your ballot "
            "is recorded and the receipt you were given for it is the one that counts. To "
            "change your ballot, use the form below."
        )
    )


def _insert_ballot(vote, user, option, community_id, receipt, now) -> Ballot:
    ballot = Ballot(vote=vote, voter=user, community_id=community_id, cast_at=now, changed_at=now)
    choice = Choice(
        vote=vote,
        owner_tag=owner_tag(vote.pk, user.pk),
        receipt_digest=receipt_digest(receipt),
        fingerprint=ballot_fingerprint(receipt),
        voter=None if vote.secret else user,
        **_option_fields(vote, option),
    )
    if connection.vendor != "postgresql":
        ballot.save(force_insert=True)
        choice.save(force_insert=True)
        return ballot
    # The hot path of a vote: on PostgreSQL both rows go in with one statement (atomic on its
    # own), one round trip instead of four with the transaction around two inserts.
    ballot_sql, ballot_params = _insert_sql(ballot)
    choice_sql, choice_params = _insert_sql(choice)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH ballot AS ({ballot_sql} RETURNING id) "  # noqa: S608 (columns from _meta)
            f"{choice_sql} RETURNING (SELECT id FROM ballot)",
            [*ballot_params, *choice_params],
        )
        ballot.pk = cursor.fetchone()[0]
    ballot._state.adding = False
    ballot._state.db = connection.alias
    return ballot


def _insert_sql(obj) -> tuple[str, list]:
    """INSERT of one model instance's concrete fields (an automatic id left to the database),
    with its values prepared as Model.save() would."""
    fields = [
        f
        for f in obj._meta.concrete_fields
        if not (f.primary_key and f.get_internal_type() in ("AutoField", "BigAutoField"))
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    placeholders = ", ".join(["%s"] * len(fields))
    table = quote(obj._meta.db_table)
    return f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", values  # noqa: S608


def _cast_or_replace(vote, user, option, community_id, receipt, now, based_on) -> tuple:
    ballot, created = Ballot.objects.select_for_update().get_or_create(
        vote=vote,
        voter=user,
        defaults={"community_id": community_id, "cast_at": now, "changed_at": now},
    )
    if based_on is not None and not created and based_on != ballot.times_changed:
        raise _already_cast()
    tag = owner_tag(vote.pk, user.pk)
    digest = receipt_digest(receipt)
    if created:
        Choice.objects.create(
            vote=vote,
            owner_tag=tag,
            receipt_digest=digest,
            fingerprint=ballot_fingerprint(receipt),
            voter=None if vote.secret else user,
            **_option_fields(vote, option),
        )
        return ballot, receipt
    if ballot.struck:
        raise ValidationError(
            gettext("Your ballot was struck by a scrutineer (%(reason)s), so it cannot be changed.")
            % {"reason": ballot.struck_reason}
        )
    # The ballot's row lock (above) serialises every change to this voter's choice.
    old_digest = (
        Choice.objects.filter(vote=vote, owner_tag=tag)
        .values_list("receipt_digest", flat=True)
        .get()
    )
    RetiredReceipt.objects.create(vote=vote, digest=old_digest)
    Choice.objects.filter(vote=vote, owner_tag=tag).update(
        receipt_digest=digest,
        fingerprint=ballot_fingerprint(receipt),
        **_option_fields(vote, option),
    )
    ballot.changed_at = now
    ballot.times_changed += 1
    ballot.community_id = community_id
    ballot.save(update_fields=["changed_at", "times_changed", "community"])
    return ballot, receipt


@dataclass(frozen=True)
class ReceiptStatus:
    status: str  # counted, struck, replaced, unknown
    message: str
    option_label: str = ""
    # After close: the ballot's row in the published ballot list.
    fingerprint: str = ""


def check_receipt(*, vote: Vote, receipt: str) -> ReceiptStatus:
    """Tell a receipt holder what became of their ballot."""
    receipt = (receipt or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", receipt):
        return ReceiptStatus(
            "unknown", gettext("That is not a receipt from this site: check for typos.")
        )
    digest = receipt_digest(receipt)
    choice = Choice.objects.filter(vote=vote, receipt_digest=digest).first()
    if choice is not None:
        # Until the vote closes, the check never says which option: whoever demands to see a
        # voter's receipt while voting is open must not learn their vote from it. After close
        # the option is public anyway, in the ballot list, beside the receipt's fingerprint.
        label = row = ""
        if vote.state == Vote.State.CLOSED:
            key = choice_option(choice)
            label = vote.option_labels().get(key, key)
            row = shown_fingerprint(choice.fingerprint, choice.receipt_digest)
        if choice.struck:
            return ReceiptStatus(
                "struck",
                gettext("This ballot was struck by a scrutineer and is not counted."),
                label,
                row,
            )
        if not label:
            return ReceiptStatus(
                "counted",
                gettext(
                    "This ballot is received, and it is the one that counts. Which option it "
                    "holds is not shown while the vote is open."
                ),
            )
        return ReceiptStatus("counted", gettext("This ballot is counted."), label, row)
    if RetiredReceipt.objects.filter(vote=vote, digest=digest).exists():
        return ReceiptStatus(
            "replaced",
            gettext(
                "This receipt belongs to a ballot its voter later changed; only the newest ballot "
                "counts. Use the latest receipt you were given."
            ),
        )
    return ReceiptStatus("unknown", gettext("No ballot in this vote has that receipt."))


@transaction.atomic
def strike_ballot(*, ballot: Ballot, user, reason: str, now=None) -> Ballot:
    """A scrutineer removes a ballot from the count, with a public reason, while voting (see
    rules.may_strike: results are published once, at close, and never revised)."""
    now = now or timezone.now()
    reason = _text(reason, "reason", limit=500)
    # The vote's row first, as close_vote takes it: a close either waits for this strike and
    # counts without the ballot, or has already closed the vote and the strike is refused, so
    # the one published result always agrees with the struck list.
    vote = Vote.objects.select_for_update().get(pk=ballot.vote_id)
    locked = Ballot.objects.select_for_update().select_related("voter").get(pk=ballot.pk)
    locked.vote = vote
    if not rules.may_strike(user, vote, now):
        raise PermissionDenied(
            gettext(
                "Only scrutineers may strike ballots, and only while voting: once a vote has "
                "closed its results are final."
            )
        )
    if locked.struck:
        raise ValidationError(gettext("This ballot has already been struck."))
    locked.struck = True
    locked.struck_reason = reason
    locked.struck_by = user
    locked.struck_at = now
    locked.save(update_fields=["struck", "struck_reason", "struck_by", "struck_at"])
    Choice.objects.filter(vote=vote, owner_tag=owner_tag(vote.pk, locked.voter_id)).update(
        struck=True
    )
    _log(
        version_id=vote.version_id,
        vote=vote,
        action=AuditEntry.Action.STRUCK,
        actor=user,
        subject=locked.voter,
        message=reason,
        now=now,
    )
    return locked


# --- closing ---------------------------------------------------------------------------------


def _counted_options(vote: Vote) -> dict[str, str]:
    """owner tag → option of every counted (not struck) choice, decrypted."""
    return {
        choice.owner_tag: choice_option(choice)
        for choice in Choice.objects.filter(vote=vote, struck=False).only(
            "owner_tag", "option", "sealed_option", "vote_id"
        )
    }


def compute_tally(vote: Vote) -> dict[str, int]:
    """Counted ballots per option."""
    counts: dict[str, int] = {}
    for option in _counted_options(vote).values():
        counts[option] = counts.get(option, 0) + 1
    return counts


def compute_breakdown(vote: Vote) -> dict:
    """Counted ballots per community, for the communities that may be shown on their own
    (ratification.disclosure: at least `breakdown_min_group` voters holding at least two
    options); the rest are pooled, and the pool passes the same test."""
    choices = _counted_options(vote)
    groups: dict[int | None, dict[str, int]] = {}
    for voter_id, community_id in Ballot.objects.filter(vote=vote, struck=False).values_list(
        "voter_id", "community_id"
    ):
        option = choices.get(owner_tag(vote.pk, voter_id))
        if option is None:
            continue
        counts = groups.setdefault(community_id, {})
        counts[option] = counts.get(option, 0) + 1
    minimum = vote.breakdown_min_group
    shown = disclosure.shown_groups(groups, minimum)
    pooled = disclosure.merge(counts for cid, counts in groups.items() if cid not in shown)
    return {
        "minimum": minimum,
        "communities": {str(cid): groups[cid] for cid in shown},
        "pooled": pooled,
        "pooled_voters": disclosure.size(pooled),
    }


@transaction.atomic
def close_vote(*, vote: Vote, now=None) -> Vote:
    """Close a vote whose closing time has passed (idempotent), and work out the breakdown."""
    now = now or timezone.now()
    locked = Vote.objects.select_for_update().get(pk=vote.pk)
    if locked.state != Vote.State.OPEN:
        return locked
    if now < locked.closes_at:
        raise ValidationError(gettext("This vote closes at its scheduled time, not before."))
    locked.state = Vote.State.CLOSED
    locked.closed_at = locked.closes_at
    locked.tally = compute_tally(locked)
    locked.breakdown = compute_breakdown(locked)
    locked.save(update_fields=["state", "closed_at", "tally", "breakdown"])
    _log(
        version_id=locked.version_id,
        vote=locked,
        action=AuditEntry.Action.CLOSED,
        actor=None,
        message="Voting closed at the scheduled time; results are now public.",
        now=now,
    )
    return locked


def close_if_due(*, vote: Vote, now=None) -> Vote:
    """A vote past its closing time is closed when it is first seen, so results never wait for
    cron. Returns the vote as pages read it (reloaded when it was just closed)."""
    now = now or timezone.now()
    if vote.state == Vote.State.OPEN and now >= vote.closes_at:
        from .selectors import get_vote

        return get_vote(close_vote(vote=vote, now=now).pk)
    return vote


def close_due_votes(*, now=None, version=None) -> int:
    """Close every open vote past its closing time (of one policy version, if given). Run from
    cron or a worker; pages call it for the votes they show."""
    now = now or timezone.now()
    due = Vote.objects.filter(state=Vote.State.OPEN, closes_at__lte=now)
    if version is not None:
        due = due.filter(version=version)
    count = 0
    for vote in due:
        close_vote(vote=vote, now=now)
        count += 1
    return count


# --- board and external results ------------------------------------------------------------------


@transaction.atomic
def record_board_decision(
    *,
    version: PolicyVersion,
    user,
    body: str,
    decided_on: dt.date,
    outcome: str,
    minutes_url: str = "",
    note: str = "",
    now=None,
) -> BoardRatification:
    """Record the governing body's decision on a version. Public, and logged."""
    now = now or timezone.now()
    if not rules.can_record_board_decision(user):
        raise PermissionDenied(
            gettext("Only board secretaries and facilitators record board decisions.")
        )
    if outcome not in BoardRatification.Outcome.values:
        raise ValidationError({"outcome": gettext("Choose ratified, rejected or deferred.")})
    if decided_on is None:
        raise ValidationError({"decided_on": gettext("Give the date of the decision.")})
    if decided_on > now.date():
        raise ValidationError({"decided_on": gettext("The decision date cannot be in the future.")})
    record = BoardRatification.objects.create(
        version=version,
        body=_text(body, "body", limit=200),
        decided_on=decided_on,
        outcome=outcome,
        minutes_url=_check_url(minutes_url, "minutes_url"),
        note=_text(note, "note", limit=5000, required=False),
        recorded_by=user,
        recorded_at=now,
    )
    _log(
        version_id=version.pk,
        action=AuditEntry.Action.BOARD,
        actor=user,
        message=f"Recorded: {record.body} {record.outcome} "
        f"{version.display_name} on {decided_on.isoformat()}.",
        now=now,
    )
    return record


@transaction.atomic
def record_external_tally(
    *,
    version: PolicyVersion,
    user,
    title: str,
    held_until: dt.date,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
    outcome: str,
    source_url: str,
    community=None,
    note: str = "",
    now=None,
) -> ExternalTally:
    """Record the result of a vote held elsewhere as part of the community track."""
    now = now or timezone.now()
    if not rules.can_record_external_tally(user):
        raise PermissionDenied(gettext("Only facilitators record votes held elsewhere."))
    if outcome not in ExternalTally.Outcome.values:
        raise ValidationError({"outcome": gettext("Choose passed, failed or inconclusive.")})
    for name, value in (
        ("votes_for", votes_for),
        ("votes_against", votes_against),
        ("votes_abstain", votes_abstain),
    ):
        if not isinstance(value, int) or value < 0:
            raise ValidationError({name: gettext("Enter a whole number, 0 or more.")})
    if held_until is None or held_until > now.date():
        raise ValidationError(
            {"held_until": gettext("Give the day the vote closed (not in the future).")}
        )
    tally = ExternalTally.objects.create(
        version=version,
        community=community,
        title=_text(title, "title", limit=200),
        held_until=held_until,
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstain=votes_abstain,
        outcome=outcome,
        source_url=_check_url(source_url, "source_url", required=True),
        note=_text(note, "note", limit=5000, required=False),
        recorded_by=user,
        recorded_at=now,
    )
    _log(
        version_id=version.pk,
        action=AuditEntry.Action.EXTERNAL,
        actor=user,
        message=f"Recorded a vote held elsewhere: {tally.title} "
        f"({votes_for} for, {votes_against} against, {votes_abstain} abstaining; "
        f"{tally.outcome}).",
        now=now,
    )
    return tally
