"""Amendments over HTTP: the consultation page's amend / amend_revise / amend_withdraw /
amend_decide actions and the merge page. Allowed actions redirect, refusals answer 4xx (never a
500) and write nothing, bad input is answered with a message, conflicts are listed before
anything is merged, and the page's number of queries does not grow with the amendments."""

import re
from datetime import timedelta
from itertools import cycle

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from amendments import services
from amendments.models import Amendment, AmendmentMerge, AmendmentRevision
from consultations import services as consultation_services
from consultations.models import Position
from consultations.selectors import consultation_url
from tests.factories import make_policy
from tests.html_safety import script_problems

from .conftest import in_state, page_text
from .test_amendment_rules import accept, body, make_merger, propose, reword, snapshot

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def mona(db):
    return make_merger()


def alerts(response) -> list[str]:
    """The error summaries (or older inline alerts) on a page, as read."""
    html = response.content.decode()
    found = re.findall(r'<div class="error-summary"[^>]*role="alert"[^>]*>(.*?)</div>', html, re.S)
    found += re.findall(r'<p[^>]*role="alert">(.*?)</p>', html, re.S)
    return [page_text(m) for m in found]


def signed_in_as(client, user):
    if not isinstance(user, AnonymousUser):
        client.force_login(user)


def _to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.fixture
def users(participants, facilitator, mona, superuser, inactive):
    pat, quinn, _ = participants
    return {
        "anonymous": AnonymousUser(),
        "inactive": inactive,
        "participant": quinn,
        "author": pat,
        "facilitator": facilitator,
        "merger": mona,
        "superuser": superuser,
    }


# --- who may do what, over HTTP ----------------------------------------------------------------

HTTP_ACTIONS = ["amend", "amend_revise", "amend_withdraw", "amend_decide", "position", "apply"]
# On an open consultation, each action on its own amendment (proposed; accepted for "apply"):
#   done: 302 and written     refused: 400, nothing written     login: 302 to sign in, nothing
#   forbidden: 403, nothing written
#                  amend   amend_revise amend_withdraw amend_decide position apply (merge page)
HTTP_EXPECTED = {
    "anonymous":   ("login", "login",   "login",    "login",    "login", "login"),
    "inactive":    ("login", "login",   "login",    "login",    "login", "login"),
    "participant": ("done",  "refused", "refused",  "refused",  "done",  "forbidden"),
    "author":      ("done",  "done",    "done",     "refused",  "done",  "forbidden"),
    "facilitator": ("done",  "refused", "refused",  "done",     "done",  "forbidden"),
    "merger":      ("done",  "refused", "refused",  "done",     "done",  "done"),
    "superuser":   ("done",  "refused", "refused",  "done",     "done",  "done"),
}  # fmt: skip


@pytest.mark.parametrize("role", list(HTTP_EXPECTED))
def test_http_matches_the_table(
    role, users, consultation, version, keys, participants, facilitator, client
):
    pat = participants[0]
    url = consultation_url(consultation)
    base = body(version, keys[0])
    fresh = {
        action: propose(consultation, pat, keys[0], reword(base, f"word{n}", f"w{n}!"))
        for n, action in enumerate(HTTP_ACTIONS)
        if action != "amend"
    }
    accept(fresh["apply"], facilitator)
    user = users[role]
    signed_in_as(client, user)
    new_text = reword(body(version, keys[1]), "word7", "seven")
    posts = {
        "amend": (
            url,
            {
                "action": "amend",
                "section_key": keys[1],
                "kind": "replace",
                "text": new_text,
                "rationale": "Clearer.",
            },
        ),
        "amend_revise": (
            url,
            {
                "action": "amend_revise",
                "amendment": fresh["amend_revise"].pk,
                "section_key": keys[0],
                "kind": "replace",
                "text": fresh["amend_revise"].text + " Revised.",
                "rationale": "Clearer still.",
            },
        ),
        "amend_withdraw": (
            url,
            {"action": "amend_withdraw", "amendment": fresh["amend_withdraw"].pk},
        ),
        "amend_decide": (
            url,
            {
                "action": "amend_decide",
                "amendment": fresh["amend_decide"].pk,
                "state": "accepted",
                "reason": "Widely supported.",
            },
        ),
        "position": (
            url,
            {"action": "position", "section_key": fresh["position"].key, "stance": "support"},
        ),
        "apply": (f"{url}merge/", {"action": "apply", "amendment": fresh["apply"].pk}),
    }
    written = {
        "amend": lambda: Amendment.objects.filter(section_key=keys[1]).exists(),
        "amend_revise": lambda: Amendment.objects.get(pk=fresh["amend_revise"].pk).revision == 2,
        "amend_withdraw": lambda: (
            Amendment.objects.get(pk=fresh["amend_withdraw"].pk).state == "withdrawn"
        ),
        "amend_decide": lambda: (
            Amendment.objects.get(pk=fresh["amend_decide"].pk).state == "accepted"
        ),
        "position": lambda: Position.objects.filter(section_key=fresh["position"].key).exists(),
        "apply": lambda: AmendmentMerge.objects.filter(amendment=fresh["apply"]).exists(),
    }
    got = {}
    for action in HTTP_ACTIONS:
        target = fresh.get(action)
        before = snapshot(target)
        path, data = posts[action]
        response = client.post(path, data)
        if response.status_code == 302 and not _to_login(response) and written[action]():
            got[action] = "done"
            if action == "amend":
                expected_target = f"{url}?section={Amendment.objects.latest('pk').key}"
            elif action == "apply":
                expected_target = f"{url}merge/"
            else:  # back to the amendment's own page (at the new position)
                expected_target = f"{url}?section={target.key}"
            assert response["Location"].startswith(expected_target), (action, response["Location"])
            continue
        assert snapshot(target) == before, f"{action}: refused ({response.status_code}) but wrote"
        if _to_login(response):
            got[action] = "login"
            assert response["Location"].endswith(f"?next={path}")
        else:
            got[action] = {400: "refused", 403: "forbidden"}.get(response.status_code)
            assert got[action], (action, response.status_code)
    assert got == dict(zip(HTTP_ACTIONS, HTTP_EXPECTED[role], strict=True))


