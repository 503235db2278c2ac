"""A consultation closed without a note says who closed it. The name is rendered when the page
is shown, from the account that closed it, so nothing stored names the person (anonymising the
account needs no rewrite; tests/accounts/test_privacy_and_deletion.py)."""

import importlib

import pytest
from django.apps import apps

from consultations import services
from consultations.models import Consultation
from consultations.selectors import consultation_url
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("consultations.migrations.0007_close_notes_name_nobody")


def _header(client, consultation, language="en") -> str:
    page = client.get(consultation_url(consultation), HTTP_ACCEPT_LANGUAGE=language)
    return page.content.decode()


def test_closing_without_a_note_names_the_facilitator_on_the_page(
    client, consultation, facilitator
):
    services.close_consultation(consultation=consultation, user=facilitator, note="  ")
    consultation.refresh_from_db()
    assert consultation.state_note == ""
    assert "Closed by fran." in _header(client, consultation)
    assert "Geschlossen von fran." in _header(client, consultation, "de")
    api = client.get(f"/api/v1/consultations/{consultation.pk}/").json()
    assert api["state_note"] == "Closed by fran."


def test_a_typed_note_is_shown_as_typed(client, consultation, facilitator):
    services.close_consultation(consultation=consultation, user=facilitator, note="Enough said.")
    page = _header(client, consultation)
    assert "Enough said." in page and "Closed by" not in page


def test_the_migration_empties_only_notes_it_generated(client, make_consultation, version):
    fran = UserFactory(username="fran2")
    gone = UserFactory(username="former-participant-7")
    rows = {
        "english": (fran, "Closed by fran2."),
        "german": (fran, "Geschlossen von fran2."),
        "rewritten": (gone, "Closed by former participant."),
        "someone else's name": (fran, "Closed by kim."),
        "typed": (fran, "Closed by fran2. Thanks all!"),
    }
    made = {}
    for label, (user, note) in rows.items():
        consultation = make_consultation(version, state="closed", title=label)
        consultation.state_note, consultation.state_changed_by = note, user
        consultation.save()  # as the old code did: the history row keeps the note too
        made[label] = consultation

    migration.empty_generated_notes(apps, None)

    notes = {label: Consultation.objects.get(pk=c.pk).state_note for label, c in made.items()}
    assert notes == {
        "english": "",
        "german": "",
        "rewritten": "",
        "someone else's name": "Closed by kim.",
        "typed": "Closed by fran2. Thanks all!",
    }
    assert "Closed by fran2." in _header(client, made["german"])
    assert "Closed by former participant." in _header(client, made["rewritten"])
    history = Consultation.history.model.objects.filter(state="closed").exclude(state_note="")
    assert set(history.values_list("state_note", flat=True)) == {
        "Closed by kim.",
        "Closed by fran2. Thanks all!",
        "The period ended.",  # in_state closed them with this note first
    }
