"""Translations of published versions: imported from Markdown, aligned with the source by order,
and judged fresh section by section against later versions."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from wagtail.models import Locale

from policies import selectors, services, translating
from policies.models import PolicyPage, PolicyTranslation, TranslatedSection
from tests.factories import UserFactory, make_policy
from tests.reading import page_text

pytestmark = pytest.mark.django_db

COVENANT = "policies/contributor-covenant-2.1.{}.md"

# A short Hebrew translation of a three-section policy, written for this test.
HEBREW = """\
# קוד ההתנהגות הבסיסי

## סעיף ראשון

אנו מתייחסים זה לזה בכבוד ובסבלנות.

## סעיף שני

אנו מקשיבים לפני שאנו עונים.

## סעיף שלישי

פנו אל [CONTACT METHOD] כדי לדווח על בעיה.
"""


def _covenant(corpus, editor):
    """Contributor Covenant 2.1 in English, published as version 1 of "covenant"."""
    result = services.import_policy_markdown(
        data=(corpus / COVENANT.format("en")).read_bytes(),
        slug="covenant",
        user=editor,
        summary="Contributor Covenant 2.1",
    )
    return result.page


def _import_cmd(path, *args):
    out = StringIO()
    call_command("import_policy", str(path), "--policy=covenant", "--author=ana", *args, stdout=out)
    return out.getvalue()


def _publish_v2(page, editor, change):
    """Publish a new version: `change` maps a section key to (heading, body) or None (drop)."""
    current = page.versions.order_by("-number").first()
    sections = []
    for s in current.sections.all():
        new = change.get(s.key, (s.heading, s.body))
        if new is not None:
            sections.append((s.key, *new))
    for key, value in change.items():
        if key.startswith("new-"):
            sections.append((None, *value))
    return services.publish_policy(page=page, user=editor, summary="Edit", sections=sections)


def _markdown(version, prefix: str) -> str:
    """A pretend translation of `version`: every heading and body prefixed."""
    parts = [f"# {prefix} {version.title}"]
    for s in version.sections.all():
        parts.append(f"## {prefix} {s.heading}\n\n{prefix} {s.body}")
    return "\n\n".join(parts) + "\n"


def test_the_real_covenant_translations_align_section_by_section(corpus, editor, client):
    page = _covenant(corpus, editor)
    source = list(page.versions.get().sections.all())
    for code in ("de", "fr", "es"):
        out = _import_cmd(corpus / COVENANT.format(code), f"--locale={code}", "--translates=1")
        assert f"Imported the {code} translation of version 1" in out
        translation = PolicyTranslation.objects.get(locale__language_code=code)
        rows = list(translation.sections.all())
        assert [r.key for r in rows] == [s.key for s in source]
        assert [r.source_body_hash for r in rows] == [s.body_hash for s in source]
    german = PolicyTranslation.objects.get(locale__language_code="de")
    assert german.title == "Vereinbarung über Verhaltenskodex für Mitwirkende"
    assert german.sections.first().heading == "Unsere Verpflichtung"

    response = client.get("/covenant/translations/de/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="de" dir="ltr"' in html
    assert "Unsere Verpflichtung" in html
    assert "Up to date with the current version (1)" in page_text(response)
    assert "This translation is outdated" not in html

    text = page_text(client.get("/covenant/"))
    assert "Deutsch: up to date" in text
    assert "français: up to date" in text
    assert "español: up to date" in text
    assert "עברית: missing" in text


def test_a_new_source_version_outdates_only_the_changed_sections(corpus, editor, client):
    page = _covenant(corpus, editor)
    _import_cmd(corpus / COVENANT.format("de"), "--locale=de", "--translates=1")
    v1 = page.versions.get()
    scope = next(s for s in v1.sections.all() if s.heading == "Scope")
    _publish_v2(
        page,
        editor,
        {
            scope.key: (scope.heading, scope.body + "\n\nIt also applies at in-person meetups."),
            "new-appeals": ("Appeals", "Anyone may ask for a decision to be reviewed once."),
        },
    )

    v2 = PolicyPage.objects.get(pk=page.pk).versions.get(number=2)
    (status,) = selectors.language_statuses(v2, codes=["de"])
    assert status.state == translating.OUTDATED
    states = {s.key: s.state for s in status.freshness.sections}
    assert states.pop(scope.key) == translating.OUTDATED
    assert states.pop("appeals") == translating.MISSING
    assert set(states.values()) == {translating.UP_TO_DATE}  # the other six are untouched

    response = client.get("/covenant/translations/de/")
    text = page_text(response)
    assert "This translation is outdated." in text
    assert "It was made from version 1; the current version is 2." in text
    assert "2 sections do not match the current text" in text
    html = response.content.decode()
    assert "<ins" in html and "in-person meetups" in html  # the source diff they are missing
    assert "Not translated yet" in text and "Anyone may ask for a decision" in text
    assert html.count('class="badge badge-outdated"') == 1
    assert html.count('class="badge badge-missing"') == 1
    # Version 1's page still counts the German translation as up to date for version 1.
    assert "Deutsch: up to date" in page_text(client.get("/covenant/versions/1/"))
    assert "Deutsch: outdated (2 sections differ" in page_text(client.get("/covenant/"))


def test_a_renamed_or_removed_source_section_is_reported(editor):
    page = make_policy(editor=editor, n_sections=3)
    v1 = page.versions.get()
    services.import_translation_markdown(
        data=_markdown(v1, "DE"), slug=page.slug, version_number=1, language_code="de", user=editor
    )
    first, second, _third = v1.sections.all()
    _publish_v2(page, editor, {first.key: ("Renamed", first.body), second.key: None})
    (status,) = selectors.language_statuses(page.versions.get(number=2), codes=["de"])
    states = {s.key: s.state for s in status.freshness.sections}
    assert states == {
        first.key: translating.OUTDATED,
        _third.key: translating.UP_TO_DATE,
        second.key: translating.REMOVED,
    }


def test_the_translator_to_do_list_shows_each_language(corpus, editor, client):
    page = _covenant(corpus, editor)
    _import_cmd(corpus / COVENANT.format("de"), "--locale=de", "--translates=1")
    _import_cmd(corpus / COVENANT.format("fr"), "--locale=fr", "--translates=1")
    scope = next(s for s in page.versions.get().sections.all() if s.heading == "Scope")
    _publish_v2(page, editor, {scope.key: ("Scope", scope.body.replace("public", "open"))})
    text = page_text(client.get("/covenant/translations/"))
    assert "Deutsch (de) outdated" in text
    assert "français (fr) outdated" in text
    assert "español (es) missing" in text
    assert "No translation yet: translate all 7 sections of version 2." in text
    assert "العربيّة (ar) missing" in text
    assert text.count("Scope outdated") == 2  # once per outdated language


def test_an_arabic_or_hebrew_translation_reads_right_to_left(editor, client):
    page = make_policy(editor=editor, n_sections=3)
    services.import_translation_markdown(
        data=HEBREW, slug=page.slug, version_number=1, language_code="he", user=editor
    )
    response = client.get(f"{page.url}translations/he/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 lang="he" dir="rtl">קוד ההתנהגות הבסיסי</h1>' in html
    assert '<div class="translated-body" lang="he" dir="rtl"><p>אנו מקשיבים' in html
    assert "עברית: up to date" in page_text(client.get(page.url))


def test_a_different_number_of_sections_is_refused_and_nothing_written(corpus, editor, tmp_path):
    _covenant(corpus, editor)
    german = (corpus / COVENANT.format("de")).read_text()
    short = german[: german.index("## Bezug")]  # drop the last section
    path = tmp_path / "de.md"
    path.write_text(short)
    locales = Locale.objects.count()
    with pytest.raises(CommandError) as failed:
        _import_cmd(path, "--locale=de", "--translates=1")
    message = str(failed.value)
    assert "The German file has 6 sections but version 1 has 7" in message
    assert "Sections are matched by order" in message
    assert "Attribution" in message  # the source's headings, to find the gap
    assert PolicyTranslation.objects.count() == 0
    assert TranslatedSection.objects.count() == 0
    assert Locale.objects.count() == locales


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--locale=xx", "--translates=1"], "Unknown language “xx”"),
        (["--locale=en", "--translates=1"], "Unknown language “en”"),
        (["--locale=de", "--translates=9"], "has no version 9; its latest is version 1"),
        (["--locale=de"], "needs both --locale CODE and --translates VERSION"),
    ],
)
def test_bad_translation_arguments_are_explained(corpus, editor, args, message):
    _covenant(corpus, editor)
    with pytest.raises(CommandError) as failed:
        _import_cmd(corpus / COVENANT.format("de"), *args)
    assert message in str(failed.value)
    if "Unknown" in message:
        assert "de (German), fr (French), es (Spanish), ar (Arabic), he (Hebrew)" in str(
            failed.value
        )
    assert PolicyTranslation.objects.count() == 0


def test_reimporting_adds_a_revision_and_identical_text_is_refused(editor, client):
    page = make_policy(editor=editor, n_sections=2)
    v1 = page.versions.get()
    text = _markdown(v1, "FR")
    kwargs = {"slug": page.slug, "version_number": 1, "language_code": "fr", "user": editor}
    services.import_translation_markdown(data=text, **kwargs)
    with pytest.raises(ValidationError, match="identical"):
        services.import_translation_markdown(data=text, **kwargs)
    second = services.import_translation_markdown(
        data=text.replace("FR Section 1", "FR Première section"), note="Typo", **kwargs
    )
    assert second.revision == 2
    assert PolicyTranslation.objects.count() == 2
    html = client.get(f"{page.url}translations/fr/").content.decode()
    assert "FR Première section" in html and "(revision 2)" in html


def test_who_may_import_translations(editor):
    page = make_policy(editor=editor, n_sections=1)
    text = _markdown(page.versions.get(), "ES")
    kwargs = {"data": text, "slug": page.slug, "version_number": 1, "language_code": "es"}
    with pytest.raises(PermissionDenied):
        services.import_translation_markdown(user=UserFactory(username="pat"), **kwargs)
    translator = UserFactory(username="tess")
    translator.groups.add(Group.objects.get(name="Translators"))
    assert services.import_translation_markdown(user=translator, **kwargs).translator_name == "tess"


def test_translated_text_is_sanitised(editor, client):
    page = make_policy(editor=editor, n_sections=1)
    evil = (
        "# T\n\n## <script>alert(1)</script>\n\n"
        "<img src=x onerror=alert(2)> [x](javascript:alert(3))\n"
    )
    services.import_translation_markdown(
        data=evil, slug=page.slug, version_number=1, language_code="de", user=editor
    )
    html = client.get(f"{page.url}translations/de/").content.decode()
    assert "<script>alert" not in html
    assert "onerror" not in html and "javascript:" not in html


def test_unknown_or_untranslated_language_pages_are_404(editor, client):
    page = make_policy(editor=editor, n_sections=1)
    assert client.get(f"{page.url}translations/xx/").status_code == 404
    assert client.get(f"{page.url}translations/de/").status_code == 404
    assert client.get(f"{page.url}translations/").status_code == 200


@pytest.mark.parametrize("n_sections", [3, 30])
def test_translation_pages_take_a_fixed_number_of_queries(
    editor, client, django_assert_max_num_queries, n_sections
):
    page = make_policy(editor=editor, n_sections=n_sections)
    v1 = page.versions.get()
    for code in ("de", "fr", "ar"):
        services.import_translation_markdown(
            data=_markdown(v1, code.upper()),
            slug=page.slug,
            version_number=1,
            language_code=code,
            user=editor,
        )
    secs = [(s.key, s.heading, s.body + " more") for s in v1.sections.all()]
    services.publish_policy(page=page, user=editor, summary="Every section", sections=secs)
    for url in ("translations/de/", "translations/", "", "versions/1/"):
        with django_assert_max_num_queries(16):
            assert client.get(f"{page.url}{url}").status_code == 200


def test_the_demo_has_an_outdated_german_translation_and_stays_idempotent(client):
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    assert PolicyTranslation.objects.count() == 1
    text = page_text(client.get("/shared-conduct-baseline/translations/de/"))
    assert "This translation is outdated." in text
    assert "It was made from version 2; the current version is 3." in text
    assert "Wie man ein Problem meldet" in text


def test_the_wagtail_admin_still_works_with_translation_locales(editor, client):
    """Translation locales are plain wagtailcore.Locale rows; the page tree stays single-locale
    (WAGTAIL_I18N_ENABLED is off), so the admin neither lists nor trips over them."""
    page = make_policy(editor=editor, n_sections=1)
    services.import_translation_markdown(
        data=HEBREW.split("## סעיף שני")[0],
        slug=page.slug,
        version_number=1,
        language_code="he",
        user=editor,
    )
    assert Locale.objects.filter(language_code="he").exists()
    client.force_login(editor)
    index = page.get_parent()
    for url in (
        "/admin/",
        f"/admin/pages/{index.pk}/",
        f"/admin/pages/{page.pk}/edit/",
        f"/admin/pages/add/policies/policypage/{index.pk}/",
    ):
        assert client.get(url).status_code == 200, url
    created = services.create_policy_page(title="Another", slug="another", user=editor)
    assert created.locale.language_code == "en"
