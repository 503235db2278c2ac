"""Who may do what with an account (accounts/rules.py), role by action, through the predicates,
the pages and the service that deletes accounts."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied

from accounts import rules
from accounts.models import Anonymisation
from accounts.services import anonymise_user
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "owner", "other participant", "facilitator", "superuser")


@pytest.fixture
def people(db):
    facilitator = UserFactory(username="fran")
    facilitator.groups.add(Group.objects.get(name="Facilitators"))
    return {
        "anonymous": AnonymousUser(),
        "owner": UserFactory(username="owen"),
        "other participant": UserFactory(username="olga"),
        "facilitator": facilitator,
        "superuser": UserFactory(username="root", is_superuser=True, is_staff=True),
    }


@pytest.fixture
def identity(people):
    return SocialAccount.objects.create(user=people["owner"], provider="mediawiki", uid="77")


# role: (view a profile, refresh the owner's identity, anonymise the owner's account)
EXPECTED = {
    "anonymous": (False, False, False),
    "owner": (True, True, True),
    "other participant": (True, False, False),
    "facilitator": (True, False, False),
    "superuser": (True, False, True),
}


@pytest.mark.parametrize("role", ROLES)
def test_predicates(people, identity, role):
    user = people[role]
    assert (
        rules.can_view_profile(user),
        rules.can_refresh_identity(user, identity),
        rules.can_anonymise(user, people["owner"]),
    ) == EXPECTED[role]


def _client(client, user):
    if user.is_authenticated:
        client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_pages(client, people, identity, role):
    c = _client(client, people[role])
    may_view, may_refresh, _ = EXPECTED[role]

    profile = c.get("/accounts/profile/")
    if may_view:
        assert profile.status_code == 200
    else:
        assert profile.status_code == 302 and profile["Location"].startswith("/accounts/login/")

    refresh = c.post(f"/accounts/profile/identities/{identity.pk}/refresh/")
    if may_refresh:
        assert refresh.status_code == 302 and refresh["Location"] == "/accounts/profile/"
    elif role == "anonymous":
        assert refresh.status_code == 302 and refresh["Location"].startswith("/accounts/login/")
    else:
        assert refresh.status_code == 404


@pytest.mark.parametrize("role", ROLES[1:])
def test_anyone_signed_in_may_delete_their_own_account(client, people, role):
    user = people[role]
    response = _client(client, user).post("/accounts/delete/", {"confirm": user.username})

    assert response.status_code == 302 and response["Location"] == "/"
    record = Anonymisation.objects.get(user=user)
    assert record.requested_by_self


@pytest.mark.parametrize("role", ROLES)
def test_only_the_owner_or_a_superuser_anonymises_an_account(people, role):
    owner = people["owner"]
    if EXPECTED[role][2]:
        record = anonymise_user(user=owner, by=people[role])
        owner.refresh_from_db()
        assert owner.username == f"former-participant-{owner.pk}"
        assert record.requested_by_self == (role == "owner")
    else:
        with pytest.raises(PermissionDenied):
            anonymise_user(user=owner, by=people[role])
        owner.refresh_from_db()
        assert owner.username == "owen" and owner.is_active
        assert not Anonymisation.objects.exists()


def test_the_command_acts_for_a_superuser_only(people, capsys):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="Only the account's owner or a site administrator"):
        call_command("anonymise_user", "owen", "--by", "fran")
    assert not Anonymisation.objects.exists()
    with pytest.raises(CommandError, match="There is no account 'nobody'"):
        call_command("anonymise_user", "nobody", "--by", "root")

    call_command("anonymise_user", "owen", "--by", "root")

    assert "Anonymised account" in capsys.readouterr().out
    record = Anonymisation.objects.get(user=people["owner"])
    assert not record.requested_by_self
