"""Searching the registry in the Wagtail admin: the rows whose name, slug or member match are
listed and the others are not, on any database (issue 21: every search was a 500 on SQLite)."""

import pytest

from communities import services
from tests.factories import UserFactory

from .conftest import tables

pytestmark = pytest.mark.django_db


def listed(response) -> list[str]:
    """The first cell of each row of the admin's listing."""
    assert response.status_code == 200, response.content.decode()[:2000]
    rows = [row for table in tables(response).values() for row in table if row]
    return [row[0] if row[0] else row[1] for row in rows]


@pytest.fixture
def members(facilitator, community, other_community):
    kim, sam = UserFactory(username="kim"), UserFactory(username="sam")
    services.save_membership(community=community, member=kim, user=facilitator)
    services.save_membership(community=other_community, member=sam, user=facilitator)
    return kim, sam


@pytest.mark.parametrize("who", ["facilitator", "superuser"])
@pytest.mark.parametrize(
    "query, found, not_found",
    [
        ("alder", "Alder Wiki", "Birch Project"),
        ("ALD", "Alder Wiki", "Birch Project"),
        ("birch-project", "Birch Project", "Alder Wiki"),
    ],
)
def test_searching_communities_lists_the_matching_ones(
    client, request, community, other_community, who, query, found, not_found
):
    client.force_login(request.getfixturevalue(who))
    rows = " | ".join(listed(client.get("/admin/snippets/communities/community/", {"q": query})))
    assert found in rows
    assert not_found not in rows


@pytest.mark.parametrize("who", ["facilitator", "superuser"])
@pytest.mark.parametrize(
    "query, found, not_found",
    [("alder", "kim", "sam"), ("Birch", "sam", "kim"), ("sa", "sam", "kim")],
)
def test_searching_memberships_lists_the_matching_ones(
    client, request, members, who, query, found, not_found
):
    client.force_login(request.getfixturevalue(who))
    rows = " | ".join(listed(client.get("/admin/snippets/communities/membership/", {"q": query})))
    assert found in rows
    assert not_found not in rows


def test_a_search_that_matches_nothing_says_so(client, superuser, community):
    client.force_login(superuser)
    response = client.get("/admin/snippets/communities/community/", {"q": "zzz"})
    assert response.status_code == 200
    assert "Alder Wiki" not in " | ".join(listed(response))
