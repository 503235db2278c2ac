"""The ratification pages as people use them: setting a vote up, voting, checking a receipt, the
status page, recording board decisions and votes held elsewhere, the exports, and how many
queries each page takes however much there is to show."""

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from communities.models import Community
from ratification import services
from ratification.models import (
    AuditEntry,
    Ballot,
    BoardRatification,
    Choice,
    ExternalTally,
    RetiredReceipt,
    Vote,
)
from tests.factories import UserFactory

from .conftest import DAY, HOUR, cast_many, close, counts, make_vote, member, page_text, tables

NEW = "/baseline/ratification/votes/new/"


def stamp(moment: dt.datetime) -> str:
    """A time as the form's datetime-local input sends it."""
    return moment.strftime("%Y-%m-%dT%H:%M")


def everything() -> tuple:
    return (
        list(Vote.objects.values()),
        list(Ballot.objects.values()),
        sorted(Choice.objects.values_list("receipt_digest", "option", "struck")),
        RetiredReceipt.objects.count(),
        list(AuditEntry.objects.values_list("action", "message")),
        list(BoardRatification.objects.values()),
        list(ExternalTally.objects.values()),
    )


def receipt_in(response) -> str:
    match = re.search(r'<code id="receipt">([^<]+)</code>', response.content.decode())
    assert match, "no receipt on the page"
    return match.group(1)


@pytest.fixture
def form_data(version, community, voters):
    now = timezone.now()
    return {
        "version": str(version.number),
        "question": "Do you ratify the Baseline Code, version 2?",
        "description": "Read it *first*.",
        "options": "Yes = for\nNo = against\nAbstain = abstain",
        "opens_at": stamp(now - HOUR),
        "closes_at": stamp(now + 3 * DAY),
        "secret": "on",
        "threshold_numerator": "2",
        "threshold_denominator": "3",
        "quorum_ballots": "3",
        "quorum_communities": "0",
        "breakdown_min_group": "10",
        "registered_before": "",
        "min_contributions": "0",
        "min_community_edits": "0",
        "eligible_communities": [str(community.pk)],
        "exclude_blocked": "on",
        "include_voters": "voter0",
        "exclude_voters": "voter1\nvoter2",
    }


def _snapshot(vote):
    vote = Vote.objects.get(pk=vote.pk)
    values = {name: getattr(vote, name) for name in Vote.FROZEN_FIELDS}
    values["version"] = vote.version_id
    for name in ("eligible_communities", "include_voters", "exclude_voters"):
        values[name] = sorted(getattr(vote, name).values_list("pk", flat=True))
    return values


# --- setting a vote up ------------------------------------------------------------------------


