"""Opening and cancelling a vote ask first, on a page that says what will happen; only the
post that page sends does it. Who may ask is who may act (tests/ratification/test_rules.py)."""

import pytest

from ratification.models import Vote
from tests.factories import UserFactory
from tests.reading import page_text

from .conftest import make_vote

pytestmark = pytest.mark.django_db


def test_the_vote_page_links_to_the_questions_instead_of_posting(client, version, facilitator):
    draft = make_vote(version, facilitator, open_it=False)
    client.force_login(facilitator)
    page = client.get(f"/votes/{draft.pk}/").content.decode()
    assert f'href="/votes/{draft.pk}/open/"' in page and f'href="/votes/{draft.pk}/cancel/"' in page
    assert f'action="/votes/{draft.pk}/open/"' not in page
    assert f'action="/votes/{draft.pk}/cancel/"' not in page


def test_opening_asks_with_the_terms_then_opens(client, version, facilitator):
    draft = make_vote(version, facilitator, open_it=False)
    client.force_login(facilitator)
    asked = client.get(f"/votes/{draft.pk}/open/")
    text = page_text(asked)
    assert asked.status_code == 200
    assert "frozen for good" in text and "This cannot be undone" in text
    assert "Who will be told" in text and draft.content_hash in text  # the terms, shown
    assert f'href="/votes/{draft.pk}/"' in asked.content.decode()  # the way back
    draft.refresh_from_db()
    assert draft.state == Vote.State.DRAFT and draft.frozen_at is None

    done = client.post(f"/votes/{draft.pk}/open/")
    assert done.status_code == 302 and done["Location"] == f"/votes/{draft.pk}/"
    draft.refresh_from_db()
    assert draft.state == Vote.State.OPEN and draft.frozen_at is not None
    # Asked again once open: nothing to confirm, the vote page says why.
    again = client.get(f"/votes/{draft.pk}/open/", follow=True)
    assert "already been opened" in page_text(again)


def test_cancelling_asks_for_a_public_reason_then_cancels(client, version, facilitator):
    vote = make_vote(version, facilitator)
    client.force_login(facilitator)
    asked = client.get(f"/votes/{vote.pk}/cancel/")
    text = page_text(asked)
    assert asked.status_code == 200
    assert "never counted or shown" in text and "cannot be reopened" in text
    assert 'name="reason"' in asked.content.decode()
    vote.refresh_from_db()
    assert vote.state == Vote.State.OPEN

    refused = client.post(f"/votes/{vote.pk}/cancel/", {"reason": ""})
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "There is a problem" in html and 'href="#id_reason"' in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="id_reason_error"' in html
    vote.refresh_from_db()
    assert vote.state == Vote.State.OPEN

    done = client.post(f"/votes/{vote.pk}/cancel/", {"reason": "Wrong text."})
    assert done.status_code == 302
    vote.refresh_from_db()
    assert vote.state == Vote.State.CANCELLED and vote.cancel_reason == "Wrong text."


def test_a_ballot_without_a_choice_lands_on_the_ballot_form(client, version, facilitator):
    vote = make_vote(version, facilitator)
    client.force_login(UserFactory(username="vera"))
    r = client.post(f"/votes/{vote.pk}/ballot/", {})
    html = r.content.decode()
    assert r.status_code == 400
    summary = html.split('<div class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'role="alert"' in summary and 'href="#id_option_0"' in summary
    assert f'action="/votes/{vote.pk}/ballot/#error-summary" id="ballot-form"' in html
    assert (
        'id="error-summary"' in summary or '<div class="error-summary" id="error-summary"' in html
    )
    assert html.count('role="alert"') == 1  # the summary, not the same words twice
