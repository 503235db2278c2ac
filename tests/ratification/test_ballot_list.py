"""The published ballot list: hidden until close; then one row per counted ballot (fingerprint and
option, sorted by fingerprint), struck ballots apart with their reason, never a voter in a secret
vote; each voter finds their own row from their receipt. The log vouches for the frozen terms."""

import csv
import datetime as dt
import hashlib
import io
import json

import pytest
from django.test import Client

from ratification import ballot_list, selectors, services
from ratification.models import Choice, Vote
from tests.factories import UserFactory
from transparency.models import LogEntry

from .conftest import counts, make_vote, member

SECOND = dt.timedelta(seconds=1)


def close_now(vote: Vote) -> Vote:
    """Close the vote at its closing time, leaving its frozen terms untouched."""
    return services.close_vote(vote=vote, now=vote.closes_at + SECOND)


@pytest.fixture
def cast(community):
    """cast(vote, option) -> (user, receipt): a new member of `community` votes."""

    def do(vote, option, name=None):
        user = UserFactory(username=name or f"p{vote.pk}-{UserFactory._meta.model.objects.count()}")
        member(user, community)
        _ballot, receipt = services.cast_ballot(vote=vote, user=user, option=option)
        return user, receipt

    return do


@pytest.fixture
def secret_closed(version, facilitator, scrutineer, cast):
    """A secret vote: yes ×3, no ×1, abstain ×1, and one struck (a "no")."""
    vote = make_vote(version, facilitator)
    people = {}
    for index, option in enumerate(counts(yes=3, no=2, abstain=1)):
        people[f"p{index}"] = cast(vote, option, name=f"person{index}")
    services.strike_ballot(
        ballot=vote.ballots.get(voter=people["p4"][0]), user=scrutineer, reason="Sock puppet."
    )
    vote = close_now(vote)
    return vote, people


def get_json(client, path):
    response = client.get(path)
    return response.status_code, json.loads(response.content)


def test_the_list_is_hidden_from_everyone_until_close(version, facilitator, cast):
    vote = make_vote(version, facilitator)
    cast(vote, "yes")
    client = Client()
    client.force_login(facilitator)
    status, body = get_json(client, f"/votes/{vote.pk}/ballots.json")
    assert status == 403
    assert body["error"].startswith("The ballot list is published when the vote closes")
    response = client.get(f"/votes/{vote.pk}/ballots.csv")
    assert response.status_code == 403
    assert b"published when the vote closes" in response.content


def test_a_closed_secret_vote_lists_fingerprints_and_options_only(secret_closed, client):
    vote, people = secret_closed
    status, body = get_json(client, f"/votes/{vote.pk}/ballots.json")
    assert status == 200
    assert sorted(row["option"] for row in body["ballots"]) == [
        "abstain",
        "no",
        "yes",
        "yes",
        "yes",
    ]
    assert all(set(row) == {"fingerprint", "option"} for row in body["ballots"])
    assert [row["fingerprint"] for row in body["ballots"]] == sorted(
        row["fingerprint"] for row in body["ballots"]
    )
    assert body["struck"] == [
        {"fingerprint": ballot_list.fingerprint(people["p4"][1]), "reason": "Sock puppet."}
    ]
    # Nobody is named, and the list cannot be joined to the stored digests.
    text = json.dumps(body)
    for user, _receipt in people.values():
        assert user.get_username() not in text and user.email not in text
    for digest in Choice.objects.values_list("receipt_digest", flat=True):
        assert digest not in text
    # Self-contained: the terms the log vouched for and the published results.
    opened = LogEntry.objects.get(
        kind="ratification.opened", object_ref=f"ratification.vote:{vote.pk}"
    )
    assert body["terms_hash"] == opened.content_hash == ballot_list.terms_hash(body["terms"])
    assert body["results"] == json.loads(client.get(f"/votes/{vote.pk}/results.json").content)