def test_a_facilitator_sets_up_edits_and_opens_a_vote(
    client, facilitator, form_data, version, policy, community, voters
):
    client.force_login(facilitator)
    form = client.get(NEW)
    assert form.status_code == 200
    assert "Do you ratify Baseline Code, version 2?" in form.content.decode()

    response = client.post(NEW, form_data)
    vote = Vote.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/votes/{vote.pk}/"
    assert (vote.state, vote.version, vote.content_hash) == ("draft", version, version.content_hash)
    assert vote.question == form_data["question"] and vote.secret and vote.quorum_ballots == 3
    assert vote.opens_at.strftime("%Y-%m-%dT%H:%M") == form_data["opens_at"]
    assert list(vote.eligible_communities.all()) == [community]
    assert list(vote.include_voters.all()) == [voters[0]]
    assert sorted(vote.exclude_voters.values_list("username", flat=True)) == ["voter1", "voter2"]
    assert "Draft" in page_text(client.get(f"/votes/{vote.pk}/"))

    older = policy.versions.get(number=1)
    changed = {**form_data, "threshold_numerator": "3", "threshold_denominator": "4"}
    changed["version"] = str(older.number)
    response = client.post(f"/votes/{vote.pk}/edit/", changed)
    assert response.status_code == 302
    vote.refresh_from_db()
    assert (vote.threshold_text, vote.version, vote.content_hash) == (
        "3/4",
        older,
        older.content_hash,
    )
    assert AuditEntry.objects.filter(vote=vote, action="changed").count() == 1

    response = client.post(f"/votes/{vote.pk}/open/")
    assert response.status_code == 302
    vote.refresh_from_db()
    assert vote.state == "open" and vote.opened_by == facilitator and vote.frozen_at
    assert "Voting is open until" in page_text(client.get(f"/votes/{vote.pk}/"))

    # Once open, nothing changes: the attempt is refused and written to the public log.
    frozen = _snapshot(vote)
    response = client.post(f"/votes/{vote.pk}/edit/", {**form_data, "quorum_ballots": "99"})
    assert 400 <= response.status_code < 500
    assert "The attempt has been logged" in page_text(response)
    assert _snapshot(vote) == frozen
    refused = AuditEntry.objects.get(vote=vote, action="refused")
    assert refused.actor == facilitator
    assert "Refused a change" in page_text(client.get(f"/votes/{vote.pk}/log/"))
    # The edit form is not offered any more.
    response = client.get(f"/votes/{vote.pk}/edit/")
    assert response.status_code == 302 and response["Location"] == f"/votes/{vote.pk}/"
    # Opening again is refused too.
    response = client.post(f"/votes/{vote.pk}/open/")
    assert response.status_code == 409
    assert "already been opened" in page_text(response)
    assert AuditEntry.objects.filter(vote=vote, action="opened").count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"closes_at": "opens"}, "The closing time must be after the opening time."),
        ({"closes_at": "not a time"}, "Enter a valid date/time."),
        ({"include_voters": "voter0\nnobody"}, "No account is called nobody."),
        ({"options": "Yes = for"}, "A vote needs at least two options."),
        ({"options": "Yes = for\nNo = maybe"}, 'Line 2: say "for", "against" or "abstain"'),
        ({"threshold_numerator": "4"}, "The threshold cannot be more than 1."),
        ({"threshold_denominator": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"breakdown_min_group": "1"}, "Ensure this value is greater than or equal to 2."),
        ({"question": ""}, "This field is required."),
        ({"version": "7"}, "Select a valid choice."),
        ({"eligible_communities": ["abc"]}, "is not a valid value."),
        ({"include_voters": "voter1", "exclude_voters": "voter1"}, "both the include and"),
    ],
)
def test_bad_vote_settings_are_explained_inline(client, facilitator, form_data, change, message):
    client.force_login(facilitator)
    if change.get("closes_at") == "opens":
        change = {"closes_at": form_data["opens_at"]}
    before = everything()
    response = client.post(NEW, {**form_data, **change})
    assert response.status_code == 400
    assert message in page_text(response)
    assert 'class="error-summary"' in response.content.decode()
    assert everything() == before


def test_a_draft_edit_with_bad_input_changes_nothing(client, facilitator, form_data, version):
    client.force_login(facilitator)
    client.post(NEW, form_data)
    vote = Vote.objects.get()
    before = everything()
    response = client.post(f"/votes/{vote.pk}/edit/", {**form_data, "options": "Only = for"})
    assert response.status_code == 400
    assert "A vote needs at least two options." in page_text(response)
    assert everything() == before


def test_cancelling_needs_a_reason(client, facilitator, open_vote):
    client.force_login(facilitator)
    before = everything()
    response = client.post(f"/votes/{open_vote.pk}/cancel/", {"reason": ""})
    assert response.status_code == 400 and "Give a public reason." in page_text(response)
    assert everything() == before
    response = client.post(f"/votes/{open_vote.pk}/cancel/", {"reason": "The wrong text."})
    assert response.status_code == 302
    assert "Cancelled: The wrong text." in page_text(client.get(f"/votes/{open_vote.pk}/"))


# --- voting ------------------------------------------------------------------------------------


