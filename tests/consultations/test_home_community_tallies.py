"""Each section's tally can be broken down by the home community of the people who took a
position (issue 9): linked identities say where people come from."""

import datetime as dt

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import HomeCommunity
from communities.models import Community
from consultations import services
from consultations.selectors import consultation_url
from tests.factories import UserFactory, make_policy
from tests.reading import page_text, tables

pytestmark = pytest.mark.django_db


def _from(user, community, uid):
    account = SocialAccount.objects.create(user=user, provider="mediawiki", uid=uid)
    HomeCommunity.objects.create(account=account, user=user, community=community)


@pytest.fixture
def consultation(editor):
    facilitator = UserFactory(username="fran")
    facilitator.groups.add(Group.objects.get(name="Facilitators"))
    version = make_policy(editor=editor).versions.get()
    return services.create_consultation(
        version=version,
        user=facilitator,
        title="Round one",
        open_now=True,
        closes_at=timezone.now() + dt.timedelta(days=28),
    )


def _positions(consultation, stances):
    key = consultation.version.sections.first().key
    alder = Community.objects.create(name="Alder Wiki", slug="alder-wiki")
    birch = Community.objects.create(name="Birch Project", slug="birch-project")
    made = []
    for i, (home, stance) in enumerate(stances):
        user = UserFactory(username=f"person{i}")
        if home:
            _from(user, {"alder": alder, "birch": birch}[home], uid=str(i))
        made.append(
            services.take_position(
                consultation=consultation, section_key=key, user=user, stance=stance, reason="."
            )
        )
    return made


def test_a_section_tally_is_broken_down_by_home_community(client, consultation):
    _positions(
        consultation,
        [
            ("alder", "support"),
            ("alder", "oppose"),
            ("alder", "support"),
            ("birch", "support"),
            (None, "neutral"),
        ],
    )

    html = client.get(consultation_url(consultation)).content.decode()

    assert "By home community" in page_text(html)
    assert tables(html)["Positions by home community"] == [
        ["Alder Wiki", "2", "1", "0"],
        ["Birch Project", "1", "0", "0"],
    ]


def test_hidden_positions_and_people_without_a_home_are_not_in_the_breakdown(client, consultation):
    positions = _positions(consultation, [("alder", "support"), (None, "oppose")])
    fran = UserFactory._meta.model.objects.get(username="fran")
    services.moderate(item=positions[0], user=fran, hide=True, reason="Off topic")

    html = client.get(consultation_url(consultation)).content.decode()

    assert "By home community" not in page_text(html)


def test_the_api_gives_each_author_home_community(client, consultation):
    positions = _positions(consultation, [("alder", "support"), (None, "oppose")])
    services.add_reply(position=positions[1], user=positions[0].user, body="Why?")

    base = f"/api/v1/consultations/{consultation.pk}"
    listed = client.get(f"{base}/positions/").json()["results"]
    replies = client.get(f"{base}/replies/").json()["results"]

    assert [(p["author"], p["home_community"]) for p in listed] == [
        ("person0", "Alder Wiki"),
        ("person1", None),
    ]
    assert [(r["author"], r["home_community"]) for r in replies] == [("person0", "Alder Wiki")]

    client.force_login(positions[0].user)
    other_key = list(consultation.version.sections.values_list("key", flat=True))[1]
    taken = client.post(
        f"{base}/positions/",
        {"section_key": other_key, "stance": "neutral"},
        content_type="application/json",
    )
    assert taken.status_code == 201
    assert taken.json()["home_community"] == "Alder Wiki"