def test_each_voter_finds_their_row_from_their_receipt(secret_closed, client):
    vote, people = secret_closed
    _status, body = get_json(client, f"/votes/{vote.pk}/ballots.json")
    rows = {row["fingerprint"]: row["option"] for row in body["ballots"]}
    mine = ballot_list.fingerprint(people["p0"][1])
    assert rows[mine] == "yes"
    assert mine != services.receipt_digest(people["p0"][1])
    response = client.post(f"/votes/{vote.pk}/receipt/", {"receipt": people["p0"][1]})
    assert mine in response.content.decode()
    assert "Find your row in the published ballot list" in response.content.decode()


def test_the_receipt_page_shows_no_row_while_voting(version, facilitator, cast, client):
    vote = make_vote(version, facilitator)
    _user, receipt = cast(vote, "yes")
    response = client.post(f"/votes/{vote.pk}/receipt/", {"receipt": receipt})
    assert ballot_list.fingerprint(receipt) not in response.content.decode()
    assert "Find your row" not in response.content.decode()


def test_a_changed_ballot_is_listed_under_its_new_receipt(version, facilitator, cast, client):
    vote = make_vote(version, facilitator)
    user, first = cast(vote, "no")
    _ballot, second = services.cast_ballot(vote=vote, user=user, option="yes")
    vote = close_now(vote)
    _status, body = get_json(client, f"/votes/{vote.pk}/ballots.json")
    assert body["ballots"] == [{"fingerprint": ballot_list.fingerprint(second), "option": "yes"}]
    assert ballot_list.fingerprint(first) not in json.dumps(body)


def test_a_choice_cast_before_fingerprints_gets_one_from_its_digest(
    version, facilitator, cast, client
):
    vote = make_vote(version, facilitator)
    _user, receipt = cast(vote, "yes")
    Choice.objects.filter(vote=vote).update(fingerprint="")
    vote = close_now(vote)
    _status, body = get_json(client, f"/votes/{vote.pk}/ballots.json")
    digest = hashlib.sha256(receipt.encode()).hexdigest()
    expected = ballot_list.legacy_fingerprint(digest)
    assert body["ballots"] == [{"fingerprint": expected, "option": "yes"}]
    response = client.post(f"/votes/{vote.pk}/receipt/", {"receipt": receipt})
    assert expected in response.content.decode()


def test_an_open_ballot_lists_names_as_its_voter_list_does(version, facilitator, cast, client):
    vote = make_vote(version, facilitator, secret=False)
    cast(vote, "no", name="olive")
    vote = close_now(vote)
    _status, body = get_json(client, f"/votes/{vote.pk}/ballots.json")
    assert [(row["voter"], row["option"]) for row in body["ballots"]] == [("olive", "no")]


def test_the_csv_holds_the_same_rows(secret_closed, client):
    vote, _people = secret_closed
    response = client.get(f"/votes/{vote.pk}/ballots.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="vote-{vote.pk}-ballots.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["fingerprint", "option", "status", "reason"]
    listed = selectors.ballot_list(vote)
    assert rows[1:] == [
        [r["fingerprint"], r["option"], "counted", ""] for r in listed["ballots"]
    ] + [[r["fingerprint"], "", "struck", r["reason"]] for r in listed["struck"]]


def test_the_list_takes_a_fixed_number_of_queries(
    secret_closed, client, django_assert_max_num_queries
):
    vote, _people = secret_closed
    with django_assert_max_num_queries(12):
        assert client.get(f"/votes/{vote.pk}/ballots.json").status_code == 200


def test_the_api_shows_the_terms_the_log_vouches_for(version, facilitator, client):
    vote = make_vote(version, facilitator)
    opened = LogEntry.objects.get(
        kind="ratification.opened", object_ref=f"ratification.vote:{vote.pk}"
    )
    _status, body = get_json(client, f"/api/v1/votes/{vote.pk}/")
    assert ballot_list.terms_hash(body["terms"]) == opened.content_hash
    assert body["terms"]["threshold_numerator"] == 2
    assert "include_voters" not in body["terms"]
