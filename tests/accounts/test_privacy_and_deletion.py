"""Only a public username and a home community are ever shown: no email address on any public
page, in the API or in an export. Deleting an account anonymises what the person wrote."""

import datetime as dt
import logging

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Anonymisation, HomeCommunity
from communities.models import Membership
from consultations import services as consultation_services
from consultations.models import Position, Reply
from consultations.selectors import consultation_url
from policies.models import PolicyTranslation, PolicyVersion
from ratification import services as vote_services
from ratification.models import Ballot
from tests.accounts.conftest import OIDC_LOGIN, WIKI_LOGIN, round_trip
from tests.factories import (
    ConsultationFactory,
    PositionFactory,
    ReplyFactory,
    UserFactory,
    make_policy,
)
from tests.ratification.conftest import make_vote
from tests.reading import page_text

User = get_user_model()
pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client, oidc, wiki, editor, facilitator, django_capture_on_commit_callbacks):
    """ines signs in with both identities, takes a position, gets a reply, and votes."""
    round_trip(client, OIDC_LOGIN)
    round_trip(client, WIKI_LOGIN, process="connect", capture=django_capture_on_commit_callbacks)
    ines = User.objects.get(username="ines")
    other = UserFactory(username="olga", email="olga@private.example.net")
    policy = make_policy(editor=editor)
    version = policy.versions.get()
    consultation = ConsultationFactory(by=facilitator, version=version, title="Round one")
    position = PositionFactory(
        consultation=consultation, user=ines, stance="oppose", reason="Section one is too vague."
    )
    ReplyFactory(position=position, user=other, body="Which part, ines?")
    vote = make_vote(version, facilitator, eligible_communities=(wiki.community.pk,))
    vote_services.cast_ballot(vote=vote, user=ines, option="yes")
    return {"ines": ines, "consultation": consultation, "vote": vote, "policy": policy}


def public_urls(world) -> list[str]:
    c, v = world["consultation"], world["vote"]
    base = consultation_url(c)
    return [
        "/",
        world["policy"].url,
        f"{world['policy'].url}versions/",
        base,
        f"{base}?section={Position.objects.first().section_key}",
        base.rstrip("/") + "/export.csv",
        base.rstrip("/") + "/export.json",
        "/communities/",
        "/communities/alder/",
        "/adoption/export.csv",
        "/adoption/export.json",
        "/votes/",
        f"/votes/{v.pk}/",
        f"/votes/{v.pk}/voters/",
        f"/votes/{v.pk}/voters.csv",
        f"/votes/{v.pk}/voters.json",
        "/feeds/versions/",
        "/api/v1/consultations/",
        f"/api/v1/consultations/{c.pk}/positions/",
        f"/api/v1/consultations/{c.pk}/replies/",
        f"/api/v1/votes/{v.pk}/",
        f"/api/v1/votes/{v.pk}/voters/",
        "/search/?q=vague",
    ]


@pytest.mark.parametrize("viewer", ["anonymous", "someone else"])
def test_no_email_address_on_pages_api_or_exports(client, world, viewer):
    client.post("/accounts/logout/")
    if viewer == "someone else":
        client.force_login(UserFactory(username="watcher"))
    emails = list(User.objects.exclude(email="").values_list("email", flat=True))
    assert "ines@id.example.org" in emails

    for url in public_urls(world):
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode()
        for email in emails:
            assert email not in text, (url, email)
        assert "@private.example.net" not in text and "@id.example.org" not in text, url


def test_deleting_an_account_anonymises_contributions_and_keeps_the_text(
    client, world, caplog, editor
):
    ines = world["ines"]
    # ines also published a policy version (as an editor would).
    ines.groups.add(*Group.objects.filter(name__in=["Editors", "Moderators"]))
    ines.is_staff = True
    ines.save()
    authored = make_policy(editor=ines, slug="hers", title="Her Code")

    page = client.get("/accounts/delete/")
    assert "shown as written by a former participant" in page_text(page.content.decode())
    with caplog.at_level(logging.INFO, logger="accounts.services"):
        response = client.post("/accounts/delete/", {"confirm": "ines"}, follow=True)

    assert "Your account was deleted" in page_text(response.content.decode())
    assert not response.wsgi_request.user.is_authenticated
    ines.refresh_from_db()
    assert ines.username == f"former-participant-{ines.pk}"
    assert ines.email == "" and not ines.is_active and not ines.has_usable_password()
    assert not SocialAccount.objects.filter(user=ines).exists()
    assert not HomeCommunity.objects.filter(user=ines).exists()
    assert not Membership.objects.filter(user=ines).exists()
    assert Anonymisation.objects.filter(user=ines).exists()
    assert any("anonymised" in r.getMessage() for r in caplog.records)
    # The text others replied to stays, and the ballot stays counted.
    assert Position.objects.get(user=ines).reason == "Section one is too vague."
    assert Reply.objects.filter(body="Which part, ines?").exists()
    assert Ballot.objects.filter(voter=ines).exists()
    assert set(
        PolicyVersion.objects.filter(policy=authored).values_list("author_name", flat=True)
    ) == {"former participant"}

    text = page_text(client.get(consultation_url(world["consultation"])).content.decode())
    assert "former participant" in text and "Section one is too vague." in text
    assert "ines (" not in text
    voters = page_text(client.get(f"/votes/{world['vote'].pk}/voters/").content.decode())
    assert "former participant" in voters
    csv = client.get(f"/votes/{world['vote'].pk}/voters.csv").content.decode()
    assert "former participant" in csv and "former-participant-" not in csv

    # The old identity can sign up afresh; it is not tied to the anonymised row.
    client.post("/accounts/logout/")
    round_trip(client, OIDC_LOGIN)
    assert SocialAccount.objects.get(provider="fakeid").user != ines


