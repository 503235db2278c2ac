"""`make run` loads the demo through `seed_demo`; it must work on a fresh database and change
nothing when run again."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.models import HomeCommunity
from communities import rules as community_rules
from communities.models import Adoption, Community
from consultations.models import Consultation, Position
from policies import rules as policy_rules
from policies.models import PolicyPage, PolicyVersion
from ratification import rules as vote_rules
from ratification.models import Ballot, BoardRatification, ExternalTally, Vote
from ratification.selectors import results

pytestmark = pytest.mark.django_db


def _counts():
    return (
        PolicyVersion.objects.count(),
        Consultation.objects.count(),
        Position.objects.count(),
        Community.objects.count(),
        Adoption.objects.count(),
        Vote.objects.count(),
        Ballot.objects.count(),
        BoardRatification.objects.count(),
        ExternalTally.objects.count(),
        HomeCommunity.objects.count(),
    )


def test_seed_demo_builds_the_demo_and_is_idempotent(client):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Admin login: admin / accord-demo" in out.getvalue()
    first = _counts()
    assert first[0] == 3 and first[1] == 2 and first[2] > 0 and first[3] == 30
    assert set(Consultation.objects.values_list("state", flat=True)) == {"summarised", "open"}
    assert first[5:] == (2, 29, 1, 1, 3)
    closed, current = Vote.objects.get(state="closed"), Vote.objects.get(state="open")
    assert results(closed).outcome == "passed"
    assert results(closed).struck == 1
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == first
    summarised = Consultation.objects.get(state="summarised")
    for url in (
        "/",
        "/shared-conduct-baseline/",
        "/shared-conduct-baseline/compare/1/3/",
        "/shared-conduct-baseline/translations/",
        "/shared-conduct-baseline/translations/de/",
        "/communities/",
        "/adoption/",
        f"/shared-conduct-baseline/consultations/{summarised.pk}/summary/",
        "/shared-conduct-baseline/ratification/",
        "/votes/",
        f"/votes/{closed.pk}/results/",
        f"/votes/{current.pk}/",
        f"/votes/{current.pk}/voters/",
    ):
        assert client.get(url).status_code == 200, url


def test_every_demo_account_holds_the_role_the_readme_gives_it():
    """README, Roles: who may do what, account by account (the facilitator walks the whole
    facilitator journey, policy text included)."""
    call_command("seed_demo", stdout=StringIO())
    users = {u.username: u for u in get_user_model().objects.all()}
    page = PolicyPage.objects.get(slug="shared-conduct-baseline")
    alder = Community.objects.get(slug="alder-wiki")
    for name in ("ana", "ben", "fran", "admin"):
        assert policy_rules.can_import_policies(users[name]), name
        assert policy_rules.can_publish_policy(users[name], page), name
    for name in ("kim", "lee", "sam", "dana", "bea", "sara", "tove"):
        assert not policy_rules.can_edit_policy(users[name], page), name
    assert policy_rules.is_facilitator(users["fran"])
    assert not policy_rules.is_facilitator(users["ana"])
    assert policy_rules.can_translate_policy(users["tove"], page)
    assert vote_rules.is_board_secretary(users["bea"])
    assert vote_rules.is_scrutineer(users["sara"])
    assert community_rules.is_delegate(users["dana"], alder)
