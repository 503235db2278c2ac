"""The registry's admin forms write through the services (the same permission check and
validation as the import, the pages and the API)."""

from unittest import mock

import pytest

from communities import services
from communities.models import Community, Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


def test_adding_a_community_in_the_admin_goes_through_save_community(admin_client):
    with mock.patch.object(services, "save_community", wraps=services.save_community) as saving:
        response = admin_client.post(
            "/admin/snippets/communities/community/add/",
            {"name": "Alder Wiki", "slug": "alder", "kind": "wiki", "language": "en", "url": ""},
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert saving.called
    assert Community.objects.get(slug="alder").name == "Alder Wiki"


def test_editing_a_community_renames_it_in_place(admin_client, facilitator):
    community, _ = services.save_community(user=facilitator, name="Alder", slug="alder")
    response = admin_client.post(
        f"/admin/snippets/communities/community/edit/{community.pk}/",
        {"name": "Alder Wiki", "slug": "alder-wiki", "kind": "wiki", "language": "", "url": ""},
    )
    assert response.status_code == 302
    assert list(Community.objects.values_list("pk", "slug")) == [(community.pk, "alder-wiki")]


def test_a_membership_from_the_future_is_refused_beside_its_field(admin_client, facilitator):
    community, _ = services.save_community(user=facilitator, name="Alder", slug="alder")
    kim = UserFactory(username="kim")
    data = {"community": community.pk, "user": kim.pk, "edit_count": 5, "source": ""}
    with mock.patch.object(services, "save_membership", wraps=services.save_membership) as saving:
        refused = admin_client.post(
            "/admin/snippets/communities/membership/add/", {**data, "registered_on": "2999-01-01"}
        )
        assert refused.status_code == 200
        assert "The registration date is in the future." in refused.content.decode()
        assert not Membership.objects.exists()
        accepted = admin_client.post(
            "/admin/snippets/communities/membership/add/", {**data, "registered_on": "2020-01-01"}
        )
    assert accepted.status_code == 302
    assert saving.called
    assert Membership.objects.get().edit_count == 5
