"""Importing a discussion from a wiki page (manage.py import_discussion --wiki, the facilitator
form), against the fake MediaWiki action API in tests/fake_wiki.py: the same positions as the
file import, re-imports that add and change without duplicating, signatures of people who
signed in with the wiki's account, every wiki error with nothing written, and who may use it."""

from collections import Counter
from io import StringIO

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import IdentitySource
from consultations import rules, services
from consultations.models import (
    Consultation,
    Position,
    Reply,
    WikiComment,
    WikiDiscussionSource,
)
from consultations.selectors import consultation_url
from core import mediawiki_api
from tests.factories import CommunityFactory
from tests.fake_wiki import FakeWiki

from .test_discussion_import import WIKITEXT, _consultation, needs_samples

pytestmark = pytest.mark.django_db

PAGE = "Talk:Draft community conduct baseline/Consultation"

# Edge cases of real talk pages, in one discussion: bold and shortcut templates, a strength
# parameter, interwiki and IP signatures, {{unsigned}}, a signature without a timestamp,
# nested replies, a stance template in a reply, a stance word later in the line, a placeholder.
EDGE_CASES = """= Consultation =
Intro with a {{Support}} that is not a position.

== 1. Our pledge ==
* '''{{Support}}''' Bold template. [[:de:Benutzer:Grünwald|Grünwald]] ([[:de:Benutzer Diskussion:Grünwald|Diskussion]]) 10:00, 3 March 2025 (UTC)
** {{Oppose}} in a reply stays text. [[User:Ann|Ann]] 11:00, 3 March 2025 (UTC)
*** Deeper reply. [[User:Bo|Bo]] ([[User talk:Bo|talk]]) 12:00, 3 March 2025 (UTC)
* {{s|weak}} Shortcut with a strength. [[Special:Contributions/192.0.2.7|192.0.2.7]] 13:00, 3 March 2025 (UTC)
* Neutral, partly {{Oppose}}: both words. [[User:Cy|Cy]] ([[User talk:Cy|talk]]) 14:00, 3 March 2025 (UTC)
* {{Oppose}} Forgot to sign. {{unsigned|Dee}}
* {{Support}} No timestamp here. [[User:Eve|Eve]]

== Enforcement ==
* ..
* {{Strong oppose}} Firm. [[User:Fay|Fay]] ([[User talk:Fay|talk]]) 15:00, 4 March 2025 (UTC)
: Indented answer. [[User:Gus|Gus]] 16:00, 4 March 2025 (UTC)

== Unrelated heading ==
* {{Support}} Not a section of the text. [[User:Hal|Hal]] 17:00, 4 March 2025 (UTC)
"""  # noqa: E501


@pytest.fixture
def wiki(settings, monkeypatch):
    settings.ACCORD_MEDIAWIKI_TIMEOUT = 0.5
    settings.ACCORD_MEDIAWIKI_RETRIES = 2
    settings.ACCORD_MEDIAWIKI_MAXLAG = 5
    fake = FakeWiki.serve()
    fake.waits = []
    monkeypatch.setattr(mediawiki_api, "_sleep", fake.waits.append)
    yield fake
    fake.stop()


@pytest.fixture
def consultation(db):
    return _consultation()


def _import(wiki, consultation, title=PAGE, *args) -> str:
    out = StringIO()
    call_command(
        "import_discussion",
        "--wiki",
        wiki.api_url,
        "--page",
        title,
        "--consultation",
        str(consultation.pk),
        *args,
        stdout=out,
    )
    return out.getvalue()


def _import_file(path, consultation) -> str:
    out = StringIO()
    call_command("import_discussion", str(path), "--consultation", str(consultation.pk), stdout=out)
    return out.getvalue()


def _content(consultation):
    """What a reader sees: every position and reply with its section heading, author, stance,
    text and date (not keys or sources, which say where an import came from)."""
    headings = {s.key: s.heading for s in consultation.version.sections.all()}
    positions = Position.objects.filter(consultation=consultation)
    replies = Reply.objects.filter(position__consultation=consultation)
    return (
        sorted(
            (
                headings[p.section_key],
                p.imported_author,
                p.stance,
                p.strength,
                p.reason,
                # Undated comments are dated at the opening, which differs per consultation.
                None if p.created_at == consultation.opens_at else p.created_at,
            )
            for p in positions
        ),
        sorted(
            (r.position.imported_author, r.imported_author, r.depth, r.body, r.created_at)
            for r in replies
        ),
    )


