"""Migration 0005: struck-ballot log entries written with the voter's name in their text get the
voter as their subject and keep only the reason, wherever the ballot can be told apart."""

import datetime as dt
import importlib

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from ratification import services
from ratification.models import AuditEntry

migration = importlib.import_module("ratification.migrations.0005_auditentry_subject")


def _as_written_before(entry: AuditEntry, name: str) -> AuditEntry:
    """The entry as services wrote it before 0005: the name in the text, no subject."""
    AuditEntry.objects.filter(pk=entry.pk).update(
        subject=None, message=f"Struck the ballot of {name}: {entry.message}"
    )
    entry.refresh_from_db()
    return entry


def _strike(vote, voter, scrutineer, reason, now) -> AuditEntry:
    ballot, _receipt = services.cast_ballot(vote=vote, user=voter, option="yes")
    services.strike_ballot(ballot=ballot, user=scrutineer, reason=reason, now=now)
    return AuditEntry.objects.get(vote=vote, action="struck", subject=voter)


def test_old_entries_get_their_subject_and_read_as_before(open_vote, voters, scrutineer):
    now = timezone.now()
    anonymised = voters[1:3]
    for voter in anonymised:  # as accounts.services.anonymise_user renames them
        get_user_model().objects.filter(pk=voter.pk).update(
            username=f"former-participant-{voter.pk}"
        )
        voter.refresh_from_db()
    named = _strike(open_vote, voters[0], scrutineer, "Sock puppet: of voter4.", now)
    # Two anonymised voters struck for the same reason: told apart by when they were struck.
    first = _strike(open_vote, anonymised[0], scrutineer, "Duplicate.", now)
    second = _strike(
        open_vote, anonymised[1], scrutineer, "Duplicate.", now + dt.timedelta(hours=1)
    )
    old = {
        named.pk: _as_written_before(named, "voter0").message,
        first.pk: _as_written_before(first, "former participant").message,
        second.pk: _as_written_before(second, "former participant").message,
    }
    # A line whose ballot is gone from the records stays as it was.
    lost = AuditEntry.objects.create(
        vote=open_vote,
        version=open_vote.version,
        action="struck",
        actor=scrutineer,
        message="Struck the ballot of someone-else: Unknown.",
        created_at=now,
    )

    migration.name_subjects(apps, None)

    entries = AuditEntry.objects.in_bulk([named.pk, first.pk, second.pk, lost.pk])
    assert (entries[named.pk].subject, entries[named.pk].message) == (
        voters[0],
        "Sock puppet: of voter4.",
    )
    assert (entries[first.pk].subject, entries[second.pk].subject) == tuple(anonymised)
    assert entries[first.pk].message == entries[second.pk].message == "Duplicate."
    assert (entries[lost.pk].subject, entries[lost.pk].text) == (
        None,
        "Struck the ballot of someone-else: Unknown.",
    )
    for pk, text in old.items():
        assert entries[pk].text == text

    migration.write_names(apps, None)

    for pk, text in old.items():
        assert AuditEntry.objects.get(pk=pk).message == text