def test_after_close_amendments_and_their_positions_are_refused_but_decisions_go_on(
    consultation, version, keys, participants, facilitator, client
):
    pat, quinn, _ = participants
    url = consultation_url(consultation)
    withdrawn, decided = (
        propose(consultation, pat, keys[0], reword(body(version, keys[0]), w, "x"))
        for w in ("word0", "word9")
    )
    closed = in_state(consultation, "closed", user=facilitator)
    client.force_login(quinn)
    before = snapshot(withdrawn, decided)
    text = reword(body(version, keys[1]), "word7", "seven")
    data = {"action": "amend", "section_key": keys[1], "kind": "replace", "text": text}
    response = client.post(url, {**data, "rationale": "Late."})
    assert response.status_code == 400
    assert "This consultation is closed and read-only." in page_text(response)
    response = client.post(
        url,
        {"action": "position", "section_key": withdrawn.key, "stance": "oppose", "reason": "No"},
    )
    assert response.status_code == 400
    assert snapshot(withdrawn, decided) == before
    # The author may still withdraw, and a facilitator still decides.
    client.force_login(pat)
    response = client.post(url, {"action": "amend_withdraw", "amendment": withdrawn.pk})
    assert response.status_code == 302
    client.force_login(facilitator)
    response = client.post(
        url,
        {"action": "amend_decide", "amendment": decided.pk, "state": "partly", "reason": "Half."},
    )
    assert response.status_code == 302
    assert list(Amendment.objects.order_by("pk").values_list("state", flat=True)) == [
        "withdrawn",
        "partly",
    ]
    assert closed.state == "closed"


# --- bad input: a message beside the form, nothing changed -----------------------------------


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"text": ""}, "This cannot be empty."),
        ({"text": "  \n  "}, "This cannot be empty."),
        ({"kind": "delete", "text": "Some words"}, "To delete the section, leave the text empty"),
        ({"kind": "insert", "text": "New words."}, "This cannot be empty."),  # no heading
        ({"text": "Better <script>alert(1)</script> words"}, "HTML tags such as <script>"),
        ({"text": "Better <img src=x onerror=alert(1)> words"}, "HTML tags such as <script>"),
        ({"rationale": "<a href='javascript:alert(1)'>why</a>"}, "HTML tags such as <script>"),
        ({"text": None}, "This is the section's current text"),
        ({"kind": "sideways"}, "Select a valid choice."),
        ({"rationale": ""}, "This field is required."),
    ],
)
def test_a_bad_amendment_is_answered_beside_its_form(
    consultation, version, keys, participant, client, fields, message
):
    url = consultation_url(consultation)
    data = {
        "action": "amend",
        "section_key": keys[0],
        "kind": "replace",
        "heading": "",
        "text": reword(body(version, keys[0]), "word0", "kindness"),
        "rationale": "Clearer.",
        **fields,
    }
    if data["text"] is None:
        data["text"] = body(version, keys[0])
    client.force_login(participant)
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == 400
    assert snapshot() == before
    html = response.content.decode()
    assert len(alerts(response)) == 1 and message in alerts(response)[0], alerts(response)
    # Beside the amendment form of that section (which is open), not elsewhere.
    where = html.index('role="alert"')
    assert html.index(f'id="section-{keys[0]}"') < where < html.index(f'id="section-{keys[1]}"')
    assert html.rfind("<details", 0, where) == html.rfind('<details class="tool" open>', 0, where)
    # What they typed is kept, escaped, and nothing on the page can run script.
    assert script_problems(html) == []
    if "<script>" in data["text"]:
        assert "Better &lt;script&gt;alert(1)&lt;/script&gt; words" in html


