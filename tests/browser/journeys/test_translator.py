"""The translator's journey (JOURNEYS.md): from the policy, sees which translations of the current
version are missing or outdated, section by section, with the source diff to carry over; reads
the outdated German text in German; uploads the German translation of the current version, which
is then up to date."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from policies import services
from policies.models import PolicyTranslation
from tests.conftest import CORPUS
from tests.factories import EditorFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

GERMAN = CORPUS / "policies/contributor-covenant-2.1.de.md"


def _covenant_with_outdated_german():
    editor = EditorFactory(username="edith")
    english = (CORPUS / "policies/contributor-covenant-2.1.en.md").read_bytes()
    page = services.import_policy_markdown(
        data=english, slug="covenant", user=editor, summary="Contributor Covenant 2.1"
    ).page
    services.import_translation_markdown(
        data=GERMAN.read_bytes(), slug="covenant", version_number=1, language_code="de", user=editor
    )
    keyed = [(s.key, s.heading, s.body) for s in page.versions.get().sections.all()]
    keyed = [
        (k, h, b + "\n\nThis also covers community meetups." if h == "Scope" else b)
        for k, h, b in keyed
    ]
    services.publish_policy(page=page, user=editor, summary="Meetups", sections=keyed)
    return page


def test_translator_journey(journey):
    policy = _covenant_with_outdated_german()
    tove = UserFactory(username="tove")
    tove.groups.add(Group.objects.get(name="Translators"))
    page = journey.page("tove")

    # From the policy: German is outdated in one section; the way to the to-do list is visible.
    page.goto(journey.base + policy.url)
    translations = page.get_by_role("complementary", name="Translations")
    expect(translations).to_contain_text("Deutsch")
    expect(translations).to_contain_text("(1 section differs from this version)")
    translations.get_by_role("link", name="What translators need to do").click()

    # Every language at a glance, then section by section with the source diff.
    expect(page.get_by_role("heading", name=re.compile("^Translations"))).to_be_visible()
    german = page.get_by_role("row", name=re.compile(r"Deutsch \(de\)"))
    expect(german).to_contain_text("version 1")
    expect(german.get_by_role("cell").last).to_have_text("1")
    missing = page.get_by_role("row", name=re.compile(r"français \(fr\)", re.I))
    expect(missing).to_contain_text("—")
    todo = page.locator("#lang-de")
    expect(todo.get_by_role("heading", name=re.compile("Scope"))).to_be_visible()
    expect(todo.locator("ins").filter(has_text="meetups")).to_be_visible()
    expect(page.locator("#lang-fr")).to_contain_text("No translation yet")
    journey.shot(page, "translations-to-do")

    # Reads the outdated translation: told so, in German, with the changed section marked.
    page.goto(f"{journey.base}{policy.url}translations/de/")
    expect(page.locator("h1")).to_have_attribute("lang", "de")
    expect(page.locator("h1")).to_have_text("Vereinbarung über Verhaltenskodex für Mitwirkende")
    expect(page.get_by_text("Geltungsbereich").first).to_be_visible()
    expect(page.locator("main ins").filter(has_text="meetups").first).to_be_visible()
    journey.shot(page, "german-outdated")

    # Uploads the German translation of version 2: now up to date.
    page.goto(f"{journey.base}{policy.url}translations/")
    page.get_by_text("Upload a translation").click()
    upload = page.locator("form").filter(has=page.get_by_role("button", name="Upload"))
    upload.get_by_label("Language").select_option("de")
    upload.get_by_label("Translates version").fill("2")
    upload.get_by_label("Markdown file").set_input_files(str(GERMAN))
    upload.get_by_label("Note").fill("Tove, with the meetup sentence carried over.")
    journey.shot(page, "upload-form")
    with journey.posting(page, count=PolicyTranslation.objects.count):
        upload.get_by_role("button", name="Upload").click()
        expect(
            page.get_by_text(re.compile(r"Imported the \w+ translation of version 2\."))
        ).to_be_visible()
    page.goto(f"{journey.base}{policy.url}translations/")
    german = page.get_by_role("row", name=re.compile(r"Deutsch \(de\)"))
    expect(german).to_contain_text("version 2")
    expect(german.get_by_role("cell").last).to_have_text("0")
    journey.shot(page, "german-up-to-date")
