"""Back-fill the transparency log with the public events recorded before it existed, in the
order they happened: published versions, imported translations, moderation actions, published
summaries, adoption and override history, and the votes' audit entries.

The canonical hash is copied here rather than imported, so this migration keeps computing what
it computed when it was written; tests/transparency/test_backfill.py checks that it agrees
with transparency.chain, which is the hash every later entry and the verifier use."""

import hashlib
import json
from datetime import UTC

from django.conf import settings
from django.db import migrations

GENESIS_HASH = "0" * 64


def canonical_json(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def timestamp(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(*, seq, kind, object, payload, content_hash, prev_hash, created_at):  # noqa: A002
    return sha256_hex(
        canonical_json(
            {
                "seq": seq,
                "kind": kind,
                "object": object,
                "payload": payload,
                "content_hash": content_hash,
                "prev_hash": prev_hash,
                "created_at": created_at,
            }
        )
    )


def _username(user):
    return user.username if user is not None else ""


def _events(apps):
    """(moment, source order, pk, kind, object, payload, content hash) for every past event."""
    PolicyVersion = apps.get_model("policies", "PolicyVersion")
    PolicyTranslation = apps.get_model("policies", "PolicyTranslation")
    ModerationAction = apps.get_model("consultations", "ModerationAction")
    Summary = apps.get_model("consultations", "Summary")
    HistoricalAdoption = apps.get_model("communities", "HistoricalAdoption")
    HistoricalSectionOverride = apps.get_model("communities", "HistoricalSectionOverride")
    Adoption = apps.get_model("communities", "Adoption")
    Community = apps.get_model("communities", "Community")
    PolicyPage = apps.get_model("policies", "PolicyPage")
    SectionVersion = apps.get_model("policies", "SectionVersion")
    AuditEntry = apps.get_model("ratification", "AuditEntry")

    for v in PolicyVersion.objects.select_related("policy").order_by("created_at", "pk"):
        yield (
            v.created_at,
            0,
            v.pk,
            "version.published",
            f"policies.version:{v.pk}",
            {
                "policy": v.policy.slug,
                "policy_id": v.policy_id,
                "number": v.number,
                "label": v.label,
                "title": v.title,
                "author": v.author_name,
                "summary": v.summary,
            },
            v.content_hash,
        )

    for t in PolicyTranslation.objects.select_related("source_version__policy", "locale").order_by(
        "created_at", "pk"
    ):
        sections = [
            {"key": s.key, "heading": s.heading, "body": s.body}
            for s in t.sections.order_by("position")
        ]
        yield (
            t.created_at,
            1,
            t.pk,
            "translation.imported",
            f"policies.translation:{t.pk}",
            {
                "policy": t.source_version.policy.slug,
                "version": t.source_version.number,
                "language": t.locale.language_code,
                "revision": t.revision,
                "title": t.title,
                "translator": t.translator_name,
                "source_content_hash": t.source_version.content_hash,
            },
            sha256_hex(canonical_json({"title": t.title, "sections": sections})),
        )

    for m in ModerationAction.objects.select_related("actor").order_by("created_at", "pk"):
        target = f"position:{m.position_id}" if m.position_id else f"reply:{m.reply_id}"
        yield (
            m.created_at,
            2,
            m.pk,
            f"moderation.{m.action}",
            f"consultations.moderation:{m.pk}",
            {
                "consultation": m.consultation_id,
                "target": target,
                "actor": _username(m.actor),
                "reason": m.reason,
            },
            "",
        )

    for s in Summary.objects.filter(published_at__isnull=False).select_related("published_by"):
        rows = s.sections.order_by("section_key").values_list("section_key", "outcome", "text")
        yield (
            s.published_at,
            3,
            s.pk,
            "summary.published",
            f"consultations.summary:{s.pk}",
            {
                "consultation": s.consultation_id,
                "first_publication": True,
                "published_by": _username(s.published_by),
            },
            sha256_hex(canonical_json({"intro": s.intro, "sections": [list(r) for r in rows]})),
        )

    communities = dict(Community.objects.values_list("pk", "slug"))
    policies = dict(PolicyPage.objects.values_list("pk", "slug"))
    numbers = dict(PolicyVersion.objects.values_list("pk", "number"))
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    usernames = dict(User.objects.values_list("pk", "username"))

    def username(user_id):
        return usernames.get(user_id, "") if user_id is not None else ""

    for h in HistoricalAdoption.objects.order_by("history_date", "history_id"):
        # An override's own entry already says the adoption now has overrides.
        if h.history_type == "-" or h.history_change_reason == "Added a local override":
            continue
        yield (
            h.history_date,
            4,
            h.history_id,
            "adoption.declared" if h.history_type == "+" else "adoption.changed",
            f"communities.adoption:{h.id}",
            {
                "community": communities.get(h.community_id),
                "policy": policies.get(h.policy_id),
                "status": h.status,
                "version": numbers.get(h.version_id),
                "decided_on": h.decided_on.isoformat() if h.decided_on else None,
                "evidence_url": h.evidence_url,
                "rationale": h.rationale,
                "by": username(h.declared_by_id),
            },
            "",
        )

    adoptions = {
        a.pk: (communities.get(a.community_id), policies.get(a.policy_id), a.status)
        for a in Adoption.objects.all()
    }
    section_versions = dict(SectionVersion.objects.values_list("pk", "version_id"))
    for h in HistoricalSectionOverride.objects.order_by("history_date", "history_id"):
        community, policy, status = adoptions.get(h.adoption_id, (None, None, None))
        removed = h.history_type == "-"
        if removed:
            kind = "override.removed"
        elif (h.history_change_reason or "").startswith("Rebased"):
            kind = "override.rebased"
        else:
            kind = "override.set"
        based_on = numbers.get(section_versions.get(h.based_on_id))
        yield (
            h.history_date,
            5,
            h.history_id,
            kind,
            f"communities.override:{h.adoption_id}:{h.section_key}",
            {
                "community": community,
                "policy": policy,
                "section_key": h.section_key,
                "action": "removed" if removed else h.action,
                "based_on_version": None if removed else based_on,
                "rationale": "" if removed else h.rationale,
                "adoption_status": status,
                "by": username(h.updated_by_id),
            },
            "" if removed else sha256_hex(h.text),
        )

    for a in AuditEntry.objects.select_related("actor").order_by("created_at", "pk"):
        yield (
            a.created_at,
            6,
            a.pk,
            f"ratification.{a.action}",
            f"ratification.vote:{a.vote_id}" if a.vote_id else f"ratification.audit:{a.pk}",
            {
                "vote": a.vote_id,
                "version_id": a.version_id,
                "actor": _username(a.actor),
                "message": a.message,
            },
            "",
        )


def backfill(apps, schema_editor):
    LogEntry = apps.get_model("transparency", "LogEntry")
    if LogEntry.objects.exists():
        return
    events = sorted(_events(apps), key=lambda e: (e[0], e[1], e[2]))
    prev, rows = GENESIS_HASH, []
    for seq, (moment, _source, _pk, kind, obj, payload, content_hash) in enumerate(events, 1):
        created_at = timestamp(moment)
        digest = entry_hash(
            seq=seq,
            kind=kind,
            object=obj,
            payload=payload,
            content_hash=content_hash,
            prev_hash=prev,
            created_at=created_at,
        )
        rows.append(
            LogEntry(
                seq=seq,
                kind=kind,
                object_ref=obj,
                payload=canonical_json(payload),
                content_hash=content_hash,
                prev_hash=prev,
                hash=digest,
                created_at=moment,
            )
        )
        prev = digest
    LogEntry.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("transparency", "0001_log"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("policies", "0005_set_aside_drafts"),
        ("consultations", "0007_close_notes_name_nobody"),
        ("communities", "0004_facilitators_manage_memberships"),
        ("ratification", "0004_required_languages"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
