"""The wiki round trip of a declaration, against the fake MediaWiki action API on loopback
(tests/fake_wiki.py): the drift watch (manage.py check_wiki_copies, batched, failures recorded
and retried), acknowledging a change, publishing with the delegate's own OAuth token (and every
refusal explained, with nothing recorded), who may do what, and the pages' query counts."""

from datetime import timedelta
from io import StringIO

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from communities import rules, services, wiki_services, wiki_text
from communities.models import Adoption, Community, WikiCopyCheck, WikiPublication
from core import mediawiki_api
from tests.fake_wiki import FakeWiki
from transparency.models import LogEntry

from .conftest import ROLES, page_text, tables

pytestmark = pytest.mark.django_db

PAGE = "Project:Code of conduct"


@pytest.fixture
def wiki(settings, monkeypatch):
    settings.ACCORD_MEDIAWIKI_TIMEOUT = 2
    settings.ACCORD_MEDIAWIKI_RETRIES = 1
    fake = FakeWiki.serve()
    fake.waits = []
    monkeypatch.setattr(mediawiki_api, "_sleep", fake.waits.append)
    yield fake
    fake.stop()


@pytest.fixture
def adoption(community, policy, declare, wiki):
    return declare(
        community,
        policy,
        "adopted",
        parameters={"[CONTACT METHOD]": "conduct@alder.example.org"},
        wiki_api_url=wiki.api_url,
        wiki_page=PAGE,
    )


def _expected(adoption) -> str:
    adoption = Adoption.objects.get(pk=adoption.pk)
    return wiki_services.expected_wikitext(adoption)


def _check() -> str:
    """What check_wiki_copies prints (it ends with status 1 when a copy could not be read:
    test_the_command_names_each_page_it_could_not_read)."""
    out = StringIO()
    try:
        call_command("check_wiki_copies", stdout=out, stderr=StringIO())
    except CommandError as error:
        assert "could not be checked" in str(error)
    return out.getvalue()


def _latest(adoption) -> WikiCopyCheck:
    return Adoption.objects.select_related("wiki_check").get(pk=adoption.pk).wiki_check


def _link_wiki_account(
    user,
    wiki,
    *,
    token="tok-dana",  # noqa: S107
    username="Dana",
    expires_at=None,
):
    app, _ = SocialApp.objects.get_or_create(
        provider="mediawiki", defaults={"name": "Wiki", "client_id": "accord", "secret": "x"}
    )
    account = SocialAccount.objects.create(
        user=user, provider="mediawiki", uid=f"uid-{username}", extra_data={"username": username}
    )
    SocialToken.objects.create(app=app, account=account, token=token, expires_at=expires_at)
    wiki.bearers[token] = username
    return account


# --- normalising wikitext ---------------------------------------------------------------------


def test_formatting_that_reads_the_same_normalises_away():
    ours = "== Our pledge ==\nWe pledge to be kind.\n\n* one\n* two\n"
    theirs = (
        "==Our pledge==  \r\nWe pledge\nto  be kind.\r\n\r\n\r\n*one\n*   two\n\n"
        '<small><span id="accord-version" data-version="1" data-hash="ab">Accord</span></small>\n'
    )
    assert wiki_text.normalise(ours) == wiki_text.normalise(theirs)
    assert wiki_text.normalise("We pledge to be kind.") != wiki_text.normalise("We pledge.")
    assert wiki_text.normalise("a<br>b&nbsp;c") == wiki_text.normalise("a<br />b c")


@given(st.text(alphabet=st.sampled_from("ab =*#:\n\r\t<>'"), max_size=80))
def test_normalising_is_idempotent_and_ignores_the_marker(text):
    once = wiki_text.normalise(text)
    assert wiki_text.normalise(once) == once
    marked = wiki_text.with_marker(text, policy="p", version=2, digest="f" * 64, label="Accord v2")
    assert wiki_text.normalise(marked) == once


# --- the drift watch --------------------------------------------------------------------------


