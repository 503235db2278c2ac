"""The voter's journey (JOURNEYS.md), after a facilitator has set the vote up and opened it
(its terms freeze): asks "am I eligible?" (yes, or the rule that failed); reads the question,
the text's hash, the threshold and the quorum; votes, gets a receipt, changes their mind once;
after close reads the outcome and checks with the receipt that the ballot counted."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from communities.models import Community
from ratification.models import AuditEntry, Ballot, Choice, RetiredReceipt, Vote
from tests.factories import (
    EditorFactory,
    FacilitatorFactory,
    MembershipFactory,
    UserFactory,
    make_policy,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _ballots():
    return Ballot.objects.count(), RetiredReceipt.objects.count()


def _cast(journey, page, vote_id, option, button):
    """Cast a ballot; the receipt is shown once, and reloading its page casts nothing again."""
    page.goto(f"{journey.base}/votes/{vote_id}/")
    page.get_by_role("radio", name=option, exact=True).check()
    with journey.posting(page, count=_ballots):
        page.get_by_role("button", name=button).click()
        expect(page.get_by_role("heading", name="Your ballot is recorded")).to_be_visible()
        receipt = page.locator("#receipt").inner_text()
    return receipt


def test_voter_journey(journey):
    facilitator = FacilitatorFactory(username="fran")
    voters = [UserFactory(username="vic"), UserFactory(username="wes")]
    UserFactory(username="newbie")
    alder = Community.objects.create(name="Alder Wiki", slug="alder-wiki", kind="wiki")
    policy = make_policy(editor=EditorFactory(), slug="baseline", n_versions=2)
    version = policy.versions.get(number=2)
    base = journey.base
    now = timezone.now().replace(second=0, microsecond=0)

    # The facilitator sets the goalposts (members of Alder Wiki only), then opens the vote.
    fran = journey.page("fran")
    fran.goto(f"{base}/baseline/ratification/")
    fran.get_by_role("link", name="Set up a vote").click()
    fran.get_by_label("Question").fill("Do you ratify version 2?")
    fran.get_by_label("Opens (UTC)").fill(f"{now - dt.timedelta(minutes=5):%Y-%m-%dT%H:%M}")
    fran.get_by_label("Closes (UTC)").fill(f"{now + dt.timedelta(days=7):%Y-%m-%dT%H:%M}")
    fran.get_by_label("Threshold numerator").fill("2")
    fran.get_by_label("Threshold denominator").fill("3")
    fran.get_by_label("Quorum: minimum ballots (abstentions count)").fill("2")
    fran.get_by_label("Alder Wiki").check()
    with journey.posting(fran, count=Vote.objects.count):
        fran.get_by_role("button", name="Create the draft").click()
        expect(fran.get_by_text("Draft vote created.")).to_be_visible()
    vote = Vote.objects.get()
    fran.get_by_role("link", name="Open the vote…").click()
    expect(fran.get_by_text("This cannot be undone")).to_be_visible()
    with journey.posting(fran, count=Vote.objects.filter(state="open").count):
        fran.get_by_role("button", name="Open the vote and freeze its terms").click()
        expect(fran.get_by_text("The vote is open and its settings are frozen.")).to_be_visible()
    for voter in voters:
        MembershipFactory(by=facilitator, community=alder, user=voter)

    # 1. Am I eligible? A member is; someone outside the community is told the rule that failed.
    outsider = journey.page("newbie")
    outsider.goto(f"{base}/votes/{vote.pk}/eligibility/")
    expect(outsider.get_by_text("No, you may not vote.")).to_be_visible()
    expect(outsider.get_by_role("cell", name=re.compile("not met")).first).to_be_visible()
    journey.shot(outsider, "not-eligible")
    vic = journey.page("vic")
    vic.goto(f"{base}/votes/{vote.pk}/eligibility/")
    expect(vic.get_by_text("Yes, you may vote.")).to_be_visible()
    expect(vic.get_by_text("You may vote as a member of: Alder Wiki.")).to_be_visible()
    journey.shot(vic, "eligible")

    # 2. The question, the text's hash, the threshold and the quorum, fixed before opening.
    vic.goto(f"{base}/votes/{vote.pk}/")
    expect(vic.get_by_role("heading", name="Do you ratify version 2?")).to_be_visible()
    expect(vic.get_by_text("These terms were fixed on")).to_be_visible()
    expect(vic.get_by_text(version.content_hash).first).to_be_visible()
    expect(vic.get_by_text(re.compile(r"2\s*/\s*3|two thirds", re.I)).first).to_be_visible()
    expect(vic.get_by_text("at least 2 counted ballots")).to_be_visible()
    journey.shot(vic, "vote-terms")

    # 3. Votes, gets a receipt; wes votes, then changes his mind once.
    vic_receipt = _cast(journey, vic, vote.pk, "Yes", "Cast my ballot")
    journey.shot(vic, "receipt")
    wes = journey.page("wes")
    old_receipt = _cast(journey, wes, vote.pk, "No", "Cast my ballot")
    wes.goto(f"{base}/votes/{vote.pk}/")
    expect(wes.get_by_text("You may change it until voting closes")).to_be_visible()
    new_receipt = _cast(journey, wes, vote.pk, "Yes", "Change my ballot")
    journey.shot(wes, "changed-receipt")
    assert Ballot.objects.filter(vote=vote).count() == 2
    assert Choice.objects.filter(vote=vote, voter__isnull=True).count() == 2
    response = vic.goto(f"{base}/votes/{vote.pk}/results/")
    assert response.status == 403
    expect(vic.get_by_text("Results are hidden from everyone")).to_be_visible()

    # 4. The clock passes the closing time: the outcome, and each receipt checked.
    Vote.objects.filter(pk=vote.pk).update(
        opens_at=now - dt.timedelta(days=8), closes_at=timezone.now() - dt.timedelta(seconds=1)
    )
    vic.goto(f"{base}/votes/{vote.pk}/results/")
    expect(vic.get_by_text("Outcome: passed.")).to_be_visible()
    expect(vic.get_by_role("row", name="Yes for 2 100%")).to_be_visible()
    expect(vic.get_by_text(version.content_hash).first).to_be_visible()
    # Two ballots from Alder Wiki are too few to show its breakdown without revealing them.
    expect(vic.get_by_role("row", name=re.compile("Alder Wiki .*Yes"))).to_have_count(0)
    journey.shot(vic, "results")
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
    journey.shot(vic, "receipt-checked")
    actions = set(AuditEntry.objects.filter(vote=vote).values_list("action", flat=True))
    assert {"created", "opened", "closed"} <= actions
