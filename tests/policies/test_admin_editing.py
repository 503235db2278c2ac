"""Editing in the Wagtail admin: summary required, conflicts refused, drafts kept."""

import pytest
from wagtail.models import Revision
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from policies.models import PolicyIndexPage, PolicyPage, PolicyVersion
from tests.factories import make_policy

pytestmark = pytest.mark.django_db


def _form(page_title, slug, sections, *, summary="", base_version=0, publish=True):
    data = nested_form_data(
        {
            "title": page_title,
            "slug": slug,
            "intro": "",
            "sections": inline_formset(
                [{"heading": h, "body": b, "key": k, "id": i} for (i, k, h, b) in sections],
                initial=sum(1 for s in sections if s[0]),
            ),
            "comments": inline_formset([]),
            "edit_summary": summary,
            "version_label": "",
            "base_version": base_version,
        }
    )
    if publish:
        data["action-publish"] = "action-publish"
    return data


def test_editor_creates_and_publishes_policy_in_admin(client, editor):
    client.force_login(editor)
    index = PolicyIndexPage.objects.get()
    url = f"/admin/pages/add/policies/policypage/{index.pk}/"
    data = _form(
        "Team Code",
        "team-code",
        [("", "", "Be kind", "Be kind to each other."), ("", "", "Reporting", "Write to us.")],
        summary="First version",
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = PolicyPage.objects.get(slug="team-code")
    version = page.versions.get()
    assert version.summary == "First version"
    assert [s.key for s in version.sections.all()] == ["be-kind", "reporting"]


def test_publish_without_summary_shows_inline_error(client, editor):
    page = make_policy(editor=editor, n_sections=1)
    client.force_login(editor)
    section = page.sections.get()
    data = _form(
        page.title,
        page.slug,
        [(section.pk, section.key, section.heading, "Changed text")],
        summary="",
        base_version=1,
    )
    response = client.post(f"/admin/pages/{page.pk}/edit/", data)
    assert response.status_code == 200
    assert "Publishing needs an edit summary" in response.content.decode()
    assert page.versions.count() == 1


def test_conflicting_publish_is_refused_and_draft_kept(client, editor, other_editor):
    page = make_policy(editor=editor, n_sections=1)
    section = page.sections.get()
    # Ben publishes version 2 from the admin.
    client.force_login(other_editor)
    response = client.post(
        f"/admin/pages/{page.pk}/edit/",
        _form(
            page.title,
            page.slug,
            [(section.pk, section.key, section.heading, "Ben's wording")],
            summary="Ben's change",
            base_version=1,
        ),
    )
    assert response.status_code == 302
    assert page.versions.count() == 2
    # Ana started from version 1 and now tries to publish.
    client.force_login(editor)
    response = client.post(
        f"/admin/pages/{page.pk}/edit/",
        _form(
            page.title,
            page.slug,
            [(section.pk, section.key, section.heading, "Ana's wording")],
            summary="Ana's change",
            base_version=1,
        ),
        follow=True,
    )
    html = response.content.decode()
    assert "Not published" in html and "version 2 by ben" in html and "Ben&#x27;s change" in html
    assert page.versions.count() == 2
    assert PolicyVersion.objects.filter(summary="Ana's change").count() == 0
    latest = Revision.page_revisions.filter(object_id=str(page.pk)).order_by("-pk").first()
    assert "Ana's wording" in str(latest.content)  # nothing of hers is lost


def test_edit_form_starts_with_empty_summary(client, editor):
    page = make_policy(editor=editor)
    client.force_login(editor)
    html = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert 'name="base_version" value="1"' in html
    assert "Version 1</textarea>" not in html and 'value="Version 1"' not in html


def test_policy_with_versions_cannot_be_deleted(client, editor):
    page = make_policy(editor=editor)
    client.force_login(editor)
    response = client.post(f"/admin/pages/{page.pk}/delete/", follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert PolicyPage.objects.filter(pk=page.pk).exists()
    assert page.versions.count() == 1


def test_republishing_identical_text_says_so_and_adds_no_version(client, editor):
    page = make_policy(editor=editor, n_sections=1)
    section = page.sections.get()
    client.force_login(editor)
    response = client.post(
        f"/admin/pages/{page.pk}/edit/",
        _form(
            page.title,
            page.slug,
            [(section.pk, section.key, section.heading, section.body)],
            summary="Nothing really",
            base_version=1,
        ),
        follow=True,
    )
    assert "identical to the current version" in response.content.decode()
    assert page.versions.count() == 1


def test_duplicated_section_row_gets_its_own_key(client, editor):
    page = make_policy(editor=editor, n_sections=1)
    section = page.sections.get()
    client.force_login(editor)
    client.post(
        f"/admin/pages/{page.pk}/edit/",
        _form(
            page.title,
            page.slug,
            [
                (section.pk, section.key, section.heading, section.body),
                ("", section.key, "A copy", "Copied text"),  # a tampered or duplicated row
            ],
            summary="Add a copy",
            base_version=1,
        ),
    )
    keys = [s.key for s in page.versions.get(number=2).sections.all()]
    assert keys == [section.key, "a-copy"]


def test_bulk_publishing_a_policy_is_refused_with_a_message(client, editor):
    page = make_policy(editor=editor, n_sections=1)
    section = page.sections.get()
    client.force_login(editor)
    client.post(  # a draft with a new wording, saved without publishing
        f"/admin/pages/{page.pk}/edit/",
        _form(
            page.title,
            page.slug,
            [(section.pk, section.key, section.heading, "Draft wording")],
            base_version=1,
            publish=False,
        ),
    )
    response = client.post(f"/admin/bulk/wagtailcore/page/publish/?id={page.pk}", {}, follow=True)
    assert "Policies are published one at a time" in response.content.decode()
    assert page.versions.count() == 1