def test_casting_a_ballot_shows_a_receipt_that_checks_out(client, open_vote, voters):
    client.force_login(voters[0])
    page = page_text(client.get(f"/votes/{open_vote.pk}/"))
    assert "Cast my ballot" in page
    response = client.post(f"/votes/{open_vote.pk}/ballot/", {"option": "no"}, follow=True)
    assert response.redirect_chain == [(f"/votes/{open_vote.pk}/ballot/recorded/", 302)]
    receipt = receipt_in(response)
    assert "You voted No" in page_text(response)
    assert services.check_receipt(vote=open_vote, receipt=receipt).status == "counted"
    assert "Change my ballot" in page_text(client.get(f"/votes/{open_vote.pk}/"))

    changed = client.post(f"/votes/{open_vote.pk}/ballot/", {"option": "yes"}, follow=True)
    assert "this replaces your earlier ballot" in page_text(changed)
    new_receipt = receipt_in(changed)
    assert Ballot.objects.get(vote=open_vote, voter=voters[0]).times_changed == 1

    anyone = client.__class__()
    checked = anyone.post(f"/votes/{open_vote.pk}/receipt/", {"receipt": new_receipt})
    assert checked.status_code == 200
    # While the vote is open, a receipt check never says which option the ballot holds.
    assert "This ballot is received, and it is the one that counts." in page_text(checked)
    assert "Yes" not in page_text(checked).split("Check a receipt", 1)[1]
    replaced = anyone.post(f"/votes/{open_vote.pk}/receipt/", {"receipt": receipt})
    assert replaced.status_code == 200
    assert "later changed" in page_text(replaced)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"option": "maybe"}, "Select a valid choice. maybe is not one of the available choices."),
        ({}, "This field is required."),
        ({"option": "yes", "community": "abc"}, "Select a valid choice."),
    ],
)
def test_a_bad_ballot_is_refused_with_a_message(client, open_vote, voters, data, message):
    client.force_login(voters[0])
    before = everything()
    response = client.post(f"/votes/{open_vote.pk}/ballot/", data)
    assert response.status_code == 400
    assert message in page_text(response)
    assert everything() == before


def test_an_ineligible_voter_is_told_which_rule_failed(client, version, facilitator, voters):
    vote = make_vote(version, facilitator, min_contributions=1)
    client.force_login(voters[0])
    page = page_text(client.get(f"/votes/{vote.pk}/"))
    assert "You are not eligible to vote in this vote." in page
    assert "Contributions: You have 0 positions and replies here; at least 1 are needed." in page
    before = everything()
    response = client.post(f"/votes/{vote.pk}/ballot/", {"option": "yes"})
    assert response.status_code == 403
    assert "You have 0 positions and replies here; at least 1 are needed." in page_text(response)
    assert everything() == before
    check = page_text(client.get(f"/votes/{vote.pk}/eligibility/"))
    assert "No, you may not vote." in check and "Contributions ✗ not met" in check


def test_no_ballot_after_close(client, open_vote, voters):
    client.force_login(voters[0])
    client.post(f"/votes/{open_vote.pk}/ballot/", {"option": "yes"})
    vote = close(open_vote)
    before = everything()
    for voter in voters[:2]:  # one who voted, one who did not
        client.force_login(voter)
        response = client.post(f"/votes/{vote.pk}/ballot/", {"option": "no"})
        assert response.status_code == 409
        assert "Voting has closed." in page_text(response)
    assert everything() == before


def test_a_vote_past_its_closing_time_refuses_ballots_before_cron_closes_it(
    client, open_vote, voters
):
    Vote.objects.filter(pk=open_vote.pk).update(
        opens_at=open_vote.opens_at - DAY, closes_at=timezone.now() - dt.timedelta(seconds=1)
    )
    client.force_login(voters[0])
    response = client.post(f"/votes/{open_vote.pk}/ballot/", {"option": "yes"})
    assert response.status_code == 409
    assert not Ballot.objects.exists()
    assert Vote.objects.get(pk=open_vote.pk).state == "closed"  # closed on first sight


