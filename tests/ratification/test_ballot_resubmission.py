"""One ballot form casts one ballot: reloading the confirmation, a double click or twenty
parallel posts of the same form never replace the ballot whose receipt was just shown
(attack probe, issue 21 item 6; the reload is also in the journeys issue)."""

import re

import pytest

from ratification import services
from ratification.models import Ballot, Choice

from .conftest import page_text

pytestmark = pytest.mark.django_db


def _form_fields(html: str) -> dict:
    """The ballot form's hidden fields as the page rendered them."""
    form = html[html.index('action="/votes/') :]
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))


@pytest.fixture
def shown_form(client, open_vote, voters):
    client.force_login(voters[0])
    fields = _form_fields(client.get(f"/votes/{open_vote.pk}/").content.decode())
    fields.pop("csrfmiddlewaretoken", None)
    return {**fields, "option": "yes"}


def test_reloading_the_confirmation_shows_no_receipt_and_casts_nothing(
    client, open_vote, voters, shown_form
):
    response = client.post(f"/votes/{open_vote.pk}/ballot/", shown_form, follow=True)
    receipt = re.search(r'<code id="receipt">([^<]+)</code>', response.content.decode()).group(1)
    assert response["Cache-Control"] == "no-store"
    again = client.get(f"/votes/{open_vote.pk}/ballot/recorded/")
    text = page_text(again)
    assert "Your ballot" in text and "is recorded" in text
    assert receipt not in again.content.decode() and "cannot be shown again" in text
    ballot = Ballot.objects.get(vote=open_vote, voter=voters[0])
    assert ballot.times_changed == 0
    assert services.check_receipt(vote=open_vote, receipt=receipt).status == "counted"


def test_the_same_form_posted_twice_is_refused_the_second_time(
    client, open_vote, voters, shown_form
):
    first = client.post(f"/votes/{open_vote.pk}/ballot/", shown_form, follow=True)
    receipt = re.search(r'<code id="receipt">([^<]+)</code>', first.content.decode()).group(1)
    second = client.post(f"/votes/{open_vote.pk}/ballot/", {**shown_form, "option": "no"})
    assert second.status_code == 409
    assert "already submitted, so it was not cast again" in page_text(second)
    assert Ballot.objects.get(vote=open_vote, voter=voters[0]).times_changed == 0
    assert services.check_receipt(vote=open_vote, receipt=receipt).status == "counted"
    assert services.choice_option(Choice.objects.get(vote=open_vote)) == "yes"
    # The page that refused it offers a fresh form, with which the ballot can be changed.
    fresh = _form_fields(second.content.decode())
    assert fresh["based_on"] == "0"
    changed = client.post(f"/votes/{open_vote.pk}/ballot/", {**fresh, "option": "no"}, follow=True)
    assert "this replaces your earlier ballot" in page_text(changed)
    assert Ballot.objects.get(vote=open_vote, voter=voters[0]).times_changed == 1


def test_a_ballot_form_from_before_a_change_cannot_undo_it(open_vote, voters):
    services.cast_ballot(vote=open_vote, user=voters[0], option="yes", based_on=-1)
    services.cast_ballot(vote=open_vote, user=voters[0], option="no", based_on=0)
    with pytest.raises(services.BallotAlreadyCast):
        services.cast_ballot(vote=open_vote, user=voters[0], option="yes", based_on=0)
    assert services.choice_option(Choice.objects.get(vote=open_vote)) == "no"
