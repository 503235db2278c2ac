"""Reading pages are rendered once and served again from core.page_cache until the public state
changes; nothing stale, nothing of another reader."""

import re

import pytest

from policies import services
from tests.factories import UserFactory, make_policy
from transparency import services as transparency

pytestmark = pytest.mark.django_db

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[A-Za-z0-9]+"')
PAGES = ["", "versions/1/", "compare/1/2/", "compare/1/2/?view=side"]


@pytest.fixture
def page(editor):
    return make_policy(editor=editor, slug="kept", title="Kept", n_sections=4, n_versions=2)


def _without_tokens(content: bytes) -> bytes:
    return TOKEN.sub(b"TOKEN", content)


@pytest.mark.parametrize("url", PAGES)
def test_the_second_anonymous_request_is_served_from_the_cache(
    client, page, url, django_assert_max_num_queries
):
    first = client.get(page.url + url)
    with django_assert_max_num_queries(1):
        second = client.get(page.url + url)
    assert second.status_code == 200
    assert _without_tokens(first.content) == _without_tokens(second.content)
    assert first["ETag"] == second["ETag"] and second["ETag"].startswith('W/"')
    assert "private" in second["Cache-Control"] and "no-cache" in second["Cache-Control"]
    assert "Cookie" in second["Vary"] and "Accept-Language" in second["Vary"]


def test_the_token_served_from_the_cache_is_the_readers_own(client, page):
    client.get(page.url)
    response = client.get(page.url)
    token = TOKEN.search(response.content).group()
    assert b"\x00" not in response.content and len(token) > 40
    assert client.cookies["csrftoken"].value  # the token belongs to this reader's cookie


@pytest.mark.parametrize("url", PAGES)
def test_if_none_match_gives_304_without_rendering(
    client, page, url, django_assert_max_num_queries
):
    etag = client.get(page.url + url)["ETag"]
    with django_assert_max_num_queries(1):
        response = client.get(page.url + url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response.content == b""
    assert response["ETag"] == etag
    # The first render answers a revalidation too.
    client2 = type(client)()
    assert client2.get(page.url + url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_publishing_a_new_version_changes_every_page(client, editor, page):
    before = {url: client.get(page.url + url) for url in PAGES}
    v2 = page.versions.get(number=2)
    secs = [(s.key, s.heading, s.body + " Newly added.") for s in v2.sections.all()]
    services.publish_policy(page=page, user=editor, summary="Third", sections=secs)
    current = client.get(page.url)
    assert b"Newly added." in current.content and b"Version 3" in current.content
    old = client.get(page.url + "versions/1/")
    assert b"the current version is 3" in old.content
    for url, response in before.items():
        assert client.get(page.url + url)["ETag"] != response["ETag"], url


def test_a_new_log_entry_moves_the_footer_and_the_etag(client, page):
    first = client.get(page.url)
    entry = transparency.append("test.event", "test:1", {"n": 1})
    second = client.get(page.url)
    assert second["ETag"] != first["ETag"]
    assert f'data-seq="{entry.seq}"'.encode() in second.content
    assert f'data-hash="{entry.hash}"'.encode() in second.content


def test_each_language_has_its_own_page(client, page):
    english = client.get(page.url)
    german = client.get(page.url, HTTP_ACCEPT_LANGUAGE="de")
    assert english["ETag"] != german["ETag"]
    assert b'<html lang="de"' in german.content and b'<html lang="en"' in english.content
    assert b'<html lang="de"' in client.get(page.url, HTTP_ACCEPT_LANGUAGE="de").content
    assert b'<html lang="en"' in client.get(page.url).content


def test_signed_in_and_anonymous_readers_never_get_each_others_page(client, page):
    anonymous = client.get(page.url)
    alice = UserFactory(username="alice-reader")
    client.force_login(alice)
    for _ in range(2):
        signed_in = client.get(page.url)
        assert b"Sign out alice-reader" in signed_in.content
        assert signed_in["ETag"] != anonymous["ETag"]
        assert "private" in signed_in["Cache-Control"]
    # Same text apart from the header.
    assert signed_in.content.split(b"</header>")[1] == anonymous.content.split(b"</header>")[1]
    bob = UserFactory(username="bob-reader")
    client.force_login(bob)
    bobs = client.get(page.url)
    assert b"Sign out bob-reader" in bobs.content and b"alice-reader" not in bobs.content
    client.logout()
    again = client.get(page.url)
    assert b"alice-reader" not in again.content and b"bob-reader" not in again.content
    assert b"Sign in" in again.content


def test_forgetting_a_person_removes_their_name_from_kept_pages(client, editor, page):
    from accounts.services import anonymise_user

    name = editor.get_full_name() or editor.get_username()
    assert name.encode() in client.get(page.url).content
    anonymise_user(user=editor, by=editor)
    assert name.encode() not in client.get(page.url).content


def test_downloads_are_public_with_last_modified(client, page):
    url = page.url + "versions/1/markdown/"
    first = client.get(url)
    assert "public" in first["Cache-Control"] and "max-age" in first["Cache-Control"]
    assert first["Last-Modified"]
    again = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url).content == first.content


def test_a_page_behind_a_view_restriction_is_never_kept(client, page):
    from wagtail.models import PageViewRestriction

    client.get(page.url)
    PageViewRestriction.objects.create(page=page, restriction_type="password", password="x")
    response = client.get(page.url)
    assert response.status_code == 200 and b"password" in response.content.lower()
    assert b"<h1>Kept</h1>" not in response.content
