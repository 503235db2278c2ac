"""Writes that meet on the server (attack probe, issue 21 items 5 and 6), on SQLite (a database
file, see conftest) and on PostgreSQL: two editors publishing at the same moment, and twenty
copies of one ballot form posted at once. Nobody gets a server error, nothing is lost, and
exactly one of each goes through."""

import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from policies.models import PolicyVersion, SetAsideDraft
from ratification.models import Ballot, Choice
from tests.factories import EditorFactory, UserFactory, make_policy

from .sessions import signed_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_two_editors_publishing_at_the_same_moment(live_server, browser, shot):
    ana = EditorFactory(username="ana")
    EditorFactory(username="ben")
    policy = make_policy(editor=ana, n_sections=2)
    base = live_server.url
    pages = {
        name: signed_in(browser, base, name, admin=True, timeout=30_000) for name in ("ana", "ben")
    }
    for n, (name, page) in enumerate(pages.items()):
        page.goto(f"{base}/admin/pages/{policy.pk}/edit/")
        page.locator(f"#id_sections-{n}-body").fill(f"{name.title()}'s wording")
        page.locator("#id_edit_summary").fill(f"{name.title()}'s change")
    # Both press Publish before either page has had an answer.
    for page in pages.values():
        page.evaluate("document.querySelector('button[name=action-publish]').click()")
    for page in pages.values():
        page.wait_for_load_state("load")
        page.wait_for_function("!document.querySelector('button[name=action-publish]:disabled')")

    texts = {name: page.locator("body").inner_text() for name, page in pages.items()}
    for name, text in texts.items():
        shot(f"concurrent-publish-{name}", pages[name])
        assert "Server Error" not in text and "Internal" not in text, (name, text[:500])
    published = [n for n, t in texts.items() if "Published version 2" in t]
    refused = [n for n, t in texts.items() if "Not published" in t]
    assert len(published) == 1 and len(refused) == 1, texts
    assert PolicyVersion.objects.filter(policy=policy).count() == 2
    # The refused text is kept, set aside, and shown to its author; it is not the working draft.
    draft = SetAsideDraft.objects.get()
    assert draft.author.username == refused[0]
    assert f"/admin/policies/set-aside-drafts/{draft.pk}/" in pages[refused[0]].url
    assert f"{refused[0].title()}'s wording" in texts[refused[0]]
    policy.refresh_from_db()
    assert policy.latest_revision_id == policy.live_revision_id

    # Its author carries it onto the new version and sees, in the editor, what would change.
    author = pages[refused[0]]
    author.get_by_role("button", name="Carry my changes onto the current text").click()
    expect(author.get_by_text("Your changes are now in the draft")).to_be_visible()
    author.get_by_text("This draft differs from the published version 2 in 1 section").click()
    expect(author.locator(".accord-draft-diff ins").first).to_contain_text(
        f"{refused[0].title()}'s wording"
    )
    shot("set-aside-draft-carried-into-editor", author)


def test_twenty_copies_of_one_ballot_form_posted_at_once(live_server, browser):
    from tests.ratification.conftest import make_vote

    editor = EditorFactory(username="edna")
    fran = UserFactory(username="fran")
    fran.groups.add(Group.objects.get(name="Facilitators"))
    UserFactory(username="vic")
    version = make_policy(editor=editor).versions.get()
    vote = make_vote(version, fran)
    base = live_server.url

    page = signed_in(browser, base, "vic")
    page.goto(f"{base}/votes/{vote.pk}/")
    form = page.locator(f"form[action^='/votes/{vote.pk}/ballot/']")
    fields = {
        name: form.locator(f"input[name={name}]").get_attribute("value")
        for name in ("csrfmiddlewaretoken", "based_on")
    }
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    body = urllib.parse.urlencode({**fields, "option": "yes"}).encode()
    statuses: list[int] = []
    handed_over: list[str] = []  # the accepted request's receipt cookie (Set-Cookie)
    start = threading.Barrier(20)

    def post():
        request = urllib.request.Request(  # noqa: S310 (the live server's own http URL)
            f"{base}/votes/{vote.pk}/ballot/",
            data=body,
            headers={"Cookie": cookies, "Referer": f"{base}/votes/{vote.pk}/"},
        )
        opener = urllib.request.build_opener(NoRedirect)
        start.wait()
        try:
            statuses.append(opener.open(request, timeout=60).status)
        except urllib.error.HTTPError as exc:
            statuses.append(exc.code)
            handed_over.extend(exc.headers.get_all("Set-Cookie") or [])

    threads = [threading.Thread(target=post) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(statuses) == [302] + [409] * 19, statuses
    ballot = Ballot.objects.get(vote=vote)
    assert ballot.times_changed == 0
    assert Choice.objects.filter(vote=vote).count() == 1
    # The one accepted request's confirmation holds the receipt that counts: it travels in the
    # cookie that request's redirect set, which the voter's browser would keep.
    (handover,) = [c for c in handed_over if c.startswith(f"accord_receipt_{vote.pk}=")]
    name, value = handover.split(";", 1)[0].split("=", 1)
    page.context.add_cookies(
        [
            {
                "name": name,
                "value": value,
                "domain": urllib.parse.urlsplit(base).hostname,
                "path": f"/votes/{vote.pk}/ballot/recorded/",
            }
        ]
    )
    page.goto(f"{base}/votes/{vote.pk}/ballot/recorded/")
    receipt = page.locator("#receipt").inner_text()
    from ratification import services

    assert services.check_receipt(vote=vote, receipt=receipt).status == "counted"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