def test_amending_a_withdrawn_amendment_or_an_unknown_section_changes_nothing(
    consultation, version, keys, participants, client
):
    pat, quinn, _ = participants
    withdrawn = propose(consultation, pat, keys[0], reword(body(version, keys[0]), "word0", "x"))
    services.withdraw_amendment(amendment=withdrawn, user=pat)
    url = consultation_url(consultation)
    client.force_login(quinn)
    before = snapshot(withdrawn)
    for key in (withdrawn.key, "no-such-section", "__whole__"):
        response = client.post(
            url,
            {
                "action": "amend",
                "section_key": key,
                "kind": "replace",
                "text": "Better words.",
                "rationale": "Clearer.",
            },
        )
        assert response.status_code == 400, key
    for data in (
        {"action": "amend_revise", "amendment": withdrawn.pk, "section_key": keys[0]},
        {"action": "amend_withdraw", "amendment": withdrawn.pk},
        {"action": "amend_withdraw", "amendment": "not-a-number"},
        {"action": "amend_withdraw", "amendment": withdrawn.pk + 1000},
        {"action": "amend_decide", "amendment": withdrawn.pk, "state": "maybe", "reason": "x"},
        {"action": "amend_decide", "amendment": withdrawn.pk, "state": "accepted"},
    ):
        client.force_login(pat)
        response = client.post(url, {"kind": "replace", "text": "Again.", "rationale": "r", **data})
        assert response.status_code == 400, data
    assert snapshot(withdrawn) == before
    assert Amendment.objects.get(pk=withdrawn.pk).text == withdrawn.text


def _revise_after_acceptance(ctx):
    ctx.accept(ctx.amendment)
    return ctx.pat, "amend_revise", "This amendment is accepted: it can no longer be revised."


def _withdraw_after_decision(ctx):
    ctx.accept(ctx.amendment)
    return ctx.pat, "amend_withdraw", "This amendment is accepted: it cannot be withdrawn."


def _decide_twice(ctx):
    ctx.accept(ctx.amendment)
    return ctx.facilitator, "amend_decide", "This amendment is already accepted."


def _revise_with_html(ctx):
    return ctx.pat, "amend_revise_html", "HTML tags such as <script> are not accepted."


def _position_on_withdrawn(ctx):
    services.withdraw_amendment(amendment=ctx.amendment, user=ctx.pat)
    return ctx.quinn, "position", "That section is not part of the consulted version."


def _decide_with_html(ctx):
    return ctx.facilitator, "amend_decide_html", "HTML tags such as <script> are not accepted."


REFUSALS = {
    "revise after acceptance": _revise_after_acceptance,
    "withdraw after a decision": _withdraw_after_decision,
    "decide twice": _decide_twice,
    "revision with HTML": _revise_with_html,
    "decision with HTML": _decide_with_html,
    "position on a withdrawn amendment": _position_on_withdrawn,
}


class _Ctx:
    def __init__(self, consultation, version, keys, participants, facilitator):
        self.pat, self.quinn, _ = participants
        self.facilitator = facilitator
        self.amendment = propose(
            consultation, self.pat, keys[0], reword(body(version, keys[0]), "word0", "x")
        )

    def accept(self, amendment):
        accept(amendment, self.facilitator)


