"""A consultation closed without a note used to store "Closed by <username>." in the language of
the request that closed it, and anonymising the account rewrote that text. The page now says
who closed it from state_changed_by when it is shown (Consultation.state_note_text), so those
notes are emptied (on the consultations and their history): only notes that exactly match the
old wording for the closing account, in any interface language, including the rewritten
"former participant" form."""

from django.conf import settings
from django.db import migrations
from django.utils import translation

CLOSED_BY = "Closed by %(name)s."
ANONYMOUS_PREFIX = "former-participant-"  # accounts.naming
FORMER_PARTICIPANT = "former participant"  # core.forgetting, as the old rewrite stored it


def _templates() -> set[str]:
    found = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.add(translation.gettext(CLOSED_BY))
    return found


def empty_generated_notes(apps, schema_editor):
    """On the consultations and on their history rows alike."""
    templates = _templates()
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    for name in ("Consultation", "HistoricalConsultation"):
        model = apps.get_model("consultations", name)
        closed = model.objects.filter(state="closed", state_changed_by__isnull=False).exclude(
            state_note=""
        )
        rows = list(closed.values_list("pk", "state_note", "state_changed_by_id"))
        usernames = dict(
            User.objects.filter(pk__in={row[2] for row in rows}).values_list("pk", "username")
        )
        for pk, note, user_id in rows:
            username = usernames.get(user_id, "")
            names = {username}
            if username.startswith(ANONYMOUS_PREFIX):
                names.add(FORMER_PARTICIPANT)
            generated = {template % {"name": n} for template in templates for n in names}
            if username and note in generated:
                model.objects.filter(pk=pk).update(state_note="")


def restore_generated_notes(apps, schema_editor):
    Consultation = apps.get_model("consultations", "Consultation")
    with translation.override(settings.LANGUAGE_CODE):
        template = translation.gettext(CLOSED_BY)
    closed = Consultation.objects.filter(
        state="closed", state_changed_by__isnull=False, state_note=""
    )
    for consultation in closed.select_related("state_changed_by").iterator():
        username = consultation.state_changed_by.username
        name = FORMER_PARTICIPANT if username.startswith(ANONYMOUS_PREFIX) else username
        Consultation.objects.filter(pk=consultation.pk).update(
            state_note=template % {"name": name}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0006_amendments_move_out"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(empty_generated_notes, restore_generated_notes),
    ]
