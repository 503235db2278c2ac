"""Signing in with an account people already have, against fake providers on loopback: the
whole OAuth round trip, linking a second identity, and every way it can go wrong."""

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model

from accounts.models import HomeCommunity, WikiActivity
from communities.models import Membership
from tests.accounts.conftest import OIDC_LOGIN, WIKI_LOGIN, consent, round_trip, start
from tests.factories import UserFactory
from tests.reading import page_text

User = get_user_model()
pytestmark = pytest.mark.django_db


def signed_in_as(client) -> str | None:
    response = client.get("/accounts/profile/")
    if response.status_code != 200:
        return None
    return response.wsgi_request.user.get_username()


def test_sign_in_with_openid_connect_creates_the_account_and_its_home_community(client, oidc):
    response = round_trip(client, OIDC_LOGIN)

    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    assert signed_in_as(client) == "ines"
    user = User.objects.get(username="ines")
    # The provider vouched for the email: no verification mail, no display name kept.
    assert EmailAddress.objects.get(user=user).verified
    assert user.first_name == user.last_name == ""
    home = HomeCommunity.objects.get(user=user)
    assert home.community == oidc.community
    assert Membership.objects.filter(user=user, community=oidc.community).exists()
    text = page_text(client.get("/accounts/profile/").content.decode())
    assert "Fake ID: ines" in text and "Fern Project" in text
    assert "ines@id.example.org" not in text


def test_signing_in_again_uses_the_same_account(client, oidc):
    round_trip(client, OIDC_LOGIN)
    client.post("/accounts/logout/")
    assert signed_in_as(client) is None

    round_trip(client, OIDC_LOGIN)

    assert signed_in_as(client) == "ines"
    assert User.objects.filter(username__startswith="ines").count() == 1
    assert HomeCommunity.objects.count() == 1


def test_link_a_wiki_identity_to_a_signed_in_account(
    client, oidc, wiki, django_capture_on_commit_callbacks
):
    round_trip(client, OIDC_LOGIN)

    response = round_trip(
        client, WIKI_LOGIN, process="connect", capture=django_capture_on_commit_callbacks
    )

    assert response.status_code == 302
    user = User.objects.get(username="ines")
    assert sorted(SocialAccount.objects.filter(user=user).values_list("provider", flat=True)) == [
        "fakeid",
        "mediawiki",
    ]
    assert User.objects.count() == 1  # linked, not a second account
    assert {h.community.name for h in HomeCommunity.objects.filter(user=user)} == {
        "Fern Project",
        "Alder Wiki",
    }
    # The wiki's API was asked at once: 412 edits, registered in 2015.
    activity = WikiActivity.objects.get(account__user=user)
    assert activity.edit_count == 412 and activity.fetched_at and not activity.error
    membership = Membership.objects.get(user=user, community=wiki.community)
    assert membership.edit_count == 412
    assert str(membership.registered_on) == "2015-03-04"
    text = page_text(client.get("/accounts/profile/").content.decode())
    assert "MediaWiki: Ines Wiki" in text
    assert "412 edits" in text
    assert "Fetched from the wiki on" in text


def test_a_wiki_account_without_email_signs_in_without_being_asked_for_one(
    client, wiki, django_capture_on_commit_callbacks
):
    response = round_trip(client, WIKI_LOGIN, capture=django_capture_on_commit_callbacks)

    assert response.status_code == 302 and "signup" not in response["Location"]
    user = SocialAccount.objects.get(provider="mediawiki").user
    assert user.email == ""
    assert signed_in_as(client) == user.get_username()
    assert HomeCommunity.objects.get(user=user).community == wiki.community


def test_denied_consent_creates_nothing(client, oidc):
    response = round_trip(client, OIDC_LOGIN, decision="deny")

    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "You did not allow Accord to use your account" in page_text(page.content.decode())
    assert not User.objects.exists() and not SocialAccount.objects.exists()
    assert signed_in_as(client) is None


def test_a_callback_whose_state_does_not_match_is_refused(client, oidc):
    callback = consent(start(client, OIDC_LOGIN))
    forged = callback.replace("state=", "state=forged")

    response = client.get(forged)

    assert response.status_code == 401
    assert "does not match a sign-in started here" in page_text(response.content.decode())
    assert not User.objects.exists() and not SocialAccount.objects.exists()