def test_a_matching_copy_then_an_edit_on_the_wiki_shows_as_drift(adoption, wiki, client, delegate):
    # The wiki holds Accord's text, reformatted by hand: it matches.
    wiki.set_page(PAGE, _expected(adoption).replace("\n\n", "\n\n\n") + "\n", user="Ann")
    assert "1 match, 0 differ as agreed, 0 differ, 0 failed" in _check()
    first = _latest(adoption)
    assert (first.outcome, first.news, first.revision_user) == ("matches", True, "Ann")
    page = client.get("/communities/alder-wiki/")
    assert "matches this declaration" in page_text(page)

    # Someone edits the wiki page: the drift shows with the revision, date and editor.
    edited = _expected(adoption).replace("conduct@alder.example.org", "nobody@alder.example.org")
    revision = wiki.set_page(PAGE, edited, user="Mallory")
    assert "0 match, 0 differ as agreed, 1 differ" in _check()
    check = _latest(adoption)
    assert (check.outcome, check.since_revision, check.since_user) == (
        "differs",
        revision,
        "Mallory",
    )
    text = page_text(client.get("/communities/alder-wiki/"))
    assert f"The wiki's copy differs since revision {revision}" in text
    assert "Mallory" in text
    html = client.get("/communities/alder-wiki/").content.decode()
    assert "</span>nobody</ins>@alder.example.org" in html
    assert "</span>conduct</del>" in html

    # A later edit keeps "since" at the first revision that differed; no new feed item.
    later = wiki.set_page(PAGE, edited + "\nMore.", user="Zed")
    _check()
    check = _latest(adoption)
    assert (check.revision_id, check.since_revision, check.news) == (later, revision, False)

    # Dashboard and feed say it too.
    dashboard = client.get("/adoption/?policy=baseline")
    row = next(r for r in tables(dashboard)["Every community"] if r[0] == "Alder Wiki")
    assert f"Wiki copy differs since revision {revision}" in row[1] and "Mallory" in row[1]
    feed = client.get("/feeds/adoption/").content.decode()
    assert "the wiki&#x27;s copy of Baseline Code differs" in feed or (
        "the wiki's copy of Baseline Code differs" in feed
    )
    assert feed.count("wiki-copy-differs-") == 1

    # Every check is in the public log, with the revision it read, linked from the page.
    log = client.get(f"/log/?object=communities.adoption:{adoption.pk}&kind=wiki_copy.checked")
    assert log.status_code == 200 and page_text(log).count("wiki_copy.checked") >= 3
    assert f"/log/?object=communities.adoption:{adoption.pk}" in html
    entries = LogEntry.objects.filter(kind="wiki_copy.checked").order_by("seq")
    assert [e.payload_data["outcome"] for e in entries] == ["matches", "differs", "differs"]
    assert entries.last().payload_data["revision"] == later


def test_one_request_per_fifty_titles_per_wiki(policy, facilitator, wiki, declare):
    other = FakeWiki.serve()
    try:
        communities = Community.objects.bulk_create(
            [Community(name=f"C{i}", slug=f"c-{i}", kind="wiki") for i in range(120)]
        )
        for i, community in enumerate(communities):
            api = wiki.api_url if i < 110 else other.api_url
            declare(community, policy, "adopted", wiki_api_url=api, wiki_page=f"Code {i}")
        out = _check()
    finally:
        other.stop()
    assert "Checked 120 wiki copies with 4 API requests" in out  # 3 for 110 titles, 1 for 10
    assert all(len(r["titles"].split("|")) <= 50 for r in wiki.requests)
    assert WikiCopyCheck.objects.filter(outcome="failed").count() == 120  # no such pages


def test_a_failing_wiki_is_recorded_as_failed_and_retried_next_run(adoption, wiki, client):
    wiki.set_page(PAGE, _expected(adoption))
    wiki.faults += ["500", "500"]  # every try of the first run
    out = _check()
    assert "1 failed" in out
    check = _latest(adoption)
    assert check.outcome == "failed" and "server error" in check.error
    assert "could not be checked" in page_text(client.get("/communities/alder-wiki/"))
    assert client.get("/communities/alder-wiki/").status_code == 200
    assert "1 match" in _check()
    assert _latest(adoption).outcome == "matches"


