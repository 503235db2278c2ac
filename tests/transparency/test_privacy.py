"""Nothing private enters the log: no hidden text, no private feedback, no email address, no
ballot choice linked to a voter."""

import pytest

from .conftest import EMAIL, HIDDEN_TEXT, PRIVATE_FEEDBACK, REPORT_CONTACT

pytestmark = pytest.mark.django_db


def test_export_and_page_hold_no_private_text(client, site):
    export = b"".join(client.get("/log.jsonl").streaming_content).decode()
    page = client.get("/log/").content.decode()
    assert "moderation.hide" in export and "Off topic." in export  # that, who and why
    for text in (export, page):
        assert HIDDEN_TEXT not in text
        assert PRIVATE_FEEDBACK not in text
        assert EMAIL not in text and REPORT_CONTACT not in text
    assert "@" not in export


def test_ballots_leave_no_voter_and_no_choice_in_the_log(client, site):
    from tests.ratification.conftest import cast_many, close, make_vote

    vote = make_vote(site["version"], site["facilitator"], secret=True)
    voters = cast_many(vote, ["yes", "no", "yes"], prefix="secretvoter")
    close(vote)
    export = b"".join(client.get("/log.jsonl").streaming_content).decode()
    assert "ratification.opened" in export and "ratification.closed" in export
    for voter in voters:
        assert voter.get_username() not in export