def _nothing_written():
    return (
        Position.objects.count(),
        Reply.objects.count(),
        WikiDiscussionSource.objects.count(),
        WikiComment.objects.count(),
    ) == (0, 0, 0, 0)


# --- the same positions as the file import ---------------------------------------------------


@needs_samples
def test_the_sample_page_gives_the_same_positions_as_the_file(wiki, tmp_path):
    text = WIKITEXT.read_text(encoding="utf-8")
    wiki.set_page(PAGE, text, user="Marta (facilitator)")
    from_file = _consultation(slug="from-file")
    from_wiki = _consultation(slug="from-wiki")

    _import_file(WIKITEXT, from_file)
    out = _import(wiki, from_wiki)

    assert _content(from_wiki) == _content(from_file)
    assert Position.objects.filter(consultation=from_wiki).count() == 7
    assert "Added 7 positions and 1 replies; changed 0 positions and 0 replies; left 0 alone." in (
        out
    )
    assert "line 18: placeholder" in out
    source = WikiDiscussionSource.objects.get(consultation=from_wiki)
    assert (source.title, source.last_revision_id) == (
        PAGE,
        wiki.pages[PAGE]["revisions"][-1]["revid"],
    )
    assert source.last_revision_user == "Marta (facilitator)"
    assert source.page_id == wiki.pages[PAGE]["pageid"]


def test_the_edge_case_page_gives_the_same_positions_as_the_file(wiki, tmp_path):
    path = tmp_path / "edge.wikitext"
    path.write_text(EDGE_CASES, encoding="utf-8")
    wiki.set_page(PAGE, EDGE_CASES)
    from_file = _consultation(slug="from-file")
    from_wiki = _consultation(slug="from-wiki")

    file_out = _import_file(path, from_file)
    wiki_out = _import(wiki, from_wiki)

    assert _content(from_wiki) == _content(from_file)
    positions, replies = _content(from_wiki)
    assert len(positions) == 6 and len(replies) == 3
    authors = {p[1]: p for p in positions}
    assert set(authors) == {"Grünwald", "192.0.2.7", "Cy", "Dee", "Eve", "Fay"}
    assert authors["192.0.2.7"][2:4] == ("support", "weak")
    assert authors["Cy"][2] == "neutral"

    # The same lines are skipped, for the same reasons.
    def skipped(out):
        return [line[:60] for line in out.splitlines() if line.startswith("  line ")]

    assert len(skipped(file_out)) == 2 and skipped(file_out) == skipped(wiki_out)


# --- importing again --------------------------------------------------------------------------


def _edited(text: str) -> str:
    """The sample page a few days later: one comment reworded, two new ones below."""
    text = text.replace(
        "No strong view; I mostly care about enforcement.",
        "No strong view; I mostly care about enforcement and appeals.",
    )
    return text.replace(
        "\n== Scope ==",
        "* {{Support}} Enforcement needs a named contact. [[User:Quinn|Quinn]] 09:00, 9 March 2025"
        " (UTC)\n** Agreed, a role account. [[User:Lindqvist|Lindqvist]] 10:00, 9 March 2025 (UTC)"
        "\n\n== Scope ==",
    )


@needs_samples
def test_a_second_import_adds_the_new_comments_and_changes_the_edited_one(wiki, consultation):
    text = WIKITEXT.read_text(encoding="utf-8")
    first = wiki.set_page(PAGE, text)
    _import(wiki, consultation)
    before = {p.pk: p.reason for p in Position.objects.filter(consultation=consultation)}

    second = wiki.set_page(PAGE, _edited(text), user="Pražák")
    out = _import(wiki, consultation)

    assert f"at revision {second}" in out and f"last imported at revision {first}" in out
    assert "Added 1 positions and 1 replies; changed 1 positions and 0 replies; left 7 alone." in (
        out
    )
    positions = Position.objects.filter(consultation=consultation)
    assert positions.count() == 8
    assert Reply.objects.filter(position__consultation=consultation).count() == 2
    # The edited comment is the same row, changed, with its earlier wording in its history.
    edited = positions.get(imported_author="Pražák")
    assert edited.pk in before
    assert edited.reason == "No strong view; I mostly care about enforcement and appeals."
    wordings = [h.reason for h in edited.history.order_by("history_date", "history_id")]
    assert wordings == [before[edited.pk], edited.reason]
    record = WikiComment.objects.get(position=edited)
    assert record.changed_in_revision_id == second and record.first_revision_id == first
    assert record.history.count() == 2
    # Every other position is untouched.
    for position in positions.exclude(pk=edited.pk).filter(pk__in=before):
        assert position.reason == before[position.pk]
        assert position.history.count() == 1
    # A third run with nothing new changes nothing.
    out = _import(wiki, consultation)
    assert "Added 0 positions and 0 replies; changed 0 positions and 0 replies; left 10 alone." in (
        out
    )
    assert positions.count() == 8


