"""A secret ballot stays secret: to someone reading the database, and to anyone reading the
pages and exports. Results stay hidden from everyone until the vote closes."""

import csv
import hashlib
import io
import json
import re
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.test import Client
from django.utils import timezone

from ratification import services
from ratification.models import Ballot, Choice, RetiredReceipt, Vote
from tests.factories import UserFactory

from .conftest import DAY, close, make_vote, member, page_text, tables

OPTIONS = "Ratify = for\nReject = against\nStand aside = abstain"
LABELS = ["Ratify", "Reject", "Stand aside"]
PICKS = ["ratify", "reject", "ratify", "stand-aside", "reject"]


def _vote(version, facilitator, **overrides):
    return make_vote(
        version,
        facilitator,
        options=tuple(services.parse_options(OPTIONS)),
        breakdown_min_group=2,
        **overrides,
    )


@pytest.fixture
def secret_vote(version, facilitator, voters, community, scrutineer):
    """Five voters, one of whom changed their ballot twice and one struck, in one community."""
    vote = _vote(version, facilitator)
    for voter, option in zip(voters, PICKS, strict=True):
        member(voter, community, edits=10)
        services.cast_ballot(vote=vote, user=voter, option=option)
    services.cast_ballot(vote=vote, user=voters[0], option="reject")
    services.cast_ballot(vote=vote, user=voters[0], option="ratify")
    ballot = Ballot.objects.get(vote=vote, voter=voters[4])
    services.strike_ballot(ballot=ballot, user=scrutineer, reason="Duplicate account.")
    return vote


# --- the database ------------------------------------------------------------------------------


def _identities(vote, people) -> set[str]:
    found = set()
    for person in people:
        found |= {str(person.pk), person.get_username(), person.email}
    for ballot in Ballot.objects.filter(vote=vote):
        found.add(str(ballot.pk))
    return found


def test_no_choice_row_points_at_a_voter(secret_vote, voters):
    rows = list(Choice.objects.filter(vote=secret_vote).values())
    assert len(rows) == 5
    assert all(row["voter_id"] is None for row in rows)
    forbidden = _identities(secret_vote, voters)
    for row in rows:
        for column, value in row.items():
            if column == "vote_id":
                assert value == secret_vote.pk
                continue
            assert str(value) not in forbidden, column
    # The owner tag is keyed: not a plain hash of anything that names the voter.
    tags = {row["owner_tag"] for row in rows}
    for voter in voters:
        for text in (
            f"{secret_vote.pk}:{voter.pk}",
            str(voter.pk),
            voter.get_username(),
            f"{secret_vote.pk}:{voter.get_username()}",
        ):
            for algorithm in ("sha256", "md5", "sha1"):
                assert hashlib.new(algorithm, text.encode()).hexdigest() not in tags


def test_the_ballot_table_holds_nothing_that_leads_to_a_choice(secret_vote):
    names = {field.name for field in Ballot._meta.get_fields()}
    assert not names & {"option", "choice", "receipt", "receipt_digest", "owner_tag", "digest"}
    secrets_ = set(Choice.objects.values_list("owner_tag", flat=True)) | set(
        Choice.objects.values_list("receipt_digest", flat=True)
    )
    secrets_ |= set(RetiredReceipt.objects.values_list("digest", flat=True))
    for row in Ballot.objects.filter(vote=secret_vote).values():
        assert not {str(value) for value in row.values()} & secrets_


def test_choices_carry_no_time_and_no_ordered_id(secret_vote):
    timed = [
        field.name
        for field in Choice._meta.get_fields()
        if isinstance(field, models.DateField | models.TimeField)
    ]
    assert timed == []
    assert not hasattr(Choice, "history")  # no history table with change times
    assert isinstance(Choice._meta.pk, models.UUIDField)
    ids = list(Choice.objects.values_list("id", flat=True))
    assert all(uuid.UUID(str(value)).version == 4 for value in ids)  # random, not time-based
    # The replaced receipts say nothing about whose ballot changed, or when.
    retired = {field.name for field in RetiredReceipt._meta.get_fields()}
    assert retired == {"id", "vote", "digest"}


