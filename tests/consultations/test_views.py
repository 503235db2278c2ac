"""The consultation pages as people use them: script-free output whatever they type, bad input
answered with a message (never a 500), sorting, filtering, paging, exports, the command that
opens a consultation, and a constant number of SQL queries however big the consultation is."""

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from consultations import fragments, services
from consultations.models import (
    WHOLE_TEXT,
    Consultation,
    Flag,
    ModerationAction,
    Position,
    PrivateFeedback,
    Reply,
    Summary,
    SummarySection,
)
from consultations.selectors import consultation_url
from tests.factories import UserFactory, make_policy
from tests.html_safety import script_problems

from .conftest import in_state, page_text

pytestmark = pytest.mark.django_db
User = get_user_model()


def take(consultation, user, key, stance="support", reason="", strength=""):
    return services.take_position(
        consultation=consultation,
        section_key=key,
        user=user,
        stance=stance,
        reason=reason,
        strength=strength,
    )


def _counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            Consultation,
            Position,
            Reply,
            Flag,
            ModerationAction,
            PrivateFeedback,
            Summary,
            SummarySection,
        )
    }


def _position_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<li id="position-(\d+)"', html)]


def _section_order(html: str) -> list[str]:
    return re.findall(r'<section id="section-([^"]+)"', html)


# --- XSS ------------------------------------------------------------------------------------

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "<svg onload=alert(1)>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "[y](JaVaScRiPt:alert(1)) [z](  javascript:alert(1))",
    "<a href='javascript:alert(1)'>a</a> <a href=\"data:text/html,<script>x</script>\">d</a>",
    "<iframe src=javascript:alert(1)></iframe><object data=x></object><embed src=x>",
    '![i](x" onerror="alert(1)) ![j](javascript:alert(1))',
    "<details open ontoggle=alert(1)>d</details><body onload=alert(1)>",
    "[w](vbscript:msgbox(1)) <form action=javascript:alert(1)><button>b</button></form>",
    "`<script>alert(1)</script>` <style>*{}</style> <!-- <script>x</script> -->",
]
EVIL = "\n\n".join(PAYLOADS)
EVIL_TITLE = '"><script>alert(1)</script><img src=x onerror=alert(1)><svg onload=alert(1)>'
EVIL_SHORT = '"><script>alert(1)</script><svg onload=alert(1)>'