def test_html_instead_of_json_and_a_missing_page_fail_alone(
    adoption, wiki, other_community, policy, declare
):
    other = declare(other_community, policy, "adopted", wiki_api_url=wiki.api_url, wiki_page="Gone")
    wiki.set_page(PAGE, _expected(adoption))
    _check()
    assert _latest(adoption).outcome == "matches"
    assert _latest(other).outcome == "failed"
    assert "has no page" in _latest(other).error
    wiki.faults += ["html", "html"]
    _check()
    assert {_latest(adoption).outcome, _latest(other).outcome} == {"failed"}
    assert "HTML" in _latest(adoption).error


def test_the_command_names_each_page_it_could_not_read(
    adoption, wiki, other_community, policy, declare
):
    declare(other_community, policy, "adopted", wiki_api_url=wiki.api_url, wiki_page="Gone")
    wiki.set_page(PAGE, _expected(adoption))
    out, err = StringIO(), StringIO()
    # A failed check ends the command with status 1, so cron tells whoever runs it.
    with pytest.raises(CommandError, match="1 wiki copies could not be checked"):
        call_command("check_wiki_copies", stdout=out, stderr=err)
    assert "1 match, 0 differ as agreed, 0 differ, 1 failed." in out.getvalue()
    assert err.getvalue().strip() == "Gone: 127.0.0.1 has no page “Gone”."


def test_a_batch_is_written_whole_or_not_at_all(adoption, wiki, monkeypatch):
    wiki.set_page(PAGE, _expected(adoption))

    def broken(*args, **kwargs):
        raise RuntimeError("the log is down")

    monkeypatch.setattr(wiki_services, "_log_check", broken)
    with pytest.raises(RuntimeError):
        _check()
    assert not WikiCopyCheck.objects.exists()
    assert _latest(adoption) is None


def test_an_own_policy_that_changes_needs_its_mapping_reviewed(
    community, policy, declare, wiki, client
):
    own = declare(
        community,
        policy,
        "own_equivalent",
        equivalent_title="Alder rules",
        equivalent_url="https://alder.example.org/rules",
        wiki_api_url=wiki.api_url,
        wiki_page="Project:Alder rules",
    )
    wiki.set_page("Project:Alder rules", "Be excellent to each other.")
    _check()
    assert _latest(own).outcome == "matches"  # the first sight is what was declared
    revision = wiki.set_page("Project:Alder rules", "Be excellent to each other, mostly.")
    _check()
    text = page_text(client.get("/communities/alder-wiki/"))
    assert f"differs since revision {revision}" in text
    assert "the mapping of its coverage needs review" in text
    assert "mapping needs review" in page_text(client.get("/adoption/?policy=baseline"))


# --- acknowledging ----------------------------------------------------------------------------


def test_a_delegate_acknowledges_the_change_with_a_note(adoption, wiki, client, delegate):
    wiki.set_page(PAGE, _expected(adoption))
    _check()
    revision = wiki.set_page(PAGE, _expected(adoption) + "\nA local addition.", user="Ann")
    _check()
    client.force_login(delegate)
    url = "/communities/alder-wiki/baseline/wiki/acknowledge/"
    r = client.post(url, {"revision": revision, "note": ""})
    assert _latest(adoption).outcome == "differs"
    assert not Adoption.objects.get(pk=adoption.pk).wiki_agreed_revision
    r = client.post(url, {"revision": revision, "note": "Agreed at the village pump."}, follow=True)
    assert f"revision {revision} is acknowledged" in page_text(r)
    assert "The wiki's copy differs since" not in page_text(r)
    assert "Acknowledge revision" not in page_text(r)
    assert f"Acknowledged wiki revision {revision}" in page_text(r)  # the timeline
    entry = LogEntry.objects.get(kind="wiki_copy.acknowledged")
    assert entry.payload_data["note"] == "Agreed at the village pump."
    assert entry.payload_data["by"] == "dana"
    # The next check finds the agreed text; another edit is flagged again.
    _check()
    assert _latest(adoption).outcome == "agreed"
    assert "acknowledged as agreed" in page_text(client.get("/communities/alder-wiki/"))
    again = wiki.set_page(PAGE, _expected(adoption) + "\nAnother.", user="Bo")
    _check()
    assert _latest(adoption).since_revision == again