def test_an_open_vote_records_who_chose_what(version, facilitator, voters):
    vote = _vote(version, facilitator, secret=False)
    services.cast_ballot(vote=vote, user=voters[0], option="reject")
    assert Choice.objects.get(vote=vote).voter == voters[0]


# --- the pages -----------------------------------------------------------------------------------


def _client(user=None) -> Client:
    client = Client()
    if user is not None and user.is_authenticated:
        client.force_login(user)
    return client


def _own_view(vote, user) -> str:
    """The vote page as `user` sees it, with their name and the form tokens blanked out."""
    html = _client(user).get(f"/votes/{vote.pk}/").content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return html.replace(user.get_username(), "NAME")


@pytest.mark.parametrize("phase", ["voting", "closed"])
def test_the_vote_page_looks_the_same_whatever_you_chose(phase, version, facilitator, community):
    vote = _vote(version, facilitator)
    now = timezone.now()
    pair = [UserFactory(username="twin-a"), UserFactory(username="twin-b")]
    for person, option in zip(pair, ["ratify", "reject"], strict=True):
        member(person, community, edits=3)
        services.cast_ballot(vote=vote, user=person, option=option, now=now)
    if phase == "closed":
        vote = close(vote)
    first, second = (_own_view(vote, person) for person in pair)
    assert first == second
    assert "checked" not in first


def _row_texts(response) -> list[str]:
    return [" ".join(" ".join(row).split()) for table in tables(response).values() for row in table]


@pytest.mark.parametrize("closed", [False, True])
def test_the_voter_list_never_shows_choices_in_a_secret_vote(
    closed, secret_vote, voters, facilitator, scrutineer, superuser
):
    vote = close(secret_vote) if closed else secret_vote
    for user in (AnonymousUser(), voters[0], facilitator, scrutineer, superuser):
        client = _client(user)
        page = client.get(f"/votes/{vote.pk}/voters/")
        assert page.status_code == 200
        rows = _row_texts(page)
        assert len(rows) == 5 and any("voter3" in row for row in rows)
        for row in rows:
            for label in LABELS:
                assert label not in row, (user, row)
        assert '<th scope="col">Choice</th>' not in page.content.decode()

        listing = client.get(f"/votes/{vote.pk}/voters.json")
        data = json.loads(listing.content)
        assert {tuple(sorted(entry)) for entry in data["voters"]} == {
            ("community", "struck", "struck_reason", "voter")
        }
        exported = client.get(f"/votes/{vote.pk}/voters.csv").content.decode()
        header, *lines = list(csv.reader(io.StringIO(exported)))
        assert header == ["voter", "community", "struck", "struck_reason"]
        assert len(lines) == 5
        for text in (listing.content.decode(), exported):
            for option in [*LABELS, *PICKS]:
                assert option not in text


def test_results_and_exports_name_nobody(secret_vote, voters):
    vote = close(secret_vote)
    client = _client()
    for path in ("results/", "results.json", "results.csv"):
        body = client.get(f"/votes/{vote.pk}/{path}").content.decode()
        for voter in voters:
            assert voter.get_username() not in body, path
    data = json.loads(client.get(f"/votes/{vote.pk}/results.json").content)
    assert {o["key"]: o["count"] for o in data["options"]} == {
        "ratify": 2,
        "reject": 1,
        "stand-aside": 1,
    }


def test_an_open_vote_shows_choices_beside_names_only_after_close(
    version, facilitator, voters, superuser
):
    vote = _vote(version, facilitator, secret=False)
    for voter, option in zip(voters[:3], PICKS[:3], strict=True):
        services.cast_ballot(vote=vote, user=voter, option=option)
    for user in (AnonymousUser(), voters[0], facilitator, superuser):
        rows = _row_texts(_client(user).get(f"/votes/{vote.pk}/voters/"))
        assert len(rows) == 3
        assert not any(label in row for row in rows for label in LABELS), user
    vote = close(vote)
    page = _client().get(f"/votes/{vote.pk}/voters/")
    assert sorted(_row_texts(page)) == ["voter0 — Ratify", "voter1 — Reject", "voter2 — Ratify"]


