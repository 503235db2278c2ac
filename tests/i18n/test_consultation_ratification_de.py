"""Consultations and ratification speak German to a German browser: the pages, the amendment
view, the eligibility answer, and the errors people get back when the services refuse them.
An English browser sees exactly the English it saw before."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from amendments import services as amendment_services
from consultations import services as consultation_services
from consultations.selectors import consultation_url
from ratification import eligibility
from ratification import services as ratification_services
from ratification.models import Ballot
from tests.factories import UserFactory, make_policy
from tests.reading import page_text

pytestmark = pytest.mark.django_db

DE = {"HTTP_ACCEPT_LANGUAGE": "de"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def policy(editor):
    return make_policy(editor=editor, slug="baseline", title="Baseline Code", n_sections=2)


@pytest.fixture
def version(policy):
    return policy.versions.get()


@pytest.fixture
def consultation(version, facilitator):
    return consultation_services.create_consultation(
        version=version,
        user=facilitator,
        title="Consultation on the code",
        closes_at=timezone.now() + dt.timedelta(days=28),
        open_now=True,
    )


@pytest.fixture
def key(version):
    return version.sections.first().key


def make_vote(version, facilitator, **overrides):
    now = timezone.now()
    config = ratification_services.VoteSettings(
        question="Do you ratify the Baseline Code?",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
        **overrides,
    )
    vote = ratification_services.create_vote(version=version, user=facilitator, config=config)
    return ratification_services.open_vote(vote=vote, user=facilitator)


def get(client, url, headers):
    response = client.get(url, **headers)
    assert response.status_code == 200
    return page_text(response)


# --- consultations ------------------------------------------------------------------------------


def test_the_consultation_page_in_german_keeps_the_policy_text(
    client, consultation, participant, key
):
    consultation_services.take_position(
        consultation=consultation,
        section_key=key,
        user=participant,
        stance="support",
        strength="strong",
        reason="Clear enough.",
    )
    client.force_login(participant)
    page = get(client, consultation_url(consultation), DE)
    for german in (
        "Alle Stellungnahmen",
        "Abschnitte sortieren",
        "Starke Zustimmung",  # the signature, inflected rather than lower-cased
        "Zustimmung: 1 (100%)",  # the tally
        "Antworten: 0",
        "Ihre Stellungnahme ändern (derzeit: Zustimmung)",
        "Offen",  # the consultation's state
    ):
        assert german in page, german
    # What people wrote and the policy's own headings are never translated.
    assert "Clear enough." in page
    assert "Section 1" in page
    assert "All positions" not in page and "Strong support" not in page


def test_a_changed_stance_is_named_in_german(client, consultation, participant, key):
    for stance, reason in (("support", ""), ("oppose", "Too vague.")):
        consultation_services.take_position(
            consultation=consultation,
            section_key=key,
            user=participant,
            stance=stance,
            reason=reason,
        )
    # The change note is on the section's own page (the first view shows a digest).
    section_page = f"{consultation_url(consultation)}sections/{key}/positions/"
    assert "Geändert von Zustimmung zu Ablehnung am" in get(client, section_page, DE)
    assert "Changed from Support to Oppose on" in get(client, section_page, EN)


def test_an_amendment_in_german(client, consultation, participant, key):
    amendment = amendment_services.propose_amendment(
        consultation=consultation,
        user=participant,
        section_key=key,
        kind="replace",
        text="A better wording of the first section.",
        rationale="Shorter.",
    )
    url = f"{consultation_url(consultation)}?section={amendment.key}"
    page = get(client, url, DE)
    assert f"Änderungsantrag #{amendment.pk} zu „Section 1“, vorgeschlagen von pat am" in page
    assert "Vorgeschlagen" in page
    assert "Änderungen gegenüber dem konsultierten Text:" in page
    assert "Begründung Shorter." in page
    english = get(client, url, EN)
    assert f"Amendment #{amendment.pk} to “Section 1”, proposed by pat on" in english
    assert "Changes against the consulted text:" in english


def test_an_invalid_position_is_refused_in_german(client, consultation, participant, key):
    client.force_login(participant)
    data = {"action": "position", "section_key": key, "stance": "oppose", "reason": ""}
    response = client.post(consultation_url(consultation), data, **DE)
    assert response.status_code == 400
    assert (
        "Begründen Sie Ihre Ablehnung, damit die Verfasser*innen darauf eingehen können."
        in page_text(response)
    )
    english = client.post(consultation_url(consultation), data, **EN)
    assert "Say why you oppose, so the drafters can act on it." in page_text(english)


def test_a_service_refusal_is_worded_in_the_active_language(consultation, participant, key):
    with translation.override("de"), pytest.raises(ValidationError) as refused:
        consultation_services.take_position(
            consultation=consultation, section_key=key, user=participant, stance="maybe"
        )
    assert refused.value.message_dict["stance"] == [
        "Wählen Sie Zustimmung, Ablehnung oder Neutral."
    ]
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        consultation_services.take_position(
            consultation=consultation, section_key=key, user=participant, stance="maybe"
        )
    assert refused.value.message_dict["stance"] == ["Choose Support, Oppose or Neutral."]


def test_a_success_message_is_german(client, consultation, participant, key):
    client.force_login(participant)
    data = {"action": "position", "section_key": key, "stance": "neutral", "reason": ""}
    response = client.post(consultation_url(consultation), data, follow=True, **DE)
    assert "Ihre Stellungnahme ist gespeichert." in page_text(response)


# --- ratification -------------------------------------------------------------------------------


def test_the_vote_page_in_german(client, version, facilitator, participant):
    vote = make_vote(version, facilitator)
    client.force_login(participant)
    page = get(client, f"/votes/{vote.pk}/", DE)
    for german in (
        "Ihr Stimmzettel",
        "Meinen Stimmzettel abgeben",
        "Die Stimmabgabe ist offen bis",
        "0 Stimmzettel abgegeben",
        "Schwelle",
        "Yes (dafür) · No (dagegen) · Abstain (Enthaltung)",  # option names are the vote's own
        "Bin ich stimmberechtigt?",
    ):
        assert german in page, german
    assert vote.question in page  # the question is content, not interface

    response = client.post(f"/votes/{vote.pk}/ballot/", {"option": "yes"}, follow=True, **DE)
    assert response.status_code == 200
    assert "Sie haben bei „Do you ratify the Baseline Code?“ mit Yes gestimmt." in page_text(
        response
    )


def test_the_eligibility_answer_and_the_refused_ballot_in_german(
    client, version, facilitator, participant
):
    vote = make_vote(version, facilitator, min_contributions=1)
    client.force_login(participant)
    answer = get(client, f"/votes/{vote.pk}/eligibility/", DE)
    assert "Nein, Sie dürfen nicht abstimmen." in answer
    assert "Beiträge ✗ nicht erfüllt" in answer
    detail = "Sie haben hier 0 Stellungnahmen und Antworten verfasst; mindestens 1 sind nötig."
    assert detail in answer

    response = client.post(f"/votes/{vote.pk}/ballot/", {"option": "yes"}, **DE)
    assert response.status_code == 403
    assert f"Sie sind nicht stimmberechtigt. {detail}" in page_text(response)
    assert not Ballot.objects.filter(vote=vote).exists()

    english = get(client, f"/votes/{vote.pk}/eligibility/", EN)
    assert "No, you may not vote." in english and "Contributions ✗ not met" in english


def test_eligibility_rules_are_explained_in_the_active_language(version, facilitator):
    vote = make_vote(version, facilitator, min_contributions=2)
    voter = UserFactory(username="viv")
    with translation.override("de"):
        result = eligibility.check(vote, voter)
    assert [(c.rule, c.passed) for c in result.checks] == [
        ("Beiträge", False),
        ("Nicht gesperrt", True),
    ]
    assert result.checks[1].detail == "Sie sind in keiner Community gesperrt."
    with translation.override("en"):
        result = eligibility.check(vote, voter)
    assert result.checks[0].detail == (
        "You have 0 positions and replies here; at least 2 are needed."
    )


def test_the_ratification_status_page_in_german(client, policy, version, facilitator):
    ratification_services.record_board_decision(
        version=version,
        user=facilitator,
        body="Board of Trustees",
        decided_on=dt.date(2026, 11, 20),
        outcome="ratified",
    )
    url = f"{policy.url}ratification/{version.number}/"
    page = get(client, url, DE)
    assert f"Ratifizierung von Version {version.number}" in page
    assert "Weg über den Vorstand" in page and "Weg über die Communitys" in page
    assert "Ratifiziert durch Board of Trustees am 20. November 2026" in page
    assert "Noch keine Abstimmung über diese Version." in page
    # The public log stays one record in one language, whoever reads it.
    assert "Recorded: Board of Trustees ratified" in page

    english = get(client, url, EN)
    assert "Ratified by Board of Trustees on 20 November 2026" in english
    assert "Board track" in english and "Ratifizierung" not in english


def test_a_frozen_vote_refuses_changes_in_german(version, facilitator):
    vote = make_vote(version, facilitator)
    config = ratification_services.VoteSettings(
        question="Another question?", opens_at=vote.opens_at, closes_at=vote.closes_at
    )
    with translation.override("de"), pytest.raises(ValidationError) as refused:
        ratification_services.update_vote(vote=vote, user=facilitator, config=config)
    assert refused.value.messages[0].startswith("Diese Abstimmung ist eröffnet;")


def test_no_english_word_is_left_on_the_german_vote_page(client, version, facilitator):
    """A rough guard: the interface words of the English page do not reappear in German."""
    vote = make_vote(version, facilitator)
    page = get(client, f"/votes/{vote.pk}/", DE)
    for english in ("Your ballot", "Threshold", "Public log", "Recent log entries"):
        assert not re.search(rf"\b{english}\b", page), english


def test_a_new_vote_offers_option_names_in_the_facilitators_language(client, policy, facilitator):
    client.force_login(facilitator)
    url = f"{policy.url}ratification/votes/new/"
    german = client.get(url, **DE).content.decode()
    assert "Ja = for\nNein = against\nEnthaltung = abstain" in german
    assert 'value="Ratifizieren Sie Baseline Code, Version 1?"' in german
    english = client.get(url, **EN).content.decode()
    assert "Yes = for\nNo = against\nAbstain = abstain" in english
    assert 'value="Do you ratify Baseline Code, version 1?"' in english


def test_exports_stay_english_data_whatever_the_readers_language(client, consultation, participant):
    consultation_services.take_position(
        consultation=consultation, section_key="__whole__", user=participant, stance="neutral"
    )
    for headers in (DE, EN):
        body = client.get(f"{consultation_url(consultation)}export.json", **headers)
        assert body.status_code == 200
        assert "The whole text" in body.content.decode()
        assert "Der gesamte Text" not in body.content.decode()