@needs_samples
def test_an_edited_reply_is_changed_and_keeps_its_earlier_wording(wiki, consultation):
    text = WIKITEXT.read_text(encoding="utf-8")
    wiki.set_page(PAGE, text)
    _import(wiki, consultation)
    old = "Good point, we will look at the 2.1 wording, which adds caste."
    wiki.set_page(PAGE, text.replace(old, "Done: the 2.1 wording adds caste."))

    out = _import(wiki, consultation)

    assert "changed 0 positions and 1 replies" in out
    reply = Reply.objects.get(position__consultation=consultation)
    assert reply.body == "Done: the 2.1 wording adds caste."
    record = WikiComment.objects.get(reply=reply)
    assert [h.text for h in record.history.order_by("history_date", "history_id")] == [
        old,
        reply.body,
    ]


def test_a_renamed_page_is_followed_and_said(wiki, consultation):
    wiki.set_page(
        "Talk:Old name",
        "== Our pledge ==\n* {{Support}} Yes. [[User:Ann|Ann]] 09:12, 3 March 2025 (UTC)\n",
    )
    _import(wiki, consultation, "Talk:Old name")
    wiki.move_page("Talk:Old name", "Talk:New name")

    out = _import(wiki, consultation, "Talk:Old name")

    assert "“Talk:Old name” redirects to “Talk:New name” (the page was renamed)" in out
    assert "left 1 alone" in out
    source = WikiDiscussionSource.objects.get()
    assert source.title == "Talk:New name"
    assert Position.objects.count() == 1


def test_the_request_is_the_documented_one(wiki, consultation, settings):
    settings.ACCORD_MEDIAWIKI_USER_AGENT = "Accord-test/1.0 (ops@example.org)"
    wiki.set_page(PAGE, "== Our pledge ==\n")
    _import(wiki, consultation)
    assert wiki.requests == [
        {
            "action": "query",
            "prop": "revisions",
            "rvprop": "ids|timestamp|user|content",
            "rvslots": "main",
            "format": "json",
            "formatversion": "2",
            "titles": PAGE,
            "redirects": "1",
            "maxlag": "5",
        }
    ]
    assert wiki.user_agents[0].startswith("Accord-test/1.0 (ops@example.org)")


# --- signatures of people with an account here -------------------------------------------------


def test_signatures_of_people_who_signed_in_with_the_wiki_are_theirs(wiki, consultation):
    from tests.factories import UserFactory

    IdentitySource.objects.create(
        provider="mediawiki", community=CommunityFactory(), api_url=wiki.api_url
    )
    ann = UserFactory(username="ann-here")
    SocialAccount.objects.create(
        user=ann, provider="mediawiki", uid="77", extra_data={"username": "Ann Example"}
    )
    sig = "[[User:Ann_Example|Ann]] 09:12, 3 March 2025 (UTC)"
    wiki.set_page(
        PAGE,
        "== Our pledge ==\n"
        f"* {{{{Support}}}} Mine. {sig}\n"
        f"** Another note. {sig.replace('09:12', '09:30')}\n"
        "* {{Oppose}} Not mine. [[User:Bo|Bo]] 10:00, 3 March 2025 (UTC)\n"
        f"* {{{{Neutral}}}} Second thought, same section. {sig.replace('09:12', '11:00')}\n",
    )

    out = _import(wiki, consultation)

    assert "2 new items are signed by people with an account here." in out
    mine = Position.objects.get(reason="Mine.")
    assert (mine.user, mine.imported_author) == (ann, "Ann Example")
    assert Reply.objects.get().user == ann
    assert Position.objects.get(reason="Not mine.").user is None
    # One position per person per section: the second keeps only the wiki name.
    assert Position.objects.get(reason="Second thought, same section.").user is None