@pytest.fixture
def hostile(policy, keys, participants, facilitator, client):
    """A consultation where everyone typed script into every field they could, over HTTP.
    Returns the open-stage pages as HTML, then the consultation is closed and summarised."""
    pat, quinn, rey = participants
    now = timezone.now().replace(second=0, microsecond=0)
    slug = policy.slug

    client.force_login(facilitator)
    r = client.post(
        f"/{slug}/consultations/new/",
        {
            "version": 1,
            "title": EVIL_TITLE,
            "description": EVIL,
            "opens_at": now.strftime("%Y-%m-%d %H:%M"),
            "closes_at": (now + timedelta(days=28)).strftime("%Y-%m-%d %H:%M"),
            "open_now": "on",
        },
    )
    assert r.status_code == 302, page_text(r)
    consultation = Consultation.objects.get()
    url = consultation_url(consultation)
    assert r["Location"] == url and consultation.state == "open"
    assert consultation.title == EVIL_TITLE

    def post(user, data, path=url):
        client.force_login(user)
        response = client.post(path, data)
        assert response.status_code == 302, page_text(response)[:2000]

    for user, key, stance in (
        (pat, keys[0], "oppose"),
        (quinn, keys[1], "support"),
        (rey, WHOLE_TEXT, "neutral"),
    ):
        post(
            user,
            {
                "action": "position",
                "section_key": key,
                "stance": stance,
                "strength": "strong",
                "reason": EVIL,
            },
        )
    post(
        pat,
        {
            "action": "position",
            "section_key": keys[0],
            "stance": "neutral",
            "reason": EVIL + "\n\nchanged",
        },
    )
    first = Position.objects.get(user=pat)
    post(quinn, {"action": "reply", "position": first.pk, "body": EVIL})
    reply = Reply.objects.get()
    post(rey, {"action": "reply", "position": first.pk, "parent": reply.pk, "body": EVIL})
    post(rey, {"action": "flag", "kind": "position", "item": first.pk, "reason": EVIL_SHORT})
    post(pat, {"body": EVIL, "section_key": keys[0]}, path=f"{url}feedback/")
    hidden = Position.objects.get(user=quinn)
    post(
        facilitator,
        {
            "action": "moderate",
            "kind": "position",
            "item": hidden.pk,
            "hide": "1",
            "reason": EVIL_SHORT,
        },
    )
    post(
        facilitator,
        {
            "action": "moderate",
            "kind": "reply",
            "item": reply.pk,
            "hide": "1",
            "reason": EVIL_SHORT,
        },
    )
    assert Position.objects.count() == 3 and Reply.objects.count() == 2
    assert PrivateFeedback.objects.count() == 1 and Flag.objects.count() == 1

    pages = {}
    for who, user in (
        ("anonymous", None),
        ("author", pat),
        ("replier", quinn),
        ("facilitator", facilitator),
    ):
        client.logout()
        if user:
            client.force_login(user)
        pages[f"page as {who}"] = client.get(url)
        pages[f"focus as {who}"] = client.get(f"{url}?section={keys[0]}&stance=neutral")
        pages[f"moderation log as {who}"] = client.get(f"{url}moderation/")
        pages[f"feedback as {who}"] = client.get(f"{url}feedback/")
        pages[f"list as {who}"] = client.get(f"/{slug}/consultations/")
    client.force_login(pat)
    # Input refused and echoed back into the form, and hostile query strings.
    pages["refused position"] = client.post(
        url, {"action": "position", "section_key": keys[1], "stance": "maybe", "reason": EVIL}
    )
    pages["refused reply"] = client.post(
        url, {"action": "reply", "position": first.pk, "body": EVIL + "x" * 5000}
    )
    pages["query string"] = client.get(url, {"stance": EVIL_SHORT, "sort": EVIL_SHORT})
    pages["feedback query string"] = client.get(f"{url}feedback/", {"section": EVIL_SHORT})
    pages["refused feedback"] = client.post(f"{url}feedback/", {"body": EVIL + "x" * 5000})
    client.force_login(facilitator)
    pages["refused creation"] = client.post(
        f"/{slug}/consultations/new/",
        {"version": 1, "title": EVIL_TITLE, "description": EVIL, "opens_at": EVIL_SHORT},
    )

    # Closed with a hostile note, then a hostile summary citing the hostile position.
    post(facilitator, {"to": "closed", "note": EVIL_SHORT}, path=f"{url}state/")
    form = {"intro": EVIL, "publish": "1"}
    for key in [*keys, WHOLE_TEXT]:
        form[f"s-{key}-section_key"] = key
        form[f"s-{key}-outcome"] = "partly" if key == keys[0] else ""
        form[f"s-{key}-text"] = EVIL if key == keys[0] else ""
    form[f"s-{keys[0]}-cited"] = [str(first.pk)]
    post(facilitator, form, path=f"{url}summary/edit/")
    post(facilitator, {}, path=f"{url}summary/publish/")
    consultation.refresh_from_db()
    assert consultation.state == "summarised"
    pages["summary edit"] = client.get(f"{url}summary/edit/")
    pages["closed page as facilitator"] = client.get(url)
    client.logout()
    pages["summary"] = client.get(f"{url}summary/")
    pages["closed page"] = client.get(url)
    return pages


def test_nothing_anyone_types_can_run_script(hostile):
    problems = {}
    for name, response in hostile.items():
        assert response.status_code in (200, 400), (name, response.status_code)
        html = response.content.decode()
        # The payload did reach the page (escaped), so a clean result means something.
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, name
        found = script_problems(html)
        if found:
            problems[name] = found
    assert problems == {}


def test_hostile_text_is_still_readable_as_text(hostile):
    """Escaping, not deleting: what people typed is shown, harmlessly."""
    page = page_text(hostile["page as author"])
    assert EVIL_TITLE in page  # the title, as typed
    assert "changed" in page
    assert "alert(1)" in page_text(hostile["summary"])
    assert EVIL_SHORT in page_text(hostile["moderation log as facilitator"])  # flag reason


# --- bad input never gives a 500 ---------------------------------------------------------------

HUGE = "x" * 100_000
BIG_ID = "9" * 30

