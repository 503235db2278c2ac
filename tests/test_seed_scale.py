"""`manage.py seed_scale` builds the rehearsal deployment `make loadtest` reads; at 1% of its
size here: the shapes it promises, every public page it lists rendering with bounded queries,
and a clear refusal on a second run."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from communities.models import Adoption, Community, SectionOverride
from consultations.models import Consultation, Position, Reply
from policies.models import PolicyPage, PolicyTranslation
from policysite.management.commands.seed_scale import SLUG, Sizes, rehearsal_pages
from ratification import eligibility
from ratification.models import Ballot, Vote
from transparency.models import LogEntry

pytestmark = pytest.mark.django_db


def test_seed_scale_builds_every_shape_and_its_pages_render(client, django_assert_max_num_queries):
    out = StringIO()
    call_command("seed_scale", scale=0.01, no_progress=True, stdout=out)
    sizes = Sizes.at(0.01)
    assert "Rehearsal deployment ready" in out.getvalue()

    page = PolicyPage.objects.get(slug=SLUG)
    assert list(page.versions.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    assert all(v.sections.count() == 30 for v in page.versions.all())
    translations = PolicyTranslation.objects.filter(source_version__policy=page)
    assert translations.count() == 6
    assert set(translations.values_list("locale__language_code", flat=True)) == {
        "de",
        "fr",
        "es",
        "ar",
    }

    assert Community.objects.count() == sizes.communities == 20
    by_status = {
        status: Adoption.objects.filter(policy=page, status=status).count()
        for status in Adoption.Status.values
    }
    # Every status a community can declare, and some communities that declared nothing.
    assert by_status == {
        "adopted": 8,
        "adopted_with_overrides": 3,
        "own_equivalent": 2,
        "opted_out": 1,
        "under_discussion": 3,
        "undeclared": 0,
    }
    assert Community.objects.filter(adoptions=None).count() == 3
    assert SectionOverride.objects.values("adoption").distinct().count() == 3
    assert Adoption.objects.filter(policy=page).exclude(version__number=5).exists()

    current = Consultation.objects.get(version__policy=page, state="open")
    assert Position.objects.filter(consultation=current).count() == sizes.positions == 200
    assert Reply.objects.filter(position__consultation=current).count() == sizes.replies == 40
    assert Position.objects.filter(consultation=current).values("user").distinct().count() == 50
    assert Consultation.objects.get(version__policy=page, state="summarised")

    vote = Vote.objects.get(version__policy=page)
    people = get_user_model().objects.filter(username__startswith="scale-person-")
    eligible = [user for user in people if eligibility.check(vote, user).eligible]
    assert len(eligible) == sizes.voters == 30
    assert Ballot.objects.filter(vote=vote).count() == sizes.ballots
    # Declarations, overrides, moderation, the summary and the vote are in the public log.
    kinds = set(LogEntry.objects.values_list("kind", flat=True))
    assert len(kinds) >= 5

    pages = rehearsal_pages()
    assert {"policy", "consultation", "positions", "summary", "registry", "votes"} <= set(pages)
    for kind, urls in pages.items():  # one of each kind (make loadtest reads them all)
        with django_assert_max_num_queries(20):
            response = client.get(urls[0])
        assert response.status_code == 200, (kind, urls[0])

    with pytest.raises(CommandError, match="already holds the rehearsal deployment"):
        call_command("seed_scale", scale=0.01, no_progress=True, stdout=StringIO())
    assert Community.objects.count() == 20
