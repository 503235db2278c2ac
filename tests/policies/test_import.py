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
