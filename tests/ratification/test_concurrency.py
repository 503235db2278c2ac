"""Ballots cast at the same moment, each on its own database connection (PostgreSQL only: SQLite
serialises writers, so it cannot show a race). One voter clicking many times keeps one ballot;
many voters at once lose none."""

import datetime as dt
import threading

import pytest
from django.db import connection

from ratification import selectors, services
from ratification.models import Ballot, Choice, RetiredReceipt, Vote
from tests.factories import UserFactory

from .conftest import close

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OPTIONS = ["yes", "no", "abstain"]


def _run(jobs, threads: int):
    """Run `jobs` (callables) on `threads` threads that start together; return their results
    and errors."""
    barrier = threading.Barrier(threads)
    results, errors = [], []
    lock = threading.Lock()

    def worker(batch):
        try:
            barrier.wait(timeout=20)
            for job in batch:
                outcome = job()
                with lock:
                    results.append(outcome)
        except Exception as exc:  # reported by the test
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    batches = [jobs[i::threads] for i in range(threads)]
    running = [threading.Thread(target=worker, args=(batch,)) for batch in batches]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in running), "a thread hung"
    return results, errors


def _cast(vote_id, user_id, option, **kwargs):
    def job():
        vote = Vote.objects.get(pk=vote_id)  # each thread reads its own copies
        user = UserFactory._meta.model.objects.get(pk=user_id)
        _, receipt = services.cast_ballot(vote=vote, user=user, option=option, **kwargs)
        return option, receipt

    return job


def test_one_first_ballot_form_posted_eight_times_at_once_casts_one_ballot(open_vote):
    """The form shown before any ballot (based_on=-1) inserts in one statement, outside any
    transaction: the unique constraint alone lets one of eight parallel posts through."""
    voter = UserFactory(username="first-clicker")

    def post(option):
        job = _cast(open_vote.pk, voter.pk, option, based_on=-1)

        def attempt():
            try:
                return job()
            except services.BallotAlreadyCast:
                return "refused"

        return attempt

    results, errors = _run([post(OPTIONS[i % 3]) for i in range(8)], threads=8)
    assert errors == []
    cast = [r for r in results if r != "refused"]
    assert len(cast) == 1 and results.count("refused") == 7
    option, receipt = cast[0]
    ballot = Ballot.objects.get(vote=open_vote, voter=voter)
    assert ballot.times_changed == 0
    assert Choice.objects.filter(vote=open_vote).count() == 1
    assert services.check_receipt(vote=open_vote, receipt=receipt).status == "counted"
    assert services.choice_option(Choice.objects.get(vote=open_vote)) == option


def test_one_voter_clicking_eight_times_at_once_keeps_one_ballot(open_vote):
    voter = UserFactory(username="clicker")
    jobs = [_cast(open_vote.pk, voter.pk, OPTIONS[i % 3]) for i in range(8)]
    results, errors = _run(jobs, threads=8)
    assert errors == []
    assert len(results) == 8
    assert Ballot.objects.filter(vote=open_vote, voter=voter).count() == 1
    assert Choice.objects.filter(vote=open_vote).count() == 1
    ballot = Ballot.objects.get(vote=open_vote, voter=voter)
    assert ballot.times_changed == 7
    assert RetiredReceipt.objects.filter(vote=open_vote).count() == 7
    # Exactly one receipt is the counted one, and it names the option that is counted.
    statuses = {
        receipt: services.check_receipt(vote=open_vote, receipt=receipt) for _, receipt in results
    }
    counted = [r for r, status in statuses.items() if status.status == "counted"]
    assert len(counted) == 1
    assert sorted(s.status for s in statuses.values()) == ["counted"] + ["replaced"] * 7
    option = dict((receipt, option) for option, receipt in results)[counted[0]]
    assert services.choice_option(Choice.objects.get(vote=open_vote)) == option


def test_forty_voters_at_once_lose_no_ballot(open_vote):
    people = [UserFactory(username=f"crowd{i}") for i in range(40)]
    jobs = [_cast(open_vote.pk, person.pk, OPTIONS[i % 3]) for i, person in enumerate(people)]
    results, errors = _run(jobs, threads=8)  # five voters per thread
    assert errors == []
    assert len(results) == 40
    assert Ballot.objects.filter(vote=open_vote).count() == 40
    assert Choice.objects.filter(vote=open_vote).count() == 40
    assert not RetiredReceipt.objects.exists()
    res = selectors.results(close(open_vote))
    assert (res.counted, res.votes_for, res.votes_against, res.votes_abstain) == (40, 14, 13, 13)


def test_a_strike_racing_the_close_lands_before_the_count_or_is_refused(
    open_vote, scrutineer, voters
):
    """The results are published once: whichever of a strike and the close comes first, the
    published count agrees with the struck list (the strike takes the vote's row, as the close
    does)."""
    from django.core.exceptions import PermissionDenied

    people = voters[:4]
    for person, option in zip(people, ["yes", "yes", "no", "no"], strict=True):
        services.cast_ballot(vote=open_vote, user=person, option=option)
    target = Ballot.objects.get(vote=open_vote, voter=people[0])
    before, after = (
        open_vote.closes_at - dt.timedelta(seconds=1),
        open_vote.closes_at + dt.timedelta(seconds=1),
    )

    def strike():
        try:
            services.strike_ballot(ballot=target, user=scrutineer, reason="Dup.", now=before)
        except PermissionDenied:
            return "refused"
        return "struck"

    def close_it():
        services.close_vote(vote=Vote.objects.get(pk=open_vote.pk), now=after)
        return "closed"

    results, errors = _run([strike, close_it], threads=2)
    assert errors == []
    vote = Vote.objects.get(pk=open_vote.pk)
    target.refresh_from_db()
    counted = sum(vote.tally.values())
    assert counted == Ballot.objects.filter(vote=vote, struck=False).count()
    assert ("struck" in results) == target.struck