# --- results hidden until close ------------------------------------------------------------------


RESULT_PATHS = ["results/", "results.json", "results.csv"]


def _phase_vote(phase, version, facilitator, voters):
    now = timezone.now()
    if phase == "scheduled":
        return _vote(version, facilitator, opens_at=now + DAY, closes_at=now + 2 * DAY)
    vote = _vote(version, facilitator)
    services.cast_ballot(vote=vote, user=voters[0], option="reject")
    if phase == "cancelled":
        return services.cancel_vote(vote=vote, user=facilitator, reason="Wrong text.")
    return vote


@pytest.mark.parametrize("phase", ["scheduled", "voting", "cancelled"])
def test_results_are_hidden_from_everyone_before_close(
    phase, version, facilitator, voters, scrutineer, secretary, superuser
):
    vote = _phase_vote(phase, version, facilitator, voters)
    for user in (AnonymousUser(), voters[0], facilitator, scrutineer, secretary, superuser):
        client = _client(user)
        for path in RESULT_PATHS:
            response = client.get(f"/votes/{vote.pk}/{path}")
            assert response.status_code == 403, (user, path)
            body = response.content.decode()
            assert "Reject" not in body and '"count"' not in body
        # The vote page does not link to results or show counts either.
        page = page_text(client.get(f"/votes/{vote.pk}/"))
        assert "Outcome" not in page
    assert Vote.objects.get(pk=vote.pk).breakdown is None


def test_results_are_public_after_close_even_before_cron_runs(
    version, facilitator, voters, superuser
):
    vote = _phase_vote("voting", version, facilitator, voters)
    Vote.objects.filter(pk=vote.pk).update(
        opens_at=vote.opens_at - 2 * DAY, closes_at=timezone.now() - DAY
    )
    for user in (AnonymousUser(), voters[1], facilitator, superuser):
        client = _client(user)
        for path in RESULT_PATHS:
            assert client.get(f"/votes/{vote.pk}/{path}").status_code == 200, (user, path)
    assert Vote.objects.get(pk=vote.pk).state == Vote.State.CLOSED
    text = page_text(_client().get(f"/votes/{vote.pk}/results/"))
    assert "Outcome: not passed — the threshold was not reached." in text
    assert "Reject against 1 100%" in text


def test_draft_results_are_not_found_except_by_facilitators(version, facilitator, voters):
    vote = _vote(version, facilitator, open_it=False)
    for path in RESULT_PATHS:
        assert _client().get(f"/votes/{vote.pk}/{path}").status_code == 404
        assert _client(voters[0]).get(f"/votes/{vote.pk}/{path}").status_code == 404
        assert _client(facilitator).get(f"/votes/{vote.pk}/{path}").status_code == 403


def test_a_secret_choice_is_stored_encrypted_and_readable_only_with_the_ballot_key(
    secret_vote, settings
):
    """Rows can be lined up with ballots by how the database stores them (insertion order,
    PostgreSQL transaction ids); what a row says must still be unreadable without the key."""
    choices = list(Choice.objects.filter(vote=secret_vote))
    assert choices and all(c.option == "" and c.sealed_option for c in choices)
    decrypted = sorted(services.choice_option(c) for c in choices)
    assert set(decrypted) <= {"ratify", "reject", "stand-aside"}
    for choice in choices:
        for label in [*LABELS, *PICKS]:
            assert label not in choice.sealed_option
    # The same option sealed twice looks different (a fresh nonce each time).
    assert services.seal_option(secret_vote.pk, "ratify") != services.seal_option(
        secret_vote.pk, "ratify"
    )
    settings.BALLOT_SECRET_KEY = "another key that was never used"
    with pytest.raises(Exception):  # noqa: B017  (the cipher's InvalidTag)
        services.choice_option(choices[0])
