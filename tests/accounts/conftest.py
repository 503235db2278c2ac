"""Fake providers on loopback, configured the way an administrator would (SocialApp rows and
IdentitySource mappings), and helpers that walk the OAuth round trip with the test client."""

from urllib.parse import urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.mediawiki.views import MediaWikiOAuth2Adapter

from accounts.models import IdentitySource
from communities.models import Community
from tests.accounts.fakes import CLIENT_SECRET, FakeMediaWiki, FakeOIDC

OIDC_ID = "fakeid"
OIDC_LOGIN = f"/accounts/oidc/{OIDC_ID}/login/"
WIKI_LOGIN = "/accounts/mediawiki/login/"


@pytest.fixture(scope="session")
def oidc_server():
    server = FakeOIDC(
        user={
            "sub": "oidc-1001",
            "preferred_username": "ines",
            "email": "ines@id.example.org",
            "email_verified": True,
            "name": "Inés Example",
        }
    )
    yield server
    server.stop()


@pytest.fixture(scope="session")
def wiki_server():
    server = FakeMediaWiki(
        user={"sub": 4242, "username": "Ines Wiki", "confirmed_email": False, "realname": ""}
    )
    server.wiki_users = {
        "Ines Wiki": {"editcount": 412, "registration": "2015-03-04T10:00:00Z"},
        "Newbie": {"editcount": 12, "registration": "2026-02-01T10:00:00Z"},
        "Vandal": {"editcount": 900, "registration": "2012-01-01T00:00:00Z", "blocked": True},
    }
    yield server
    server.stop()


@pytest.fixture
def oidc(db, oidc_server):
    oidc_server.token_error = ""
    oidc_server.user = {
        "sub": "oidc-1001",
        "preferred_username": "ines",
        "email": "ines@id.example.org",
        "email_verified": True,
    }
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id=OIDC_ID,
        name="Fake ID",
        client_id=oidc_server.client_id,
        secret=CLIENT_SECRET,
        settings={"server_url": oidc_server.url, "oauth_pkce_enabled": True},
    )
    community = Community.objects.create(
        name="Fern Project", slug="fern", kind=Community.Kind.PROJECT
    )
    IdentitySource.objects.create(provider=OIDC_ID, community=community)
    oidc_server.community = community
    return oidc_server


@pytest.fixture
def wiki(db, wiki_server, monkeypatch):
    wiki_server.token_error = ""
    wiki_server.api_delay = 0.0
    wiki_server.user = {"sub": 4242, "username": "Ines Wiki", "confirmed_email": False}
    # allauth reads the MediaWiki endpoints from settings when it is imported; point them here.
    rest = wiki_server.rest_api
    monkeypatch.setattr(MediaWikiOAuth2Adapter, "REST_API", rest)
    monkeypatch.setattr(MediaWikiOAuth2Adapter, "access_token_url", f"{rest}/oauth2/access_token")
    monkeypatch.setattr(MediaWikiOAuth2Adapter, "authorize_url", f"{rest}/oauth2/authorize")
    monkeypatch.setattr(MediaWikiOAuth2Adapter, "profile_url", f"{rest}/oauth2/resource/profile")
    SocialApp.objects.create(
        provider="mediawiki",
        name="Fake Wiki",
        client_id=wiki_server.client_id,
        secret=CLIENT_SECRET,
    )
    community = Community.objects.create(
        name="Alder Wiki", slug="alder", kind=Community.Kind.WIKI, url=f"{wiki_server.url}/"
    )
    IdentitySource.objects.create(
        provider="mediawiki", community=community, api_url=wiki_server.api_url
    )
    wiki_server.community = community
    return wiki_server


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def start(client, login_url, *, process="login", next_url="/accounts/profile/"):
    """Press "Sign in with …": returns the provider's authorize URL Accord redirected to."""
    response = client.post(login_url, {"process": process, "next": next_url})
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def consent(authorize_url, decision="allow") -> str:
    """Answer the provider's consent page; returns Accord's callback URL (path and query)."""
    answer = requests.get(f"{authorize_url}&decision={decision}", allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    return local(answer.headers["Location"])


def round_trip(client, login_url, *, decision="allow", process="login", capture=None):
    """The whole sign-in: Accord → provider consent → Accord's callback. Returns the
    callback's response. `capture` (django_capture_on_commit_callbacks) runs the work queued
    for after the request's transaction, as a real request would."""
    callback = consent(start(client, login_url, process=process), decision)
    if capture is None:
        return client.get(callback)
    with capture(execute=True):
        return client.get(callback)