def test_a_wrong_confirmation_deletes_nothing(client, world):
    response = client.post("/accounts/delete/", {"confirm": "not-me"})

    assert response.status_code == 200
    assert "That is not your username; nothing was deleted." in page_text(response.content.decode())
    assert User.objects.get(pk=world["ines"].pk).is_active
    assert not Anonymisation.objects.exists()


def test_deleting_needs_a_signed_in_account(client, db):
    response = client.post("/accounts/delete/", {"confirm": "x"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_anonymising_rewrites_the_public_records_that_name_the_person(client, editor, facilitator):
    """A struck ballot's log line, a consultation's "Closed by" note and a translation's
    translator name stop naming the person; other people's records keep their names. The vote's
    log refers to the voter, so it reads "former participant" with nothing in it rewritten."""
    from accounts.services import anonymise_user
    from policies.services import import_translation_markdown
    from ratification.models import AuditEntry

    quinn = UserFactory(username="quinn")
    quinn.groups.add(*Group.objects.filter(name__in=["Facilitators", "Translators"]))
    scrutineer = UserFactory(username="sam")
    scrutineer.groups.add(Group.objects.get(name="Scrutineers"))
    policy = make_policy(editor=editor)
    version = policy.versions.get()
    vote = make_vote(version, facilitator)
    for voter in (quinn, UserFactory(username="rosa")):
        ballot, _receipt = vote_services.cast_ballot(vote=vote, user=voter, option="yes")
        vote_services.strike_ballot(ballot=ballot, user=scrutineer, reason="Duplicate account")
    consultation = consultation_services.create_consultation(
        version=version,
        user=facilitator,
        title="Round one",
        open_now=True,
        closes_at=timezone.now() + dt.timedelta(days=28),
    )
    consultation_services.close_consultation(consultation=consultation, user=quinn, note="")
    sections = "\n\n".join(f"## Teil {s.position}\n\nText." for s in version.sections.all())
    import_translation_markdown(
        data=f"# Kodex\n\n{sections}\n",
        slug=policy.slug,
        version_number=version.number,
        language_code="de",
        user=quinn,
    )

    stored = list(AuditEntry.objects.filter(vote=vote).order_by("pk").values())
    assert "quinn" not in str(stored)  # the log names nobody in its text

    anonymise_user(user=quinn)

    assert list(AuditEntry.objects.filter(vote=vote).order_by("pk").values()) == stored
    log = page_text(client.get(f"/votes/{vote.pk}/log/"))
    assert "Struck the ballot of former participant: Duplicate account" in log
    assert "Struck the ballot of rosa: Duplicate account" in log
    assert "quinn" not in log
    page = client.get(consultation_url(consultation)).content.decode()
    assert "Closed by former participant." in page
    assert "quinn" not in page
    consultation.refresh_from_db()
    assert "quinn" not in consultation.state_note
    assert set(
        PolicyTranslation.objects.filter(source_version=version).values_list(
            "translator_name", flat=True
        )
    ) == {"former participant"}


def test_every_app_that_names_people_forgets_them_itself():
    """Anonymisation asks each app to forget the person (core.forgetting), instead of the
    accounts app rewriting other apps' tables."""
    from core import forgetting

    owners = {handler.__module__ for handler in forgetting.handlers()}
    # consultations and ratification store no account's name (their pages name people when
    # they are shown); consultations keeps rendered digests of its first view, which it
    # renders afresh.
    assert owners == {
        "policies.services",
        "communities.services",
        "consultations.fragments",
    }
