"""The ratification services with good and bad input: eligibility rule by rule, ballots in every
phase, receipts, changing and striking ballots, frozen settings, counting, closing, and the
board and external records. Every refusal is checked to have written nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import formats, timezone

from communities.models import Community
from consultations import services as consultation_services
from consultations.models import WHOLE_TEXT
from ratification import eligibility, selectors, services
from ratification.models import (
    AuditEntry,
    Ballot,
    BoardRatification,
    Choice,
    ExternalTally,
    RetiredReceipt,
    Vote,
)
from ratification.services import NotEligible
from tests.factories import UserFactory

from .conftest import DAY, HOUR, cast_many, close, counts, make_vote, member, settings_for


def written(vote=None) -> tuple:
    """Everything a ballot or a record could have written."""
    ballots = Ballot.objects.all() if vote is None else Ballot.objects.filter(vote=vote)
    choices = Choice.objects.all() if vote is None else Choice.objects.filter(vote=vote)
    return (
        list(ballots.values_list("pk", "times_changed", "struck", "community_id")),
        sorted(choices.values_list("receipt_digest", "option", "struck")),
        RetiredReceipt.objects.count(),
        AuditEntry.objects.count(),
        BoardRatification.objects.count(),
        ExternalTally.objects.count(),
    )


def refused_vote(vote, user, *, option="yes", match, error=NotEligible, **kwargs):
    before = written()
    with pytest.raises(error) as caught:
        services.cast_ballot(vote=vote, user=user, option=option, **kwargs)
    assert match in " ".join(getattr(caught.value, "messages", [str(caught.value)]))
    assert written() == before
    return caught.value


@pytest.fixture
def other_community(db):
    return Community.objects.create(name="Birch Wiki", slug="birch")


# --- eligibility, rule by rule ---------------------------------------------------------------


def test_registered_before(version, facilitator):
    cutoff = timezone.now() - DAY
    veteran = UserFactory(username="veteran")
    veteran.date_joined = cutoff - HOUR
    veteran.save()
    newcomer = UserFactory(username="newcomer")  # joined just now
    vote = make_vote(version, facilitator, registered_before=cutoff)
    error = refused_vote(vote, newcomer, match="Your account must have been created before")
    assert formats.date_format(cutoff, "j F Y") in str(error)
    assert [c.rule for c in eligibility.check(vote, newcomer).failed] == ["Account age"]
    services.cast_ballot(vote=vote, user=veteran, option="yes")
    assert Ballot.objects.filter(vote=vote, voter=veteran).exists()


def test_min_contributions_counts_positions_and_replies(version, facilitator):
    consultation = consultation_services.create_consultation(
        version=version,
        user=facilitator,
        title="Consultation",
        closes_at=timezone.now() + DAY,
        open_now=True,
    )
    talker = UserFactory(username="talker")
    vote = make_vote(version, facilitator, min_contributions=2)
    refused_vote(vote, talker, match="You have 0 positions and replies here; at least 2")
    position = consultation_services.take_position(
        consultation=consultation, section_key=WHOLE_TEXT, user=talker, stance="support"
    )
    refused_vote(vote, talker, match="You have 1 positions and replies here; at least 2")
    assert [c.rule for c in eligibility.check(vote, talker).failed] == ["Contributions"]
    other = UserFactory(username="other")
    consultation_services.take_position(
        consultation=consultation, section_key=WHOLE_TEXT, user=other, stance="oppose", reason="No."
    )
    consultation_services.add_reply(position=position, user=talker, body="And another thing.")
    services.cast_ballot(vote=vote, user=talker, option="yes")
    refused_vote(vote, other, match="You have 1 positions")


def test_membership_of_listed_communities(version, facilitator, community, other_community):
    outsider, elsewhere, insider = (UserFactory(username=n) for n in ("out", "else", "in"))
    member(elsewhere, other_community, edits=500)
    member(insider, community)
    vote = make_vote(version, facilitator, eligible_communities=(community,))
    for person in (outsider, elsewhere):
        refused_vote(vote, person, match="not a recorded member of any of the eligible")
        assert [c.rule for c in eligibility.check(vote, person).failed] == ["Community membership"]
    ballot, _ = services.cast_ballot(vote=vote, user=insider, option="yes")
    assert ballot.community == community


def test_min_community_edits(version, facilitator, community, other_community):
    few, unknown, enough = (UserFactory(username=n) for n in ("few", "unknown", "enough"))
    member(few, community, edits=9)
    member(few, other_community, edits=5000)  # not an eligible community: does not count
    member(unknown, community, edits=None)
    member(enough, community, edits=10)
    vote = make_vote(
        version, facilitator, eligible_communities=(community,), min_community_edits=10
    )
    refused_vote(vote, few, match="highest recorded edit count in an eligible community is 9")
    refused_vote(vote, unknown, match="eligible community is 0; at least 10 are needed")
    assert [c.rule for c in eligibility.check(vote, few).failed] == ["Community edits"]
    ballot, _ = services.cast_ballot(vote=vote, user=enough, option="yes")
    assert ballot.community == community


def test_min_community_edits_without_a_community_list_takes_any_membership(
    version, facilitator, community, other_community
):
    person = UserFactory(username="person")
    member(person, community, edits=3)
    member(person, other_community, edits=30)
    vote = make_vote(version, facilitator, min_community_edits=20)
    ballot, _ = services.cast_ballot(vote=vote, user=person, option="yes")
    # It counts as the community where the person meets the rule.
    assert ballot.community == other_community


def test_people_blocked_anywhere_are_excluded(version, facilitator, community, other_community):
    blocked = UserFactory(username="blocked")
    member(blocked, community, edits=100)
    member(blocked, other_community, blocked=True)
    vote = make_vote(version, facilitator, eligible_communities=(community,))
    refused_vote(vote, blocked, match="You are blocked in Birch Wiki.")
    assert [c.rule for c in eligibility.check(vote, blocked).failed] == ["Not blocked"]


def test_without_exclude_blocked_a_blocked_person_votes_but_not_as_that_community(
    version, facilitator, community
):
    blocked = UserFactory(username="blocked")
    member(blocked, community, edits=100, blocked=True)
    vote = make_vote(version, facilitator, exclude_blocked=False)
    ballot, _ = services.cast_ballot(vote=vote, user=blocked, option="yes")
    assert ballot.community is None
    refused_vote(
        vote,
        UserFactory(username="x"),
        match="Vote as one of your own eligible communities",
        error=ValidationError,
        community_id=community.pk,
    )
    refused_vote(
        vote,
        blocked,
        option="no",
        match="Vote as one of your own eligible communities",
        error=ValidationError,
        community_id=community.pk,
    )


def test_include_list_overrides_the_other_rules(version, facilitator, community):
    friend = UserFactory(username="friend")
    member(friend, community, edits=0, blocked=True)
    vote = make_vote(
        version,
        facilitator,
        registered_before=timezone.now() - 30 * DAY,
        min_contributions=5,
        min_community_edits=100,
        eligible_communities=(community,),
        include_voters=(friend,),
    )
    result = eligibility.check(vote, friend)
    assert result.eligible and [c.rule for c in result.checks] == ["Include list"]
    services.cast_ballot(vote=vote, user=friend, option="no")
    assert Ballot.objects.filter(vote=vote, voter=friend).count() == 1
    stranger = UserFactory(username="stranger")
    error = refused_vote(vote, stranger, match="You are not eligible to vote.")
    # Every failed rule is named, not only the first.
    for text in ("created before", "positions and replies", "not a recorded member"):
        assert text in str(error)


def test_exclude_list_wins_over_include_list(version, facilitator):
    rival = UserFactory(username="rival")
    with pytest.raises(ValidationError) as caught:
        make_vote(version, facilitator, include_voters=(rival,), exclude_voters=(rival,))
    assert "exclude_voters" in caught.value.message_dict
    assert not Vote.objects.exists()
    # Even if both lists name someone (set directly in the database), the exclude list wins.
    vote = make_vote(version, facilitator, open_it=False, exclude_voters=(rival,))
    vote.include_voters.add(rival)
    vote = services.open_vote(vote=vote, user=facilitator)
    refused_vote(vote, rival, match="You are on this vote's exclude list.")


def test_signed_out_and_inactive_accounts_cannot_vote(open_vote):
    from django.contrib.auth.models import AnonymousUser

    refused_vote(open_vote, AnonymousUser(), match="Sign in with an active account")
    refused_vote(open_vote, UserFactory(is_active=False), match="Sign in with an active account")


# --- ballots in every phase ---------------------------------------------------------------------


def _vote_in_phase(phase, version, facilitator):
    now = timezone.now()
    if phase == "draft":
        return make_vote(version, facilitator, open_it=False)
    if phase == "scheduled":
        return make_vote(version, facilitator, opens_at=now + HOUR, closes_at=now + DAY)
    vote = make_vote(version, facilitator)
    if phase == "closed":
        return close(vote)
    if phase == "past closing time":
        Vote.objects.filter(pk=vote.pk).update(
            opens_at=now - DAY, closes_at=now - dt.timedelta(seconds=1)
        )
        vote.refresh_from_db()
        assert vote.state == Vote.State.OPEN  # nobody has closed it yet
        return vote
    return services.cancel_vote(vote=vote, user=facilitator, reason="Wrong text.")


@pytest.mark.parametrize(
    ("phase", "message"),
    [
        ("draft", "This vote has not been opened yet."),
        ("scheduled", "Voting has not started yet."),
        ("closed", "Voting has closed."),
        ("past closing time", "Voting has closed."),
        ("cancelled", "This vote was cancelled."),
    ],
)
def test_no_ballot_outside_the_voting_period(phase, message, version, facilitator, voters):
    vote = _vote_in_phase(phase, version, facilitator)
    refused_vote(vote, voters[0], match=message, error=ValidationError)
    assert not Ballot.objects.exists() and not Choice.objects.exists()


def test_a_ballot_can_be_changed_until_the_vote_closes_not_after(open_vote, voters):
    services.cast_ballot(vote=open_vote, user=voters[0], option="yes")
    vote = close(open_vote)
    refused_vote(vote, voters[0], option="no", match="Voting has closed.", error=ValidationError)
    assert selectors.results(vote).votes_for == 1


@pytest.mark.parametrize("option", ["", "maybe", "YES", "Yes", " yes", None, "yes\x00"])
def test_an_option_not_in_the_vote_is_refused(option, open_vote, voters):
    refused_vote(
        open_vote,
        voters[0],
        option=option,
        match="Choose one of the vote's options.",
        error=ValidationError,
    )
    # And a voter who has voted keeps their ballot as it was.
    services.cast_ballot(vote=open_vote, user=voters[1], option="no")
    refused_vote(open_vote, voters[1], option=option, match="Choose one of", error=ValidationError)
    assert services.choice_option(Choice.objects.get(vote=open_vote)) == "no"


def test_custom_options_are_the_only_ones_accepted(version, facilitator, voters):
    options = services.parse_options("Ratify = for\nReject = against\nNot now")
    vote = make_vote(version, facilitator, options=tuple(options))
    assert [o["key"] for o in vote.options] == ["ratify", "reject", "not-now"]
    refused_vote(vote, voters[0], option="yes", match="Choose one of", error=ValidationError)
    services.cast_ballot(vote=vote, user=voters[0], option="not-now")
    assert selectors.results(close(vote)).votes_abstain == 1


def test_community_must_be_one_of_the_voters_own(open_vote, community, other_community):
    person = UserFactory(username="person")
    member(person, community, edits=2)
    member(person, other_community, edits=7)
    for bad in (other_community.pk + 1000, "abc", -1):
        refused_vote(
            open_vote,
            person,
            match="Vote as one of your own eligible communities",
            error=ValidationError,
            community_id=bad,
        )
    ballot, _ = services.cast_ballot(vote=open_vote, user=person, option="yes")
    assert ballot.community == other_community  # the one with most edits, by default
    ballot, _ = services.cast_ballot(
        vote=open_vote, user=person, option="yes", community_id=str(community.pk)
    )
    assert ballot.community == community


# --- receipts ---------------------------------------------------------------------------------


def test_receipts(open_vote, voters, version, facilitator):
    _, first = services.cast_ballot(vote=open_vote, user=voters[0], option="yes")
    _, second = services.cast_ballot(vote=open_vote, user=voters[0], option="no")
    _, other = services.cast_ballot(vote=open_vote, user=voters[1], option="abstain")
    assert first != second
    check = services.check_receipt
    assert check(vote=open_vote, receipt=first).status == "replaced"
    result = check(vote=open_vote, receipt=second)
    assert (result.status, result.option_label) == ("counted", "")  # no option before close
    assert check(vote=open_vote, receipt=f"  {other}\n").status == "counted"
    # Forged, mistyped, malformed, or from another vote: unknown.
    forged = "A" * len(second)
    mistyped = second[:-1] + ("a" if second[-1] != "a" else "b")
    another_vote = make_vote(version, facilitator)
    for receipt in (forged, mistyped, "", "short", "x" * 500, "<script>", "' OR 1=1 --"):
        assert check(vote=open_vote, receipt=receipt).status == "unknown", receipt
    assert check(vote=another_vote, receipt=second).status == "unknown"
    # Receipts are not stored, only their SHA-256.
    stored = set(Choice.objects.values_list("receipt_digest", flat=True)) | set(
        RetiredReceipt.objects.values_list("digest", flat=True)
    )
    assert not stored & {first, second, other}
    assert services.receipt_digest(second) in stored


# --- changing and striking ballots -------------------------------------------------------------


def test_changing_a_ballot_keeps_one_ballot_and_one_choice_and_the_last_counts(open_vote, voters):
    receipts = []
    for option in ("yes", "no", "no", "abstain"):
        ballot, receipt = services.cast_ballot(vote=open_vote, user=voters[0], option=option)
        receipts.append(receipt)
    assert Ballot.objects.filter(vote=open_vote).count() == 1
    assert Choice.objects.filter(vote=open_vote).count() == 1
    ballot.refresh_from_db()
    assert ballot.times_changed == 3
    assert ballot.changed_at >= ballot.cast_at
    assert RetiredReceipt.objects.filter(vote=open_vote).count() == 3
    assert [services.check_receipt(vote=open_vote, receipt=r).status for r in receipts] == [
        "replaced",
        "replaced",
        "replaced",
        "counted",
    ]
    res = selectors.results(close(open_vote))
    assert (res.votes_for, res.votes_against, res.votes_abstain, res.counted) == (0, 0, 1, 1)


def test_struck_ballot_is_not_counted_cannot_be_changed_and_is_logged(
    open_vote, voters, scrutineer
):
    ballots = {}
    receipts = {}
    for voter, option in zip(voters[:3], ["yes", "yes", "no"], strict=True):
        ballots[voter.username], receipts[voter.username] = services.cast_ballot(
            vote=open_vote, user=voter, option=option
        )
    services.strike_ballot(
        ballot=ballots["voter0"], user=scrutineer, reason="Second account of voter2."
    )
    entry = AuditEntry.objects.get(vote=open_vote, action=AuditEntry.Action.STRUCK)
    assert (entry.actor, entry.subject) == (scrutineer, voters[0])
    assert entry.message == "Second account of voter2."
    assert entry.text == "Struck the ballot of voter0: Second account of voter2."
    assert services.check_receipt(vote=open_vote, receipt=receipts["voter0"]).status == "struck"
    before = written(open_vote)
    with pytest.raises(ValidationError, match="struck by a scrutineer"):
        services.cast_ballot(vote=open_vote, user=voters[0], option="no")
    assert written(open_vote) == before
    with pytest.raises(ValidationError, match="already been struck"):
        services.strike_ballot(ballot=ballots["voter0"], user=scrutineer, reason="Again.")
    res = selectors.results(close(open_vote))
    assert (res.votes_for, res.votes_against, res.counted, res.struck) == (1, 1, 2, 1)
    assert res.outcome == "failed"  # 1/2 < 2/3


def test_only_scrutineers_strike_and_only_with_a_reason(open_vote, voters, facilitator):
    ballot, _ = services.cast_ballot(vote=open_vote, user=voters[0], option="yes")
    before = written()
    for user in (voters[1], facilitator, voters[0]):
        with pytest.raises(PermissionDenied):
            services.strike_ballot(ballot=ballot, user=user, reason="Because.")
    scrutineer = UserFactory(username="scrut2", groups=["Scrutineers"])
    for reason in ("", "   ", "x" * 501):
        with pytest.raises(ValidationError):
            services.strike_ballot(ballot=ballot, user=scrutineer, reason=reason)
    assert written() == before


def test_no_ballot_is_struck_after_close_so_the_results_are_published_once(
    version, facilitator, scrutineer, community
):
    """A strike after close would move the published counts by exactly the struck ballot, and
    the voter roll names whose it was: the results, once published, never change."""
    vote = make_vote(version, facilitator, breakdown_min_group=3)
    people = cast_many(vote, counts(yes=3, no=2), community=community)
    vote = close(vote)
    published = selectors.results_payload(vote)
    ballot = Ballot.objects.get(vote=vote, voter=people[0])
    with pytest.raises(PermissionDenied, match="only while voting"):
        services.strike_ballot(ballot=ballot, user=scrutineer, reason="Sock.")
    # Nor at the closing time, before anyone has closed the vote in the database.
    late = make_vote(version, facilitator)
    late_ballot, _receipt = services.cast_ballot(vote=late, user=people[0], option="yes")
    with pytest.raises(PermissionDenied):
        services.strike_ballot(
            ballot=late_ballot, user=scrutineer, reason="Sock.", now=late.closes_at
        )
    vote.refresh_from_db()
    ballot.refresh_from_db()
    assert not ballot.struck
    assert selectors.results_payload(vote) == published
    assert vote.breakdown["communities"] == {str(community.pk): {"yes": 3, "no": 2}}


# --- frozen settings --------------------------------------------------------------------------


def _snapshot(vote: Vote) -> dict:
    vote = Vote.objects.get(pk=vote.pk)
    values = {name: getattr(vote, name) for name in Vote.FROZEN_FIELDS}
    values["version"] = vote.version_id
    values["content_hash"] = vote.content_hash
    for name in ("eligible_communities", "include_voters", "exclude_voters"):
        values[name] = sorted(getattr(vote, name).values_list("pk", flat=True))
    return values


def test_settings_are_frozen_once_the_vote_opens(
    version, policy, facilitator, community, other_community, voters
):
    older = policy.versions.get(number=1)
    vote = make_vote(
        version,
        facilitator,
        eligible_communities=(community,),
        include_voters=(voters[0],),
        exclude_voters=(voters[1],),
    )
    before = _snapshot(vote)
    entries = AuditEntry.objects.count()
    change = settings_for(
        question="A different question?",
        options=tuple(services.parse_options("Aye = for\nNay = against")),
        threshold_numerator=1,
        threshold_denominator=2,
        quorum_ballots=100,
        quorum_communities=3,
        eligible_communities=(other_community,),
        include_voters=(voters[2],),
        exclude_voters=(voters[3],),
        secret=False,
    )
    for _ in range(2):
        with pytest.raises(ValidationError, match="The attempt has been logged"):
            services.update_vote(vote=vote, user=facilitator, config=change, version=older)
    assert _snapshot(vote) == before
    refused = AuditEntry.objects.filter(vote=vote, action=AuditEntry.Action.REFUSED)
    assert refused.count() == 2 and AuditEntry.objects.count() == entries + 2
    assert all(entry.actor == facilitator for entry in refused)
    # Someone who may not change votes at all is refused before anything is logged.
    with pytest.raises(PermissionDenied):
        services.update_vote(vote=vote, user=voters[0], config=change)
    assert AuditEntry.objects.count() == entries + 2


def test_a_draft_can_be_changed_and_the_change_is_logged(version, policy, facilitator, voters):
    vote = make_vote(version, facilitator, open_it=False)
    older = policy.versions.get(number=1)
    services.update_vote(
        vote=vote,
        user=facilitator,
        config=settings_for(threshold_numerator=3, threshold_denominator=4, quorum_ballots=7),
        version=older,
    )
    vote.refresh_from_db()
    assert (vote.threshold_text, vote.quorum_ballots, vote.version) == ("3/4", 7, older)
    assert vote.content_hash == older.content_hash
    entry = AuditEntry.objects.get(vote=vote, action=AuditEntry.Action.CHANGED)
    for words in ("threshold numerator", "threshold denominator", "quorum ballots", "version"):
        assert words in entry.message


def test_opening_twice_or_after_the_closing_time_is_refused(version, facilitator, voters):
    vote = make_vote(version, facilitator)
    with pytest.raises(ValidationError, match="already been opened"):
        services.open_vote(vote=vote, user=facilitator)
    assert AuditEntry.objects.filter(vote=vote, action=AuditEntry.Action.OPENED).count() == 1
    late = make_vote(
        version,
        facilitator,
        open_it=False,
        opens_at=timezone.now() - 2 * DAY,
        closes_at=timezone.now() - DAY,
    )
    with pytest.raises(ValidationError, match="closing time has passed"):
        services.open_vote(vote=late, user=facilitator)
    late.refresh_from_db()
    assert late.state == Vote.State.DRAFT and late.frozen_at is None
    with pytest.raises(PermissionDenied):
        services.open_vote(vote=late, user=voters[0])


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"question": "  "}, "question"),
        ({"closes_at": timezone.now() - 2 * HOUR}, "closes_at"),
        ({"threshold_numerator": 4, "threshold_denominator": 3}, "threshold_numerator"),
        ({"threshold_denominator": 0}, "threshold_numerator"),
        ({"quorum_ballots": -1}, "quorum_ballots"),
        ({"breakdown_min_group": 1}, "breakdown_min_group"),
        (
            {"options": ({"key": "yes", "label": "Yes", "counts_as": "for"},)},
            "options",
        ),
        (
            {
                "options": (
                    {"key": "yes", "label": "Yes", "counts_as": "for"},
                    {"key": "meh", "label": "Meh", "counts_as": "abstain"},
                )
            },
            "options",
        ),
    ],
)
def test_bad_vote_settings_are_refused(overrides, field, version, facilitator):
    with pytest.raises(ValidationError) as caught:
        make_vote(version, facilitator, open_it=False, **overrides)
    assert field in caught.value.message_dict
    assert not Vote.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Yes = for", "at least two options"),
        ("Yes = for\nNo = maybe", 'say "for", "against" or "abstain"'),
        ("Yes = for\nYes = against", "listed twice"),
        ("Yes = for\n= against", "give the option a name"),
        ("Yes = for\nAlso yes = for", 'one option "for" and one "against"'),
        ("\n".join(f"O{i} = for" if i else "No = against" for i in range(13)), "at most 12"),
    ],
)
def test_bad_option_lists_are_explained(text, message):
    with pytest.raises(ValidationError) as caught:
        services.parse_options(text)
    assert message in caught.value.message_dict["options"][0]


def test_only_facilitators_create_votes(version, voters, scrutineer):
    for user in (voters[0], scrutineer):
        with pytest.raises(PermissionDenied):
            make_vote(version, user, open_it=False)
    assert not Vote.objects.exists()


def test_cancelling(open_vote, facilitator, voters):
    services.cast_ballot(vote=open_vote, user=voters[0], option="yes")
    with pytest.raises(PermissionDenied):
        services.cancel_vote(vote=open_vote, user=voters[0], reason="Mine.")
    with pytest.raises(ValidationError):
        services.cancel_vote(vote=open_vote, user=facilitator, reason=" ")
    open_vote.refresh_from_db()
    assert open_vote.state == Vote.State.OPEN
    services.cancel_vote(vote=open_vote, user=facilitator, reason="The wrong version.")
    entry = AuditEntry.objects.get(vote=open_vote, action=AuditEntry.Action.CANCELLED)
    assert "The wrong version." in entry.message
    # A cancelled vote never closes and never has a result.
    assert services.close_due_votes(now=open_vote.closes_at + DAY) == 0
    with pytest.raises(PermissionDenied):
        services.cancel_vote(vote=open_vote, user=facilitator, reason="Again.")


# --- counting ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("threshold", "ballots", "outcome"),
    [
        ((2, 3), {"yes": 2, "no": 1}, "passed"),  # exactly 2/3
        ((2, 3), {"yes": 4, "no": 2, "abstain": 7}, "passed"),  # abstentions do not count
        ((2, 3), {"yes": 7, "no": 4}, "failed"),  # 63.6%
        ((2, 3), {"yes": 9, "no": 5, "abstain": 1}, "failed"),  # 64.3%
        ((1, 2), {"yes": 1, "no": 1}, "passed"),  # exactly half
        ((1, 2), {"yes": 2, "no": 3}, "failed"),
        ((3, 4), {"yes": 3, "no": 1}, "passed"),
        ((3, 4), {"yes": 2, "no": 1}, "failed"),
        ((2, 3), {"abstain": 3}, "failed"),  # nothing decisive
        ((2, 3), {}, "failed"),
    ],
)
def test_threshold(threshold, ballots, outcome, version, facilitator):
    vote = make_vote(
        version, facilitator, threshold_numerator=threshold[0], threshold_denominator=threshold[1]
    )
    cast_many(vote, counts(**ballots))
    res = selectors.results(close(vote))
    assert res.outcome == outcome
    assert res.threshold_met is (outcome == "passed")
    assert (res.votes_for, res.votes_against, res.votes_abstain) == (
        ballots.get("yes", 0),
        ballots.get("no", 0),
        ballots.get("abstain", 0),
    )
    assert res.counted == sum(ballots.values())


@pytest.mark.parametrize(
    ("ballots", "struck", "outcome"),
    [
        ({"yes": 5}, 0, "passed"),
        ({"yes": 4}, 0, "no quorum"),
        ({"yes": 4, "abstain": 1}, 0, "passed"),  # abstentions count towards the quorum
        ({"yes": 5}, 1, "no quorum"),  # struck ballots do not
        ({"no": 5}, 0, "failed"),
    ],
)
def test_quorum_of_ballots(ballots, struck, outcome, version, facilitator, scrutineer):
    vote = make_vote(version, facilitator, quorum_ballots=5)
    people = cast_many(vote, counts(**ballots))
    for person in people[:struck]:
        services.strike_ballot(
            ballot=Ballot.objects.get(vote=vote, voter=person), user=scrutineer, reason="Dup."
        )
    res = selectors.results(close(vote))
    assert res.outcome == outcome
    assert res.quorum_ballots_met is (outcome != "no quorum")


def test_quorum_of_communities(version, facilitator, community, other_community):
    one = make_vote(version, facilitator, quorum_communities=2)
    cast_many(one, counts(yes=3), community=community)
    cast_many(one, counts(yes=3))  # no community: does not count as one
    res = selectors.results(close(one))
    assert (res.outcome, res.communities_represented, res.quorum_communities_met) == (
        "no quorum",
        1,
        False,
    )
    assert res.threshold_met  # the threshold alone would have passed it
    two = make_vote(version, facilitator, quorum_communities=2)
    cast_many(two, counts(yes=1), community=community)
    cast_many(two, counts(yes=1), community=other_community)
    res = selectors.results(close(two))
    assert (res.outcome, res.communities_represented) == ("passed", 2)


@pytest.fixture
def communities(db):
    return [Community.objects.create(name=f"Wiki {c}", slug=f"wiki-{c}") for c in "ABCDE"]


def _breakdown(version, facilitator, communities, groups, *, minimum):
    """groups: one {"yes": n, ...} per community (None for people voting as no community)."""
    vote = make_vote(version, facilitator, breakdown_min_group=minimum)
    for community, ballots in groups:
        cast_many(vote, counts(**ballots), community=community)
    vote = close(vote)
    return vote, vote.breakdown


def test_small_communities_are_pooled_with_complementary_suppression(
    version, facilitator, communities
):
    a, b, c, *_ = communities
    vote, breakdown = _breakdown(
        version,
        facilitator,
        communities,
        [
            (a, {"yes": 3, "no": 2}),
            (b, {"no": 2, "yes": 2}),
            (c, {"yes": 1}),
            (None, {"abstain": 1}),
        ],
        minimum=3,
    )
    # C and the community-less voter make a pool of 2, under the minimum: B, the smallest
    # group shown, joins the pool, or B's counts would reveal those two people's choices.
    assert breakdown == {
        "minimum": 3,
        "communities": {str(a.pk): {"yes": 3, "no": 2}},
        "pooled": {"no": 2, "yes": 3, "abstain": 1},
        "pooled_voters": 6,
    }
    res = selectors.results(vote)
    assert [(row["community"], row["counts"], row["total"]) for row in res.breakdown] == [
        ("Wiki A", [3, 2, 0], 5)
    ]
    assert res.pooled == {"counts": [3, 2, 1], "total": 6}


def test_a_unanimous_community_is_pooled_however_large(version, facilitator, communities):
    """With the public roll, B's "4 no" would tell everyone how each of its four voted."""
    a, b, c, d, e = communities
    _, breakdown = _breakdown(
        version,
        facilitator,
        communities,
        [
            (a, {"yes": 2, "no": 2}),
            (b, {"no": 4}),
            (c, {"yes": 1}),
            (d, {"no": 1}),
            (e, {"yes": 1}),
        ],
        minimum=3,
    )
    assert breakdown["communities"] == {str(a.pk): {"yes": 2, "no": 2}}
    assert (breakdown["pooled"], breakdown["pooled_voters"]) == ({"no": 5, "yes": 2}, 7)


