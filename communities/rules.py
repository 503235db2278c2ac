"""Who may declare for a community, and who manages the registry. Asked by views, the admin
and the services alike."""

import rules

from core.roles import is_facilitator, is_participant


@rules.predicate
def is_delegate(user, community) -> bool:
    if not is_participant(user) or community is None:
        return False
    cache = getattr(user, "_accord_delegate_of", None)
    if cache is None:
        cache = set(user.delegated_communities.values_list("pk", flat=True))
        user._accord_delegate_of = cache
    return community.pk in cache


can_declare = is_delegate | rules.predicate(lambda user, community=None: is_facilitator(user))
can_manage_registry = rules.predicate(lambda user: is_facilitator(user))
# The wiki's copy: whoever may declare for the community may publish its text (with their own
# wiki account) and acknowledge a change on the wiki.
can_publish_to_wiki = can_declare
can_acknowledge_wiki_copy = can_declare

rules.add_perm("communities.declare", can_declare)
rules.add_perm("communities.manage_registry", can_manage_registry)
rules.add_perm("communities.publish_to_wiki", can_publish_to_wiki)
rules.add_perm("communities.acknowledge_wiki_copy", can_acknowledge_wiki_copy)
