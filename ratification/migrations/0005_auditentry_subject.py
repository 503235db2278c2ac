"""A log entry about someone names them by reference (`subject`), not in its text.

Struck-ballot entries read "Struck the ballot of NAME: REASON". Where the struck ballot that
entry records can be found (a struck ballot of the same vote whose voter's name, or "former
participant" for an anonymised voter, and reason make exactly that text), the entry gets the
voter as its subject and keeps only the reason; when several ballots would fit, the one struck
by the entry's actor at the entry's moment is taken. An entry whose ballot cannot be told apart
is left as it was and shown as written."""

from django.conf import settings
from django.db import migrations, models

PREFIX = "Struck the ballot of "
# What accounts.naming and core.forgetting show for an anonymised account, as of this migration.
ANONYMISED_PREFIX = "former-participant-"
FORMER_PARTICIPANT = "former participant"


def _name(user) -> str:
    return FORMER_PARTICIPANT if user.username.startswith(ANONYMISED_PREFIX) else user.username


def name_subjects(apps, schema_editor):
    AuditEntry = apps.get_model("ratification", "AuditEntry")
    Ballot = apps.get_model("ratification", "Ballot")
    entries = AuditEntry.objects.filter(
        action="struck", subject__isnull=True, vote__isnull=False, message__startswith=PREFIX
    )
    for entry in entries.iterator():
        fits = [
            ballot
            for ballot in Ballot.objects.filter(vote_id=entry.vote_id, struck=True).select_related(
                "voter"
            )
            if entry.message == f"{PREFIX}{_name(ballot.voter)}: {ballot.struck_reason}"
        ]
        if len(fits) > 1:
            fits = [
                ballot
                for ballot in fits
                if ballot.struck_at == entry.created_at and ballot.struck_by_id == entry.actor_id
            ]
        if len(fits) == 1:
            entry.subject_id = fits[0].voter_id
            entry.message = fits[0].struck_reason
            entry.save(update_fields=["subject", "message"])


def write_names(apps, schema_editor):
    """Back to names in the text, as they read now."""
    AuditEntry = apps.get_model("ratification", "AuditEntry")
    entries = AuditEntry.objects.filter(action="struck", subject__isnull=False)
    for entry in entries.select_related("subject"):
        entry.message = f"{PREFIX}{_name(entry.subject)}: {entry.message}"
        entry.save(update_fields=["message"])


class Migration(migrations.Migration):
    dependencies = [
        ("ratification", "0004_required_languages"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        # The transparency log's back-fill copies each entry's text as it read then (with the
        # voter's name); it runs first, so it always sees the lines as they were written.
        ("transparency", "0002_backfill"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="subject",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(name_subjects, write_names),
    ]
