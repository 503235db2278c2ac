"""verify/accord_verify.py on votes: a seeded site recounts; a changed ballot list, a changed
result, a frozen term changed in the database or a forged receipt is named, by its entry or
vote, and the script exits non-zero."""

import datetime as dt
import json
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.db import connection

from ratification import services as ratification
from ratification.models import Vote
from tests.factories import UserFactory
from tests.ratification.conftest import make_vote, member
from transparency import chain
from transparency.models import LogEntry

from .test_verifier import SCRIPT, accord_verify, fetcher


def close_now(vote):
    return ratification.close_vote(vote=vote, now=vote.closes_at + dt.timedelta(seconds=1))


@pytest.fixture
def votes(db, version, facilitator):
    """A closed secret vote (a struck ballot, two communities), a closed open ballot and a vote
    still taking ballots. Returns the votes and the receipts, by voter name."""
    from django.contrib.auth.models import Group

    from communities.models import Community

    alder = Community.objects.create(name="Alder Wiki", slug="alder")
    birch = Community.objects.create(name="Birch Wiki", slug="birch")
    scrutineer = UserFactory(username="scott")
    scrutineer.groups.add(Group.objects.get(name="Scrutineers"))
    receipts = {}

    def cast(vote, name, option, community):
        user = UserFactory(username=name)
        member(user, community)
        _ballot, receipts[name] = ratification.cast_ballot(vote=vote, user=user, option=option)
        return user

    secret = make_vote(version, facilitator, question="Secret?", quorum_communities=2)
    for name, option, community in [
        ("ann", "yes", alder),
        ("bob", "yes", birch),
        ("cat", "no", alder),
        ("dan", "abstain", birch),
        ("eve", "no", birch),
    ]:
        eve = cast(secret, name, option, community)
    ratification.strike_ballot(
        ballot=secret.ballots.get(voter=eve), user=scrutineer, reason="Sock puppet."
    )
    public = make_vote(version, facilitator, question="Open?", secret=False, quorum_ballots=3)
    cast(public, "fay", "no", alder)
    running = make_vote(version, facilitator, question="Running?")
    cast(running, "gus", "yes", alder)
    return {
        "secret": close_now(secret),
        "public": close_now(public),
        "running": running,
        "receipts": receipts,
    }


@pytest.fixture
def version(db, editor):
    from tests.factories import make_policy

    page = make_policy(editor=editor, slug="baseline", n_versions=1)
    return page.versions.get()


def entry(kind, vote):
    return LogEntry.objects.get(kind=kind, object_ref=f"ratification.vote:{vote.pk}").seq


def rewriting(client, path, change):
    """A fetcher whose answer at `path` is the JSON there, changed by `change`."""
    plain = fetcher(client)

    def fetch(asked):
        status, body = plain(asked)
        if asked == path:
            data = json.loads(body)
            change(data)
            body = json.dumps(data).encode()
        return status, body

    return fetch


def test_a_seeded_site_recounts(client, votes):
    failures, facts = accord_verify.verify(fetcher(client))
    assert failures == []
    results = json.loads(client.get(f"/votes/{votes['secret'].pk}/results.json").content)
    assert (results["outcome"], results["counted"], results["struck"]) == ("passed", 4, 1)


def test_a_changed_row_of_the_ballot_list_is_named(client, votes):
    vote = votes["secret"]

    def flip(data):
        row = next(r for r in data["ballots"] if r["option"] == "yes")
        row["option"] = "no"

    fetch = rewriting(client, f"/votes/{vote.pk}/ballots.json", flip)
    failures, _facts = accord_verify.verify(fetch)
    name = f"entry {entry('ratification.closed', vote)}: vote {vote.pk}: "
    assert failures == [
        name + "option 'yes': the ballot list counts 1, results.json says 2",
        name + "option 'no': the ballot list counts 2, results.json says 1",
        name + "votes_for: the recount gives 1, results.json says 2",
        name + "votes_against: the recount gives 2, results.json says 1",
        name + "threshold_met: the recount gives False, results.json says True",
        name + "outcome: the recount gives 'failed', results.json says 'passed'",
    ]


def test_a_changed_result_is_named(client, votes):
    vote = votes["public"]

    def claim_a_pass(data):
        data["outcome"] = "passed"

    fetch = rewriting(client, f"/votes/{vote.pk}/results.json", claim_a_pass)
    failures, _facts = accord_verify.verify(fetch)
    assert failures == [
        f"entry {entry('ratification.closed', vote)}: vote {vote.pk}: outcome: the recount gives "
        "'no quorum', results.json says 'passed'"
    ]


def test_a_frozen_term_changed_in_the_database_is_named(client, votes):
    vote = votes["running"]
    Vote.objects.filter(pk=vote.pk).update(threshold_numerator=1, threshold_denominator=2)
    failures, _facts = accord_verify.verify(fetcher(client))
    assert len(failures) == 1
    assert failures[0].startswith(
        f"entry {entry('ratification.opened', vote)}: vote {vote.pk}'s terms now hash to "
    )
    assert failures[0].endswith("(a frozen term changed)")


def test_a_closed_vote_whose_terms_changed_fails_its_terms_and_its_recount(client, votes):
    vote = votes["secret"]
    Vote.objects.filter(pk=vote.pk).update(quorum_communities=3)
    failures, _facts = accord_verify.verify(fetcher(client))
    opened, closed = entry("ratification.opened", vote), entry("ratification.closed", vote)
    assert failures[0].startswith(f"entry {opened}: vote {vote.pk}'s terms now hash to")
    assert failures[1].startswith(f"entry {closed}: vote {vote.pk}: the ballot list's terms hash")


