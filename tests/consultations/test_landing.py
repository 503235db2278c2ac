"""After any post on the long consultation page the reader lands where they acted: a failed
form is re-rendered open, under an error summary ("There is a problem") whose links lead to
the fields, and its address carries the form's fragment so the browser scrolls there; a
success redirects to the item concerned (#position-12, #reply-3)."""

import re

import pytest

from consultations import services
from consultations.models import Position, Reply
from consultations.selectors import consultation_url

pytestmark = pytest.mark.django_db


def summary_of(html: str) -> str:
    """The one error summary on the page."""
    found = re.findall(r'<div class="error-summary"[^>]*>.*?</div>', html, re.S)
    assert len(found) == 1, found
    assert 'role="alert"' in found[0] and 'tabindex="-1"' in found[0]
    assert "data-error-summary" in found[0] and "There is a problem" in found[0]
    return found[0]


def form_holding(html: str, field_id: str) -> str:
    """The <form> that holds the field with this id."""
    at = html.index(f'id="{field_id}"')
    return html[html.rindex("<form", 0, at) : html.index("</form>", at)]


def test_an_oppose_without_a_reason_lands_on_its_form_with_a_summary(
    client, consultation, keys, participant
):
    url = consultation_url(consultation)
    client.force_login(participant)
    r = client.post(url, {"action": "position", "section_key": keys[1], "stance": "oppose"})
    assert r.status_code == 400 and not Position.objects.exists()
    html = r.content.decode()
    summary = summary_of(html)
    assert f'<a href="#reason-{keys[1]}">Say why you oppose' in summary
    form = form_holding(html, f"reason-{keys[1]}")
    # The form's address names its summary: the browser shows the answer scrolled there, and
    # focuses the summary (tabindex="-1") even without script.
    assert f'action="{url}#error-summary-{keys[1]}"' in form and "There is a problem" in form
    assert f'<div class="error-summary" id="error-summary-{keys[1]}"' in form
    assert f'<details class="tool position-tool" id="take-{keys[1]}" open>' in html
    assert (
        f'aria-invalid="true" aria-describedby="reason-{keys[1]}-error"' in form
        and f'id="reason-{keys[1]}-error"' in form
    )
    # What was chosen stays chosen.
    assert re.search(rf'id="stance-{keys[1]}-oppose" value="oppose"[^>]*checked', form)


def test_a_missing_stance_links_to_the_first_choice(client, consultation, keys, participant):
    client.force_login(participant)
    r = client.post(consultation_url(consultation), {"action": "position", "section_key": keys[0]})
    summary = summary_of(r.content.decode())
    assert f'href="#stance-{keys[0]}"' in summary
    assert f'id="stance-{keys[0]}" value="support"' in r.content.decode()


def test_a_refused_position_is_summarised_without_a_link(
    client, make_consultation, version, keys, participant
):
    closed = make_consultation(version, state="closed")
    client.force_login(participant)
    r = client.post(
        consultation_url(closed),
        {"action": "position", "section_key": keys[0], "stance": "support"},
    )
    assert r.status_code == 400
    summary = summary_of(r.content.decode())
    assert "read-only" in summary and "href" not in summary


def test_a_position_lands_on_itself(client, consultation, keys, participant):
    url = consultation_url(consultation)
    client.force_login(participant)
    r = client.post(
        url, {"action": "position", "section_key": keys[1], "stance": "oppose", "reason": "Vague."}
    )
    assert r["Location"] == f"{url}#position-{Position.objects.get().pk}"
    page = client.get(r["Location"]).content.decode()
    assert "Your position is recorded." in page
    assert f'id="position-{Position.objects.get().pk}"' in page


@pytest.fixture
def theirs(consultation, keys, participants):
    return services.take_position(
        consultation=consultation,
        section_key=keys[0],
        user=participants[1],
        stance="oppose",
        reason="Too vague.",
    )


def test_an_empty_reply_lands_on_its_form_and_a_reply_on_itself(
    client, consultation, participant, theirs
):
    url = consultation_url(consultation)
    client.force_login(participant)
    r = client.post(url, {"action": "reply", "position": theirs.pk, "body": ""})
    assert r.status_code == 400
    html = r.content.decode()
    suffix = f"reply-{theirs.pk}-top"
    assert f'href="#body-{suffix}"' in summary_of(html)
    assert f'action="{url}#error-summary-{suffix}"' in form_holding(html, f"body-{suffix}")
    assert f'id="error-summary-{suffix}"' in html
    assert f'id="form-{suffix}" open' in html
    r = client.post(url, {"action": "reply", "position": theirs.pk, "body": "Why?"})
    # On the section's page, where the thread is shown, with its position first.
    thread = f"{url}sections/{theirs.section_key}/positions/?position={theirs.pk}"
    assert r["Location"] == f"{thread}#reply-{Reply.objects.get().pk}"
    page = client.get(r["Location"]).content.decode()
    assert f'id="reply-{Reply.objects.get().pk}"' in page and "Your reply is posted." in page


def test_flagging_and_hiding_without_a_reason_land_on_their_forms(
    client, consultation, participant, facilitator, theirs
):
    url = consultation_url(consultation)
    client.force_login(participant)
    r = client.post(url, {"action": "flag", "kind": "position", "item": theirs.pk, "reason": ""})
    html = r.content.decode()
    summary = summary_of(html)
    assert f'<a href="#reason-flag-position-{theirs.pk}">Say briefly why' in summary
    assert f'action="{url}#error-summary-flag-position-{theirs.pk}"' in html
    assert f'id="error-summary-flag-position-{theirs.pk}"' in summary
    client.force_login(facilitator)
    data = {"action": "moderate", "kind": "position", "item": theirs.pk, "hide": "1"}
    r = client.post(url, {**data, "reason": ""})
    summary = summary_of(r.content.decode())
    assert f'<a href="#reason-moderate-position-{theirs.pk}">Moderation needs a reason' in summary
    r = client.post(url, {**data, "reason": "Off-topic."})
    thread = f"{url}sections/{theirs.section_key}/positions/?position={theirs.pk}"
    assert r["Location"] == f"{thread}#position-{theirs.pk}"


def test_private_feedback_and_a_new_consultation_summarise_their_errors(
    client, consultation, participant, facilitator, version
):
    url = consultation_url(consultation)
    client.force_login(participant)
    html = client.post(f"{url}feedback/", {"body": ""}).content.decode()
    assert 'href="#id_body"' in summary_of(html)
    assert 'aria-describedby="id_body_helptext id_body_error"' in html
    client.force_login(facilitator)
    r = client.post(f"/{version.policy.slug}/consultations/new/", {"version": 1, "title": ""})
    summary = summary_of(r.content.decode())
    assert 'href="#id_title"' in summary and 'href="#id_opens_at"' in summary
