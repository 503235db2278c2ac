"""A German reader switches the interface to German, opens the German translation of the
Contributor Covenant after the English source has moved on, and is told it is outdated and what
changed in the one section that no longer matches."""

import re

import pytest
from playwright.sync_api import expect

from policies import services
from tests.conftest import CORPUS
from tests.factories import EditorFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _covenant_with_outdated_german():
    editor = EditorFactory(username="edith")
    english = (CORPUS / "policies/contributor-covenant-2.1.en.md").read_bytes()
    page = services.import_policy_markdown(
        data=english, slug="covenant", user=editor, summary="Contributor Covenant 2.1"
    ).page
    services.import_translation_markdown(
        data=(CORPUS / "policies/contributor-covenant-2.1.de.md").read_bytes(),
        slug="covenant",
        version_number=1,
        language_code="de",
        user=editor,
    )
    keyed = [(s.key, s.heading, s.body) for s in page.versions.get().sections.all()]
    keyed = [
        (k, h, b + "\n\nThis also covers community meetups." if h == "Scope" else b)
        for k, h, b in keyed
    ]
    services.publish_policy(page=page, user=editor, summary="Meetups", sections=keyed)
    return page


def test_a_reader_switches_to_german_and_sees_the_translation_is_outdated(live_server, page, shot):
    _covenant_with_outdated_german()

    page.goto(f"{live_server.url}/covenant/")
    # The interface language switcher in the site header.
    page.locator("#language-switcher-select").select_option("de")
    page.locator("form.language-switcher button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")

    translations = page.locator("aside.translations")
    expect(translations).to_contain_text("Deutsch")
    translations.get_by_role("link", name=re.compile("outdated|veraltet")).click()
    page.wait_for_url(re.compile(r"/covenant/translations/de/$"))

    banner = page.locator(".translation-outdated")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("2")  # made from version 1, current is 2
    expect(page.locator("h1")).to_have_attribute("lang", "de")
    expect(page.locator("h1")).to_have_text("Vereinbarung über Verhaltenskodex für Mitwirkende")

    outdated = page.locator("section.state-outdated")
    expect(outdated).to_have_count(1)
    expect(outdated.locator("h2 [lang=de]")).to_have_text("Geltungsbereich")
    expect(outdated.locator(".diff-text ins")).to_contain_text("meetups")
    expect(outdated.locator(".diff-text")).to_have_attribute("lang", "en")
    expect(page.locator("section.state-up_to_date")).to_have_count(6)
    shot("translation-outdated-de")