# name: (who posts, where, data, status, text shown on the page)
BAD_INPUT = {
    "unknown action": ("pat", "", {"action": "delete"}, 400, "Unknown action."),
    "no action": ("pat", "", {"stance": "support"}, 400, "Unknown action."),
    "stance maybe": (
        "pat", "", {"action": "position", "section_key": "{k0}", "stance": "maybe", "reason": "r"},
        400, "Select a valid choice. maybe is not one of the available choices.",
    ),
    "no stance": (
        "pat", "", {"action": "position", "section_key": "{k0}"}, 400, "This field is required.",
    ),
    "oppose without reason": (
        "pat", "", {"action": "position", "section_key": "{k0}", "stance": "oppose"},
        400, "Say why you oppose",
    ),
    "strength extreme": (
        "pat", "", {"action": "position", "section_key": "{k0}", "stance": "support",
                    "strength": "extreme"}, 400, "Select a valid choice.",
    ),
    "huge reason": (
        "pat", "", {"action": "position", "section_key": "{k0}", "stance": "oppose",
                    "reason": HUGE},
        400, "Ensure this value has at most 5000 characters (it has 100000).",
    ),
    "no section": ("pat", "", {"action": "position", "stance": "support"}, 400, None),
    "unknown section": (
        "pat", "", {"action": "position", "section_key": "nope", "stance": "support"}, 400, None,
    ),
    "section key too long": (
        "pat", "", {"action": "position", "section_key": "k" * 500, "stance": "support"}, 400,
        None,
    ),
    "reply to a non-integer position": (
        "pat", "", {"action": "reply", "position": "abc", "body": "hi"}, 400, None,
    ),
    "reply with a non-integer parent": (
        "pat", "", {"action": "reply", "position": "{position}", "parent": "1.5", "body": "hi"},
        400, None,
    ),
    "reply to an enormous id": (
        "pat", "", {"action": "reply", "position": BIG_ID, "body": "hi"}, 400, None,
    ),
    "reply without body": (
        "pat", "", {"action": "reply", "position": "{position}"}, 400, "This field is required.",
    ),
    "reply with a huge body": (
        "pat", "", {"action": "reply", "position": "{position}", "body": HUGE},
        400, "Ensure this value has at most 5000 characters (it has 100000).",
    ),
    "reply to a position of another consultation": (
        "pat", "", {"action": "reply", "position": "{foreign}", "body": "hi"}, 400, None,
    ),
    "reply under a reply of another thread": (
        "pat", "", {"action": "reply", "position": "{position}", "parent": "{foreign_reply}",
                    "body": "hi"}, 400, None,
    ),
    "flag without reason": (
        "pat", "", {"action": "flag", "kind": "position", "item": "{position}"},
        400, "Say briefly why this needs attention.",
    ),
    "flag a non-integer item": (
        "pat", "", {"action": "flag", "kind": "position", "item": "x", "reason": "r"}, 400, None,
    ),
    "flag an unknown kind": (
        "pat", "", {"action": "flag", "kind": "user", "item": "{position}", "reason": "r"}, 400,
        None,
    ),
    "flag a foreign position": (
        "pat", "", {"action": "flag", "kind": "position", "item": "{foreign}", "reason": "r"},
        400, None,
    ),
    "moderate with hide=maybe": (
        "fran", "", {"action": "moderate", "kind": "position", "item": "{position}",
                     "hide": "maybe", "reason": "r"},
        400, "Choose to hide or to restore an existing position or reply.",
    ),
    "moderate an enormous id": (
        "fran", "", {"action": "moderate", "kind": "reply", "item": BIG_ID, "hide": "1",
                     "reason": "r"}, 400, None,
    ),
    "moderate a foreign position": (
        "fran", "", {"action": "moderate", "kind": "position", "item": "{foreign}", "hide": "1",
                     "reason": "r"}, 400, None,
    ),
    "carry nothing that exists": (
        "pat", "", {"action": "carry", "section_key": ["{k0}", "nope"]}, 400, None,
    ),
    "feedback with a huge body": (
        "pat", "feedback/", {"body": HUGE},
        400, "Ensure this value has at most 5000 characters (it has 100000).",
    ),
    "feedback without body": ("pat", "feedback/", {"body": ""}, 400, "This field is required."),
    "feedback on an unknown section": (
        "pat", "feedback/", {"body": "b", "section_key": "nope"}, 400,
        "not part of the consulted version",
    ),
    "state bogus": ("fran", "state/", {"to": "summarised"}, 400, "Choose open or closed."),
}  # fmt: skip


@pytest.fixture
def with_targets(consultation, keys, participants, make_consultation):
    pat, quinn, rey = participants
    position = take(consultation, quinn, keys[0], "oppose", "Too vague.")
    services.add_reply(position=position, user=rey, body="Agreed.")
    other = make_consultation(consultation.version, title="Elsewhere")
    foreign = take(other, quinn, WHOLE_TEXT, "support")
    foreign_reply = services.add_reply(
        position=take(consultation, rey, keys[1], "support"), user=quinn, body="On another thread"
    )
    return {
        "position": position.pk,
        "foreign": foreign.pk,
        "foreign_reply": foreign_reply.pk,
        "k0": keys[0],
    }


