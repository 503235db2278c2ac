"""Who may do what with policies: role × action."""

import pytest
from django.contrib.auth.models import AnonymousUser

from policies import rules as policy_rules
from policies.models import ImmutableVersionError, PolicyIndexPage
from tests.factories import EditorFactory, UserFactory, make_policy

pytestmark = pytest.mark.django_db

ROLES = {
    "anonymous": lambda: AnonymousUser(),
    "participant": lambda: UserFactory(username="participant"),
    "editor": lambda: EditorFactory(username="editor-x"),
    "superuser": lambda: UserFactory(username="root", is_superuser=True, is_staff=True),
    "inactive editor": lambda: EditorFactory(username="gone", is_active=False),
}

#                      read   publish  create  import
MATRIX = {
    "anonymous":       (True, False, False, False),
    "participant":     (True, False, False, False),
    "editor":          (True, True, True, True),
    "superuser":       (True, True, True, True),
    "inactive editor": (True, False, False, False),
}  # fmt: skip


@pytest.mark.parametrize("role", MATRIX)
def test_policy_permission_matrix(role, editor, client):
    page = make_policy(editor=editor)
    user = ROLES[role]()
    index = PolicyIndexPage.objects.get()
    read, publish, create, import_ = MATRIX[role]
    assert policy_rules.can_view_policy(user, page) is read
    assert policy_rules.can_publish_policy(user, page) is publish
    assert policy_rules.can_create_policy(user, index) is create
    assert policy_rules.can_import_policies(user) is import_
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


@pytest.mark.parametrize("role,status", [("anonymous", 302), ("participant", 302), ("editor", 200)])
def test_admin_import_screen_access(role, status, client, editor):
    user = ROLES[role]()
    if user.is_authenticated:
        client.force_login(user)
    assert client.get("/admin/policies/import/").status_code == status