def test_no_pool_when_every_community_is_large_enough(version, facilitator, communities):
    a, b, *_ = communities
    _, breakdown = _breakdown(
        version,
        facilitator,
        communities,
        [(a, {"yes": 2, "no": 2}), (b, {"no": 2, "abstain": 2})],
        minimum=2,
    )
    assert set(breakdown["communities"]) == {str(a.pk), str(b.pk)}
    assert (breakdown["pooled"], breakdown["pooled_voters"]) == ({}, 0)


def test_when_every_group_is_small_everything_is_pooled(version, facilitator, communities):
    a, b, *_ = communities
    _, breakdown = _breakdown(
        version, facilitator, communities, [(a, {"yes": 1}), (b, {"no": 1})], minimum=10
    )
    assert breakdown["communities"] == {}
    assert (breakdown["pooled"], breakdown["pooled_voters"]) == ({"yes": 1, "no": 1}, 2)


def test_a_near_unanimous_community_is_pooled_too(version, facilitator, communities):
    a, b, c, *_ = communities
    _, breakdown = _breakdown(
        version,
        facilitator,
        communities,
        [(a, {"yes": 5}), (b, {"no": 2, "yes": 1}), (c, {"no": 1})],
        minimum=3,
    )
    # A (all yes) is never shown alone, nor is B: its one "yes" would settle the other two as
    # soon as it were known. Only the total remains.
    assert breakdown["communities"] == {}
    assert (breakdown["pooled"], breakdown["pooled_voters"]) == ({"yes": 6, "no": 3}, 9)