# --- receipts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("receipt", "status", "message"),
    [
        ("A" * 24, 404, "No ballot in this vote has that receipt."),
        ("abc", 404, "That is not a receipt from this site"),
        ("<script>alert(1)</script>", 404, "That is not a receipt from this site"),
        ("' OR '1'='1", 404, "That is not a receipt from this site"),
        ("x" * 101, 400, "Ensure this value has at most 100 characters"),
        ("abcdefgh\x00ijklmnopqrst", 400, "Null characters are not allowed."),
        ("", 400, "This field is required."),
        ("   ", 400, "This field is required."),
    ],
)
def test_checking_a_bad_receipt(client, open_vote, voters, receipt, status, message):
    services.cast_ballot(vote=open_vote, user=voters[0], option="yes")
    response = client.post(f"/votes/{open_vote.pk}/receipt/", {"receipt": receipt})
    assert response.status_code == status
    assert message in page_text(response)
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_the_receipt_page_reports_a_struck_ballot(client, open_vote, voters, scrutineer):
    ballot, receipt = services.cast_ballot(vote=open_vote, user=voters[0], option="yes")
    services.strike_ballot(ballot=ballot, user=scrutineer, reason="Duplicate.")
    assert client.get(f"/votes/{open_vote.pk}/receipt/").status_code == 200
    response = client.post(f"/votes/{open_vote.pk}/receipt/", {"receipt": receipt})
    assert response.status_code == 200
    assert "This ballot was struck by a scrutineer and is not counted." in page_text(response)


# --- striking through the voter list ------------------------------------------------------------


def test_a_scrutineer_strikes_from_the_voter_list(client, open_vote, voters, scrutineer):
    ballot, _ = services.cast_ballot(vote=open_vote, user=voters[0], option="yes")
    other = make_vote(open_vote.version, open_vote.created_by)
    elsewhere, _ = services.cast_ballot(vote=other, user=voters[1], option="yes")
    client.force_login(scrutineer)
    assert "Strike" in page_text(client.get(f"/votes/{open_vote.pk}/voters/"))
    before = everything()
    response = client.post(f"/votes/{open_vote.pk}/strike/", {"ballot": ballot.pk, "reason": ""})
    assert response.status_code == 302
    assert everything() == before
    response = client.post(
        f"/votes/{open_vote.pk}/strike/", {"ballot": elsewhere.pk, "reason": "Wrong vote."}
    )
    assert response.status_code == 404  # a ballot of another vote
    assert everything() == before
    response = client.post(
        f"/votes/{open_vote.pk}/strike/", {"ballot": ballot.pk, "reason": "Sock puppet of voter3."}
    )
    assert response.status_code == 302
    roll = page_text(client.get(f"/votes/{open_vote.pk}/voters/"))
    assert "Struck by scott: Sock puppet of voter3." in roll
    log = page_text(client.get(f"/votes/{open_vote.pk}/log/"))
    assert "Ballot struck" in log and "Sock puppet of voter3." in log


def test_the_log_names_a_struck_voter_when_shown(client, open_vote, scrutineer, voters):
    """The log refers to the voter: once their account is anonymised it reads "former
    participant", with nothing stored rewritten, and each entry costs no query of its own."""
    from accounts.services import anonymise_user

    ballots = [
        services.cast_ballot(vote=open_vote, user=voter, option="yes")[0] for voter in voters[:3]
    ]
    log = f"/votes/{open_vote.pk}/log/"
    services.strike_ballot(ballot=ballots[0], user=scrutineer, reason="Sock puppet.")
    one_entry = _count(client, log)
    for ballot in ballots[1:]:
        services.strike_ballot(ballot=ballot, user=scrutineer, reason="Sock puppet.")
    assert _count(client, log) == one_entry
    assert "Struck the ballot of voter0: Sock puppet." in page_text(client.get(log))
    stored = list(AuditEntry.objects.filter(vote=open_vote).values())

    anonymise_user(user=voters[0])

    assert list(AuditEntry.objects.filter(vote=open_vote).values()) == stored
    text = page_text(client.get(log))
    assert "Struck the ballot of former participant: Sock puppet." in text
    assert "Struck the ballot of voter1: Sock puppet." in text
    assert "voter0" not in text