def _refusal(name, consultation, version, keys, participants, facilitator):
    ctx = _Ctx(consultation, version, keys, participants, facilitator)
    user, action, message = REFUSALS[name](ctx)
    a = ctx.amendment
    data = {
        "amend_revise": {
            "action": "amend_revise",
            "amendment": a.pk,
            "section_key": a.section_key,
            "kind": "replace",
            "text": a.text + " More.",
            "rationale": "Better.",
        },
        "amend_withdraw": {"action": "amend_withdraw", "amendment": a.pk},
        "amend_decide": {"action": "amend_decide", "amendment": a.pk, "state": "rejected"},
        "position": {"action": "position", "section_key": a.key, "stance": "support"},
    }
    data["amend_revise_html"] = {**data["amend_revise"], "text": "Words <script>x</script>"}
    data["amend_decide_html"] = {**data["amend_decide"], "reason": "<b>No</b>"}
    data["amend_decide"]["reason"] = "Changed my mind."
    return user, data[action], message, a


@pytest.mark.parametrize("name", list(REFUSALS))
def test_refusals_on_an_amendment_answer_400_and_write_nothing(
    name, consultation, version, keys, participants, facilitator, client
):
    user, data, message, amendment = _refusal(
        name, consultation, version, keys, participants, facilitator
    )
    client.force_login(user)
    before = snapshot(amendment)
    url = consultation_url(consultation)
    for path in (url, f"{url}?section={amendment.key}"):
        assert client.post(path, data).status_code == 400
        assert snapshot(amendment) == before


@pytest.mark.parametrize("name", ["revision with HTML", "decision with HTML", "position on a "
                                  "withdrawn amendment"])  # fmt: skip
def test_the_message_shows_beside_the_form_when_the_page_is_focused_on_the_amendment(
    name, consultation, version, keys, participants, facilitator, client
):
    user, data, message, amendment = _refusal(
        name, consultation, version, keys, participants, facilitator
    )
    client.force_login(user)
    response = client.post(f"{consultation_url(consultation)}?section={amendment.key}", data)
    assert response.status_code == 400
    assert len(alerts(response)) == 1 and message in alerts(response)[0], alerts(response)


@pytest.mark.parametrize("name", list(REFUSALS))
def test_refusals_on_an_amendment_say_why_where_the_form_sends_them(
    name, consultation, version, keys, participants, facilitator, client
):
    user, data, message, amendment = _refusal(
        name, consultation, version, keys, participants, facilitator
    )
    client.force_login(user)
    # The forms on the amendment's page post to the bare consultation URL.
    response = client.post(consultation_url(consultation), data)
    assert response.status_code == 400
    assert message in " ".join(alerts(response))


def test_amending_an_unknown_section_says_why(consultation, participant, client):
    client.force_login(participant)
    response = client.post(
        consultation_url(consultation),
        {
            "action": "amend",
            "section_key": "no-such-section",
            "kind": "replace",
            "text": "Better words.",
            "rationale": "Clearer.",
        },
    )
    assert response.status_code == 400
    assert "not part of the consulted version" in " ".join(alerts(response))


# --- the merge page ----------------------------------------------------------------------------


def test_merge_page_is_for_facilitators_who_may_publish(
    consultation,
    version,
    keys,
    participants,
    facilitator,
    mona,
    client,
):
    pat = participants[0]
    amendment = propose(consultation, pat, keys[0], reword(body(version, keys[0]), "word0", "x"))
    accept(amendment, facilitator)
    merge_url = f"{consultation_url(consultation)}merge/"
    apply = {"action": "apply", "amendment": amendment.pk}
    before = snapshot(amendment)

    assert _to_login(client.get(merge_url))
    assert _to_login(client.post(merge_url, apply))
    for user in (pat, facilitator):  # a participant; a facilitator who is no editor
        client.force_login(user)
        assert client.get(merge_url).status_code == 403
        assert client.post(merge_url, apply).status_code == 403
    assert snapshot(amendment) == before
    client.force_login(pat)
    assert "Merge accepted amendments" not in page_text(client.get(consultation_url(consultation)))

    client.force_login(mona)
    assert "Merge accepted amendments" in page_text(client.get(consultation_url(consultation)))
    assert client.get(merge_url).status_code == 200
    response = client.post(merge_url, apply)
    assert (response.status_code, response["Location"]) == (302, merge_url)
    assert AmendmentMerge.objects.filter(amendment=amendment, applied_by=mona).exists()


def test_no_merge_link_for_a_facilitator_who_may_not_merge(
    consultation, version, keys, participant, facilitator, client
):
    amendment = propose(
        consultation, participant, keys[0], reword(body(version, keys[0]), "word0", "x")
    )
    accept(amendment, facilitator)
    client.force_login(facilitator)
    assert client.get(f"{consultation_url(consultation)}merge/").status_code == 403
    assert "Merge accepted amendments" not in page_text(client.get(consultation_url(consultation)))