def test_signatures_on_another_wiki_are_not_matched(wiki, consultation):
    from tests.factories import UserFactory

    SocialAccount.objects.create(
        user=UserFactory(), provider="mediawiki", uid="78", extra_data={"username": "Ann"}
    )
    wiki.set_page(
        PAGE, "== Our pledge ==\n* {{Support}} Yes. [[User:Ann|Ann]] 09:12, 3 March 2025 (UTC)\n"
    )
    _import(wiki, consultation)
    assert Position.objects.get().user is None


# --- errors: a clear message, nothing written ---------------------------------------------------


@pytest.mark.parametrize(
    "setup,message",
    [
        (lambda w: None, "has no page “Talk:Draft community conduct baseline/Consultation”"),
        (lambda w: w.faults.extend(["html"]), "answered with an HTML page instead of JSON"),
        (lambda w: w.faults.extend(["maxlag"] * 3), "is busy (its database replicas lag behind)"),
        (lambda w: w.faults.extend(["429"] * 3), "is limiting our requests (HTTP 429)"),
        (lambda w: w.faults.extend(["500"] * 3), "had a server error (HTTP 503)"),
        (lambda w: w.faults.extend(["slow"] * 3), "did not answer within 0.5 seconds (3 tries)"),
    ],
    ids=["missing", "html", "maxlag", "429", "5xx", "timeout"],
)
def test_wiki_errors_stop_the_command_and_write_nothing(wiki, consultation, setup, message):
    setup(wiki)
    wiki.slow_seconds = 0.8
    if "has no page" not in message:
        wiki.set_page(PAGE, WIKITEXT.read_text(encoding="utf-8") if WIKITEXT.exists() else "")
    with pytest.raises(CommandError) as caught:
        _import(wiki, consultation)
    assert message in str(caught.value)
    assert "Nothing was written." in str(caught.value)
    assert _nothing_written()


def test_an_api_error_code_and_a_wrong_address_are_explained(wiki, consultation):
    with pytest.raises(CommandError, match=r"not a valid page title"):
        _import(wiki, consultation, "Talk:[bad]")
    out = StringIO()
    with pytest.raises(CommandError, match=r"instead of JSON; is it the wiki's api.php"):
        call_command(
            "import_discussion",
            "--wiki",
            f"{wiki.url}/wiki/Main_Page",
            "--page",
            PAGE,
            "--consultation",
            str(consultation.pk),
            stdout=out,
        )
    with pytest.raises(CommandError, match=r"--wiki API_URL and --page TITLE go together"):
        call_command("import_discussion", "--wiki", wiki.api_url, "--consultation", "1")
    assert _nothing_written()


def test_retries_wait_as_the_wiki_asks_then_succeed(wiki, consultation):
    wiki.set_page(
        PAGE, "== Our pledge ==\n* {{Support}} Yes. [[User:Ann|Ann]] 09:12, 3 March 2025 (UTC)\n"
    )
    wiki.retry_after = "3"
    wiki.faults.extend(["maxlag", "429"])
    _import(wiki, consultation)
    assert Position.objects.count() == 1
    assert wiki.waits == [3.0, 3.0]  # Retry-After, not the back-off
    assert len(wiki.requests) == 3


def test_a_summarised_consultation_takes_no_import(wiki):
    consultation = _consultation(state="summarised")
    wiki.set_page(PAGE, "== Our pledge ==\n")
    with pytest.raises(CommandError, match="already summarised"):
        _import(wiki, consultation)
    assert wiki.requests == []


def test_a_failure_midway_writes_nothing(wiki, consultation, monkeypatch):
    wiki.set_page(
        PAGE,
        "== Our pledge ==\n* {{Support}} Yes. [[User:Ann|Ann]] 09:12, 3 March 2025 (UTC)\n"
        "** Reply. [[User:Bo|Bo]] 09:20, 3 March 2025 (UTC)\n",
    )

    def refuse(**kwargs):
        from django.core.exceptions import ValidationError

        raise ValidationError("The reply was refused.")

    monkeypatch.setattr(services, "import_reply", refuse)
    with pytest.raises(CommandError, match="The reply was refused. Nothing was written."):
        _import(wiki, consultation)
    assert _nothing_written()