def test_bad_input_is_refused_with_a_message_and_writes_nothing(
    with_targets, url, participants, facilitator
):
    """Every case in BAD_INPUT, one after the other (a 500 is reported, not raised)."""
    client = Client(raise_request_exception=False)
    failures = {}
    for case, (who, path, data, status, text) in BAD_INPUT.items():
        client.force_login(participants[0] if who == "pat" else facilitator)
        data = {
            k: [x.format(**with_targets) for x in v]
            if isinstance(v, list)
            else v.format(**with_targets)
            for k, v in data.items()
        }
        before = _counts()
        response = client.post(url + path, data)
        problems = []
        if response.status_code != status:
            problems.append(f"status {response.status_code}")
        if text and text not in page_text(response):
            problems.append(f"no {text!r} on the page")
        if _counts() != before:
            problems.append(f"wrote {_counts()} (was {before})")
        if problems:
            failures[case] = problems
    assert failures == {}


def test_errors_are_shown_beside_the_form_that_caused_them(
    with_targets, url, keys, participant, client
):
    client.force_login(participant)
    r = client.post(
        url, {"action": "position", "section_key": keys[1], "stance": "maybe", "reason": "kept"}
    )
    html = r.content.decode()
    section = html.split(f'id="section-{keys[1]}"', 1)[1].split("</section>", 1)[0]
    assert 'role="alert"' in section and "Select a valid choice." in page_text(section)
    assert ">kept</textarea>" in section  # what they typed is kept
    assert html.count('role="alert"') == 1

    position = with_targets["position"]
    r = client.post(url, {"action": "reply", "position": position, "body": "y" * 5001})
    item = r.content.decode().split(f'id="position-{position}"', 1)[1]
    form = item.split('class="reply-form"', 1)[1].split("</form>", 1)[0]
    assert "Ensure this value has at most 5000 characters (it has 5001)." in page_text(form)


BAD_QUERIES = {
    "?page=abc": 200,
    "?page=-3": 200,
    "?sort=nonsense&stance=maybe": 200,
    "?section=nope": 404,
    "?section={k0}&page=abc": 200,
    "?section={k0}&page=99999": 200,
    "?section=%00&stance=%00&sort=%00": 404,
    "?stance=%00": 200,
}


@pytest.mark.parametrize("who", ["anonymous", "participant"])
def test_bad_query_strings_never_give_a_500(who, with_targets, url, participant):
    client = Client(raise_request_exception=False)
    if who == "participant":
        client.force_login(participant)
    got = {q: client.get(url + q.format(**with_targets)).status_code for q in BAD_QUERIES}
    assert got == BAD_QUERIES


def test_a_huge_page_number_is_not_a_500(with_targets, url, keys):
    client = Client(raise_request_exception=False)
    response = client.get(url, {"section": keys[0], "page": "9" * 30})
    assert response.status_code in (200, 404)


@pytest.mark.parametrize("path", ["consultations/{pk}/feedback/", "consultations/new/"])
def test_a_post_with_no_fields_says_what_is_missing(
    path, consultation, participant, facilitator, client
):
    client.force_login(participant if "feedback" in path else facilitator)
    before = _counts()
    slug = consultation.version.policy.slug
    response = client.post(f"/{slug}/" + path.format(pk=consultation.pk), {})
    assert response.status_code == 400
    assert _counts() == before
    assert "This field is required." in page_text(response)


def test_bad_summary_input_is_refused_and_writes_nothing(
    consultation, url, keys, participants, facilitator, editor, make_consultation, client
):
    mine = take(consultation, participants[0], keys[0], "oppose", "Mine.")
    hidden = take(consultation, participants[1], keys[0], "oppose", "Rude.")
    services.moderate(item=hidden, user=facilitator, hide=True, reason="Rude")
    consultation = in_state(consultation, "closed", user=facilitator)
    other = make_consultation(consultation.version, title="Another round")
    foreign = take(other, participants[2], keys[0], "support")

    def form(**row):
        data = {"intro": "Intro"}
        for key in [*keys, WHOLE_TEXT]:
            data[f"s-{key}-section_key"] = key
            data[f"s-{key}-outcome"] = row.get("outcome", "accepted") if key == keys[0] else ""
            data[f"s-{key}-text"] = "Text" if key == keys[0] else ""
            if key == keys[0] and "cited" in row:
                data[f"s-{key}-cited"] = row["cited"]
        return data

    client.force_login(facilitator)
    before = _counts()
    for data, message in [
        (form(outcome="bogus"), "Select a valid choice. bogus is not one of the available"),
        (form(cited=["abc"]), "Select a valid choice."),
        (form(cited=[str(hidden.pk)]), f"Select a valid choice. {hidden.pk} is not one of"),
        (form(cited=[str(foreign.pk)]), f"Select a valid choice. {foreign.pk} is not one of"),
        ({**form(), f"s-{keys[0]}-text": "t" * 100_000}, "at most 5000 characters"),
    ]:
        response = client.post(f"{url}summary/edit/", data)
        assert response.status_code == 400
        assert message in page_text(response)
    assert _counts() == before
    r = client.post(f"{url}summary/edit/", form(cited=[str(mine.pk)]))
    assert r.status_code == 302
    assert list(SummarySection.objects.get().cited_positions.all()) == [mine]


