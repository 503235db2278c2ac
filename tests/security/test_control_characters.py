"""Control characters (issue 21). One \\x0b in a declaration's rationale, a vote's cancel reason
or a policy title used to break an Atom feed for good (XML 1.0 cannot hold it: 500 on every
request). Now: every form and API field drops them (tab and line breaks are text and stay; NUL
is refused as before), imports refuse a file holding NUL and drop the rest, and the feeds stay
valid whatever was stored before."""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET
from io import StringIO

import pytest
from django import forms
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.xmlutils import SimplerXMLGenerator
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import serializers
from wagtail.models import Page

from communities import services as community_services
from communities.models import Adoption, Community, Membership
from consultations import services as consultation_services
from core.text import (
    CONTROL_CHARACTERS,
    NulCharacterError,
    imported_text,
    strip_control_characters,
    xml_safe,
)
from policies.models import PolicyIndexPage, PolicyPage, PolicyVersion
from ratification import services as vote_services
from ratification.models import Vote
from tests.factories import UserFactory, make_policy

from ..policies.test_admin_editing import _form

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
CONTROLS = "".join(chr(c) for c in range(0x20) if chr(c) not in "\x00\t\n\r")


# --- the helpers ----------------------------------------------------------------------------------


@given(st.text())
def test_stripping_keeps_every_other_character(text):
    stripped = strip_control_characters(text)
    assert not CONTROL_CHARACTERS.search(stripped)
    assert stripped == "".join(c for c in text if c not in CONTROLS)


@given(st.text())
def test_xml_safe_text_can_always_be_written_as_xml(text):
    out = io.StringIO()
    writer = SimplerXMLGenerator(out, "utf-8")
    writer.startElement("t", {})
    writer.characters(xml_safe(text))
    writer.endElement("t")
    element = ET.fromstring(out.getvalue().encode("utf-8"))  # noqa: S314
    # An XML parser reads every line break as a line feed.
    assert (element.text or "") == xml_safe(text).replace("\r\n", "\n").replace("\r", "\n")


def test_imported_text_names_the_line_with_nul():
    assert imported_text("a\x0bb\tc\r\nd") == "ab\tc\r\nd"
    with pytest.raises(NulCharacterError) as refused:
        imported_text("one\ntwo\nth\x00ree")
    assert refused.value.line == 3 and "line 3" in str(refused.value)


def test_every_text_field_cleans_what_it_is_given():
    assert forms.CharField().clean("a\x01b\x0b ") == "ab"
    assert forms.EmailField().clean("kim\x0b@example.org") == "kim@example.org"
    assert forms.CharField(required=False).clean("\x01\x1f") == ""
    with pytest.raises(forms.ValidationError):
        forms.CharField().clean("\x01\x1f")  # nothing left: required
    with pytest.raises(forms.ValidationError):
        forms.CharField().clean("a\x00b")  # NUL: refused, not hidden
    assert forms.CharField(widget=forms.PasswordInput).clean("pw\x01") == "pw\x01"
    assert serializers.CharField().run_validation("a\x1eb") == "ab"
    assert serializers.DictField(child=serializers.CharField()).run_validation({"k": "v\x0b"}) == {
        "k": "v"
    }
    with pytest.raises(serializers.ValidationError):
        serializers.CharField().run_validation("\x0b\x01")  # blank once cleaned


# --- people and data, stored through the services (which do not clean) --------------------------


@pytest.fixture
def stored(editor, facilitator):
    """Rows holding control characters, as stored before input was cleaned."""
    policy = make_policy(editor=editor, title="Baseline\x0b Code", n_sections=2)
    version = policy.versions.get()
    community, _ = community_services.save_community(
        user=facilitator, name="Alder\x01 Wiki", slug="alder-wiki"
    )
    community_services.declare_adoption(
        community=community, policy=policy, user=facilitator, status="opted_out",
        rationale="Our host\x0b covers us\x1f.",
    )  # fmt: skip
    now = timezone.now()
    vote = vote_services.create_vote(
        version=version,
        user=facilitator,
        config=vote_services.VoteSettings(
            question="Ratify\x0c it?", opens_at=now - dt.timedelta(hours=1),
            closes_at=now + dt.timedelta(days=1),
        ),
    )  # fmt: skip
    vote = vote_services.open_vote(vote=vote, user=facilitator)
    vote_services.cancel_vote(vote=vote, user=facilitator, reason="Opened\x01 by mistake.")
    consultation = consultation_services.create_consultation(
        version=version, user=facilitator, title="Round\x0b one",
        closes_at=now + dt.timedelta(days=28), open_now=True,
    )  # fmt: skip
    consultation = consultation_services.close_consultation(
        consultation=consultation, user=facilitator, note="Done."
    )
    consultation_services.save_summary(
        consultation=consultation,
        user=facilitator,
        intro="We\x0b heard you.",
        sections=[
            {
                "section_key": version.sections.first().key,
                "outcome": "accepted",
                "text": "Kept\x01.",
                "cited": [],
            }
        ],
    )
    consultation_services.publish_summary(consultation=consultation, user=facilitator)
    return policy


