"""The home page answers "what is happening now": open consultations and votes with their
closing dates, the latest published versions, and where communities stand on the baseline
policy, linking to the dashboard. An empty site says so; the page's queries are bounded."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities import services as community_services
from policies import services as policy_services
from tests.factories import (
    CommunityFactory,
    ConsultationFactory,
    VoteFactory,
    make_policy,
)
from tests.reading import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_site(editor, facilitator):
    policy = make_policy(editor=editor, slug="baseline", title="Shared baseline", n_versions=2)
    policy_services.set_baseline_policy(page=policy, user=editor)
    latest = policy.versions.get(number=2)
    closes = timezone.now() + timedelta(days=10)
    ConsultationFactory(by=facilitator, version=latest, title="Four weeks on v2", closes_at=closes)
    ConsultationFactory(by=facilitator, version=latest, title="A closed one", state="closed")
    ConsultationFactory(by=facilitator, version=latest, title="Not yet open", state="draft")
    VoteFactory(by=facilitator, version=latest, question="Do you ratify v2?")
    for name, status in [("Alder", "adopted"), ("Birch", "adopted"), ("Cedar", "under_discussion")]:
        community_services.declare_adoption(
            community=CommunityFactory(by=facilitator, name=name, slug=name.lower()),
            policy=policy,
            user=facilitator,
            status=status,
            version=latest,
        )
    CommunityFactory(by=facilitator, name="Dogwood", slug="dogwood")
    return policy


def test_a_visitor_sees_what_is_open_the_latest_versions_and_adoption_with_links(client, busy_site):
    text = page_text(client.get("/"))
    happening = text.split("Happening now", 1)[1].split("Latest versions", 1)[0]
    assert "Four weeks on v2" in happening and "Do you ratify v2?" in happening
    assert "Shared baseline, version 2" in happening and "Open until" in happening
    assert "A closed one" not in text and "Not yet open" not in text

    latest = text.split("Latest versions", 1)[1].split("Adoption at a glance", 1)[0]
    assert latest.index("version 2") < latest.index("version 1")
    assert "Version 2" in latest  # the edit summary make_policy gives each version

    glance = text.split("Adoption at a glance", 1)[1]
    assert "Where the 4 communities stand on Shared baseline, version 2." in glance
    assert (
        "2 Adopted" in glance and "1 Under discussion" in glance and "1 not declared yet" in glance
    )

    html = client.get("/").content.decode()
    assert 'href="/adoption/"' in html
    assert 'href="/baseline/compare/1/2/"' in html and 'href="/baseline/versions/2/"' in html
    assert "/baseline/consultations/" in html and "/votes/" in html


def test_an_empty_site_says_nothing_is_open(client):
    response = client.get("/")
    text = page_text(response)
    assert response.status_code == 200
    assert "No consultation or vote is open right now." in text
    assert "No version has been published yet." in text
    assert "Adoption at a glance" not in text


def test_the_home_page_costs_the_same_queries_however_busy(
    client, editor, facilitator, busy_site, django_assert_max_num_queries
):
    client.get("/")  # warm Wagtail's site cache
    with django_assert_max_num_queries(16) as few:
        client.get("/")
    for n in range(3):
        ConsultationFactory(by=facilitator, version=busy_site.versions.last(), title=f"More {n}")
        VoteFactory(by=facilitator, version=busy_site.versions.last(), question=f"Vote {n}?")
        make_policy(editor=editor, slug=f"other-{n}", title=f"Other {n}", n_versions=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/")