def test_an_over_long_summary_intro_says_why(make_consultation, version, keys, facilitator, client):
    consultation = make_consultation(version, state="closed")
    data = {"intro": "i" * 5001}
    for key in [*keys, WHOLE_TEXT]:
        data[f"s-{key}-section_key"] = key
    data[f"s-{keys[0]}-outcome"] = "accepted"
    client.force_login(facilitator)
    response = client.post(consultation_url(consultation) + "summary/edit/", data)
    assert response.status_code == 400
    assert not Summary.objects.exists()
    assert "Ensure this value has at most 5000 characters" in page_text(response)


@pytest.mark.parametrize("path", ["999999/", f"{'9' * 30}/", "1/export.json?x=1"])
def test_unknown_consultations_are_404(path, policy, client):
    assert client.get(f"/{policy.slug}/consultations/{path}").status_code == 404


def test_anonymous_posts_are_sent_to_sign_in(url, keys, client):
    r = client.post(url, {"action": "position", "section_key": keys[0], "stance": "support"})
    assert r.status_code == 302 and r["Location"] == f"/accounts/login/?next={url}"
    r = client.post(f"{url}feedback/", {"body": "x"})
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    assert not Position.objects.exists() and not PrivateFeedback.objects.exists()


# --- sorting, filtering, paging ------------------------------------------------------------


@pytest.fixture
def varied(consultation, keys):
    """keys[2]: 3 oppose; keys[1]: 1 oppose, 2 support; keys[0]: 2 support; whole: 1 neutral."""
    users = [UserFactory(username=f"v{i}") for i in range(4)]
    plan = {
        keys[2]: ["oppose", "oppose", "oppose"],
        keys[1]: ["oppose", "support", "support"],
        keys[0]: ["support", "support"],
        WHOLE_TEXT: ["neutral"],
    }
    for key, stances in plan.items():
        for user, stance in zip(users, stances, strict=False):
            take(consultation, user, key, stance, f"{stance} by {user.username} on {key}")
    return consultation


def test_sections_in_document_order_by_default(varied, url, keys, client):
    assert _section_order(client.get(url).content.decode()) == [*keys, WHOLE_TEXT]


def test_most_opposed_first(varied, url, keys, client):
    order = _section_order(client.get(url + "?sort=opposed").content.decode())
    assert order[:2] == [keys[2], keys[1]]
    assert set(order) == {*keys, WHOLE_TEXT}


def test_most_discussed_first(varied, url, keys, participant, client):
    position = Position.objects.get(section_key=WHOLE_TEXT)
    for i in range(4):
        services.add_reply(position=position, user=participant, body=f"Reply {i}")
    order = _section_order(client.get(url + "?sort=discussed").content.decode())
    assert order[0] == WHOLE_TEXT  # 1 position + 4 replies beats 3 positions


def test_filter_by_stance(varied, url, keys, client):
    html = client.get(url + "?stance=oppose").content.decode()
    text = page_text(html)
    assert text.count("oppose by") == 4
    assert "support by" not in text and "neutral by" not in text
    assert "No positions with this stance yet." in text  # keys[0] and the whole text
    assert '<option value="oppose" selected>' in html
    shown = Position.objects.filter(pk__in=_position_ids(html))
    assert set(shown.values_list("stance", flat=True)) == {"oppose"}


def test_the_section_page_shows_fifty_at_a_time(consultation, url, keys, client):
    now = timezone.now()
    users = User.objects.bulk_create(User(username=f"many{i}") for i in range(120))
    Position.objects.bulk_create(
        Position(
            consultation=consultation,
            section_key=keys[0],
            user=user,
            stance="support",
            reason=f"number {i}",
            created_at=now - timedelta(minutes=i),
            updated_at=now - timedelta(minutes=i),
        )
        for i, user in enumerate(users)
    )
    newest_first = list(
        Position.objects.filter(section_key=keys[0])
        .order_by("-updated_at", "-pk")
        .values_list("pk", flat=True)
    )

    overview = client.get(url).content.decode()
    assert len(_position_ids(overview)) == 5
    assert f'href="sections/{keys[0]}/positions/"' in overview
    assert "Show all 120 positions on this section" in page_text(overview)

    seen = []
    for page, count in ((1, 50), (2, 50), (3, 20)):
        html = client.get(url, {"section": keys[0], "page": page}).content.decode()
        ids = _position_ids(html)
        assert len(ids) == count
        assert _section_order(html) == [keys[0]]
        assert ("Older</a>" in html) is (page < 3)
        assert ("Newer</a>" in html) is (page > 1)
        seen += ids
    assert seen == newest_first


