"""Who sees which consultation, summary, position and reply: the selectors (the one place the
rules are written as queryset filters) agree with rules.can_view, and every page, API list and
feed that lists them shows exactly what they return."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from consultations import rules, selectors, services

from .conftest import STATES

pytestmark = pytest.mark.django_db


@pytest.fixture
def by_state(make_consultation, version):
    return {
        state: make_consultation(version, state=state, title=f"Consultation {state}")
        for state in STATES
    }


@pytest.fixture
def personas(participant, facilitator):
    return {"anonymous": AnonymousUser(), "participant": participant, "facilitator": facilitator}


@pytest.mark.parametrize("persona", ["anonymous", "participant", "facilitator"])
def test_visible_consultations_match_the_rule_and_the_pages(
    client, by_state, personas, policy, persona
):
    user = personas[persona]
    visible = set(selectors.visible_consultations(user))
    for state, consultation in by_state.items():
        assert (consultation in visible) == rules.can_view(user, consultation), (persona, state)
        assert (consultation in visible) == (state != "draft" or persona == "facilitator")

    if persona != "anonymous":
        client.force_login(user)
    page = client.get(reverse("consultations:list", args=[policy.slug])).content.decode()
    api = client.get("/api/v1/consultations/").json()
    listed = {row["title"] for row in api["results"]}
    for state, consultation in by_state.items():
        shown = consultation in visible
        assert (consultation.title in page) == shown, (persona, state)
        assert (consultation.title in listed) == shown, (persona, state)


def test_only_published_summaries_are_visible_and_listed(client, by_state, personas):
    summarised = by_state["summarised"]
    closed = by_state["closed"]
    services.save_summary(
        consultation=closed,
        user=personas["facilitator"],
        intro="Not yet published.",
        sections=[{"section_key": "__whole__", "outcome": "no_change", "text": "Draft."}],
    )
    for user in personas.values():
        assert [s.consultation for s in selectors.visible_summaries(user)] == [summarised]
    api = client.get("/api/v1/summaries/").json()
    assert [row["consultation"] for row in api["results"]] == [summarised.pk]
    feed = client.get("/feeds/summaries/").content.decode()
    assert summarised.title in feed and closed.title not in feed


def test_hidden_positions_and_replies_are_not_visible(consultation, keys, participant, facilitator):
    position = services.take_position(
        consultation=consultation, section_key=keys[0], user=participant, stance="oppose",
        reason="Too vague.",
    )  # fmt: skip
    reply = services.add_reply(position=position, user=facilitator, body="Which part?")
    assert list(selectors.visible_positions()) == [position]
    assert list(selectors.visible_replies()) == [reply]
    services.moderate(item=reply, user=facilitator, hide=True, reason="Off topic.")
    services.moderate(item=position, user=facilitator, hide=True, reason="Abusive.")
    assert not selectors.visible_positions().exists()
    assert not selectors.visible_replies().exists()
    assert selectors.tallies(consultation).get(keys[0]) is None
    assert selectors.contribution_count(participant) == 0
