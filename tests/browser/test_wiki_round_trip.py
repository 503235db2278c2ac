"""The wiki round trip in a browser: a delegate with a linked wiki account publishes the
community's effective text to a page of the fake wiki, someone edits that page on the wiki,
the drift check runs, the community page shows the difference with its word diff, and the
delegate acknowledges it. Screenshots at 1280 and 390 px go to /tmp/shots19/."""

import re
from pathlib import Path

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.core.management import call_command
from playwright.sync_api import expect

from communities import services
from communities.models import Adoption, Community, WikiPublication
from tests.factories import EditorFactory, UserFactory, make_policy
from tests.fake_wiki import FakeWiki

from .sessions import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = Path("/tmp/shots19")
PAGE = "Project:Code of conduct"


@pytest.fixture
def wiki(settings):
    settings.ACCORD_MEDIAWIKI_TIMEOUT = 5
    settings.ACCORD_MEDIAWIKI_RETRIES = 0
    fake = FakeWiki.serve()
    yield fake
    fake.stop()


def _shots(page, name):
    SHOTS.mkdir(exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
        assert not overflow, f"{name} scrolls sideways at {width} px"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_publish_drift_and_acknowledge(live_server, browser, wiki):
    editor = EditorFactory(username="edna")
    dana = UserFactory(username="dana")
    policy = make_policy(editor=editor, slug="baseline", n_sections=3)
    community = Community.objects.create(
        name="Alder Wiki", slug="alder-wiki", kind="wiki", url="https://alder.example.org/"
    )
    community.delegates.add(dana)
    services.declare_adoption(
        community=community,
        policy=policy,
        user=dana,
        status="adopted",
        parameters={"[CONTACT METHOD]": "conduct@alder.example.org"},
        wiki_api_url=wiki.api_url,  # no page yet: the delegate chooses it when publishing
    )
    # Dana signed in with the wiki once: allauth kept the access token.
    app = SocialApp.objects.create(provider="mediawiki", name="Wiki", client_id="a", secret="s")
    account = SocialAccount.objects.create(
        user=dana, provider="mediawiki", uid="42", extra_data={"username": "Dana"}
    )
    SocialToken.objects.create(app=app, account=account, token="dana-token")  # noqa: S106
    wiki.bearers["dana-token"] = "Dana"

    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_username").fill("dana")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out dana")).to_be_visible()

    # Publish the effective text to a new page of the wiki.
    page.goto(f"{base}/communities/alder-wiki/")
    page.get_by_role("link", name="Publish to the wiki").click()
    expect(page.get_by_text("You will edit as Dana, through")).to_be_visible()
    page.get_by_label("Wiki page title").fill(PAGE)
    page.get_by_role("button", name="Look up the page").click()
    expect(page.get_by_text("does not exist on the wiki yet")).to_be_visible()
    _shots(page, "publish-form")
    page.get_by_role("button", name="Publish to the wiki").click()
    expect(
        page.get_by_text(re.compile(r"Published to “Project:Code of conduct” on the wiki"))
    ).to_be_visible()
    publication = WikiPublication.objects.get()
    assert wiki.pages[PAGE]["revisions"][-1]["user"] == "Dana"
    assert 'id="accord-version"' in wiki.content(PAGE)
    assert Adoption.objects.get().wiki_agreed_revision == publication.revision_id

    # Someone changes the contact address on the wiki; the drift check notices.
    edited = wiki.content(PAGE).replace("conduct@alder.example.org", "abuse@alder.example.org")
    revision = wiki.set_page(PAGE, edited, user="Mallory")
    call_command("check_wiki_copies", verbosity=0)

    page.goto(f"{base}/communities/alder-wiki/")
    drift = page.locator("#wiki-copy-baseline")
    expect(drift).to_contain_text(f"The wiki's copy differs since revision {revision}")
    expect(drift).to_contain_text("Mallory")
    expect(drift.locator(".diff-text ins").first).to_contain_text("abuse")
    expect(drift.locator(".diff-text del").first).to_contain_text("conduct")
    _shots(page, "community-drift")
    page.goto(f"{base}/adoption/")
    expect(page.get_by_role("note")).to_contain_text("The wiki's copy of 1 community differs")
    expect(page.locator("table").last).to_contain_text(
        f"Wiki copy differs since revision {revision}"
    )
    _shots(page, "dashboard-drift")
    page.goto(f"{base}/communities/alder-wiki/")

    # The delegate acknowledges it: the change was agreed locally.
    drift.get_by_label("How was the change agreed?").fill(
        "Agreed on the village pump: reports go to the abuse address."
    )
    drift.get_by_role("button", name=f"Acknowledge revision {revision}").click()
    expect(page.get_by_text(f"The wiki's revision {revision} is acknowledged")).to_be_visible()
    expect(page.locator("#wiki-copy-baseline")).not_to_contain_text("differs since")
    _shots(page, "community-acknowledged")

    call_command("check_wiki_copies", verbosity=0)
    page.goto(f"{base}/communities/alder-wiki/")
    expect(page.locator("#wiki-copy-baseline")).to_contain_text("acknowledged as agreed")
