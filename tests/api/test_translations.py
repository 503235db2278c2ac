"""Integrators read each translation's locale and freshness, section by section, from the API
and from an Atom feed."""

import xml.etree.ElementTree as ET

import pytest

from policies import services
from tests.factories import make_policy

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def _translate(version, code):
    text = "\n\n".join(
        [f"# {code} {version.title}"]
        + [f"## {code} {s.heading}\n\n**{code}** {s.body}" for s in version.sections.all()]
    )
    return services.import_translation_markdown(
        data=text,
        slug=version.policy.slug,
        version_number=version.number,
        language_code=code,
        user=version.author,
    )


@pytest.fixture
def policy(editor):
    """Version 1 translated into German and Arabic; version 2 changes the first section only."""
    page = make_policy(editor=editor, n_sections=3)
    v1 = page.versions.get()
    _translate(v1, "de")
    _translate(v1, "ar")
    keyed = [(s.key, s.heading, s.body) for s in v1.sections.all()]
    keyed[0] = (keyed[0][0], keyed[0][1], keyed[0][2] + " Also this.")
    services.publish_policy(page=page, user=editor, summary="Edit one section", sections=keyed)
    return page


def test_the_translation_list_gives_locale_and_freshness_per_section(client, policy):
    response = client.get("/api/v1/policies/baseline/translations/")
    assert response.status_code == 200
    by_locale = {t["locale"]: t for t in response.json()}
    assert list(by_locale) == ["de", "fr", "es", "ar", "he"]
    german = by_locale["de"]
    assert german["freshness"] == "outdated"
    assert (german["source_version"], german["judged_against"]) == (1, 2)
    assert german["stale_sections"] == 1
    assert [s["state"] for s in german["sections"]] == ["outdated", "up_to_date", "up_to_date"]
    assert german["html_url"].endswith("/baseline/translations/de/")
    assert by_locale["ar"]["direction"] == "rtl" and by_locale["ar"]["language"] == "Arabic"
    french = by_locale["fr"]
    assert french["freshness"] == "missing" and french["source_version"] is None
    assert french["stale_sections"] == 3 and french["sections"] == []


def test_one_translation_has_its_text_and_sanitised_html(client, policy):
    response = client.get("/api/v1/policies/baseline/translations/de/")
    assert response.status_code == 200
    data = response.json()
    first = data["sections"][0]
    assert first["state"] == "outdated"
    assert first["heading"] == "de Section 1"
    assert first["translated_body_hash"] != first["current_body_hash"]
    assert first["body"].startswith("**de** word")
    assert first["html"].startswith("<p><strong>de</strong> word")
    assert client.get("/api/v1/policies/baseline/translations/fr/").status_code == 404
    assert client.get("/api/v1/policies/baseline/translations/xx/").status_code == 404


def test_the_translation_api_takes_a_fixed_number_of_queries(
    client, policy, django_assert_max_num_queries
):
    for url in ("translations/", "translations/de/"):
        with django_assert_max_num_queries(8):
            assert client.get(f"/api/v1/policies/baseline/{url}").status_code == 200


def test_the_translation_feed_names_locale_and_freshness(client, policy, editor):
    _translate(policy.versions.get(number=2), "ar")
    response = client.get("/feeds/policies/baseline/translations/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314  (our own feed)
    entries = root.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles == [
        "Arabic translation of version 2 (revision 1)",
        "Arabic translation of version 1 (revision 1)",
        "German translation of version 1 (revision 1)",
    ]
    newest, _older, german = entries
    assert "Locale ar: up to date" in newest.findtext(f"{ATOM}summary")
    assert "Locale de: outdated against the current version in de Section 1 (outdated)" in (
        german.findtext(f"{ATOM}summary")
    )
    terms = {c.get("term") for c in german.findall(f"{ATOM}category")}
    assert terms == {"locale:de", "freshness:outdated"}
    assert german.find(f"{ATOM}link").get("href").endswith("/baseline/translations/de/")
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == 3
    page = client.get("/baseline/translations/de/").content.decode()
    assert 'href="/feeds/policies/baseline/translations/"' in page
    assert client.get("/feeds/policies/nope/translations/").status_code == 404
