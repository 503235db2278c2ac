"""A publication refused for conflict never becomes the text someone else publishes unseen
(attack probe, issue 21 item 7): the refused draft is set aside, its author carries it over."""

import re

import pytest
from wagtail.models import Revision

from policies.models import PolicyPage, PolicyVersion, SetAsideDraft
from tests.factories import UserFactory, make_policy
from tests.policies.test_admin_editing import _form

pytestmark = pytest.mark.django_db


def _sections(page):
    return [(s.pk, s.key, s.heading, s.body) for s in page.sections.order_by("sort_order")]


def _edit(sections, changes):
    """The admin form rows with some bodies replaced: {index: new body}."""
    return [(i, k, h, changes.get(n, b)) for n, (i, k, h, b) in enumerate(sections)]


def _publish(client, page, rows, summary, base_version, **kwargs):
    return client.post(
        f"/admin/pages/{page.pk}/edit/",
        _form(page.title, page.slug, rows, summary=summary, base_version=base_version),
        **kwargs,
    )


@pytest.fixture
def race(client, editor, other_editor):
    """Ana and Ben both open version 1. Ana publishes version 2 (section 0); Ben, still on
    version 1, then tries to publish his edit of sections 1 and 2 and is refused."""
    page = make_policy(editor=editor, n_sections=3)
    rows = _sections(page)
    client.force_login(editor)
    assert (
        _publish(client, page, _edit(rows, {0: "Ana's wording"}), "Ana's fix", 1).status_code == 302
    )
    client.force_login(other_editor)
    response = _publish(
        client,
        page,
        _edit(rows, {1: "Ben's wording", 2: "Ben's other wording"}),
        "Ben's change",
        1,
        follow=True,
    )
    return page, rows, response


def test_refused_draft_is_set_aside_and_its_author_sees_why(race, other_editor):
    page, _rows, response = race
    html = response.content.decode()
    assert "Not published" in html and "version 2 by ana" in html
    draft = SetAsideDraft.objects.get()
    assert response.redirect_chain[-1][0] == f"/admin/policies/set-aside-drafts/{draft.pk}/"
    assert (draft.author, draft.base_version, draft.refused_by_version) == (other_editor, 1, 2)
    assert "Ben&#x27;s wording" in html  # what his draft changes, as a diff
    assert "Ana&#x27;s wording" in html  # what was published meanwhile
    assert page.versions.count() == 2


def test_next_editor_opens_the_published_text_not_the_refused_draft(race, client, editor):
    page, rows, _ = race
    page = PolicyPage.objects.get(pk=page.pk)
    assert not page.has_unpublished_changes
    assert page.latest_revision_id == page.live_revision_id
    client.force_login(editor)
    html = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    textareas = " ".join(re.findall(r"<textarea[^>]*>(.*?)</textarea>", html, re.S))
    assert "Ben&#x27;s wording" not in textareas and "Ana&#x27;s wording" in textareas
    # ...and is told a draft was set aside, with a link to it.
    draft = SetAsideDraft.objects.get()
    assert "set aside because someone published first" in html
    assert f"/admin/policies/set-aside-drafts/{draft.pk}/" in html
    # Publishing what she sees cannot carry Ben's unseen text.
    current = _sections(PolicyPage.objects.get(pk=page.pk))
    _publish(client, page, _edit(current, {0: "Ana's second pass"}), "Ana again", 2)
    v3 = PolicyVersion.objects.get(policy=page, number=3)
    bodies = " ".join(s.body for s in v3.sections.all())
    assert "Ben" not in bodies and "Ana's second pass" in bodies
    # Ben's text is still there for him, untouched.
    assert "Ben's wording" in str(Revision.objects.get(pk=draft.revision_id).content)


def test_author_carries_the_draft_onto_the_new_version(race, client, other_editor):
    page, _rows, _ = race
    draft = SetAsideDraft.objects.get()
    client.force_login(other_editor)
    response = client.post(
        f"/admin/policies/set-aside-drafts/{draft.pk}/", {"action": "carry"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/admin/pages/{page.pk}/edit/"
    html = response.content.decode()
    assert "Your changes are now in the draft" in html
    working = PolicyPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    assert [s.body for s in working.sections.all()][:3] == [
        "Ana's wording",
        "Ben's wording",
        "Ben's other wording",
    ]
    # The editor shows what the working draft would change against version 2, before publishing.
    assert "differs from the published version 2 in 2 sections" in html
    draft.refresh_from_db()
    assert draft.state == SetAsideDraft.State.CARRIED and draft.resolved_by == other_editor
    assert page.versions.count() == 2  # nothing is published by carrying over


def test_a_section_both_changed_is_kept_as_published_and_reported(client, editor, other_editor):
    page = make_policy(editor=editor, n_sections=2)
    rows = _sections(page)
    client.force_login(editor)
    _publish(client, page, _edit(rows, {0: "Ana's wording"}), "Ana's fix", 1)
    client.force_login(other_editor)
    _publish(client, page, _edit(rows, {0: "Ben's wording", 1: "Ben's tweak"}), "Ben", 1)
    draft = SetAsideDraft.objects.get()
    review = client.get(f"/admin/policies/set-aside-drafts/{draft.pk}/").content.decode()
    assert "changed both in this draft and in the current text" in review
    response = client.post(
        f"/admin/policies/set-aside-drafts/{draft.pk}/", {"action": "carry"}, follow=True
    )
    assert "1 section was also changed by the new version" in response.content.decode()
    working = PolicyPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    assert [s.body for s in working.sections.all()] == ["Ana's wording", "Ben's tweak"]


def test_discarding_leaves_the_working_text_alone(race, client, other_editor):
    page, _rows, _ = race
    draft = SetAsideDraft.objects.get()
    client.force_login(other_editor)
    client.post(f"/admin/policies/set-aside-drafts/{draft.pk}/", {"action": "discard"})
    draft.refresh_from_db()
    assert draft.state == SetAsideDraft.State.DISCARDED
    page = PolicyPage.objects.get(pk=page.pk)
    assert page.latest_revision_id == page.live_revision_id
    # A resolved draft cannot be carried over afterwards.
    response = client.post(
        f"/admin/policies/set-aside-drafts/{draft.pk}/", {"action": "carry"}, follow=True
    )
    assert "already discarded" in response.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "participant", "staff without page rights"])
def test_only_editors_of_the_policy_see_or_resolve_set_aside_drafts(race, client, who):
    page, _rows, _ = race
    draft = SetAsideDraft.objects.get()
    client.logout()
    if who == "participant":
        client.force_login(UserFactory(username="pat"))
    elif who == "staff without page rights":
        client.force_login(UserFactory(username="sid", is_staff=True))
    url = f"/admin/policies/set-aside-drafts/{draft.pk}/"
    assert client.get(url).status_code in (302, 403)
    client.post(url, {"action": "carry"})
    client.post(url, {"action": "discard"})
    draft.refresh_from_db()
    assert draft.state == SetAsideDraft.State.WAITING