# --- the status page and its records -----------------------------------------------------------


def test_the_status_page_shows_both_tracks(
    client, version, policy, facilitator, secretary, community
):
    services.record_board_decision(
        version=version,
        user=secretary,
        body="Board of Trustees",
        decided_on=dt.date(2026, 11, 20),
        outcome="ratified",
        minutes_url="https://example.org/minutes",
    )
    services.record_external_tally(
        version=version,
        user=facilitator,
        community=community,
        title="Alder Wiki RfC",
        held_until=dt.date(2026, 11, 1),
        votes_for=40,
        votes_against=12,
        votes_abstain=3,
        outcome="passed",
        source_url="https://alder.example.org/rfc",
    )
    closed = make_vote(version, facilitator, question="First vote?")
    cast_many(closed, counts(yes=2, no=1))
    close(closed)
    make_vote(version, facilitator, question="Second vote?")
    make_vote(version, facilitator, open_it=False, question="Secret draft?")

    for path in ("/baseline/ratification/", f"/baseline/ratification/{version.number}/"):
        response = client.get(path)
        assert response.status_code == 200
        text = page_text(response)
        assert "Board track Ratified by Board of Trustees on 20 November 2026" in text
        assert "Community track" in text
        assert "First vote? Closed: passed (Yes 2, No 1, Abstain 0)" in text
        assert "Second vote? Voting until" in text and "0 voters so far" in text
        assert "Secret draft?" not in text
        assert (
            "Alder Wiki RfC (Alder Wiki): passed — 40 for, 12 against, 3 abstaining; "
            "closed 1 November 2026" in text
        )
        assert "Recorded a vote held elsewhere" in text  # the recording log
        assert "Record the board's decision" not in text  # not for anonymous readers

    older = page_text(client.get("/baseline/ratification/1/"))
    assert "No board decision recorded for this version." in older
    assert "No vote on this version yet." in older
    client.force_login(secretary)
    assert "Record the board's decision" in page_text(client.get("/baseline/ratification/"))
    assert client.get("/baseline/ratification/9/").status_code == 404
    assert client.get("/nowhere/ratification/").status_code == 404


def _yesterday() -> str:
    return (timezone.now().date() - dt.timedelta(days=1)).isoformat()


def _tomorrow() -> str:
    return (timezone.now().date() + dt.timedelta(days=1)).isoformat()


@pytest.fixture
def board_data():
    return {
        "body": "Board of Trustees",
        "decided_on": _yesterday(),
        "outcome": "ratified",
        "minutes_url": "https://example.org/minutes",
        "note": "",
    }


