"""Casting a ballot is the one hot path of a vote (issue 20): its POST and the confirmation it
redirects to stay within a fixed number of queries, write no session, and the receipt reaches
the confirmation in a sealed cookie that shows it once, to that voter, for that ballot only."""

import re

import pytest
from django.contrib.sessions.models import Session

from ratification import receipt_handover, services

from .test_ballot_resubmission import _form_fields

pytestmark = pytest.mark.django_db

RECEIPT = re.compile(r'<code id="receipt">([^<]+)</code>')


def _form(client, vote) -> dict:
    fields = _form_fields(client.get(f"/votes/{vote.pk}/").content.decode())
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def test_a_first_ballot_and_a_change_of_mind_stay_within_their_queries(
    client, open_vote, voters, django_assert_max_num_queries
):
    client.force_login(voters[0])
    session = Session.objects.get().session_data
    post, page = f"/votes/{open_vote.pk}/ballot/", f"/votes/{open_vote.pk}/ballot/recorded/"
    form = _form(client, open_vote)
    # The vote, the session, the user, their memberships; the ballot and its choice inserted
    # in one transaction.
    with django_assert_max_num_queries(8):
        cast = client.post(post, {**form, "option": "yes"})
    assert cast.status_code == 302 and cast["Location"] == page
    # The session, the user, the ballot with its vote.
    with django_assert_max_num_queries(3):
        shown = client.get(page)
    first = RECEIPT.search(shown.content.decode()).group(1)
    assert services.check_receipt(vote=open_vote, receipt=first).status == "counted"

    form = _form(client, open_vote)
    assert form["based_on"] == "0"
    # ... and the ballot locked, the old receipt retired, the choice and the ballot updated.
    with django_assert_max_num_queries(11):
        changed = client.post(post, {**form, "option": "no"})
    assert changed.status_code == 302
    with django_assert_max_num_queries(3):
        shown = client.get(page)
    second = RECEIPT.search(shown.content.decode()).group(1)
    assert "this replaces your earlier ballot" in shown.content.decode()
    assert services.check_receipt(vote=open_vote, receipt=first).status == "replaced"
    assert services.check_receipt(vote=open_vote, receipt=second).status == "counted"
    # Nothing about the ballot went through the session.
    assert Session.objects.get().session_data == session


def test_the_receipt_is_shown_once_to_its_voter_and_never_kept_readable(client, open_vote, voters):
    client.force_login(voters[0])
    cast = client.post(
        f"/votes/{open_vote.pk}/ballot/", {**_form(client, open_vote), "option": "yes"}
    )
    name = receipt_handover.cookie_name(open_vote.pk)
    sealed = cast.cookies[name]
    assert sealed["httponly"] and sealed["path"] == f"/votes/{open_vote.pk}/ballot/recorded/"
    assert 0 < int(sealed["max-age"]) <= 300
    page = f"/votes/{open_vote.pk}/ballot/recorded/"
    # Another voter holding the cookie (copied, or a shared computer) sees no receipt.
    services.cast_ballot(vote=open_vote, user=voters[1], option="no")
    client.force_login(voters[1])
    client.cookies[name] = sealed.value
    assert not RECEIPT.search(client.get(page).content.decode())
    # Its voter sees it once: the page deletes the cookie, a reload says it was shown.
    client.force_login(voters[0])
    client.cookies[name] = sealed.value
    shown = client.get(page)
    receipt = RECEIPT.search(shown.content.decode()).group(1)
    assert "You voted <strong>Yes</strong>" in shown.content.decode()
    assert shown.cookies[name].value == "" and shown["Cache-Control"] == "no-store"
    assert receipt not in sealed.value and "yes" not in sealed.value
    again = client.get(page).content.decode()
    assert receipt not in again and "cannot be shown again" in again
    # A tampered cookie shows nothing either.
    client.cookies[name] = sealed.value[:-4] + "AAAA"
    assert not RECEIPT.search(client.get(page).content.decode())