# --- the facilitator form -----------------------------------------------------------------------

ROLES = ["anonymous", "participant", "editor", "facilitator", "admin"]
# (sees the form, may import); anonymous is sent to sign in.
EXPECTED = {
    "anonymous": (0, 0),
    "participant": (0, 0),
    "editor": (0, 0),
    "facilitator": (1, 1),
    "admin": (1, 1),
}


def _person(role, request):
    if role == "anonymous":
        return None
    fixture = {"admin": "superuser"}.get(role, role)
    return request.getfixturevalue(fixture)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_import_from_a_wiki(role, request, client, wiki, consultation):
    wiki.set_page(
        PAGE, "== Our pledge ==\n* {{Support}} Yes. [[User:Ann|Ann]] 09:12, 3 March 2025 (UTC)\n"
    )
    person = _person(role, request)
    sees, may = EXPECTED[role]
    from django.contrib.auth.models import AnonymousUser

    assert bool(rules.can_import_from_wiki(person or AnonymousUser(), consultation)) == bool(may)
    if person is not None:
        client.force_login(person)
    url = consultation_url(consultation)
    page = client.get(url)
    assert page.status_code == 200
    assert ("Import from a wiki page" in page.content.decode()) == bool(sees)

    response = client.post(url, {"action": "wiki_import", "api_url": wiki.api_url, "title": PAGE})
    if role == "anonymous":
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
    elif may:
        assert response.status_code == 302
    else:
        assert response.status_code == 403
    assert Position.objects.count() == (1 if may else 0)


def test_the_form_reports_what_it_did(client, facilitator, wiki, consultation):
    wiki.set_page(
        PAGE, "== Our pledge ==\n* {{Support}} Yes. [[User:Ann|Ann]] 09:12, 3 March 2025 (UTC)\n"
    )
    client.force_login(facilitator)
    url = consultation_url(consultation)
    response = client.post(
        url, {"action": "wiki_import", "api_url": wiki.api_url, "title": PAGE}, follow=True
    )
    text = response.content.decode()
    assert "at revision 1001: added 1, changed 0, left 0 alone." in text
    assert WikiDiscussionSource.objects.get().imported_by == facilitator


@pytest.mark.parametrize(
    "fault,title,message",
    [
        (None, "Talk:Nothing here", "has no page “Talk:Nothing here”"),
        ("html", PAGE, "answered with an HTML page instead of JSON"),
        ("maxlag", PAGE, "is busy"),
        ("slow", PAGE, "did not answer within"),
    ],
)
def test_form_errors_show_beside_the_form_and_write_nothing(
    client, facilitator, wiki, consultation, fault, title, message
):
    wiki.set_page(
        PAGE, "== Our pledge ==\n* {{Support}} Yes. [[User:Ann|Ann]] 09:12, 3 March 2025 (UTC)\n"
    )
    if fault:
        wiki.faults.extend([fault] * 3)
    wiki.slow_seconds = 0.8
    client.force_login(facilitator)
    response = client.post(
        consultation_url(consultation),
        {"action": "wiki_import", "api_url": wiki.api_url, "title": title},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Nothing was imported:" in text and message in text
    assert 'id="wiki-import-error"' in text
    assert f'value="{title}"' in text  # what was typed stays in the form
    assert _nothing_written()


def test_the_form_refuses_a_bad_address(client, facilitator, consultation):
    client.force_login(facilitator)
    response = client.post(
        consultation_url(consultation),
        {"action": "wiki_import", "api_url": "ftp://example.org/api.php", "title": PAGE},
    )
    assert response.status_code == 400
    assert "Give the wiki&#x27;s API address" in response.content.decode()
    assert Consultation.objects.count() == 1 and _nothing_written()


def test_positions_by_the_stance_counts(wiki, consultation):
    """The imported tally reads like the discussion."""
    wiki.set_page(PAGE, EDGE_CASES)
    _import(wiki, consultation)
    assert Counter(Position.objects.values_list("stance", flat=True)) == {
        "support": 3,
        "neutral": 1,
        "oppose": 2,
    }
