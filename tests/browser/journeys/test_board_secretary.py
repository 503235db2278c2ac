"""The board secretary's journey (JOURNEYS.md): records the board's decision on a version (date,
outcome, minutes link) and reads the ratification page, where the board track and the community
track stand side by side."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from ratification.models import BoardRatification
from tests.factories import EditorFactory, FacilitatorFactory, UserFactory, VoteFactory, make_policy

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_board_secretary_journey(journey):
    bea = UserFactory(username="bea")
    bea.groups.add(Group.objects.get(name="Board secretaries"))
    policy = make_policy(editor=EditorFactory(), slug="baseline", n_versions=2)
    version = policy.versions.get(number=2)
    VoteFactory(by=FacilitatorFactory(), version=version, question="Do you ratify version 2?")
    base = journey.base

    page = journey.page("bea")
    page.goto(f"{base}{policy.url}ratification/")
    expect(page.get_by_role("heading", name="Ratification of version 2")).to_be_visible()
    expect(page.get_by_text("No board decision recorded for this version.")).to_be_visible()
    journey.shot(page, "ratification-before")

    page.get_by_role("link", name="Record the board's decision").click()
    expect(page.get_by_label("Governing body")).to_have_value("Board of Trustees")
    page.get_by_label("Date of the decision").fill("2026-11-20")
    page.get_by_label("Outcome").select_option("ratified")
    page.get_by_label("Minutes (web address)").fill("https://board.example.org/minutes/2026-11")
    page.get_by_label("Note").fill("Unanimous, one abstention.")
    journey.shot(page, "board-form")
    with journey.posting(page, count=BoardRatification.objects.count):
        page.get_by_role("button", name="Record").click()
        expect(page.get_by_text("Recorded.")).to_be_visible()
    board = page.get_by_role("region", name="Board track")
    community = page.get_by_role("region", name="Community track")
    expect(board).to_contain_text("Ratified")
    expect(board).to_contain_text("by Board of Trustees on")
    expect(board).to_contain_text("recorded by bea")
    expect(board.get_by_role("link", name="minutes")).to_have_attribute(
        "href", "https://board.example.org/minutes/2026-11"
    )
    expect(community.get_by_role("link", name="Do you ratify version 2?")).to_be_visible()
    expect(community).to_contain_text("Voting until")
    # Side by side on a wide screen, one above the other on a phone.
    board_box, community_box = board.bounding_box(), community.bounding_box()
    if journey.width >= 1000:
        assert abs(board_box["y"] - community_box["y"]) < 5
    else:
        assert community_box["y"] >= board_box["y"] + board_box["height"] - 1
    journey.shot(page, "ratification-both-tracks")
    record = BoardRatification.objects.get()
    assert (record.outcome, str(record.decided_on)) == ("ratified", "2026-11-20")