def test_acknowledging_an_older_revision_than_the_wiki_now_has_is_refused(adoption, wiki, delegate):
    wiki.set_page(PAGE, "Something else.")
    _check()
    seen = _latest(adoption).revision_id
    wiki.set_page(PAGE, "Something else again.")
    _check()
    with pytest.raises(ValidationError, match="changed again"):
        wiki_services.acknowledge_wiki_copy(
            adoption=adoption, user=delegate, revision_id=seen, note="ok"
        )


# --- publishing -------------------------------------------------------------------------------


def _publish(client, title=PAGE, source="effective"):
    url = "/communities/alder-wiki/baseline/wiki/publish/"
    looked = client.post(url, {"page_title": title, "source": source, "lookup": "1"})
    assert looked.status_code == 200
    hidden = {
        name: looked.content.decode().split(f'name="{name}" value="')[1].split('"')[0]
        for name in ("looked_up", "base_revision", "base_timestamp")
    }
    return client.post(url, {"page_title": title, "source": source, "publish": "1", **hidden})


def test_a_delegate_publishes_the_effective_text_as_themselves(adoption, wiki, client, delegate):
    _link_wiki_account(delegate, wiki)
    client.force_login(delegate)
    r = _publish(client)
    assert r.status_code == 302, page_text(r)
    publication = WikiPublication.objects.get()
    edit = wiki.edits[-1]
    assert edit["title"] == PAGE and edit["_method"] == "POST" and edit["assert"] == "user"
    assert (
        "Baseline Code v1" in edit["summary"] and publication.content_hash[:12] in edit["summary"]
    )
    assert "/communities/alder-wiki/" in edit["summary"]
    assert f'data-hash="{publication.content_hash}"' in edit["text"]
    assert wiki.pages[PAGE]["revisions"][-1]["user"] == "Dana"
    adoption.refresh_from_db()
    assert (adoption.wiki_page, adoption.wiki_agreed_revision) == (PAGE, publication.revision_id)
    assert publication.revision_id == wiki.pages[PAGE]["revisions"][-1]["revid"]
    assert LogEntry.objects.get(kind="wiki_copy.published").payload_data["revision"] == (
        publication.revision_id
    )
    # The drift watch starts from the published revision: it matches.
    _check()
    assert _latest(adoption).outcome == "matches"


def test_the_oauth_token_is_never_shown_stored_or_logged(adoption, wiki, client, delegate):
    secret = "tok-secret-4f9a"  # noqa: S105
    _link_wiki_account(delegate, wiki, token=secret)
    client.force_login(delegate)
    url = "/communities/alder-wiki/baseline/wiki/publish/"
    pages = [
        client.get(url),
        client.post(url, {"page_title": PAGE, "source": "effective", "lookup": "1"}),
    ]
    assert _publish(client).status_code == 302
    wiki.bearers.clear()  # the token expires: the refusal does not quote it either
    pages.append(_publish(client))
    pages.append(client.get("/communities/alder-wiki/"))
    for response in pages:
        assert secret not in response.content.decode()
    assert all(secret not in str(entry.payload_data) for entry in LogEntry.objects.all())
    publication = WikiPublication.objects.get()
    assert secret not in str(vars(publication))
    assert all(secret not in str(edit) for edit in wiki.edits)


def test_publishing_the_baseline_version(adoption, wiki, client, delegate):
    _link_wiki_account(delegate, wiki)
    client.force_login(delegate)
    assert _publish(client, source="baseline").status_code == 302
    assert "[CONTACT METHOD]" in wiki.content(PAGE)  # the baseline, placeholders unfilled
    _check()
    assert _latest(adoption).outcome == "agreed"  # what was published is agreed