def test_merge_page_lists_conflicts_first_refuses_the_clash_and_publishes_with_credit(
    consultation,
    version,
    keys,
    participants,
    mona,
    client,
    django_capture_on_commit_callbacks,
):
    pat, quinn, rey = participants
    base = body(version, keys[0])
    a = propose(consultation, pat, keys[0], reword(base, "word0", "respect"))
    b = propose(consultation, quinn, keys[0], reword(base, "word0 word1", "dignity for all"))
    c = propose(consultation, rey, keys[0], reword(base, "word14", "everyone"))
    d = propose(consultation, quinn, keys[0], "", kind="delete")
    e = propose(consultation, rey, keys[0], "Ask early.", kind="insert", heading="Getting help")
    f = propose(consultation, pat, keys[1], reword(body(version, keys[1]), "word7", "no"))
    for amendment in (a, b, c, d, e):
        accept(amendment, mona)
    accept(f, mona, "rejected")
    merge_url = f"{consultation_url(consultation)}merge/"
    client.force_login(mona)
    before = snapshot(a, b, c, d, e, f)

    def conflicts(response) -> dict[int, set[int]]:
        rows = re.findall(r'id="merge-(\d+)">(.*?)</li>', response.content.decode(), re.S)
        return {
            int(pk): {
                int(n) for n in re.findall(r"amendment #(\d+) by", row.split("Conflicts")[-1])
            }
            if "Conflicts with" in row
            else set()
            for pk, row in rows
        }

    response = client.get(merge_url)
    assert response.status_code == 200
    assert conflicts(response) == {
        a.pk: {b.pk, d.pk},
        b.pk: {a.pk, d.pk},
        c.pk: {d.pk},
        d.pk: {a.pk, b.pk, c.pk},
        e.pk: set(),  # an insertion after the section clashes with nothing
    }
    text = page_text(response)
    assert f"Conflicts with amendment #{b.pk} by quinn, amendment #{d.pk} by quinn" in text
    assert snapshot(a, b, c, d, e, f) == before  # looking merges nothing

    for amendment in (a, c, e):
        response = client.post(merge_url, {"action": "apply", "amendment": amendment.pk})
        assert response.status_code == 302, page_text(response)
    for clash, named in ((b, f"#{a.pk} by pat"), (d, f"#{a.pk} by pat")):
        before = snapshot(clash)
        response = client.post(merge_url, {"action": "apply", "amendment": clash.pk})
        assert response.status_code == 409
        (message,) = alerts(response)
        assert f"Amendment #{clash.pk} conflicts with amendment {named}" in message
        assert snapshot(clash) == before
    for bad in (f.pk, a.pk, "x", f.pk + 1000):  # rejected, already merged, nonsense, unknown
        before = snapshot()
        response = client.post(merge_url, {"action": "apply", "amendment": bad})
        assert response.status_code == 409 and len(alerts(response)) == 1, bad
        assert snapshot() == before
    assert client.post(merge_url, {"action": "dance"}).status_code == 400
    assert page_text(client.get(merge_url)).count("In the draft.") == 3

    response = client.post(merge_url, {"action": "publish", "summary": ""})
    assert response.status_code == 409
    summary = services.merge_summary(version.policy_id)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(merge_url, {"action": "publish", "summary": summary})
    assert (response.status_code, response["Location"]) == (302, "/baseline/versions/")
    new = version.policy.versions.order_by("-number").first()
    consulted = list(version.sections.all())
    merged = reword(reword(base, "word0", "respect"), "word14", "everyone")
    assert [(s.heading, s.body) for s in new.sections.all()] == [
        (consulted[0].heading, merged),
        ("Getting help", "Ask early."),
        *[(s.heading, s.body) for s in consulted[1:]],
    ]
    history = page_text(client.get("/baseline/versions/"))
    assert (
        f"Wording from: amendment #{a.pk} by pat; amendment #{c.pk} by rey; "
        f"amendment #{e.pk} by rey" in history
    )
    assert f"Merged into version {new.number}" in page_text(client.get(merge_url))


# --- queries: constant however many amendments and positions ---------------------------------

# Measured on the small case (2 amendments, 20 positions): 8 to 16 queries depending on the
# page and who looks (a facilitator's page also asks whether they may publish the policy, for
# the merge link); the big one (50 amendments, 2,000 positions) must fit the same bound.
BOUND = 16