# --- closing ---------------------------------------------------------------------------------


def test_close_due_votes_closes_only_due_votes(version, facilitator):
    now = timezone.now()
    due = make_vote(version, facilitator)
    running = make_vote(version, facilitator)
    draft = make_vote(version, facilitator, open_it=False, opens_at=now - DAY, closes_at=now - HOUR)
    cancelled = services.cancel_vote(
        vote=make_vote(version, facilitator), user=facilitator, reason="Oops."
    )
    already = close(make_vote(version, facilitator))
    Vote.objects.filter(pk__in=[due.pk, cancelled.pk]).update(
        opens_at=now - DAY, closes_at=now - HOUR
    )
    assert services.close_due_votes(now=now) == 1
    states = dict(Vote.objects.values_list("pk", "state"))
    assert states == {
        due.pk: "closed",
        running.pk: "open",
        draft.pk: "draft",
        cancelled.pk: "cancelled",
        already.pk: "closed",
    }
    closed_entries = AuditEntry.objects.filter(action=AuditEntry.Action.CLOSED)
    assert sorted(closed_entries.values_list("vote_id", flat=True)) == sorted([due.pk, already.pk])
    assert services.close_due_votes(now=now) == 0  # idempotent
    due.refresh_from_db()
    assert due.closed_at == due.closes_at and due.breakdown is not None


