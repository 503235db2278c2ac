"""The interface speaks the reader's language: German for a German browser or after choosing
it in the switcher, English otherwise; dates follow the language; a right-to-left language
turns the page around. Policy text and people's words are never translated."""

import re
from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation

from communities.models import Community
from tests.factories import make_policy
from tests.reading import page_text

pytestmark = pytest.mark.django_db

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9,en;q=0.5"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.8"}
GERMAN_MONTHS = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
WITH_ARABIC = [("en", "English"), ("de", "Deutsch"), ("ar", "العربية")]


@pytest.fixture
def policy(editor):
    return make_policy(editor=editor, n_sections=2, n_versions=2)


@pytest.fixture
def community(db):
    return Community.objects.create(name="Alder Wiki", slug="alder-wiki", kind="wiki")


def _html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode())[0]


def test_a_german_browser_gets_the_home_page_in_german(client, policy):
    response = client.get("/", **GERMAN)
    text = page_text(response)
    assert response.status_code == 200
    assert _html_tag(response) == '<html lang="de" dir="ltr">'
    assert "Zum Inhalt springen" in text
    # Signing in sits in the header's bar, before the menu of the site's parts.
    assert "Anmelden" in text and "Richtlinien Communitys Übernahme Abstimmungen" in text
    assert "Version 2, veröffentlicht von ana am" in text
    # The policy's own words stay as written.
    assert "Baseline Code" in text


def test_a_policy_page_in_german_keeps_the_policy_text(client, policy):
    response = client.get(policy.url, **GERMAN)
    text = page_text(response)
    assert 'lang="de"' in _html_tag(response)
    assert "Versionsverlauf" in text and "Inhalt" in text and "Auszufüllen" in text
    assert "Änderungen gegenüber Version 1" in text
    assert "Section 1" in text and "[CONTACT METHOD]" in text


def test_version_history_and_comparison_speak_german_with_plurals(client, policy):
    history = page_text(client.get(policy.url + "versions/", **GERMAN))
    assert "Zwei Versionen vergleichen" in history
    assert "Erste Version: 2 Abschnitte, " in history
    assert "+2 Wörter" in history
    response = client.get(policy.url + "compare/1/2/", **GERMAN)
    compare = page_text(response)
    assert "Änderungen von Version 1 zu Version 2" in compare
    # Screen readers announce inserted and deleted words in the reader's language too.
    html = response.content.decode()
    assert '<ins><span class="visually-hidden">hinzugefügt: </span>' in html
    assert '<del><span class="visually-hidden">entfernt: </span>' in html
    assert "added: " not in html
    assert "Unterschiede in 2 von 2 Abschnitten;" in compare
    assert "GEÄNDERT" in compare.upper()


def test_the_communities_page_in_german(client, policy, community):
    response = client.get("/communities/", **GERMAN)
    text = page_text(response)
    assert 'lang="de"' in _html_tag(response)
    assert "Alle Communitys und wie sie zu Baseline Code stehen." in text
    assert "Keine Community passt." not in text
    assert "Alder Wiki Wiki" in text and "Nicht erklärt" in text
    detail = page_text(client.get("/communities/alder-wiki/", **GERMAN))
    assert "Delegierte: noch keine" in detail


def test_search_errors_come_in_german(client, policy):
    response = client.get("/search/", {"q": "word", "version": "0"}, **GERMAN)
    assert response.status_code == 400
    assert "Versionen werden ab 1 gezählt." in page_text(response)


def test_the_switcher_sets_the_language_and_returns_to_the_page(client, policy):
    page = client.get("/communities/")
    html = page.content.decode()
    form = re.search(r'<form class="language-switcher".*?</form>', html, re.S)[0]
    assert 'action="/i18n/setlang/"' in form and 'method="post"' in form
    assert '<label for="language-switcher-select">Language</label>' in form
    assert '<option value="de" lang="de">Deutsch</option>' in form
    response = client.post("/i18n/setlang/", {"language": "de", "next": "/communities/"})
    assert response.status_code == 302
    assert response["Location"] == "/communities/"
    assert response.cookies["django_language"].value == "de"
    # The choice beats the browser's own preference from now on.
    again = client.get("/communities/", **ENGLISH)
    assert _html_tag(again) == '<html lang="de" dir="ltr">'
    assert '<option value="de" lang="de" selected>Deutsch</option>' in again.content.decode()
    back = client.post("/i18n/setlang/", {"language": "en", "next": "/communities/"})
    assert back.cookies["django_language"].value == "en"
    assert 'lang="en"' in _html_tag(client.get("/communities/", **GERMAN))


def test_the_switcher_refuses_to_send_the_reader_elsewhere(client):
    response = client.post("/i18n/setlang/", {"language": "de", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_german_dates_use_german_month_names_and_order(client, policy):
    text = page_text(client.get(policy.url, **GERMAN))
    assert re.search(rf"am \d{{1,2}}\. ({GERMAN_MONTHS}) \d{{4}} \d{{2}}:\d{{2}} UTC", text)
    index = page_text(client.get("/", **GERMAN))
    assert re.search(rf"am \d{{1,2}}\. ({GERMAN_MONTHS}) \d{{4}}", index)


@pytest.mark.parametrize(
    "language, fmt, expected",
    [
        ("en", None, "3 March 2025, 09:12 UTC"),
        ("de", None, "3. März 2025 09:12 UTC"),
        ("en", '"j F Y"', "3 March 2025 UTC"),
        ("de", '"j F Y"', "3. März 2025 UTC"),
        ("de", '"DATE_FORMAT"', "3. März 2025 UTC"),
        ("en", '"j M Y"', "3 Mar 2025 UTC"),
        ("de", '"j M Y"', "03.03.2025 UTC"),
    ],
)
def test_the_utc_tag_formats_for_the_active_language(language, fmt, expected):
    moment = datetime(2025, 3, 3, 9, 12, tzinfo=UTC)
    source = "{% load accord %}{% utc moment " + (fmt or "") + " %}"
    with translation.override(language):
        html = Template(source).render(Context({"moment": moment}))
    assert 'datetime="2025-03-03T09:12:00+00:00"' in html
    assert re.search(r">([^<]+)</time>", html)[1] == expected


def test_the_local_time_label_is_translated():
    moment = datetime(2025, 3, 3, 9, 12, tzinfo=UTC)
    with translation.override("de"):
        html = Template("{% load accord %}{% utc moment %}").render(Context({"moment": moment}))
    assert 'data-localtime="Ihre Zeit"' in html


@override_settings(LANGUAGES=WITH_ARABIC)
def test_a_right_to_left_language_turns_the_page_around(client, policy):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ar")
    assert _html_tag(response) == '<html lang="ar" dir="rtl">'


def test_english_is_unchanged_for_an_english_browser(client, policy):
    for headers in (ENGLISH, {}):
        response = client.get(policy.url, **headers)
        text = page_text(response)
        assert _html_tag(response) == '<html lang="en" dir="ltr">'
        assert "Skip to content" in text
        assert "Sign in" in text and "Policies Communities Adoption Votes" in text
        assert re.search(r"published by ana on \d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2} UTC", text)
        assert "Version history" in text and "Changes from version 1" in text
    assert "Vary" in response and "Accept-Language" in response["Vary"]
