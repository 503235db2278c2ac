"""Who may do what with policies. Views, hooks, commands and services all ask here.

Editing rights come from Wagtail's page permissions, held by the Editors, Moderators and
Facilitators groups (core.roles), so the admin and the public site agree on who is an editor."""

import rules

# The roles shared by every app live in core (re-exported here for policies' own rules).
from core.roles import TRANSLATORS, is_facilitator, is_participant  # noqa: E402, F401


@rules.predicate
def can_publish_policy(user, page) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return page.permissions_for_user(user).can_publish()


@rules.predicate
def can_edit_policy(user, page) -> bool:
    """Save drafts of a policy (its text is public only once published)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return page.permissions_for_user(user).can_edit()


@rules.predicate
def can_create_policy(user, index_page) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    perms = index_page.permissions_for_user(user)
    return perms.can_add_subpage() and perms.can_publish_subpage()


@rules.predicate
def can_import_policies(user) -> bool:
    """The admin import screen: editors who may create and publish policies."""
    from .models import PolicyIndexPage

    index = PolicyIndexPage.objects.first()
    return index is not None and can_create_policy(user, index)


@rules.predicate
def can_translate_policy(user, page) -> bool:
    """Import translations of a policy's published versions: its editors, and members of the
    "Translators" group (who may not change the source text itself)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.groups.filter(name=TRANSLATORS).exists():
        return True
    return can_publish_policy(user, page)


@rules.predicate
def can_resolve_set_aside_draft(user, draft) -> bool:
    """Review, carry over or discard a draft whose publication was refused: whoever may publish
    the policy (its author among them)."""
    return can_publish_policy(user, draft.page)


# Reading published versions is public; nobody edits or deletes a published version
# (PolicyVersion and SectionVersion refuse it at the model level).
@rules.predicate
def can_view_policy(user, page) -> bool:
    return page.live


rules.add_perm("policies.publish_policy", can_publish_policy)
rules.add_perm("policies.create_policy", can_create_policy)
rules.add_perm("policies.import_policies", can_import_policies)
rules.add_perm("policies.view_policy", can_view_policy)
rules.add_perm("policies.translate_policy", can_translate_policy)
rules.add_perm("policies.resolve_set_aside_draft", can_resolve_set_aside_draft)
rules.add_perm("policies.change_policyversion", rules.always_deny)
rules.add_perm("policies.delete_policyversion", rules.always_deny)