@pytest.mark.parametrize(
    ("arrange", "message"),
    [
        ("conflict", "Someone changed “Project:Code of conduct” on the wiki"),
        ("blocked", "blocked from editing"),
        ("protected", "is protected on the wiki"),
        ("revoked", "Your wiki sign-in has expired or was withdrawn"),
        ("expired", "Your wiki sign-in has expired or was withdrawn"),
        ("unlinked", "Link your wiki account first"),
        ("down", "The wiki did not save the page"),
    ],
)
def test_a_refused_edit_is_explained_and_nothing_is_recorded(
    arrange, message, adoption, wiki, client, delegate
):
    wiki.set_page(PAGE, "The old text.")
    if arrange != "unlinked":
        _link_wiki_account(
            delegate,
            wiki,
            expires_at=timezone.now() - timedelta(hours=1) if arrange == "expired" else None,
        )
    client.force_login(delegate)
    url = "/communities/alder-wiki/baseline/wiki/publish/"
    looked = client.post(url, {"page_title": PAGE, "source": "effective", "lookup": "1"})
    base = looked.content.decode().split('name="base_revision" value="')[1].split('"')[0]
    if arrange == "conflict":
        wiki.set_page(PAGE, "Edited meanwhile.", user="Ann")
    elif arrange == "blocked":
        wiki.blocked.add("Dana")
    elif arrange == "protected":
        wiki.protected.add(PAGE)
    elif arrange == "revoked":
        wiki.bearers.clear()
    elif arrange == "down":
        wiki.faults += ["ok", "500"]  # the edit itself fails: never retried blindly
    before = wiki.content(PAGE)
    r = client.post(
        url,
        {
            "page_title": PAGE,
            "source": "effective",
            "publish": "1",
            "looked_up": PAGE,
            "base_revision": base,
        },
    )
    assert r.status_code == 400
    assert message in page_text(r)
    assert not WikiPublication.objects.exists()
    assert not LogEntry.objects.filter(kind="wiki_copy.published").exists()
    assert Adoption.objects.get(pk=adoption.pk).wiki_agreed_revision is None
    if arrange != "conflict":
        assert wiki.content(PAGE) == before


def test_a_changed_title_is_looked_up_before_publishing(adoption, wiki, client, delegate):
    _link_wiki_account(delegate, wiki)
    wiki.set_page("Elsewhere", "Somebody's page.")
    client.force_login(delegate)
    r = client.post(
        "/communities/alder-wiki/baseline/wiki/publish/",
        {"page_title": "Elsewhere", "source": "effective", "publish": "1", "looked_up": PAGE},
    )
    assert r.status_code == 200
    assert "exists on the wiki" in page_text(r)
    assert wiki.content("Elsewhere") == "Somebody's page."
    assert not WikiPublication.objects.exists()


# --- who may do what --------------------------------------------------------------------------

ACTIONS = ("view", "publish", "acknowledge")
EXPECTED = {
    "anonymous":         (1, 0, 0),
    "participant":       (1, 0, 0),
    "delegate":          (1, 1, 1),
    "other_delegate":    (1, 0, 0),
    "inactive_delegate": (1, 0, 0),
    "facilitator":       (1, 1, 1),
    "superuser":         (1, 1, 1),
}  # fmt: skip


