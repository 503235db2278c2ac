"""The factories build through the services: what they make is what a person using the site
would have made, with the same history and state."""

import pytest
from django.core.exceptions import PermissionDenied

from tests.factories import (
    AmendmentFactory,
    CommunityFactory,
    ConsultationFactory,
    MembershipFactory,
    PositionFactory,
    ReplyFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db


def test_community_is_registered_through_the_registry_rules(facilitator, participant):
    community = CommunityFactory(by=facilitator, name="Alder Wiki", delegates=[participant])
    assert community.slug == "alder-wiki"
    assert list(community.delegates.all()) == [participant]
    with pytest.raises(PermissionDenied):
        CommunityFactory(by=participant)


def test_membership_belongs_to_a_registered_community(participant):
    membership = MembershipFactory(user=participant, edit_count=120)
    assert membership.user == participant and membership.edit_count == 120
    assert membership.community.history.exists()


@pytest.mark.parametrize("state", ["draft", "open", "closed", "summarised"])
def test_consultation_is_moved_to_the_state_asked_for(facilitator, state):
    consultation = ConsultationFactory(by=facilitator, state=state)
    assert consultation.state == state
    assert consultation.created_by == facilitator


def test_position_reply_and_amendment_go_on_an_open_consultation(participant):
    reply = ReplyFactory(position=PositionFactory(user=participant, stance="oppose", reason="No."))
    position = reply.position
    assert (position.stance, position.reason, position.user) == ("oppose", "No.", participant)
    assert position.section_key == position.consultation.version.sections.first().key
    amendment = AmendmentFactory(consultation=position.consultation, user=participant)
    assert amendment.revisions.get().text == amendment.text


def test_vote_is_open_for_ballots_unless_asked_not_to(facilitator):
    vote = VoteFactory(by=facilitator, secret=False)
    assert vote.state == "open" and vote.secret is False
    assert vote.created_by == facilitator
    assert VoteFactory(open_it=False).state == "draft"
