"""Signing in with an account from elsewhere, in a real browser: the OpenID Connect round trip
through a fake provider's consent page, then linking a wiki account; the profile shows both
identities with their home communities and the activity fetched from the wiki."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.accounts.conftest import oidc, oidc_server, wiki, wiki_server  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_sign_in_with_openid_connect_then_link_a_wiki_account(live_server, page, oidc, wiki, shot):  # noqa: F811
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.get_by_role("button", name="Sign in with Fake ID").click()
    # The provider's own consent page.
    expect(page.get_by_role("heading", name="Fake ID")).to_be_visible()
    page.get_by_role("button", name="Allow").click()
    expect(page.get_by_role("button", name="Sign out ines")).to_be_visible()

    page.goto(f"{base}/accounts/profile/")
    identities = page.locator("table.log")
    expect(identities).to_contain_text("Fake ID: ines")
    expect(identities).to_contain_text("Fern Project")

    page.get_by_role("button", name="Link a MediaWiki account").click()
    expect(page.get_by_role("heading", name="Fake Wiki")).to_be_visible()
    page.get_by_role("button", name="Allow").click()

    expect(page).to_have_url(f"{base}/accounts/profile/")
    expect(identities).to_contain_text("MediaWiki: Ines Wiki")
    expect(identities).to_contain_text("Alder Wiki")
    expect(identities).to_contain_text("412 edits")
    expect(page.locator("body")).not_to_contain_text("ines@id.example.org")
    shot("signin-profile-two-identities")
    assert serious_violations(page) == []
    page.goto(f"{base}/accounts/login/")
    assert serious_violations(page) == []


def serious_violations(page) -> list[str]:
    found = Axe().run(page).response["violations"]
    return [v["id"] for v in found if v["impact"] in ("serious", "critical")]


def test_declining_consent_leaves_you_signed_out(live_server, page, oidc):  # noqa: F811
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("button", name="Sign in with Fake ID").click()
    page.get_by_role("button", name="Deny").click()

    expect(page.get_by_role("heading", name="Sign-in cancelled")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
