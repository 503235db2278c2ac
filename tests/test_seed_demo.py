"""`make run` loads the demo through `seed_demo`; it must work on a fresh database and change
nothing when run again."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import HomeCommunity
from communities.models import Adoption, Community
from consultations.models import Consultation, Position
from policies.models import PolicyVersion
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
