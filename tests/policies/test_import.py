"""Markdown import: every real code of conduct imports; broken input writes nothing."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from wagtail.models import Page

from policies import services
from policies.markdown_io import parse_policy
from policies.models import PolicyPage, PolicyVersion

pytestmark = pytest.mark.django_db


def _import(path, slug, editor, summary="Import"):
    return services.import_policy_markdown(
        data=path.read_bytes(), slug=slug, user=editor, summary=summary
    )


def test_every_corpus_policy_imports(corpus, editor):
    files = sorted((corpus / "policies").glob("*.md"))
    assert len(files) >= 15
    for i, path in enumerate(files):
        result = _import(path, f"policy-{i}", editor)
        assert result.created_page
        assert result.version.number == 1
        expected = len(parse_policy(path.read_bytes()).sections)
        assert result.version.sections.count() == expected >= 2, path.name
        assert result.version.title


def test_contributor_covenant_2_0_to_2_1_keeps_every_key_and_diffs_small(corpus, editor, client):
    first = _import(corpus / "policies/contributor-covenant-2.0.en.md", "covenant", editor)
    second = _import(corpus / "policies/contributor-covenant-2.1.en.md", "covenant", editor, "2.1")
    assert second.new_keys == 0
    assert second.version.sections_added == 0 and second.version.sections_removed == 0
    # The real change is "caste, color," and some links; re-wrapped lines are not changes.
    assert second.version.words_added < 40
    html = client.get(first.page.url + "compare/1/2/").content.decode()
    assert "caste" in html


def test_citizen_2_2_to_2_3_is_one_inserted_section_not_a_rewrite(corpus, editor, client):
    _import(corpus / "policies/citizen-code-of-conduct-2.2.md", "citizen", editor)
    result = _import(corpus / "policies/citizen-code-of-conduct-2.3.md", "citizen", editor)
    assert result.new_keys == 1
    assert result.version.sections_added == 1
    assert result.version.sections_removed == 0
    added = [
        s.heading
        for s in result.version.sections.all()
        if s.key not in {x.key for x in PolicyVersion.objects.get(number=1).sections.all()}
    ]
    assert len(added) == 1 and "Weapons" in added[0]
    html = client.get(result.page.url + "compare/1/2/").content.decode()
    assert "badge-added" in html and "badge-renamed" in html


BROKEN = [
    (b"\xff\xfe\x00bad", "not UTF-8"),
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"---\ntitle: x\n## Section\ntext", "never closed"),
    (b"Just a paragraph with no headings at all.", "level-2"),
]


@pytest.mark.parametrize("data,message", BROKEN)
def test_broken_input_gives_clear_error_and_writes_nothing(editor, data, message):
    pages_before = Page.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.import_policy_markdown(data=data, slug="broken", user=editor, summary="x")
    assert message.lower() in " ".join(excinfo.value.messages).lower()
    assert Page.objects.count() == pages_before
    assert not PolicyVersion.objects.exists()


def test_reimport_of_identical_file_creates_no_version(corpus, editor):
    path = corpus / "policies/psf-code-of-conduct.md"
    _import(path, "psf", editor)
    again = _import(path, "psf", editor)
    assert again.version is None
    assert PolicyVersion.objects.count() == 1


def test_import_command_publishes_and_reports(corpus, editor):
    out = StringIO()
    call_command(
        "import_policy",
        str(corpus / "policies/contributor-covenant-2.1.en.md"),
        "--policy=covenant",
        "--label=2.1",
        "--summary=Import 2.1",
        "--author=ana",
        stdout=out,
    )
    assert "Published version 1" in out.getvalue()
    version = PolicyVersion.objects.get()
    assert (version.label, version.author_name) == ("2.1", "ana")


def test_import_command_refuses_bad_file_cleanly(tmp_path, editor):
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"+++\nversion = 1\n## never closed")
    with pytest.raises(CommandError, match="never closed"):
        call_command("import_policy", str(bad), "--policy=bad", "--summary=x", "--author=ana")
    assert not PolicyPage.objects.exists()


def test_admin_upload_form(client, editor, corpus):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(editor)
    url = "/admin/policies/import/"
    assert client.get(url).status_code == 200
    data = (corpus / "policies/citizen-code-of-conduct-2.2.md").read_bytes()
    response = client.post(
        url,
        {
            "file": SimpleUploadedFile("coc.md", data, content_type="text/markdown"),
            "slug": "citizen",
            "summary": "Import 2.2",
            "label": "2.2",
            "level": 2,
            "then": "publish",
        },
    )
    assert response.status_code == 302
    assert PolicyVersion.objects.get().label == "2.2"
    # A broken upload shows the error on the form and writes nothing.
    response = client.post(
        url,
        {
            "file": SimpleUploadedFile("x.md", b"no headings here"),
            "slug": "other",
            "summary": "x",
            "level": 2,
        },
    )
    assert response.status_code == 200
    assert "level-2" in response.content.decode()
    assert PolicyVersion.objects.count() == 1


def test_admin_upload_form_requires_summary(client, editor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(editor)
    response = client.post(
        "/admin/policies/import/",
        {"file": SimpleUploadedFile("x.md", b"## A\n\ntext"), "slug": "x", "level": 2},
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not PolicyVersion.objects.exists()


def _upload(client, data: bytes, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = {"file": SimpleUploadedFile("coc.md", data), "level": 2, **fields}
    return client.post("/admin/policies/import/", form, follow=True)


def test_the_admin_import_saves_a_draft_that_is_fixed_then_published_as_one_version(client, editor):
    """A typo caught after the import is fixed in the draft: the public record gets one version,
    with the corrected text and the summary given at import."""
    client.force_login(editor)
    response = _upload(
        client,
        b"# Our code\n\n## Scope\n\nThis code apllies everywhere.\n",
        slug="ours",
        summary="First import of our code",
    )
    assert "Saved as a draft of “Our code”" in response.content.decode()
    assert "nothing is published yet" in response.content.decode()
    assert response.redirect_chain[-1][0] == f"/admin/pages/{PolicyPage.objects.get().pk}/edit/"
    assert not PolicyVersion.objects.exists()
    page = PolicyPage.objects.get(slug="ours")
    assert not page.live
    assert client.logout() is None and client.get("/policies/ours/").status_code == 404

    draft = page.get_latest_revision_as_object()
    assert draft.edit_summary == "First import of our code"
    (section,) = draft.sections.all()
    assert section.body == "This code apllies everywhere."
    key = section.key
    version = services.publish_policy(
        page=page,
        user=editor,
        summary=draft.edit_summary,
        sections=[(key, "Scope", "This code applies everywhere.")],
    )
    assert (version.number, version.summary) == (1, "First import of our code")
    assert PolicyVersion.objects.count() == 1
    assert version.sections.get().body == "This code applies everywhere."


def test_the_editor_offers_a_draft_import_summary_for_publishing(client, facilitator):
    """The import's summary waits in Wagtail's edit summary field (an autosave of the editor
    would otherwise store it blank); once published, the next edit starts with an empty one."""
    client.force_login(facilitator)
    _upload(client, b"# Ours\n\n## Scope\n\nText.\n", slug="ours", summary="From our file")
    page = PolicyPage.objects.get(slug="ours")
    editor_page = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert 'value="From our file"' in editor_page

    services.publish_policy(page=page, user=facilitator, summary="From our file")
    editor_page = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert 'value="From our file"' not in editor_page


def test_a_draft_import_into_a_published_policy_changes_nothing_public(client, editor, corpus):
    path = corpus / "policies/contributor-covenant-2.0.en.md"
    _import(path, "covenant", editor, summary="Import 2.0")
    client.force_login(editor)
    newer = (corpus / "policies/contributor-covenant-2.1.en.md").read_bytes()
    response = _upload(client, newer, slug="covenant", summary="Update to 2.1", then="draft")
    assert "Saved as a draft" in response.content.decode()
    assert PolicyVersion.objects.count() == 1
    page = PolicyPage.objects.get(slug="covenant")
    assert page.live and page.has_unpublished_changes
    published_keys = set(PolicyVersion.objects.get().sections.values_list("key", flat=True))
    draft_keys = {s.key for s in page.get_latest_revision_as_object().sections.all()}
    assert published_keys & draft_keys  # sections kept their identity in the draft


def test_a_draft_import_says_whose_unpublished_changes_it_replaced(client, editor, other_editor):
    services.import_policy_markdown(
        data=b"# Code\n\n## A\n\nText.\n", slug="code", user=editor, summary="v1"
    )
    page = PolicyPage.objects.get()
    services.save_policy_draft(
        page=page, user=other_editor, sections=[(None, "A", "Ben's unfinished words.")]
    )
    client.force_login(editor)
    response = _upload(client, b"# Code\n\n## A\n\nNew text.\n", slug="code", summary="v2")
    assert "replaced unpublished changes saved by ben" in response.content.decode()


def test_import_command_saves_a_draft_with_draft_flag(corpus, editor):
    out = StringIO()
    call_command(
        "import_policy",
        str(corpus / "policies/contributor-covenant-2.1.en.md"),
        "--policy=covenant",
        "--draft",
        "--author=ana",
        stdout=out,
    )
    page = PolicyPage.objects.get(slug="covenant")
    assert "Saved a draft" in out.getvalue() and f"/admin/pages/{page.pk}/edit/" in out.getvalue()
    assert not PolicyVersion.objects.exists() and not page.live
    with pytest.raises(CommandError, match="--summary is required"):
        call_command(
            "import_policy",
            str(corpus / "policies/contributor-covenant-2.1.en.md"),
            "--policy=covenant",
            "--author=ana",
        )
