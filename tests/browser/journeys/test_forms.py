"""The POST forms no journey walks, each checked like the journeys' forms: once its result is
shown, reloading, going back and going forward post nothing again (post/redirect/get). Flagging,
private feedback, proposing and deciding an amendment, cancelling a vote, switching the
language, signing out and in, changing the password and deleting the account. At one width:
these are checks of the server's answers, not of the layout."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from amendments.models import Amendment
from consultations.models import Flag, PrivateFeedback
from consultations.selectors import consultation_url
from ratification.models import Vote
from tests.factories import (
    ConsultationFactory,
    EditorFactory,
    FacilitatorFactory,
    PositionFactory,
    UserFactory,
    VoteFactory,
    make_policy,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def width():
    return 1280


def test_every_other_form_submits_once(journey):
    fran = FacilitatorFactory(username="fran")
    UserFactory(username="kim")
    policy = make_policy(editor=EditorFactory(), slug="baseline", n_sections=2)
    version = policy.versions.get()
    first = version.sections.order_by("position").first()
    consultation = ConsultationFactory(by=fran, version=version)
    lee_says = PositionFactory(
        consultation=consultation,
        section_key=first.key,
        user=UserFactory(username="lee"),
        stance="oppose",
        reason="Spam spam spam.",
    )
    vote = VoteFactory(by=fran, version=version, question="Ratify version 1?")
    url = journey.base + consultation_url(consultation)
    users = get_user_model().objects

    kim_page = journey.page("kim")
    # Flag a position for review.
    kim_page.goto(f"{url}sections/{first.key}/positions/")
    post = kim_page.locator(f"#position-{lee_says.pk}")
    post.get_by_text("Flag for review").click()
    post.get_by_label("Why should a facilitator look at this?").fill("Looks like spam.")
    with journey.posting(kim_page, count=Flag.objects.count):
        post.get_by_role("button", name="Flag").click()
        expect(kim_page.get_by_text(re.compile("flag", re.I)).first).to_be_visible()

    # Private feedback.
    kim_page.goto(url + "feedback/")
    kim_page.get_by_label("Your private feedback").fill("I did not dare say this in public.")
    with journey.posting(kim_page, count=PrivateFeedback.objects.count):
        kim_page.get_by_role("button", name="Send privately").click()
        expect(kim_page.get_by_role("status").first).to_be_visible()
    journey.shot(kim_page, "feedback-sent")

    # Propose an amendment (from the section's own page, or the consultation page).
    kim_page.goto(f"{url}sections/{first.key}/positions/")
    proposing = re.compile("Propose (an amendment|a change)")
    kim_page.get_by_text(proposing).first.click()
    wording = kim_page.get_by_label("Your wording")
    wording.fill(first.body.replace("word0", "kindness", 1))
    kim_page.get_by_label("Why this is better").fill("Say what we mean.")
    with journey.posting(kim_page, count=Amendment.objects.count):
        kim_page.get_by_role("button", name="Propose the amendment").click()
        expect(kim_page.get_by_text("Your amendment is proposed")).to_be_visible()
    amendment_url = kim_page.url

    # Change the password, switch the language, sign out.
    kim_page.goto(f"{journey.base}/accounts/password/change/")
    kim_page.get_by_label("Current Password").fill("pw-for-tests-only")
    kim_page.get_by_label("New Password", exact=True).fill("a-new-long-passphrase-42")
    kim_page.get_by_label("New Password (again)").fill("a-new-long-passphrase-42")
    with journey.posting(kim_page, count=lambda: users.get(username="kim").password):
        kim_page.get_by_role("button", name="Change Password").click()
        expect(kim_page.get_by_role("status").first).to_be_visible()

    kim_page.goto(journey.base + policy.url)
    # The language is kept in a cookie: count the switches by the page's language.
    kim_page.locator("#language-switcher-select").select_option("de")
    with journey.posting(kim_page, count=lambda: kim_page.locator("html").get_attribute("lang")):
        kim_page.get_by_role("button", name=re.compile("Change language")).click()
        expect(kim_page.locator("html")).to_have_attribute("lang", "de")
    kim_page.context.clear_cookies()

    # Signing in and out as lee: a new session each time.
    lee_page = journey.page()
    lee_page.goto(f"{journey.base}/accounts/login/")
    lee_page.locator("#id_username").fill("lee")
    lee_page.locator("#id_password").fill("pw-for-tests-only")
    signed_in = users.get(username="lee").last_login
    with journey.posting(lee_page, count=lambda: users.get(username="lee").last_login):
        lee_page.get_by_role("button", name="Sign in").click()
        expect(lee_page.get_by_role("button", name="Sign out lee")).to_be_attached()
    assert users.get(username="lee").last_login != signed_in

    def session():
        return [c["value"] for c in lee_page.context.cookies() if c["name"] == "sessionid"]

    with journey.posting(lee_page, count=session):
        lee_page.get_by_role("button", name="Sign out lee").dispatch_event("click")
        expect(lee_page.get_by_role("link", name="Sign in").first).to_be_attached()

    # The facilitator decides the amendment and cancels the vote (after its confirmation).
    fran_page = journey.page("fran")
    fran_page.goto(amendment_url)
    fran_page.get_by_text("Decide on this amendment").click()
    fran_page.get_by_role("radio", name="Accept", exact=True).check()
    fran_page.get_by_label("Public reason").last.fill("Clearer.")
    decided = Amendment.objects.filter(state="accepted").count
    with journey.posting(fran_page, count=decided):
        fran_page.get_by_role("button", name="Record the decision").click()
        expect(fran_page.get_by_text("Accepted by fran").first).to_be_visible()

    fran_page.goto(f"{journey.base}/votes/{vote.pk}/")
    fran_page.get_by_role("link", name="Cancel the vote…").click()
    fran_page.get_by_label("Public reason for cancelling").fill("Wrong version.")
    with journey.posting(fran_page, count=Vote.objects.filter(state="cancelled").count):
        fran_page.get_by_role("button", name="Cancel the vote").click()
        expect(fran_page.get_by_text("The vote is cancelled.")).to_be_visible()

    # Deleting an account.
    gone = journey.page("lee")
    gone.goto(f"{journey.base}/accounts/delete/")
    gone.get_by_label("Type your username to confirm").fill("lee")
    with journey.posting(gone, count=lambda: users.filter(username="lee").count()):
        gone.get_by_role("button", name="Delete my account").click()
        expect(gone.get_by_text("Your account was deleted.")).to_be_visible()