def test_a_voter_finds_their_row_and_a_forged_receipt_is_refused(client, votes):
    vote = votes["secret"]
    receipts = [(vote.pk, votes["receipts"]["ann"]), (vote.pk, votes["receipts"]["eve"])]
    failures, facts = accord_verify.verify(fetcher(client), receipts=receipts)
    assert failures == []
    assert [row.get("option", row.get("reason")) for _vote, row in facts["rows"]] == [
        "yes",
        "Sock puppet.",
    ]
    forged = "A" * 24
    failures, _facts = accord_verify.verify(fetcher(client), receipts=[(vote.pk, forged)])
    assert failures == [
        f"vote {vote.pk}: no row of the ballot list has your receipt's fingerprint "
        f"{accord_verify.fingerprint(forged)} (not a receipt of this vote, a replaced one, or "
        "your ballot was left out)"
    ]


def test_the_recount_applies_threshold_and_quorum_as_the_site_does():
    terms = {
        "options": [
            {"key": "yes", "counts_as": "for"},
            {"key": "no", "counts_as": "against"},
            {"key": "abstain", "counts_as": "abstain"},
        ],
        "threshold_numerator": 2,
        "threshold_denominator": 3,
        "quorum_ballots": 4,
        "quorum_communities": 1,
    }
    rows = [
        {"fingerprint": str(n), "option": o} for n, o in enumerate(["yes", "yes", "no", "abstain"])
    ]
    roll = [{"community": "A", "struck": False}] * 4
    results = {
        "options": [
            {"key": "yes", "count": 2},
            {"key": "no", "count": 1},
            {"key": "abstain", "count": 1},
        ],
        "threshold": "2/3",
        "quorum_ballots": 4,
        "quorum_communities": 1,
        "votes_for": 2,
        "votes_against": 1,
        "votes_abstain": 1,
        "counted": 4,
        "struck": 0,
        "communities_represented": 1,
        "threshold_met": True,  # exactly 2/3 passes
        "quorum_ballots_met": True,
        "quorum_communities_met": True,
        "outcome": "passed",
    }
    listed = {"terms": terms, "ballots": rows, "struck": []}
    assert accord_verify.recount(listed, results, roll) == []
    short = {**listed, "ballots": rows[:3]}
    problems = accord_verify.recount(short, results, roll)
    assert "outcome: the recount gives 'no quorum', results.json says 'passed'" in problems


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_script_recounts_a_running_site_and_exits_non_zero_on_a_forged_receipt(
    live_server, votes
):
    def verify(*extra):
        return subprocess.run(
            [sys.executable, "-I", "-S", str(SCRIPT), "--site", live_server.url, *extra],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    vote = votes["secret"]
    good = verify("--receipt", f"{vote.pk}:{votes['receipts']['ann']}")
    assert good.returncode == 0, good.stdout + good.stderr
    assert good.stdout.splitlines()[0].endswith(" counts for yes")
    bad = verify("--receipt", f"{vote.pk}:{'B' * 24}")
    assert bad.returncode == 1
    assert bad.stdout.startswith(f"vote {vote.pk}: no row of the ballot list")


def rehash_log(change):
    """Rewrite the log in the database as `change(entry fields)` says and chain it again,
    as the data migration would have written it."""
    prev = chain.GENESIS_HASH
    for row in LogEntry.objects.order_by("seq"):
        fields = {
            "seq": row.seq,
            "kind": row.kind,
            "object": row.object_ref,
            "payload": row.payload_data,
            "content_hash": row.content_hash,
            "prev_hash": prev,
            "created_at": chain.timestamp(row.created_at),
        }
        change(fields)
        digest = chain.entry_hash(**fields)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE transparency_logentry SET content_hash = %s, prev_hash = %s, hash = %s "
                "WHERE seq = %s",
                [fields["content_hash"], prev, digest, row.seq],
            )
        prev = digest
    cache.clear()


def test_a_vote_opened_before_terms_were_hashed_is_noted_not_failed_nor_skipped(
    client, votes, monkeypatch, capsys
):
    """Back-filled "ratification.opened" entries carry no terms hash. The verifier cannot
    check those terms against the log: it says so, naming the entry, exits 0 and still
    recounts the vote from its ballot list."""
    vote = votes["secret"]
    opened = entry("ratification.opened", vote)

    def as_back_filled(fields):
        if fields["seq"] == opened:
            fields["content_hash"] = ""

    rehash_log(as_back_filled)
    failures, facts = accord_verify.verify(fetcher(client))
    assert failures == []
    assert facts["notes"] == [
        f"entry {opened}: vote {vote.pk} was opened before the log recorded the hash of a "
        "vote's terms, so its terms cannot be checked against the log (they are taken as the "
        "site shows them now)"
    ]

    def claim_a_fail(data):
        data["outcome"] = "failed"

    fetch = rewriting(client, f"/votes/{vote.pk}/results.json", claim_a_fail)
    failures, _facts = accord_verify.verify(fetch)
    assert failures == [  # the recount still runs
        f"entry {entry('ratification.closed', vote)}: vote {vote.pk}: outcome: the recount gives "
        "'passed', results.json says 'failed'"
    ]
    monkeypatch.setattr(accord_verify, "http_fetcher", lambda site: fetcher(client))
    assert accord_verify.main(["--site", "http://testserver"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith(f"note: entry {opened}: vote {vote.pk} was opened before")
    assert printed[-1].startswith("OK: ")
