"""A small world for the API tests, built through the services: a policy with two versions, an
open consultation with public, hidden and private contributions, a summarised consultation,
communities with a delegate and a declaration, votes open and closed, board and external
records. The marker strings let privacy tests search every response for what must not leak."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from communities import services as community_services
from communities.models import Community
from consultations import services as consultation_services
from consultations.models import Consultation
from policies import services as policy_services
from ratification import services as vote_services
from ratification.models import Vote
from tests.factories import (
    CommunityFactory,
    ConsultationFactory,
    PositionFactory,
    ReplyFactory,
    UserFactory,
    VoteFactory,
    make_policy,
)

HIDDEN_POSITION = "HIDDEN-POSITION-TEXT-91c2"
HIDDEN_REPLY = "HIDDEN-REPLY-TEXT-55d0"
PRIVATE_FEEDBACK = "PRIVATE-FEEDBACK-TEXT-7f3a"
DAY = dt.timedelta(days=1)


def body(response) -> str:
    return response.content.decode()


def results(response) -> list[dict]:
    assert response.status_code == 200, body(response)
    return response.json()["results"]


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def delegate(db):
    return UserFactory(username="dana")


def open_consultation(version, facilitator, *, title="Consultation on v2") -> Consultation:
    return ConsultationFactory(by=facilitator, version=version, title=title)


def make_vote(version, facilitator, *, open_it=True, **overrides) -> Vote:
    overrides.setdefault("question", "Do you ratify it?")
    return VoteFactory(by=facilitator, version=version, open_it=open_it, **overrides)


def close(vote: Vote) -> Vote:
    """Move the closing time into the past, as the clock would, and close the vote."""
    Vote.objects.filter(pk=vote.pk).update(
        opens_at=vote.opens_at - 3 * DAY, closes_at=timezone.now() - dt.timedelta(seconds=1)
    )
    vote.refresh_from_db()
    return vote_services.close_vote(vote=vote)


def cast(vote: Vote, options: list[str], *, prefix: str) -> list[str]:
    """One ballot per option, each by a new account; returns the receipts."""
    receipts = []
    for i, option in enumerate(options):
        voter = UserFactory(username=f"{prefix}{i}")
        _, receipt = vote_services.cast_ballot(vote=vote, user=voter, option=option)
        receipts.append(receipt)
    return receipts


@dataclass
class World:
    policy: object
    v1: object
    v2: object
    keys: list[str]
    consultation: Consultation
    summarised: Consultation
    visible_position: object
    hidden_position: object
    visible_reply: object
    hidden_reply: object
    community: Community
    other_community: Community
    adoption: object
    open_vote: Vote
    closed_vote: Vote
    open_public_vote: Vote
    receipts: list[str] = field(default_factory=list)
    translation: object = None


@pytest.fixture
def world(editor, participant, facilitator, delegate) -> World:
    policy = make_policy(editor=editor, n_sections=3, n_versions=2)
    v1, v2 = policy.versions.order_by("number")
    keys = [s.key for s in v2.sections.all()]

    # A consultation on v1, summarised.
    summarised = open_consultation(v1, facilitator, title="Consultation on v1")
    early = PositionFactory(consultation=summarised, section_key=keys[0], user=participant)
    summarised = consultation_services.close_consultation(
        consultation=summarised, user=facilitator, note="Ended."
    )
    consultation_services.save_summary(
        consultation=summarised,
        user=facilitator,
        intro="What we heard.",
        sections=[
            {"section_key": keys[0], "outcome": "accepted", "text": "Done.", "cited": [early.pk]}
        ],
        answered_by=v2.number,
    )
    consultation_services.publish_summary(consultation=summarised, user=facilitator)

    # A German translation of v1, as the log names it (policies.translation:<id>).
    translation = policy_services.import_translation_markdown(
        data="\n\n".join(
            ["# de Titel"] + [f"## de {s.heading}\n\nde {s.body}" for s in v1.sections.all()]
        ),
        slug=policy.slug,
        version_number=v1.number,
        language_code="de",
        user=editor,
        note="Übersetzt von Hand.",
    )

    # An open consultation on v2 with a visible and a hidden position, replies, feedback.
    consultation = open_consultation(v2, facilitator)
    quinn = UserFactory(username="quinn")
    visible = PositionFactory(
        consultation=consultation, section_key=keys[0], user=participant, reason="Clear and kind."
    )
    hidden = PositionFactory(
        consultation=consultation,
        section_key=keys[1],
        user=quinn,
        stance="oppose",
        reason=HIDDEN_POSITION,
    )
    consultation_services.moderate(
        item=hidden, user=facilitator, hide=True, reason="Personal attack"
    )
    visible_reply = ReplyFactory(position=visible, user=quinn, body="I agree with this.")
    hidden_reply = ReplyFactory(
        position=visible, user=quinn, body=HIDDEN_REPLY, parent=visible_reply
    )
    consultation_services.moderate(
        item=hidden_reply, user=facilitator, hide=True, reason="Off topic"
    )
    consultation_services.give_private_feedback(
        consultation=consultation, user=participant, body=PRIVATE_FEEDBACK, section_key=keys[2]
    )

    # Communities: Alder Wiki (dana is its delegate) has adopted v2; Birch has not declared.
    community = CommunityFactory(
        by=facilitator, name="Alder Wiki", kind="wiki", language="en", delegates=[delegate]
    )
    other = CommunityFactory(by=facilitator, name="Birch Project", kind="project")
    adoption = community_services.declare_adoption(
        community=community,
        policy=policy,
        user=delegate,
        status="adopted",
        version=v2,
        evidence_url="https://alder.example.net/vote",
        parameters={"[CONTACT METHOD]": "the conduct team"},
    )

    # Votes: a secret one still open, a secret one closed (2 yes, 1 no), an open-ballot one.
    open_vote = make_vote(v2, facilitator)
    receipts = cast(open_vote, ["yes", "no"], prefix="early")
    closed_vote = make_vote(v1, facilitator, question="Do you ratify version 1?")
    receipts += cast(closed_vote, ["yes", "yes", "no"], prefix="closed")
    closed_vote = close(closed_vote)
    public_vote = make_vote(v2, facilitator, question="Open ballot?", secret=False)
    receipts += cast(public_vote, ["abstain"], prefix="public")

    vote_services.record_board_decision(
        version=v1,
        user=facilitator,
        body="Board of Trustees",
        decided_on=timezone.now().date(),
        outcome="ratified",
        minutes_url="https://board.example.net/minutes",
    )
    vote_services.record_external_tally(
        version=v2,
        user=facilitator,
        title="Alder Wiki RfC",
        held_until=timezone.now().date(),
        votes_for=12,
        votes_against=3,
        votes_abstain=1,
        outcome="passed",
        source_url="https://alder.example.net/rfc",
        community=community,
    )
    return World(
        policy=policy,
        v1=v1,
        v2=v2,
        keys=keys,
        consultation=Consultation.objects.get(pk=consultation.pk),
        summarised=Consultation.objects.get(pk=summarised.pk),
        visible_position=visible,
        hidden_position=hidden,
        visible_reply=visible_reply,
        hidden_reply=hidden_reply,
        community=community,
        other_community=other,
        adoption=adoption,
        open_vote=open_vote,
        closed_vote=closed_vote,
        open_public_vote=public_vote,
        receipts=receipts,
        translation=translation,
    )


def post_json(client, url, data, **extra):
    return client.post(url, json.dumps(data), content_type="application/json", **extra)
