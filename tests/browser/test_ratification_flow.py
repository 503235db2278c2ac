"""A facilitator sets up a vote with a threshold and a quorum and opens it (its terms freeze);
two people vote and one changes their mind; the vote closes; the results show the outcome and
the hash of the text voted on, and a receipt checks out."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from ratification.models import AuditEntry, Ballot, Choice, Vote
from tests.browser.sessions import signed_in
from tests.factories import EditorFactory, UserFactory, make_policy

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def cast(page, base, vote_id, option, button):
    page.goto(f"{base}/votes/{vote_id}/")
    page.get_by_role("radio", name=option, exact=True).check()
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("heading", name="Your ballot is recorded")).to_be_visible()
    return page.locator("#receipt").inner_text()


def test_vote_from_set_up_to_results(live_server, browser, shot):
    editor = EditorFactory(username="edna")
    fran = UserFactory(username="fran")
    fran.groups.add(Group.objects.get(name="Facilitators"))
    UserFactory(username="vic")
    UserFactory(username="wes")
    policy = make_policy(editor=editor, slug="baseline", n_versions=2)
    version = policy.versions.order_by("-number").first()
    base = live_server.url
    now = timezone.now().replace(second=0, microsecond=0)

    # The facilitator sets the goalposts, then opens the vote.
    page = signed_in(browser, base, "fran")
    page.goto(f"{base}/baseline/ratification/")
    page.get_by_role("link", name="Set up a vote").click()
    page.get_by_label("Question").fill("Do you ratify version 2?")
    page.get_by_label("Opens (UTC)").fill(
        (now - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("Closes (UTC)").fill((now + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Threshold numerator").fill("2")
    page.get_by_label("Threshold denominator").fill("3")
    page.get_by_label("Quorum: minimum ballots (abstentions count)").fill("2")
    page.get_by_role("button", name="Create the draft").click()
    expect(page.get_by_text("Draft vote created.")).to_be_visible()
    vote = Vote.objects.get()
    page.get_by_role("link", name="Open the vote…").click()
    expect(page.get_by_text("This cannot be undone")).to_be_visible()
    page.get_by_role("button", name="Open the vote and freeze its terms").click()
    expect(page.get_by_text("The vote is open and its settings are frozen.")).to_be_visible()
    expect(page.get_by_text("These terms were fixed on")).to_be_visible()
    expect(page.get_by_role("link", name="Edit the draft")).to_have_count(0)
    page.goto(f"{base}/votes/{vote.pk}/edit/")
    expect(page.get_by_text("This vote has opened; its settings are frozen.")).to_be_visible()
    shot("ratification-1-opened", page)
    page.context.close()

    # Two voters; wes changes his mind.
    vic = signed_in(browser, base, "vic")
    vic_receipt = cast(vic, base, vote.pk, "Yes", "Cast my ballot")
    wes = signed_in(browser, base, "wes")
    old_receipt = cast(wes, base, vote.pk, "No", "Cast my ballot")
    wes.goto(f"{base}/votes/{vote.pk}/")
    expect(wes.get_by_text("You may change it until voting closes")).to_be_visible()
    new_receipt = cast(wes, base, vote.pk, "Yes", "Change my ballot")
    shot("ratification-2-receipt", wes)
    assert Ballot.objects.filter(vote=vote).count() == 2
    assert Choice.objects.filter(vote=vote, voter__isnull=True).count() == 2

    # Results stay hidden until the vote closes.
    response = vic.goto(f"{base}/votes/{vote.pk}/results/")
    assert response.status == 403
    expect(vic.get_by_text("Results are hidden from everyone")).to_be_visible()

    # The clock passes the closing time.
    Vote.objects.filter(pk=vote.pk).update(
        opens_at=now - dt.timedelta(days=8), closes_at=timezone.now() - dt.timedelta(seconds=1)
    )
    vic.goto(f"{base}/votes/{vote.pk}/results/")
    expect(vic.get_by_text("Outcome: passed.")).to_be_visible()
    expect(vic.get_by_role("row", name="Yes for 2 100%")).to_be_visible()
    expect(vic.get_by_text(version.content_hash)).to_be_visible()
    shot("ratification-3-results", vic)

    # Receipts: the current ones count, the replaced one says so.
    wes.goto(f"{base}/votes/{vote.pk}/receipt/")
    wes.get_by_label("Your receipt").fill(new_receipt)
    wes.get_by_role("button", name="Check").click()
    expect(wes.get_by_text("This ballot is counted.")).to_be_visible()
    wes.get_by_label("Your receipt").fill(old_receipt)
    wes.get_by_role("button", name="Check").click()
    expect(wes.get_by_text("later changed")).to_be_visible()
    vic.goto(f"{base}/votes/{vote.pk}/receipt/")
    vic.get_by_label("Your receipt").fill(vic_receipt)
    vic.get_by_role("button", name="Check").click()
    expect(vic.get_by_text("It counts for: Yes.")).to_be_visible()

    actions = set(AuditEntry.objects.filter(vote=vote).values_list("action", flat=True))
    assert {"created", "opened", "closed"} <= actions
    vic.context.close()
    wes.context.close()
