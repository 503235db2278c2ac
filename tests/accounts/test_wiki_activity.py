"""Activity from the home wiki: the MediaWiki API client against a fake wiki, and vote
eligibility computed from what it fetched."""

import datetime as dt

import pytest
from allauth.socialaccount.models import SocialAccount
from django.utils import timezone

from accounts import mediawiki, services
from accounts.models import WikiActivity
from communities.models import Membership
from tests.accounts.conftest import OIDC_LOGIN, WIKI_LOGIN, round_trip
from tests.factories import UserFactory
from tests.ratification.conftest import make_vote
from tests.reading import page_text

pytestmark = pytest.mark.django_db

JAN_1 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_the_client_reads_edit_count_registration_and_blocks(wiki):
    found = mediawiki.fetch_user(wiki.api_url, "Ines Wiki")
    assert found.edit_count == 412
    assert found.registered_at == dt.datetime(2015, 3, 4, 10, tzinfo=dt.UTC)
    assert not found.blocked
    assert mediawiki.fetch_user(wiki.api_url, "Vandal").blocked


def test_answers_are_cached(wiki):
    before = wiki.api_calls
    mediawiki.fetch_user(wiki.api_url, "Ines Wiki")
    mediawiki.fetch_user(wiki.api_url, "Ines Wiki")
    assert wiki.api_calls == before + 1
    mediawiki.fetch_user(wiki.api_url, "Ines Wiki", use_cache=False)
    assert wiki.api_calls == before + 2


def test_an_unknown_user_is_named_in_the_error(wiki):
    with pytest.raises(mediawiki.WikiError, match="The wiki has no user named Nobody"):
        mediawiki.fetch_user(wiki.api_url, "Nobody")


def test_a_slow_wiki_times_out_with_a_clear_message(wiki, settings):
    settings.ACCORD_MEDIAWIKI_TIMEOUT = 0.2
    wiki.api_delay = 1.0
    with pytest.raises(mediawiki.WikiError, match="did not answer in time"):
        mediawiki.fetch_user(wiki.api_url, "Ines Wiki")


def test_an_unreachable_wiki_gives_a_clear_message():
    with pytest.raises(mediawiki.WikiError, match="could not be reached"):
        mediawiki.fetch_user("http://127.0.0.1:9/w/api.php", "Ines Wiki")


@pytest.fixture
def linked(client, oidc, wiki, django_capture_on_commit_callbacks):
    """ines: signed in with the fake OpenID Connect provider, wiki identity linked."""
    round_trip(client, OIDC_LOGIN)
    round_trip(client, WIKI_LOGIN, process="connect", capture=django_capture_on_commit_callbacks)
    return SocialAccount.objects.get(provider="mediawiki")


def wiki_vote(version, facilitator, wiki, **rules):
    return make_vote(
        version,
        facilitator,
        eligible_communities=(wiki.community.pk,),
        min_community_edits=300,
        registered_before=JAN_1,
        **rules,
    )


@pytest.fixture
def version(editor):
    from tests.factories import make_policy

    return make_policy(editor=editor).versions.get()


def test_eligible_from_edits_fetched_from_the_wiki(client, linked, wiki, version, facilitator):
    # The Accord account is brand new; the wiki account is from 2015 with 412 edits.
    vote = wiki_vote(version, facilitator, wiki)

    page = client.get(f"/votes/{vote.pk}/eligibility/")

    text = page_text(page.content.decode())
    assert "Yes, you may vote." in text
    assert "Your account in Alder Wiki was registered on 4 March 2015" in text
    assert "is 412; at least 300 are needed" in text
    assert "127.0.0.1 API, fetched" in text  # where the figure comes from, and when
    assert "Fetched from the wiki's API on" in text


def test_too_few_edits_on_the_wiki_is_the_rule_that_fails(
    client, linked, wiki, version, facilitator
):
    linked.extra_data["username"] = "Newbie"
    linked.save()
    services.refresh_wiki_activity(account=linked)
    vote = wiki_vote(version, facilitator, wiki)

    text = page_text(client.get(f"/votes/{vote.pk}/eligibility/").content.decode())

    assert "No, you may not vote." in text
    assert "is 12; at least 300 are needed" in text
    assert "must have been created before 1 January 2026, here or in an eligible" in text


def test_a_block_on_the_wiki_makes_one_ineligible(client, linked, wiki, version, facilitator):
    linked.extra_data["username"] = "Vandal"
    linked.save()
    services.refresh_wiki_activity(account=linked)
    vote = wiki_vote(version, facilitator, wiki)

    text = page_text(client.get(f"/votes/{vote.pk}/eligibility/").content.decode())

    assert "No, you may not vote." in text
    assert "You are blocked in Alder Wiki" in text


def test_a_failed_refresh_keeps_the_figures_and_says_why(
    client, linked, wiki, version, facilitator, settings
):
    settings.ACCORD_MEDIAWIKI_TIMEOUT = 0.2
    wiki.api_delay = 1.0
    vote = wiki_vote(version, facilitator, wiki)

    response = client.post(
        f"/accounts/profile/identities/{linked.pk}/refresh/",
        {"next": f"/votes/{vote.pk}/eligibility/"},
        follow=True,
    )

    assert response.status_code == 200
    text = page_text(response.content.decode())
    assert "Your wiki activity could not be refreshed: The wiki did not answer in time" in text
    assert "Could not refresh from the wiki" in text
    assert "The figures above are the last ones fetched." in text
    assert "Yes, you may vote." in text  # the last good figures still count
    activity = WikiActivity.objects.get(account=linked)
    assert activity.edit_count == 412 and activity.error


def test_an_unknown_wiki_user_is_reported_on_the_profile(client, linked, wiki):
    linked.extra_data["username"] = "Ghost"
    linked.save()

    response = client.post(f"/accounts/profile/identities/{linked.pk}/refresh/", follow=True)

    assert "The wiki has no user named Ghost" in page_text(response.content.decode())


def test_someone_elses_identity_cannot_be_refreshed(client, linked):
    other = UserFactory(username="mallory")
    client.force_login(other)
    response = client.post(f"/accounts/profile/identities/{linked.pk}/refresh/")
    assert response.status_code == 404


def test_home_community_is_shown_next_to_names_on_positions_and_ballots(
    client, linked, wiki, version, facilitator
):
    from consultations import services as consultation_services
    from consultations.selectors import consultation_url
    from ratification import services as vote_services

    user = linked.user
    consultation = consultation_services.create_consultation(
        version=version,
        user=facilitator,
        title="Round one",
        open_now=True,
        closes_at=timezone.now() + dt.timedelta(days=28),
    )
    key = version.sections.first().key
    consultation_services.take_position(
        consultation=consultation, section_key=key, user=user, stance="support", reason="Yes."
    )
    vote = wiki_vote(version, facilitator, wiki)
    vote_services.cast_ballot(vote=vote, user=user, option="yes")
    assert Membership.objects.get(user=user, community=wiki.community).edit_count == 412

    position_text = page_text(client.get(consultation_url(consultation)).content.decode())
    voters_text = page_text(client.get(f"/votes/{vote.pk}/voters/").content.decode())

    assert "ines (Fern Project)" in position_text
    assert "ines (Fern Project)" in voters_text