def test_the_table_covers_every_role():
    assert set(EXPECTED) == set(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_rules_and_http_match_the_table(role, role_user, adoption, community, wiki, client):
    user = role_user[role]
    want = dict(zip(ACTIONS, map(bool, EXPECTED[role]), strict=True))
    assert bool(rules.can_publish_to_wiki(user, community)) == want["publish"]
    assert bool(rules.can_acknowledge_wiki_copy(user, community)) == want["acknowledge"]
    wiki.set_page(PAGE, "Different text.")
    _check()
    if user.is_authenticated:
        client.force_login(user)
        if user.is_active:
            _link_wiki_account(user, wiki, token=f"tok-{role}", username=f"U{role}")
    home = client.get("/communities/alder-wiki/")
    assert home.status_code == 200
    assert ("Acknowledge revision" in home.content.decode()) == want["acknowledge"]
    assert ("Publish to the wiki" in home.content.decode()) == want["publish"]
    got = {"view": True}
    r = client.get("/communities/alder-wiki/baseline/wiki/publish/")
    got["publish"] = r.status_code == 200
    assert r.status_code in (200, 403, 302)
    revision = _latest(adoption).revision_id
    r = client.post(
        "/communities/alder-wiki/baseline/wiki/acknowledge/",
        {"revision": revision, "note": "Agreed."},
    )
    acknowledged = Adoption.objects.get(pk=adoption.pk).wiki_agreed_revision == revision
    assert r.status_code in (302, 403)
    got["acknowledge"] = acknowledged
    assert got == want
    if not want["publish"] and user.is_authenticated:
        with pytest.raises(PermissionDenied):
            wiki_services.publish_to_wiki(adoption=adoption, user=user, page_title=PAGE)


# --- query counts -----------------------------------------------------------------------------


def test_the_community_page_and_dashboard_with_drift_take_the_same_queries(
    adoption, wiki, client, django_assert_max_num_queries
):
    wiki.set_page(PAGE, "Different text.")
    counts = []
    for _run in range(3):
        _check()
        wiki.set_page(PAGE, f"Different text {_run}.")
        _check()
        wiki.set_page(PAGE, _expected(adoption))  # back in line: a new "news" check each time
        _check()
        wiki.set_page(PAGE, f"Drift {_run}.")
        _check()
        client.get("/communities/alder-wiki/")
        with django_assert_max_num_queries(40) as page:
            r = client.get("/communities/alder-wiki/")
        assert "differs since" in page_text(r)
        with django_assert_max_num_queries(10) as dashboard:
            client.get("/adoption/?policy=baseline")
        counts.append((len(page.captured_queries), len(dashboard.captured_queries)))
    assert len(set(counts)) == 1, counts


def test_declaration_form_names_the_wiki_page(community, policy, delegate, client, wiki):
    client.force_login(delegate)
    r = client.post(
        "/communities/alder-wiki/baseline/declare/",
        {"status": "adopted", "version": 1, "wiki_page": "Project:Rules", "wiki_api_url": ""},
    )
    assert r.status_code == 302
    adoption = Adoption.objects.get()
    assert adoption.wiki_page == "Project:Rules"
    assert adoption.wiki_api_url == "https://alder.example.org/w/api.php"
    r = client.get("/communities/alder-wiki/baseline/declare/")
    assert 'value="Project:Rules"' in r.content.decode()
    services.declare_adoption(
        community=community,
        policy=policy,
        user=delegate,
        status="adopted",
        wiki_page="Project:Other",
        wiki_api_url=wiki.api_url,
    )
    adoption.refresh_from_db()
    assert (adoption.wiki_page, adoption.wiki_check) == ("Project:Other", None)
    # The wiki's API alone is kept (publishing chooses the page); nothing is watched then.
    services.declare_adoption(
        community=community,
        policy=policy,
        user=delegate,
        status="adopted",
        wiki_page="",
        wiki_api_url=wiki.api_url,
    )
    adoption.refresh_from_db()
    assert (adoption.wiki_page, adoption.wiki_api_url) == ("", wiki.api_url)
    assert "Checked 0 wiki copies" in _check()


def test_the_drift_and_publish_pages_speak_german(adoption, wiki, client, delegate):
    wiki.set_page(PAGE, "Ganz anderer Text.", user="Mallory")
    _check()
    client.force_login(delegate)
    german = {"HTTP_ACCEPT_LANGUAGE": "de"}
    text = page_text(client.get("/communities/alder-wiki/", **german))
    assert "Die Fassung im Wiki weicht seit Version" in text
    assert "Wie wurde die Änderung vereinbart?" in text
    assert "Im Wiki veröffentlichen" in text
    text = page_text(client.get("/communities/alder-wiki/baseline/wiki/publish/", **german))
    assert "Baseline Code im Wiki veröffentlichen" in text
    assert "Accord hat keine Wiki-Anmeldung von dir" in text
    text = page_text(client.get("/adoption/?policy=baseline", **german))
    assert "Fassung im Wiki weicht seit Version" in text


def test_a_wiki_that_is_down_is_explained_on_the_publish_page(adoption, wiki, client, delegate):
    _link_wiki_account(delegate, wiki)
    client.force_login(delegate)
    wiki.faults += ["500", "500", "html"]
    r = client.get("/communities/alder-wiki/baseline/wiki/publish/")
    assert r.status_code == 200
    assert "The wiki could not be asked about this page" in page_text(r)
    assert "Publish to the wiki" not in [b.strip() for b in page_text(r).split("  ")]
    assert 'name="publish"' not in r.content.decode()
    r = client.post(
        "/communities/alder-wiki/baseline/wiki/publish/",
        {"page_title": PAGE, "source": "effective", "lookup": "1"},
    )
    assert r.status_code == 200 and "answered with an HTML page" in page_text(r)
    assert not WikiPublication.objects.exists()
