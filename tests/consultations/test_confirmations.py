"""Closing, opening and publishing a summary ask first, on a page that says what will happen and
who is told; only the post from that page does it. Asking is allowed to exactly those who may
act (consultations.rules.can_manage, and can_write_summary for the summary)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail

from consultations import services
from consultations.models import WHOLE_TEXT, Consultation, Summary

from .conftest import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def roles(participant, facilitator, superuser):
    return {
        "anonymous": AnonymousUser(),
        "participant": participant,
        "facilitator": facilitator,
        "admin": superuser,
    }


def _as(client, user):
    client.logout()
    if user.is_authenticated:
        client.force_login(user)
    return client


# role → (what GET state/ answers, what POST state/ answers), for an open consultation.
CLOSE_TABLE = {
    "anonymous": (403, 403),
    "participant": (403, 403),
    "facilitator": (200, 302),
    "admin": (200, 302),
}


@pytest.mark.parametrize("role", list(CLOSE_TABLE))
def test_closing_asks_first_and_only_managers_may_ask_or_close(
    role, roles, client, make_consultation, version
):
    consultation = make_consultation(version)
    url = f"/{version.policy.slug}/consultations/{consultation.pk}/"
    _as(client, roles[role])
    asked = client.get(f"{url}state/")
    consultation.refresh_from_db()
    assert (asked.status_code, consultation.state) == (CLOSE_TABLE[role][0], "open")
    if asked.status_code == 200:
        text = page_text(asked)
        assert "Close “Consultation on the code”?" in text
        assert "Nobody can take or change a position" in text
        assert "Who will be told" in text and "No one is emailed" in text
        assert "You can reopen it" in text
        html = asked.content.decode()
        assert 'name="to" value="closed"' in html and f'href="{url}"' in html
    done = client.post(f"{url}state/", {"to": "closed", "note": "Four weeks are up."})
    consultation.refresh_from_db()
    assert done.status_code == CLOSE_TABLE[role][1]
    assert consultation.state == ("closed" if done.status_code == 302 else "open")
    if done.status_code == 302:
        assert consultation.state_note == "Four weeks are up."
        assert "The consultation is closed." in page_text(client.get(done["Location"]))


def test_the_facilitator_tools_link_to_the_question(
    client, facilitator, make_consultation, version
):
    for state, label in (
        ("open", "Close the consultation…"),
        ("draft", "Open the consultation…"),
        ("closed", "Reopen the consultation…"),
    ):
        consultation = make_consultation(version, state=state)
        url = f"/{version.policy.slug}/consultations/{consultation.pk}/"
        page = _as(client, facilitator).get(url).content.decode()
        assert f'<a class="button-link" href="{url}state/">{label}</a>' in page
        assert f'action="{url}state/"' not in page


def test_opening_a_draft_asks_then_opens(client, facilitator, make_consultation, version):
    consultation = make_consultation(version, state="draft")
    url = f"/{version.policy.slug}/consultations/{consultation.pk}/"
    asked = _as(client, facilitator).get(f"{url}state/")
    assert "Open “Consultation on the code”?" in page_text(asked)
    assert 'name="to" value="open"' in asked.content.decode()
    consultation.refresh_from_db()
    assert consultation.state == "draft"
    client.post(f"{url}state/", {"to": "open"})
    consultation.refresh_from_db()
    assert consultation.state == "open"


def test_a_summarised_consultation_has_nothing_to_ask(
    client, facilitator, make_consultation, version
):
    consultation = make_consultation(version, state="summarised")
    url = f"/{version.policy.slug}/consultations/{consultation.pk}/"
    r = _as(client, facilitator).get(f"{url}state/", follow=True)
    assert "A summarised consultation stays closed." in page_text(r)


def _write_summary(consultation, facilitator):
    services.save_summary(
        consultation=consultation,
        user=facilitator,
        intro="What we heard.",
        sections=[{"section_key": WHOLE_TEXT, "outcome": "no_change", "text": "Thanks."}],
    )


PUBLISH_TABLE = {"anonymous": 403, "participant": 403, "facilitator": 200, "admin": 200}


@pytest.mark.parametrize("role", list(PUBLISH_TABLE))
def test_publishing_the_summary_asks_first_and_only_managers_may_ask(
    role, roles, client, facilitator, make_consultation, version, participant
):
    consultation = make_consultation(version)
    services.take_position(
        consultation=consultation,
        section_key=WHOLE_TEXT,
        user=participant,
        stance="support",
        reason="",
    )
    services.close_consultation(consultation=consultation, user=facilitator, note="")
    _write_summary(consultation, facilitator)
    url = f"/{version.policy.slug}/consultations/{consultation.pk}/summary/publish/"
    _as(client, roles[role])
    asked = client.get(url)
    assert asked.status_code == PUBLISH_TABLE[role]
    assert not Summary.objects.get().is_published and mail.outbox == []
    if asked.status_code == 200:
        text = page_text(asked)
        assert "Publish the summary of “Consultation on the code”?" in text
        assert "Everyone who took a position or replied is emailed" in text
        assert "This cannot be undone" in text
    done = client.post(url)
    consultation.refresh_from_db()
    if PUBLISH_TABLE[role] == 200:
        assert done.status_code == 302 and done["Location"].endswith("/summary/")
        assert consultation.state == Consultation.State.SUMMARISED
        assert Summary.objects.get().is_published
    else:
        assert done.status_code == 403
        assert consultation.state == Consultation.State.CLOSED
        assert not Summary.objects.get().is_published


def test_save_and_publish_saves_then_asks(client, facilitator, make_consultation, version, keys):
    consultation = make_consultation(version, state="closed")
    base = f"/{version.policy.slug}/consultations/{consultation.pk}/"
    form = {"intro": "We heard you.", "publish": "1"}
    for key in [*keys, WHOLE_TEXT]:
        form[f"s-{key}-section_key"] = key
        form[f"s-{key}-outcome"] = "no_change" if key == WHOLE_TEXT else ""
        form[f"s-{key}-text"] = "Thanks." if key == WHOLE_TEXT else ""
    r = _as(client, facilitator).post(f"{base}summary/edit/", form)
    assert r.status_code == 302 and r["Location"] == f"{base}summary/publish/"
    assert Summary.objects.get().intro == "We heard you."
    assert not Summary.objects.get().is_published
    # The draft summary page offers the same question.
    assert f'href="{base}summary/publish/"' in client.get(f"{base}summary/").content.decode()
