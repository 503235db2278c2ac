"""Who may do what with policies: role × action."""

import pytest
from django.contrib.auth.models import AnonymousUser

from policies import rules as policy_rules
from policies.models import ImmutableVersionError, PolicyIndexPage
from tests.factories import EditorFactory, FacilitatorFactory, UserFactory, make_policy

pytestmark = pytest.mark.django_db

ROLES = {
    "anonymous": lambda: AnonymousUser(),
    "participant": lambda: UserFactory(username="participant"),
    # Wagtail's Editors group alone: drafts, not publications.
    "drafting editor": lambda: UserFactory(username="drafter", groups=["Editors"]),
    "editor": lambda: EditorFactory(username="editor-x"),
    # The facilitator's journey starts with importing and publishing the baseline.
    "facilitator": lambda: FacilitatorFactory(username="facilitator-x"),
    "translator": lambda: UserFactory(username="translator", groups=["Translators"]),
    "superuser": lambda: UserFactory(username="root", is_superuser=True, is_staff=True),
    "inactive editor": lambda: EditorFactory(username="gone", is_active=False),
    "inactive facilitator": lambda: FacilitatorFactory(username="gone-f", is_active=False),
}

#                           read  edit   publish create import translate
MATRIX = {
    "anonymous":            (True, False, False, False, False, False),
    "participant":          (True, False, False, False, False, False),
    "drafting editor":      (True, True,  False, False, False, False),
    "editor":               (True, True,  True,  True,  True,  True),
    "facilitator":          (True, True,  True,  True,  True,  True),
    "translator":           (True, False, False, False, False, True),
    "superuser":            (True, True,  True,  True,  True,  True),
    "inactive editor":      (True, False, False, False, False, False),
    "inactive facilitator": (True, False, False, False, False, False),
}  # fmt: skip


@pytest.mark.parametrize("role", MATRIX)
def test_policy_permission_matrix(role, editor, client):
    page = make_policy(editor=editor)
    user = ROLES[role]()
    index = PolicyIndexPage.objects.get()
    read, edit, publish, create, import_, translate = MATRIX[role]
    assert policy_rules.can_view_policy(user, page) is read
    assert policy_rules.can_edit_policy(user, page) is edit
    assert policy_rules.can_publish_policy(user, page) is publish
    assert policy_rules.can_create_policy(user, index) is create
    assert policy_rules.can_import_policies(user) is import_
    assert policy_rules.can_translate_policy(user, page) is translate
    assert client.get(page.url).status_code == 200  # reading is public


@pytest.mark.parametrize("role", MATRIX)
def test_nobody_may_change_or_delete_a_published_version(role, editor):
    page = make_policy(editor=editor)
    user = ROLES[role]()
    version = page.versions.get()
    # Django grants a superuser every permission, so the rule alone cannot stop them...
    granted = user.is_authenticated and user.is_superuser
    assert user.has_perm("policies.change_policyversion", version) is granted
    assert user.has_perm("policies.delete_policyversion", version) is granted
    # ...which is why the model itself refuses, whoever asks.
    version.summary = f"rewritten by {role}"
    with pytest.raises(ImmutableVersionError):
        version.save()
    with pytest.raises(ImmutableVersionError):
        version.delete()


@pytest.mark.parametrize(
    "role,status",
    [
        ("anonymous", 302),
        ("participant", 302),
        ("translator", 302),
        ("drafting editor", 302),
        ("editor", 200),
        ("facilitator", 200),
    ],
)
def test_admin_import_screen_access(role, status, client, editor):
    user = ROLES[role]()
    if user.is_authenticated:
        client.force_login(user)
    assert client.get("/admin/policies/import/").status_code == status


@pytest.mark.parametrize("role,status", [("participant", 302), ("facilitator", 200)])
def test_admin_page_editor_access(role, status, client, editor):
    """The facilitator opens a policy in Wagtail's editor (to fix what an import got wrong)."""
    page = make_policy(editor=editor)
    client.force_login(ROLES[role]())
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == status
    if status == 200:
        assert 'name="action-publish"' in response.content.decode()