def test_recording_a_board_decision(client, secretary, version, board_data):
    client.force_login(secretary)
    path = f"/baseline/ratification/{version.number}/board/new/"
    assert client.get(path).status_code == 200
    response = client.post(path, board_data)
    assert response.status_code == 302
    assert response["Location"] == f"/baseline/ratification/{version.number}/"
    record = BoardRatification.objects.get()
    assert (record.version, record.outcome, record.recorded_by) == (version, "ratified", secretary)
    assert AuditEntry.objects.filter(action="board", version=version).count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"decided_on": "tomorrow"}, "The decision date cannot be in the future."),
        ({"decided_on": "31/02/2026"}, "Enter a valid date."),
        ({"minutes_url": "not a web address"}, "Enter a valid URL."),
        ({"minutes_url": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"outcome": "approved"}, "Select a valid choice."),
        ({"body": ""}, "This field is required."),
    ],
)
def test_a_bad_board_decision_is_refused_inline(
    client, secretary, version, board_data, change, message
):
    client.force_login(secretary)
    if change.get("decided_on") == "tomorrow":
        change = {"decided_on": _tomorrow()}
    before = everything()
    response = client.post(
        f"/baseline/ratification/{version.number}/board/new/", {**board_data, **change}
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert 'role="alert"' in response.content.decode()
    assert everything() == before


@pytest.fixture
def tally_data(community):
    return {
        "title": "Alder Wiki RfC",
        "community": str(community.pk),
        "held_until": _yesterday(),
        "votes_for": "40",
        "votes_against": "12",
        "votes_abstain": "3",
        "outcome": "passed",
        "source_url": "https://alder.example.org/rfc",
        "note": "",
    }


def test_recording_a_vote_held_elsewhere(client, facilitator, version, tally_data, community):
    client.force_login(facilitator)
    path = f"/baseline/ratification/{version.number}/external/new/"
    assert client.get(path).status_code == 200
    assert client.post(path, tally_data).status_code == 302
    tally = ExternalTally.objects.get()
    assert (tally.community, tally.votes_for, tally.votes_against, tally.votes_abstain) == (
        community,
        40,
        12,
        3,
    )
    assert AuditEntry.objects.filter(action="external").count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"votes_for": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"votes_against": "many"}, "Enter a whole number."),
        ({"held_until": "tomorrow"}, "Give the day the vote closed (not in the future)."),
        ({"source_url": ""}, "This field is required."),
        ({"source_url": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"outcome": "won"}, "Select a valid choice."),
        ({"community": "999999"}, "Select a valid choice."),
    ],
)
def test_a_bad_external_tally_is_refused_inline(
    client, facilitator, version, tally_data, change, message
):
    client.force_login(facilitator)
    if change.get("held_until") == "tomorrow":
        change = {"held_until": _tomorrow()}
    before = everything()
    response = client.post(
        f"/baseline/ratification/{version.number}/external/new/", {**tally_data, **change}
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert everything() == before


# --- exports -----------------------------------------------------------------------------------


@pytest.fixture
def finished(version, facilitator, community, scrutineer):
    """A closed vote: 3 yes, 1 no, 1 abstain in Alder Wiki (one more yes struck), 1 no without
    a community."""
    community.name = "=HYPERLINK(evil)"
    community.save()
    vote = make_vote(version, facilitator, breakdown_min_group=2, quorum_ballots=3)
    people = cast_many(vote, counts(yes=4, no=1, abstain=1), community=community)
    services.strike_ballot(
        ballot=Ballot.objects.get(vote=vote, voter=people[0]), user=scrutineer, reason="-Dup"
    )
    odd = UserFactory(username="@odd")
    services.cast_ballot(vote=vote, user=odd, option="no")
    return close(vote)


def test_results_exports(client, finished, version):
    data = json.loads(client.get(f"/votes/{finished.pk}/results.json").content)
    assert data["vote"] == finished.pk and data["version"] == version.number
    assert data["content_hash"] == version.content_hash
    assert [(o["key"], o["counts_as"], o["count"]) for o in data["options"]] == [
        ("yes", "for", 3),
        ("no", "against", 2),
        ("abstain", "abstain", 1),
    ]
    assert (data["counted"], data["struck"], data["threshold"]) == (6, 1, "2/3")
    assert (data["threshold_met"], data["quorum_met"], data["outcome"]) == (False, True, "failed")
    # Alder Wiki (5 counted) would be shown, but then the pool would hold only the voter with
    # no community, whose choice anyone could work out: Alder Wiki is pooled too.
    assert data["breakdown"] == []

    response = client.get(f"/votes/{finished.pk}/results.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="vote-{finished.pk}-results.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[:4] == [
        ["option", "counts_as", "ballots"],
        ["Yes", "for", "3"],
        ["No", "against", "2"],
        ["Abstain", "abstain", "1"],
    ]
    summary = {row[0]: row[1] for row in rows[5:]}
    assert summary == {
        "counted": "6",
        "struck": "1",
        "threshold": "2/3",
        "threshold_met": "False",
        "quorum_met": "True",
        "outcome": "failed",
        "content_hash": version.content_hash,
    }


@pytest.fixture
def pooled(version, facilitator, community):
    """A closed vote with a community shown on its own and five small ones pooled."""
    vote = make_vote(version, facilitator, breakdown_min_group=3, quorum_communities=2)
    cast_many(vote, counts(yes=3, no=2), community=community)
    for i, option in enumerate(["yes", "no", "abstain", "yes", "no"]):
        small = Community.objects.create(name=f"Small {i}", slug=f"small-{i}")
        cast_many(vote, [option], community=small, prefix=f"small{i}-")
    return close(vote)


def test_the_page_exports_and_the_api_give_one_results_payload(client, finished, pooled, community):
    api = APIClient()
    for vote in (finished, pooled):
        page = json.loads(client.get(f"/votes/{vote.pk}/results.json").content)
        assert api.get(f"/api/v1/votes/{vote.pk}/results/").json() == page
    # Both carry what either used to: the quorums one by one and together, and the pool.
    assert page["breakdown"] == [
        {"community": community.name, "counts": {"yes": 3, "no": 2, "abstain": 0}, "total": 5}
    ]
    assert page["pooled"] == {"counts": {"yes": 2, "no": 2, "abstain": 1}, "total": 5}
    assert (page["quorum_ballots_met"], page["quorum_communities_met"], page["quorum_met"]) == (
        True,
        True,
        True,
    )
    assert (page["quorum_communities"], page["communities_represented"]) == (2, 6)
    assert (page["share_for"], page["votes_for"], page["breakdown_minimum_group"]) == (
        "55.6%",
        5,
        3,
    )
    assert [option["percent"] for option in page["options"]] == [50, 40, 10]


def test_voter_exports(client, finished):
    data = json.loads(client.get(f"/votes/{finished.pk}/voters.json").content)
    assert data["vote"] == finished.pk
    assert len(data["voters"]) == 7
    assert {"voter": "@odd", "community": "", "struck": False, "struck_reason": ""} in data[
        "voters"
    ]
    assert sum(entry["struck"] for entry in data["voters"]) == 1
    response = client.get(f"/votes/{finished.pk}/voters.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["voter", "community", "struck", "struck_reason"]
    assert ["'@odd", "", "", ""] in rows  # no spreadsheet formulas
    struck = [row for row in rows if row[2] == "yes"]
    assert len(struck) == 1 and struck[0][1:] == ["'=HYPERLINK(evil)", "yes", "'-Dup"]


# --- a constant number of queries -------------------------------------------------------------


def _count(client, path) -> int:
    assert client.get(path).status_code == 200  # warm up: sessions, caches, closing
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def assert_constant(client, small, large, assert_max):
    bound = _count(client, small)
    assert bound < 40, f"{small} takes {bound} queries"
    client.get(large)
    with assert_max(bound):
        assert client.get(large).status_code == 200


def _crowd(version, facilitator, scrutineer, n, *, secret=True, prefix):
    """A vote with n ballots from voters spread over n // 5 communities, one struck, closed."""
    vote = make_vote(version, facilitator, breakdown_min_group=2, secret=secret)
    places = [
        Community.objects.create(name=f"{prefix} {i}", slug=f"{prefix}-{i}")
        for i in range(max(1, n // 5))
    ]
    for i in range(n):
        person = UserFactory(username=f"{prefix}-voter{i}")
        member(person, places[i % len(places)], edits=i)
        # Each community's voters split yes, no, yes, no, abstain: two options with two votes
        # each, so it may be shown on its own (ratification.disclosure).
        option = ["yes", "no", "yes", "no", "abstain"][i // len(places) % 5]
        services.cast_ballot(vote=vote, user=person, option=option)
    services.strike_ballot(
        ballot=Ballot.objects.filter(vote=vote).first(), user=scrutineer, reason="Dup."
    )
    return vote


@pytest.fixture
def crowds(version, facilitator, scrutineer):
    return (
        _crowd(version, facilitator, scrutineer, 5, prefix="small"),
        _crowd(version, facilitator, scrutineer, 60, prefix="large"),
    )


@pytest.mark.parametrize("who", ["anonymous", "voter", "scrutineer"])
def test_vote_and_voters_pages_take_constant_queries(
    client, crowds, who, scrutineer, django_assert_max_num_queries
):
    small, large = crowds
    if who == "voter":
        # Someone who voted in both, with memberships in several communities.
        person = UserFactory(username="both")
        for place in Community.objects.all()[:8]:
            member(person, place, edits=3)
        services.cast_ballot(vote=small, user=person, option="yes")
        services.cast_ballot(vote=large, user=person, option="no")
        client.force_login(person)
    elif who == "scrutineer":
        client.force_login(scrutineer)
    for page in ("", "voters/", "log/", "eligibility/" if who != "anonymous" else "receipt/"):
        assert_constant(
            client,
            f"/votes/{small.pk}/{page}",
            f"/votes/{large.pk}/{page}",
            django_assert_max_num_queries,
        )


@pytest.mark.parametrize("secret", [True, False])
def test_results_pages_take_constant_queries(
    client, version, facilitator, scrutineer, secret, django_assert_max_num_queries
):
    small = close(_crowd(version, facilitator, scrutineer, 15, secret=secret, prefix="s"))
    assert small.breakdown["communities"]  # the small vote shows some communities too
    large = close(_crowd(version, facilitator, scrutineer, 70, secret=secret, prefix="l"))
    assert len(large.breakdown["communities"]) > 10
    for page in ("results/", "results.json", "results.csv", "voters/", "voters.json"):
        assert_constant(
            client,
            f"/votes/{small.pk}/{page}",
            f"/votes/{large.pk}/{page}",
            django_assert_max_num_queries,
        )


def _track(version, facilitator, secretary, n):
    """n votes on `version` in every phase, each with a few ballots, and n board decisions and
    external tallies."""
    now = timezone.now()
    for i in range(n):
        kind = i % 4
        if kind == 3:
            vote = make_vote(version, facilitator, opens_at=now + DAY, closes_at=now + 2 * DAY)
            continue
        vote = make_vote(version, facilitator, question=f"Vote {i}?")
        cast_many(vote, counts(yes=2, no=1), prefix=f"t{i}-")
        if kind == 0:
            close(vote)
        elif kind == 2:
            services.cancel_vote(vote=vote, user=facilitator, reason="Stopped.")
        serial = Community.objects.count()
        services.record_board_decision(
            version=version,
            user=secretary,
            body=f"Board {i}",
            decided_on=now.date(),
            outcome="deferred",
        )
        services.record_external_tally(
            version=version,
            user=facilitator,
            community=Community.objects.create(name=f"C{serial}", slug=f"c{serial}"),
            title=f"Elsewhere {i}",
            held_until=now.date(),
            votes_for=1,
            votes_against=0,
            votes_abstain=0,
            outcome="passed",
            source_url="https://example.org/",
        )


def test_status_and_list_pages_take_constant_queries(
    client, policy, facilitator, secretary, django_assert_max_num_queries
):
    small, large = policy.versions.order_by("number")
    _track(small, facilitator, secretary, 4)
    _track(large, facilitator, secretary, 24)
    for user in (None, facilitator):
        if user:
            client.force_login(user)
        assert_constant(
            client,
            f"/baseline/ratification/{small.number}/",
            f"/baseline/ratification/{large.number}/",
            django_assert_max_num_queries,
        )
    # The list of votes: measured with a few votes, then with many more.
    bound = _count(client, "/votes/")
    _track(small, facilitator, secretary, 20)
    with django_assert_max_num_queries(bound):
        assert client.get("/votes/").status_code == 200
    rows = [row for table in tables(client.get("/votes/")).values() for row in table]
    assert len(rows) >= 40


@pytest.mark.parametrize(
    "path",
    [
        "/votes/99999999999999999999999/",
        "/votes/99999999999999999999999/results.json",
        "/votes/0/voters/",
        "/baseline/ratification/99999999999999999999999/",
    ],
)
def test_unknown_votes_and_versions_are_not_found(client, version, path):
    assert client.get(path).status_code == 404