def test_a_vote_is_not_closed_early(open_vote):
    with pytest.raises(ValidationError, match="not before"):
        services.close_vote(vote=open_vote)
    open_vote.refresh_from_db()
    assert open_vote.state == Vote.State.OPEN
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CLOSED).exists()


# --- board decisions and external tallies -------------------------------------------------------


def board(version, user, **overrides):
    values = {
        "body": "Board of Trustees",
        "decided_on": timezone.now().date() - dt.timedelta(days=2),
        "outcome": "ratified",
        "minutes_url": "https://example.org/minutes/2026-11",
        "note": "Unanimous.",
    }
    values.update(overrides)
    return services.record_board_decision(version=version, user=user, **values)


def test_board_decision_is_recorded_and_logged(version, secretary):
    record = board(version, secretary)
    assert record.recorded_by == secretary and record.outcome == "ratified"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.BOARD)
    assert (entry.version, entry.vote, entry.actor) == (version, None, secretary)
    assert "Board of Trustees ratified" in entry.message
    assert record.decided_on.isoformat() in entry.message


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"decided_on": timezone.now().date() + dt.timedelta(days=1)}, "decided_on"),
        ({"decided_on": None}, "decided_on"),
        ({"minutes_url": "not a web address"}, "minutes_url"),
        ({"minutes_url": "javascript:alert(1)"}, "minutes_url"),
        ({"minutes_url": "ftp://example.org/minutes"}, "minutes_url"),
        ({"outcome": "approved"}, "outcome"),
        ({"outcome": ""}, "outcome"),
        ({"body": "   "}, "body"),
        ({"body": "B" * 201}, "body"),
    ],
)
def test_bad_board_decisions_are_refused(overrides, field, version, secretary):
    before = written()
    with pytest.raises(ValidationError) as caught:
        board(version, secretary, **overrides)
    assert field in caught.value.message_dict
    assert written() == before