def _populated(editor, facilitator, *, slug, n_amendments, n_positions):
    """An open consultation whose first section has `n_amendments` amendments in every state
    (some decided, one merged, one revised) and `n_positions` positions spread over that
    section and its amendments."""
    policy = make_policy(editor=editor, slug=slug, title=f"Policy {slug}", n_sections=3)
    version = policy.versions.get()
    consultation = consultation_services.create_consultation(
        version=version,
        user=facilitator,
        title=f"Consultation {slug}",
        open_now=True,
        closes_at=timezone.now() + timedelta(days=28),
    )
    key = version.sections.first().key
    base = body(version, key)
    keys_per_user = n_amendments + 1
    n_users = -(-n_positions // keys_per_user)
    people = User.objects.bulk_create(
        User(username=f"{slug}-{i}", email=f"{slug}-{i}@example.org", password="!")
        for i in range(n_users)
    )
    people = list(User.objects.filter(username__startswith=f"{slug}-").order_by("pk"))
    now = timezone.now()
    states = cycle(["proposed", "accepted", "withdrawn", "partly", "rejected"])
    amendments = Amendment.objects.bulk_create(
        Amendment(
            consultation=consultation,
            section_key=key,
            kind="replace",
            text=reword(base, f"word{i % 39} ", f"better{i} "),
            rationale=f"Reason {i}.",
            author=people[i % len(people)],
            state=(state := next(states)),
            decided_by=facilitator if state in Amendment.DECIDED else None,
            decided_at=now if state in Amendment.DECIDED else None,
            decision_reason="Decided." if state in Amendment.DECIDED else "",
            revision=2 if i == 0 else 1,
            created_at=now - timedelta(hours=n_amendments - i),
            updated_at=now - timedelta(hours=n_amendments - i),
        )
        for i in range(n_amendments)
    )
    amendments = list(Amendment.objects.filter(consultation=consultation).order_by("pk"))
    AmendmentRevision.objects.bulk_create(
        AmendmentRevision(
            amendment=a,
            number=number,
            kind=a.kind,
            text=a.text if number == a.revision else base.replace("word39", "first try"),
            rationale=a.rationale,
            created_at=a.created_at,
        )
        for a in amendments
        for number in range(1, a.revision + 1)
    )
    accepted = next(a for a in amendments if a.state == "accepted")
    AmendmentMerge.objects.create(
        amendment=accepted, applied_by=facilitator, applied_at=now, result_key=key
    )
    filed_under = [key] + [a.key for a in amendments]
    stances = cycle(["support", "oppose", "neutral", "support"])
    Position.objects.bulk_create(
        Position(
            consultation=consultation,
            section_key=section_key,
            user=person,
            stance=(stance := next(stances)),
            reason="Because." if stance == "oppose" else "",
            created_at=now - timedelta(minutes=n),
            updated_at=now - timedelta(minutes=n),
        )
        for n, (person, section_key) in enumerate(
            [(p, k) for p in people for k in filed_under][:n_positions]
        )
    )
    assert Position.objects.filter(consultation=consultation).count() == n_positions
    assert len(amendments) == n_amendments
    return consultation, amendments, people[0]


@pytest.fixture
def small_and_big(editor, facilitator):
    return [
        _populated(editor, facilitator, slug="small", n_amendments=2, n_positions=20),
        _populated(editor, facilitator, slug="big", n_amendments=50, n_positions=2000),
    ]


@pytest.mark.parametrize("viewer", ["anonymous", "participant", "facilitator"])
@pytest.mark.parametrize("page", ["overview", "section", "amendment"])
def test_amendments_keep_the_page_to_the_same_few_queries(
    page, viewer, small_and_big, facilitator, client, django_assert_max_num_queries
):
    counts = []
    for consultation, amendments, someone in small_and_big:
        if viewer == "participant":
            client.force_login(someone)  # who has positions and amendments here
        elif viewer == "facilitator":
            client.force_login(facilitator)
        url = consultation_url(consultation)
        url += {
            "overview": "",
            "section": f"?section={amendments[0].section_key}",
            "amendment": f"?section={amendments[0].key}",
        }[page]
        assert client.get(url).status_code == 200  # warm the tally cache
        with django_assert_max_num_queries(BOUND) as captured:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(captured))
    # The big page did show what it holds.
    text = page_text(response)
    if page != "amendment":
        assert "Amendments to “Section 1” (50)" in text
        assert text.count("Rationale, positions and replies") == 50
    else:
        assert "Earlier wordings (1)" in text and "Reason 0." in text
    assert counts[1] <= counts[0], counts