def feed_entries(client, url) -> list[tuple[str, str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    root = ET.fromstring(response.content)  # noqa: S314  (our own feed)
    return [
        (e.findtext(f"{ATOM}title"), e.findtext(f"{ATOM}summary") or "")
        for e in root.findall(f"{ATOM}entry")
    ]


FEEDS = [
    ("/feeds/adoption/", "Alder Wiki: opted out — Baseline Code", "Our host covers us."),
    ("/feeds/votes/", "Cancelled: Ratify it?", ""),
    ("/feeds/versions/", "Baseline Code: version 1", ""),
    ("/feeds/policies/baseline/versions/", "Baseline Code: version 1", ""),
    ("/feeds/summaries/", "Summary: Round one", "We heard you."),
]


@pytest.mark.parametrize("url, title, text", FEEDS)
def test_feeds_stay_valid_xml_whatever_was_stored(stored, client, url, title, text):
    entries = feed_entries(client, url)
    assert any(t.startswith(title) for t, _ in entries), entries
    assert any(text in summary for _, summary in entries), entries


# --- forms ------------------------------------------------------------------------------------


def test_a_declaration_form_stores_pasted_text_without_control_characters(
    editor, facilitator, client
):
    make_policy(editor=editor, n_sections=1)
    community_services.save_community(user=facilitator, name="Alder Wiki", slug="alder-wiki")
    client.force_login(facilitator)
    response = client.post(
        "/communities/alder-wiki/baseline/declare/",
        {"status": "opted_out", "version": "1", "rationale": "Our host\x0b covers\x01 us.\r\nOK"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Adoption.objects.get().rationale == "Our host covers us.\r\nOK"
    assert feed_entries(client, "/feeds/adoption/")


def test_cancelling_a_vote_stores_the_reason_without_control_characters(
    editor, facilitator, client
):
    version = make_policy(editor=editor, n_sections=1).versions.get()
    now = timezone.now()
    vote = vote_services.create_vote(
        version=version, user=facilitator,
        config=vote_services.VoteSettings(
            question="Ratify it?", opens_at=now - dt.timedelta(hours=1),
            closes_at=now + dt.timedelta(days=1),
        ),
    )  # fmt: skip
    vote_services.open_vote(vote=vote, user=facilitator)
    client.force_login(facilitator)
    response = client.post(f"/votes/{vote.pk}/cancel/", {"reason": "Opened\x1f by\x0b mistake."})
    assert response.status_code == 302
    vote = Vote.objects.get()
    assert (vote.state, vote.cancel_reason) == ("cancelled", "Opened by mistake.")
    assert ("Cancelled: Ratify it?", "") in [
        (t, "") for t, _ in feed_entries(client, "/feeds/votes/")
    ]


def test_a_nul_in_a_form_is_refused_with_a_message(editor, facilitator, client):
    make_policy(editor=editor, n_sections=1)
    community_services.save_community(user=facilitator, name="Alder Wiki", slug="alder-wiki")
    client.force_login(facilitator)
    response = client.post(
        "/communities/alder-wiki/baseline/declare/",
        {"status": "opted_out", "version": "1", "rationale": "a\x00b"},
    )
    assert response.status_code == 400
    assert "Null characters are not allowed" in response.content.decode()
    assert not Adoption.objects.exists()


def test_the_wagtail_admin_stores_a_title_without_control_characters(editor, client):
    client.force_login(editor)
    index = PolicyIndexPage.objects.get()
    data = _form(
        "Team\x0b Code", "team-code", [("", "", "Be\x01 kind", "Be kind\x1f.")], summary="v\x0c1"
    )
    response = client.post(f"/admin/pages/add/policies/policypage/{index.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = PolicyPage.objects.get(slug="team-code")
    version = page.versions.get()
    assert (page.title, version.title, version.summary) == ("Team Code", "Team Code", "v1")
    assert [(s.heading, s.body) for s in version.sections.all()] == [("Be kind", "Be kind.")]


def test_the_registry_admin_stores_a_name_without_control_characters(facilitator, client):
    client.force_login(facilitator)
    response = client.post(
        "/admin/snippets/communities/community/add/",
        {"name": "Cedar\x0b Chapter", "slug": "cedar-chapter", "kind": "chapter",
         "language": "fr", "url": ""},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Community.objects.get().name == "Cedar Chapter"


# --- imports ------------------------------------------------------------------------------------


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_import_policy_refuses_a_file_with_nul_and_writes_nothing(editor, tmp_path):
    path = write(tmp_path, "p.md", "# Team Code\n\n## Be kind\n\nBe\x00 kind.\n")
    pages = Page.objects.count()
    with pytest.raises(CommandError) as refused:
        call_command(
            "import_policy", str(path), "--policy=team-code", "--summary=v1", "--author=ana",
            stdout=StringIO(),
        )  # fmt: skip
    assert "line 5" in str(refused.value) and "NUL" in str(refused.value)
    assert Page.objects.count() == pages and not PolicyVersion.objects.exists()


def test_import_policy_drops_other_control_characters(editor, tmp_path):
    path = write(tmp_path, "p.md", "# Team\x0b Code\n\n## Be\x01 kind\n\nBe kind\x1f.\n")
    call_command(
        "import_policy", str(path), "--policy=team-code", "--summary=v\x0b1", "--author=ana",
        stdout=StringIO(),
    )  # fmt: skip
    version = PolicyVersion.objects.get()
    assert (version.title, version.summary) == ("Team Code", "v1")
    assert [(s.heading, s.body) for s in version.sections.all()] == [("Be kind", "Be kind.")]


def test_import_communities_refuses_nul_naming_the_row(facilitator, tmp_path):
    path = write(
        tmp_path, "c.csv", "name,slug\nAlder Wiki,alder-wiki\nBirch\x00 Project,birch-project\n"
    )
    err = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "import_communities", str(path), "--as-user=fran", stdout=StringIO(), stderr=err
        )
    assert "nothing was imported" in str(refused.value)
    assert "line 3: name contains a NUL character" in err.getvalue()
    assert not Community.objects.exists()


def test_import_communities_drops_other_control_characters(facilitator, tmp_path):
    path = write(tmp_path, "c.csv", "name,slug\nAlder\x0b Wiki,alder-wiki\n")
    call_command("import_communities", str(path), "--as-user=fran", stdout=StringIO())
    assert Community.objects.get().name == "Alder Wiki"


def test_import_memberships_refuses_nul(facilitator, tmp_path):
    community_services.save_community(user=facilitator, name="Alder Wiki", slug="alder-wiki")
    UserFactory(username="kim")
    path = write(tmp_path, "m.csv", "community,username,edit_count\nalder-wiki,kim,5\x00\n")
    with pytest.raises(CommandError) as refused:
        call_command("import_memberships", str(path), "--as=fran", stdout=StringIO())
    assert "line 2" in str(refused.value) and "NUL" in str(refused.value)
    assert not Membership.objects.exists()


def test_import_memberships_drops_control_characters_from_the_source(facilitator, tmp_path):
    community_services.save_community(user=facilitator, name="Alder Wiki", slug="alder-wiki")
    UserFactory(username="kim")
    path = write(tmp_path, "m.csv", "community,username,edit_count\nalder-wiki,kim,5\n")
    call_command(
        "import_memberships", str(path), "--as=fran", "--source=wiki\x0b stats", stdout=StringIO()
    )
    assert Membership.objects.get().source == "wiki stats"


def test_import_discussion_refuses_nul(tmp_path):
    path = write(tmp_path, "d.wikitext", "== Our pledge ==\n* {{Support}} Fine\x00.\n")
    with pytest.raises(CommandError) as refused:
        call_command("import_discussion", str(path), "--consultation=1", stdout=StringIO())
    assert "line 2" in str(refused.value) and "NUL" in str(refused.value)