def test_only_secretaries_and_facilitators_record_board_decisions(
    version, voters, scrutineer, facilitator
):
    for user in (voters[0], scrutineer):
        with pytest.raises(PermissionDenied):
            board(version, user)
    assert not BoardRatification.objects.exists() and not AuditEntry.objects.exists()
    board(version, facilitator)
    assert BoardRatification.objects.count() == 1


def tally(version, user, **overrides):
    values = {
        "title": "Alder Wiki request for comment",
        "held_until": timezone.now().date() - dt.timedelta(days=1),
        "votes_for": 40,
        "votes_against": 12,
        "votes_abstain": 3,
        "outcome": "passed",
        "source_url": "https://alder.example.org/rfc/42",
    }
    values.update(overrides)
    return services.record_external_tally(version=version, user=user, **values)


def test_external_tally_is_recorded_and_logged(version, facilitator, community):
    record = tally(version, facilitator, community=community)
    assert (record.community, record.votes_for, record.recorded_by) == (
        community,
        40,
        facilitator,
    )
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXTERNAL)
    assert (entry.version, entry.vote, entry.actor) == (version, None, facilitator)
    assert "40 for, 12 against, 3 abstaining; passed" in entry.message


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"votes_for": -1}, "votes_for"),
        ({"votes_against": -5}, "votes_against"),
        ({"votes_abstain": "3"}, "votes_abstain"),
        ({"votes_for": 2.5}, "votes_for"),
        ({"held_until": timezone.now().date() + dt.timedelta(days=1)}, "held_until"),
        ({"held_until": None}, "held_until"),
        ({"source_url": ""}, "source_url"),
        ({"source_url": "alder wiki"}, "source_url"),
        ({"source_url": "javascript:alert(1)"}, "source_url"),
        ({"outcome": "won"}, "outcome"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_external_tallies_are_refused(overrides, field, version, facilitator):
    before = written()
    with pytest.raises(ValidationError) as caught:
        tally(version, facilitator, **overrides)
    assert field in caught.value.message_dict
    assert written() == before


def test_only_facilitators_record_external_tallies(version, secretary, voters):
    for user in (secretary, voters[0]):
        with pytest.raises(PermissionDenied):
            tally(version, user)
    assert not ExternalTally.objects.exists() and not AuditEntry.objects.exists()


def test_ballots_record_the_community_whatever_the_eligibility_rules(
    version, facilitator, community, other_community
):
    # No community rule and blocked people allowed: ballots still say which community each
    # voter voted as, so a quorum of communities can be met and results broken down.
    vote = make_vote(version, facilitator, exclude_blocked=False, quorum_communities=2)
    first, second = UserFactory(username="first"), UserFactory(username="second")
    member(first, community)
    member(second, other_community, edits=4)
    for person in (first, second):
        services.cast_ballot(vote=vote, user=person, option="yes")
    names = Ballot.objects.filter(vote=vote).values_list("community__name", flat=True)
    assert sorted(names, key=str) == ["Alder Wiki", "Birch Wiki"]
    res = selectors.results(close(vote))
    assert (res.communities_represented, res.outcome) == (2, "passed")


def test_a_receipt_check_names_the_option_only_once_the_vote_is_closed(open_vote, voters):
    """While voting, whoever demands a voter's receipt learns only that the ballot counts."""
    _, receipt = services.cast_ballot(vote=open_vote, user=voters[0], option="no")
    during = services.check_receipt(vote=open_vote, receipt=receipt)
    assert (during.status, during.option_label) == ("counted", "")
    assert "not shown while the vote is open" in during.message
    after = services.check_receipt(vote=close(open_vote), receipt=receipt)
    assert (after.status, after.option_label) == ("counted", "No")