# --- exports -------------------------------------------------------------------------------


@pytest.fixture
def exported(consultation, keys, participants, facilitator):
    pat, quinn, rey = participants
    formula = take(consultation, pat, keys[0], "oppose", '=HYPERLINK("http://evil.example","x")')
    take(consultation, quinn, keys[1], "support", "+1 from me", strength="strong")
    take(consultation, rey, keys[2], "neutral", "@SUM(A1) and -2")
    secret = take(
        consultation, UserFactory(username="troll"), WHOLE_TEXT, "oppose", "SECRET INSULT"
    )
    reply = services.add_reply(position=formula, user=quinn, body="-HIDDEN REPLY-")
    services.add_reply(position=formula, user=rey, body="Plain reply", parent=None)
    services.moderate(item=secret, user=facilitator, hide=True, reason="Insult")
    services.moderate(item=reply, user=facilitator, hide=True, reason="Spam")
    return consultation


def _csv(client, consultation) -> list[dict]:
    r = client.get(consultation_url(consultation) + "export.csv")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/csv")
    assert "attachment" in r["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(r.content.decode())))


def test_csv_neutralises_formulas(exported, keys, client):
    rows = _csv(client, exported)
    texts = {r["section_key"]: r["text"] for r in rows if r["type"] == "position"}
    assert texts[keys[0]] == '\'=HYPERLINK("http://evil.example","x")'
    assert texts[keys[1]] == "'+1 from me"
    assert texts[keys[2]] == "'@SUM(A1) and -2"
    for row in rows:
        for value in row.values():
            assert value[:1] not in ("=", "+", "-", "@"), row


def test_hidden_items_are_exported_as_notices_only(exported, client):
    today = timezone.now().strftime("%Y-%m-%d")
    csv_body = client.get(consultation_url(exported) + "export.csv").content.decode()
    json_body = client.get(consultation_url(exported) + "export.json").content.decode()
    for body in (csv_body, json_body):
        assert "SECRET INSULT" not in body
        assert "HIDDEN REPLY" not in body
        assert f"[hidden by fran on {today}: Insult]" in body
        assert f"[hidden by fran on {today}: Spam]" in body
        assert "Plain reply" in body
    data = json.loads(json_body)
    assert data["consultation"]["id"] == exported.pk
    hidden = [i for i in data["items"] if i["hidden"]]
    assert {i["type"] for i in hidden} == {"position", "reply"}
    assert len(data["items"]) == 6


def test_csv_leaves_empty_cells_empty(exported, keys, client):
    rows = _csv(client, exported)
    plain = next(r for r in rows if r["type"] == "position" and r["section_key"] == keys[0])
    assert plain["strength"] == ""
    reply = next(r for r in rows if r["type"] == "reply")
    assert reply["stance"] == ""


def test_a_draft_is_not_exported_to_the_public(make_consultation, version, facilitator, client):
    draft = make_consultation(version, state="draft")
    url = consultation_url(draft)
    for path in ("", "export.csv", "export.json", "summary/", "moderation/", "feedback/"):
        assert client.get(url + path).status_code == 404, path
    client.force_login(facilitator)
    assert client.get(url + "export.json").status_code == 200


def test_the_list_shows_what_the_reader_may_see(make_consultation, version, facilitator, client):
    make_consultation(version, title="Open round")
    make_consultation(version, state="draft", title="Draft round")
    slug = version.policy.slug
    public = page_text(client.get(f"/{slug}/consultations/"))
    assert "Open round" in public and "Draft round" not in public
    assert "Open a new consultation" not in public
    client.force_login(facilitator)
    own = page_text(client.get(f"/{slug}/consultations/"))
    assert "Open round" in own and "Draft round" in own and "Open a new consultation" in own
    assert client.get("/no-such-policy/consultations/").status_code == 404


def test_creating_a_consultation_from_the_site(policy, facilitator, participant, client):
    now = timezone.now().replace(second=0, microsecond=0)
    data = {
        "version": 1,
        "title": "Spring round",
        "description": "Tell us *everything*.",
        "opens_at": now.strftime("%Y-%m-%d %H:%M"),
        "closes_at": (now - timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
    }
    client.force_login(participant)
    assert client.post(f"/{policy.slug}/consultations/new/", data).status_code == 403
    client.force_login(facilitator)
    r = client.post(f"/{policy.slug}/consultations/new/", data)
    assert r.status_code == 400
    assert "The closing time must be after the opening time." in page_text(r)
    assert not Consultation.objects.exists()
    data["closes_at"] = (now + timedelta(days=14)).strftime("%Y-%m-%d %H:%M")
    r = client.post(f"/{policy.slug}/consultations/new/", data, follow=True)
    consultation = Consultation.objects.get()
    assert consultation.state == "draft"  # "open now" was not ticked
    assert "Consultation created." in page_text(r)
    assert "<em>everything</em>" in r.content.decode()


# --- the open_consultation command -----------------------------------------------------------


def test_open_consultation_prints_the_new_id(policy, superuser):
    out = io.StringIO()
    call_command(
        "open_consultation",
        "--policy",
        policy.slug,
        "--title",
        "T",
        "--closes",
        "2030-01-01",
        stdout=out,
    )
    printed = out.getvalue().strip()
    assert re.fullmatch(r"\d+", printed)
    consultation = Consultation.objects.get(pk=int(printed))
    assert consultation.state == "open" and consultation.title == "T"
    assert consultation.version == policy.versions.get()
    assert consultation.closes_at == datetime(2030, 1, 1, 23, 59, tzinfo=UTC)
    assert consultation.created_by == superuser


def test_open_consultation_as_a_named_facilitator_on_a_chosen_version(
    editor, facilitator, participant
):
    policy = make_policy(editor=editor, slug="two", n_versions=2)
    out = io.StringIO()
    call_command(
        "open_consultation",
        "--policy",
        "two",
        "--version",
        "1",
        "--title",
        "Back to one",
        "--closes",
        "2030-06-01T12:00:00Z",
        "--as-user",
        "fran",
        stdout=out,
    )
    consultation = Consultation.objects.get(pk=int(out.getvalue()))
    assert consultation.version.number == 1 and consultation.created_by == facilitator
    assert consultation.closes_at == datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
    assert policy.versions.count() == 2
    with pytest.raises(CommandError, match="not a facilitator"):
        call_command(
            "open_consultation",
            "--policy",
            "two",
            "--title",
            "T",
            "--closes",
            "2030-01-01",
            "--as-user",
            participant.username,
            stdout=io.StringIO(),
        )
    assert Consultation.objects.count() == 1


@pytest.mark.parametrize(
    "args,message",
    [
        (["--policy", "no-such-policy", "--closes", "2030-01-01"], "No policy"),
        (["--closes", "2030-02-30"], "is not a date"),
        (["--closes", "next tuesday"], "is not a date"),
        (["--closes", "2001-01-01"], "closing time must be after"),
        (["--closes", "2030-01-01", "--version", "7"], "no such published version"),
        (["--closes", "2030-01-01", "--as-user", "nobody"], "No such user"),
    ],
)
def test_open_consultation_refuses_bad_input(args, message, policy, superuser):
    if "--policy" not in args:
        args = ["--policy", policy.slug, *args]
    with pytest.raises(CommandError, match=message):
        call_command("open_consultation", "--title", "T", *args, stdout=io.StringIO())
    assert not Consultation.objects.exists()


# --- a constant number of queries -----------------------------------------------------------


def _build_big(editor, facilitator, pat):
    """12 sections, 300 positions by 100 people (some hidden, some changed), 200 replies
    three levels deep (some hidden)."""
    policy = make_policy(editor=editor, slug="big", title="Big Code", n_sections=12)
    version = policy.versions.get()
    consultation = services.create_consultation(
        version=version,
        user=facilitator,
        title="Big",
        open_now=True,
        closes_at=timezone.now() + timedelta(days=28),
    )
    keys = [s.key for s in version.sections.all()] + [WHOLE_TEXT]
    users = User.objects.bulk_create(User(username=f"big{i}") for i in range(100))
    now = timezone.now()
    stances = ["support", "oppose", "neutral"]
    positions = Position.objects.bulk_create(
        Position(
            consultation=consultation,
            section_key=keys[(i + 4 * j) % len(keys)],
            user=user,
            stance=stances[(i + j) % 3],
            strength=["", "strong", "weak"][i % 3],
            reason=f"Reason {i}-{j} with *markdown*",
            created_at=now - timedelta(minutes=i * 3 + j),
            updated_at=now - timedelta(minutes=i * 3 + j),
            hidden=(i % 17 == 0),
            hidden_by=facilitator if i % 17 == 0 else None,
            hidden_at=now if i % 17 == 0 else None,
            hidden_reason="Off topic" if i % 17 == 0 else "",
        )
        for i, user in enumerate(users)
        for j in range(3)
    )
    assert len(positions) == 300
    level1 = Reply.objects.bulk_create(
        Reply(
            position=positions[i],
            user=users[(i * 7) % 100],
            body=f"Reply {i}",
            depth=1,
            created_at=now,
            hidden=(i % 13 == 0),
            hidden_by=facilitator if i % 13 == 0 else None,
            hidden_at=now if i % 13 == 0 else None,
            hidden_reason="Rude" if i % 13 == 0 else "",
        )
        for i in range(100)
    )
    level2 = Reply.objects.bulk_create(
        Reply(
            position=parent.position,
            parent=parent,
            user=users[i],
            body=f"Re {i}",
            depth=2,
            created_at=now,
        )
        for i, parent in enumerate(level1[:60])
    )
    Reply.objects.bulk_create(
        Reply(
            position=parent.position,
            parent=parent,
            user=users[i + 1],
            body=f"Re re {i}",
            depth=3,
            created_at=now,
        )
        for i, parent in enumerate(level2[:40])
    )
    assert Reply.objects.filter(position__consultation=consultation).count() == 200
    # A few stance changes, so the page shows "Changed from … to …" notes, and pat's own.
    for user in users[:5]:
        key = keys[user.pk % len(keys)]
        if Position.objects.filter(consultation=consultation, user=user, section_key=key).exists():
            take(consultation, user, key, "neutral")
    take(consultation, pat, keys[0], "oppose", "Mine.")
    take(consultation, pat, keys[0], "support", "Mine, changed.")
    return consultation


def _build_small(editor, facilitator, pat, participants):
    policy = make_policy(editor=editor, slug="small", title="Small Code", n_sections=2)
    version = policy.versions.get()
    consultation = services.create_consultation(
        version=version,
        user=facilitator,
        title="Small",
        open_now=True,
        closes_at=timezone.now() + timedelta(days=28),
    )
    keys = [s.key for s in version.sections.all()]
    first = take(consultation, pat, keys[0], "oppose", "Mine.")
    take(consultation, participants[1], keys[0], "support")
    take(consultation, participants[2], keys[1], "neutral")
    services.add_reply(position=first, user=participants[1], body="Why?")
    return consultation


@pytest.fixture
def small_and_big(editor, facilitator, participants):
    pat = participants[0]
    return (
        _build_small(editor, facilitator, pat, participants),
        _build_big(editor, facilitator, pat),
    )


@pytest.mark.parametrize("viewer", ["anonymous", "participant", "facilitator"])
def test_the_page_takes_the_same_few_queries_at_any_size(
    viewer, small_and_big, participants, facilitator, client, django_assert_max_num_queries
):
    if viewer == "participant":
        client.force_login(participants[0])
    elif viewer == "facilitator":
        client.force_login(facilitator)
    counts, first_counts = [], []
    for consultation in small_and_big:
        url = consultation_url(consultation)
        assert client.get(url).status_code == 200  # warm the caches
        fragments.consultation_changed(consultation.pk)
        with django_assert_max_num_queries(15) as captured:  # rendering every digest
            assert client.get(url).status_code == 200
        first_counts.append(len(captured))
        with django_assert_max_num_queries(15) as captured:  # every digest kept
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(captured))
    small, big = small_and_big
    html = response.content.decode()
    # The big page did show positions: the first view's few per section.
    assert len(_position_ids(html)) == 13 * fragments.positions_per_section(13)
    assert counts[0] == counts[1], counts
    assert first_counts[0] == first_counts[1], first_counts
    assert all(kept < rendered for kept, rendered in zip(counts, first_counts, strict=True))


@pytest.mark.parametrize("viewer", ["anonymous", "participant"])
def test_the_section_page_takes_the_same_few_queries_at_any_size(
    viewer, small_and_big, participants, client, django_assert_max_num_queries
):
    if viewer == "participant":
        client.force_login(participants[0])
    for address in ("?section={key}", "sections/{key}/positions/"):
        counts = []
        for consultation in small_and_big:
            key = consultation.version.sections.first().key
            url = consultation_url(consultation) + address.format(key=key)
            client.get(url)
            with django_assert_max_num_queries(15) as captured:
                response = client.get(url)
            assert response.status_code == 200
            counts.append(len(captured))
        assert counts[0] == counts[1], counts
        html = response.content.decode()  # the big one's first section, in full
        assert html.count('class="reply depth-3"') > 0  # threads three deep
        assert "Hidden by fran" in page_text(html)
