"""Translators upload a translated Markdown file from the to-do page, without shell access."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from policies import services
from policies.models import PolicyTranslation
from tests.factories import UserFactory
from tests.reading import page_text

pytestmark = pytest.mark.django_db

COVENANT = "policies/contributor-covenant-2.1.{}.md"


@pytest.fixture
def covenant(corpus, editor):
    return services.import_policy_markdown(
        data=(corpus / COVENANT.format("en")).read_bytes(),
        slug="covenant",
        user=editor,
        summary="Contributor Covenant 2.1",
    ).page


@pytest.fixture
def translator(db):
    user = UserFactory(username="tomas")
    user.groups.add(Group.objects.get(name="Translators"))
    return user


def _upload(client, page, content: bytes, **fields):
    data = {"language": "de", "version": "1", "note": "Community translation", **fields}
    data["file"] = SimpleUploadedFile("covenant.de.md", content, content_type="text/markdown")
    return client.post(f"{page.url}translations/upload/", data)


def test_a_translator_uploads_a_translation_and_reads_it(client, corpus, covenant, translator):
    client.force_login(translator)
    todo = page_text(client.get(f"{covenant.url}translations/").content.decode())
    assert "Upload a translation" in todo

    response = _upload(client, covenant, (corpus / COVENANT.format("de")).read_bytes())

    assert response.status_code == 302
    assert response["Location"] == f"{covenant.url}translations/de/"
    translation = PolicyTranslation.objects.get()
    assert translation.locale.language_code == "de"
    assert translation.translator == translator and translation.note == "Community translation"
    page = page_text(client.get(response["Location"]).content.decode())
    assert "Imported the German translation of version 1." in page


def test_a_file_with_the_wrong_number_of_sections_is_refused_inline(
    client, corpus, covenant, translator
):
    client.force_login(translator)
    text = (corpus / COVENANT.format("de")).read_text()
    shortened = text[: text.rindex("\n## ")] + "\n"

    response = _upload(client, covenant, shortened.encode())

    assert response.status_code == 400
    body = page_text(response.content.decode())
    assert "Sections are matched by order, so the counts must agree." in body
    assert not PolicyTranslation.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"language": "xx"}, "Select a valid choice."),
        ({"language": "en"}, "Select a valid choice."),
        ({"version": "9"}, "has no version 9"),
    ],
)
def test_bad_choices_are_refused_with_a_message(
    client, corpus, covenant, translator, fields, message
):
    client.force_login(translator)
    response = _upload(client, covenant, (corpus / COVENANT.format("de")).read_bytes(), **fields)

    assert response.status_code == 400
    assert message in page_text(response.content.decode())
    assert not PolicyTranslation.objects.exists()


def test_only_translators_and_editors_may_upload(client, corpus, covenant, editor):
    content = (corpus / COVENANT.format("de")).read_bytes()

    anonymous = _upload(client, covenant, content)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]

    client.force_login(UserFactory(username="pat"))
    assert "Upload a translation" not in page_text(
        client.get(f"{covenant.url}translations/").content.decode()
    )
    assert _upload(client, covenant, content).status_code == 403
    assert not PolicyTranslation.objects.exists()

    client.force_login(editor)
    assert _upload(client, covenant, content).status_code == 302
    assert PolicyTranslation.objects.count() == 1
