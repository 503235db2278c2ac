"""A small site with one event of each public kind, built through the services, holding
private text (hidden reason, private feedback, an email) that must never reach the log."""

import pytest

from communities import services as community_services
from consultations import services as consultation_services
from tests.factories import (
    CommunityFactory,
    ConsultationFactory,
    EditorFactory,
    FacilitatorFactory,
    UserFactory,
    make_policy,
)

HIDDEN_TEXT = "HIDDEN-POSITION-TEXT-7f3a"
PRIVATE_FEEDBACK = "PRIVATE-FEEDBACK-TEXT-91c2"
EMAIL = "someone.private@example.org"
REPORT_CONTACT = "conduct-reports@example.org"


@pytest.fixture
def site(db):
    editor = EditorFactory(username="ed", email=EMAIL)
    facilitator = FacilitatorFactory(username="fac", email="fac.private@example.org")
    page = make_policy(editor=editor, slug="baseline", n_versions=2)
    version = page.versions.order_by("number").last()
    consultation = ConsultationFactory(by=facilitator, version=version)
    author = UserFactory(username="pat", email="pat.private@example.org")
    position = consultation_services.take_position(
        consultation=consultation,
        section_key=version.sections.first().key,
        user=author,
        stance="oppose",
        reason=HIDDEN_TEXT,
    )
    consultation_services.give_private_feedback(
        consultation=consultation, user=author, body=PRIVATE_FEEDBACK
    )
    consultation_services.moderate(item=position, user=facilitator, hide=True, reason="Off topic.")
    community = CommunityFactory(by=facilitator, name="Kind Wiki", slug="kind-wiki")
    community_services.declare_adoption(
        community=community,
        policy=page,
        user=facilitator,
        status="adopted",
        report_contact=REPORT_CONTACT,
    )
    return {
        "page": page,
        "version": version,
        "consultation": consultation,
        "position": position,
        "facilitator": facilitator,
        "editor": editor,
    }
