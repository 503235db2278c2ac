"""The registry, the adoption dashboard and its exports show the site's baseline policy unless
another is asked for, and say which one they show; editors choose it in the admin."""

import pytest
from django.core.exceptions import PermissionDenied

from communities import services as community_services
from policies import services as policy_services
from tests.factories import CommunityFactory, make_policy
from tests.reading import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_policies(editor, facilitator):
    """ "An early draft" sorts before "Shared baseline" by title; the baseline is the second."""
    early = make_policy(editor=editor, slug="early", title="An early draft")
    baseline = make_policy(editor=editor, slug="baseline", title="Shared baseline", n_versions=2)
    community = CommunityFactory(by=facilitator, name="Alder wiki", slug="alder")
    community_services.declare_adoption(
        community=community,
        policy=baseline,
        user=facilitator,
        status="adopted",
        version=baseline.versions.get(number=2),
    )
    return early, baseline


def test_without_a_baseline_the_first_policy_by_title_is_shown(client, two_policies):
    assert client.get("/adoption/export.json").json()["policy"] == "early"


def test_every_default_view_shows_the_baseline_and_says_so(client, editor, two_policies):
    early, baseline = two_policies
    policy_services.set_baseline_policy(page=baseline, user=editor)

    export = client.get("/adoption/export.json").json()
    assert (export["policy"], export["policy_title"]) == ("baseline", "Shared baseline")
    assert [row["community"] for row in export["communities"]] == ["alder"]
    assert "alder" in client.get("/adoption/export.csv").content.decode()

    dashboard = page_text(client.get("/adoption/"))
    assert "Showing Shared baseline, the baseline policy." in dashboard
    registry = page_text(client.get("/communities/"))
    assert "where it stands on Shared baseline, the baseline policy." in registry

    # Asking for another policy still works, and is not called the baseline.
    assert client.get("/adoption/export.json?policy=early").json()["policy"] == "early"
    other = page_text(client.get("/adoption/?policy=early"))
    assert "the baseline policy" not in other and "An early draft" in other


def test_editors_choose_the_baseline_in_the_admin_and_others_cannot(
    client, editor, facilitator, two_policies
):
    early, baseline = two_policies
    with pytest.raises(PermissionDenied):
        policy_services.set_baseline_policy(page=baseline, user=facilitator)

    url = "/admin/settings/policies/accordsettings/"
    client.force_login(facilitator)
    assert client.get(url).status_code in (302, 403)
    client.force_login(editor)
    page = client.get(url, follow=True)
    assert page.status_code == 200 and "Shared baseline" in page.content.decode()
    response = client.post(page.redirect_chain[-1][0], {"baseline_policy": baseline.pk})
    assert response.status_code == 302
    assert client.get("/adoption/export.json").json()["policy"] == "baseline"