def test_a_callback_from_another_browser_is_refused(client, oidc):
    callback = consent(start(client, OIDC_LOGIN))
    stranger = client.__class__()

    response = stranger.get(callback)

    assert response.status_code == 401
    assert "does not match a sign-in started here" in page_text(response.content.decode())
    assert not User.objects.exists()


def test_a_provider_error_gives_a_clear_message_and_no_account(client, oidc):
    oidc.token_error = "server_error"

    response = round_trip(client, OIDC_LOGIN)

    assert response.status_code == 401
    text = page_text(response.content.decode())
    assert "Fake ID could not be reached or did not confirm who you are" in text
    assert "No account or linked identity was created or changed" in text
    assert not User.objects.exists() and not SocialAccount.objects.exists()


def test_an_email_used_by_another_account_is_not_taken_over(client, oidc):
    owner = UserFactory(username="someone", email="ines@id.example.org")
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)

    response = round_trip(client, OIDC_LOGIN)

    assert response.status_code == 409
    text = page_text(response.content.decode())
    assert "already used by another Accord account, so no new account was created" in text
    assert "ines@id.example.org" not in text
    assert list(User.objects.values_list("username", flat=True)) == ["someone"]
    assert not SocialAccount.objects.exists()
    assert signed_in_as(client) is None


def test_a_wiki_identity_linked_elsewhere_cannot_be_linked_again(
    client, oidc, wiki, django_capture_on_commit_callbacks
):
    round_trip(client, WIKI_LOGIN, capture=django_capture_on_commit_callbacks)
    wiki_user = SocialAccount.objects.get(provider="mediawiki").user
    client.post("/accounts/logout/")
    round_trip(client, OIDC_LOGIN)

    response = round_trip(client, WIKI_LOGIN, process="connect")

    assert SocialAccount.objects.get(provider="mediawiki").user == wiki_user
    messages = page_text(client.get(response["Location"]).content.decode())
    assert "already connected to a different account" in messages


def test_the_sign_in_page_offers_the_providers_and_allows_their_forms(client, oidc):
    response = client.get("/accounts/login/")

    text = page_text(response.content.decode())
    assert "Sign in with Fake ID" in text
    assert oidc.url in response["Content-Security-Policy"]
    assert 'id="id_username"' in response.content.decode()


def test_local_sign_up_needs_a_verified_email(client, mailoutbox):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "lena",
            "email": "lena@example.org",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
    )

    assert response.status_code == 302
    assert len(mailoutbox) == 1 and "lena@example.org" in mailoutbox[0].to
    assert signed_in_as(client) is None  # not until the email is confirmed
    response = client.post(
        "/accounts/login/", {"login": "lena", "password": "a-long-passphrase-42"}
    )
    assert signed_in_as(client) is None


def test_reserved_usernames_cannot_be_registered(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "former-participant-1",
            "email": "x@example.org",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
    )

    assert response.status_code == 200
    assert "are reserved" in page_text(response.content.decode())
    assert not User.objects.filter(username="former-participant-1").exists()


def test_an_account_made_by_a_facilitator_signs_in_without_a_verification_detour(client):
    UserFactory(username="kim", email="kim@example.org")

    response = client.post("/accounts/login/", {"login": "kim", "password": "pw-for-tests-only"})

    assert response.status_code == 302 and "confirm-email" not in response["Location"]
    assert signed_in_as(client) == "kim"
    assert EmailAddress.objects.get(email="kim@example.org").verified


def test_sign_in_by_email_address_works_too(client):
    UserFactory(username="kim", email="kim@example.org")
    client.post("/accounts/login/", {"login": "kim@example.org", "password": "pw-for-tests-only"})
    assert signed_in_as(client) == "kim"


def test_a_wrong_password_says_so_next_to_the_form(client):
    UserFactory(username="kim")
    response = client.post("/accounts/login/", {"login": "kim", "password": "nope"})
    assert response.status_code == 200
    assert "not correct" in page_text(response.content.decode())
    assert signed_in_as(client) is None
