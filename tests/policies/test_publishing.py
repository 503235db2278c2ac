"""Publishing: versions are numbered, attributed, hashed, immutable, and never silent."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from policies import services
from policies.models import ImmutableVersionError, PolicyVersion, SectionVersion
from tests.factories import make_policy, sections

pytestmark = pytest.mark.django_db


def test_publish_creates_numbered_attributed_version(editor):
    page = make_policy(editor=editor, n_sections=3)
    version = page.versions.get()
    assert version.number == 1
    assert version.author == editor
    assert version.author_name == "ana"
    assert version.summary == "Version 1"
    assert len(version.content_hash) == 64
    assert [s.position for s in version.sections.all()] == [0, 1, 2]
    assert [s.heading for s in version.sections.all()] == ["Section 1", "Section 2", "Section 3"]
    assert page.live


def test_section_keys_are_stable_through_rename_and_move(editor):
    page = make_policy(editor=editor, n_sections=3)
    v1 = list(page.versions.get().sections.all())
    # Rename the first section and move it to the end.
    reordered = [
        (v1[1].key, v1[1].heading, v1[1].body),
        (v1[2].key, v1[2].heading, v1[2].body),
        (v1[0].key, "Renamed opening", v1[0].body),
    ]
    v2 = services.publish_policy(page=page, user=editor, summary="Move", sections=reordered)
    keys = {s.heading: s.key for s in v2.sections.all()}
    assert keys["Renamed opening"] == v1[0].key
    assert v2.sections_changed == 1  # the rename; the move alone changes no text


def test_publish_without_summary_is_refused(editor):
    page = make_policy(editor=editor)
    with pytest.raises(ValidationError, match="edit summary"):
        services.publish_policy(page=page, user=editor, summary="  ", sections=sections(2))
    assert page.versions.count() == 1


def test_identical_text_creates_no_new_version(editor):
    page = make_policy(editor=editor)
    same = [(s.key, s.heading, s.body) for s in page.versions.get().sections.all()]
    assert services.publish_policy(page=page, user=editor, summary="Again", sections=same) is None
    assert page.versions.count() == 1


def test_second_version_records_change_statistics(editor):
    page = make_policy(editor=editor, n_sections=3)
    v1 = list(page.versions.get().sections.all())
    new = [
        (v1[0].key, v1[0].heading, v1[0].body + " plus three words"),
        (v1[1].key, v1[1].heading, v1[1].body),
        (None, "Appeals", "You may appeal once."),
    ]
    v2 = services.publish_policy(page=page, user=editor, summary="Edit", sections=new, label="2.1")
    assert (v2.number, v2.label) == (2, "2.1")
    assert v2.sections_added == 1
    assert v2.sections_removed == 1
    assert v2.sections_changed == 1
    assert v2.words_added == 3 + 4  # three words in section 1, four in the new section
    assert v2.words_removed > 0  # the removed section's words


def test_published_versions_are_immutable(editor):
    page = make_policy(editor=editor)
    version = page.versions.get()
    version.summary = "Quietly rewritten"
    with pytest.raises(ImmutableVersionError):
        version.save()
    section = version.sections.first()
    section.body = "Quietly rewritten"
    with pytest.raises(ImmutableVersionError):
        section.save()
    with pytest.raises(ImmutableVersionError):
        version.delete()
    assert PolicyVersion.objects.get(pk=version.pk).summary == "Version 1"
    assert not SectionVersion.objects.filter(body="Quietly rewritten").exists()


def test_conflicting_publish_is_refused_naming_who_changed_what(editor, other_editor):
    page = make_policy(editor=editor)
    keyed = [(s.key, s.heading, s.body) for s in page.versions.get().sections.all()]
    # Ben publishes version 2 while Ana is still editing version 1.
    services.publish_policy(
        page=page,
        user=other_editor,
        summary="Tighten reporting",
        sections=[(k, h, b + " Ben's edit.") for k, h, b in keyed],
        base_version=1,
    )
    with pytest.raises(services.PublishConflict) as excinfo:
        services.publish_policy(
            page=page,
            user=editor,
            summary="Ana's edit",
            sections=[(k, h, b + " Ana's edit.") for k, h, b in keyed],
            base_version=1,
        )
    message = excinfo.value.messages[0]
    assert "version 2 by ben" in message
    assert "Tighten reporting" in message
    assert page.versions.count() == 2


def test_only_editors_publish(editor, participant):
    page = make_policy(editor=editor)
    with pytest.raises(PermissionDenied):
        services.publish_policy(page=page, user=participant, summary="x", sections=sections(1))
    with pytest.raises(PermissionDenied):
        services.create_policy_page(title="Mine", slug="mine", user=participant)
    assert page.versions.count() == 1
