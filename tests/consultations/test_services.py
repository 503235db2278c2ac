"""Positions, replies, moderation, flags, private feedback, summaries, carry-forward, tallies:
each through the service and as a participant or facilitator sees it on the pages."""

import re
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from consultations import selectors, services
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
from policies import services as policy_services
from tests.factories import UserFactory

from .conftest import in_state, page_text

pytestmark = pytest.mark.django_db


def take(consultation, user, key, stance="support", reason="", strength=""):
    return services.take_position(
        consultation=consultation,
        section_key=key,
        user=user,
        stance=stance,
        reason=reason,
        strength=strength,
    )


def messages_of(exc_info) -> str:
    return " ".join(exc_info.value.messages)


def _section_page(url, key) -> str:
    """A section's own page: every position with its replies, history and tools (the first
    view shows a digest of each section)."""
    return f"{url}sections/{key}/positions/"


def _day(moment) -> str:
    return f"{moment.day} {moment:%B %Y}"


def _summary_form(keys, rows: dict, intro="What we heard.") -> dict:
    """POST data for summary/edit/: rows maps a section key to (outcome, text, [cited ids])."""
    data = {"intro": intro}
    for key in [*keys, WHOLE_TEXT]:
        outcome, text, cited = rows.get(key, ("", "", []))
        data[f"s-{key}-section_key"] = key
        data[f"s-{key}-outcome"] = outcome
        data[f"s-{key}-text"] = text
        if cited:
            data[f"s-{key}-cited"] = [str(pk) for pk in cited]
    return data


def _publish_next_version(policy, editor, *, changed: set[str]):
    """Publish version 2 with the same keys; sections in `changed` get a new contact line."""
    current = policy.versions.order_by("-number").first()
    sections = [
        (
            s.key,
            s.heading,
            s.body.replace("[CONTACT METHOD]", "conduct@example.org")
            if s.key in changed
            else s.body,
        )
        for s in current.sections.all()
    ]
    return policy_services.publish_policy(
        page=policy, user=editor, summary="Filled in the contact address", sections=sections
    )


# --- positions --------------------------------------------------------------------------


def test_changing_a_position_updates_the_one_row_and_keeps_history(
    consultation, url, keys, participant, client
):
    first = take(consultation, participant, keys[0], "oppose", "Too vague about scope.")
    second = take(consultation, participant, keys[0], "neutral", "Fine after the explanation.")

    assert second.pk == first.pk
    assert Position.objects.filter(consultation=consultation).count() == 1
    row = Position.objects.get()
    assert (row.stance, row.reason) == ("neutral", "Fine after the explanation.")
    history = Position.history.filter(id=row.pk).order_by("history_date")
    assert [h.stance for h in history] == ["oppose", "neutral"]
    assert history[0].reason == "Too vague about scope."

    page = client.get(_section_page(url, keys[0])).content.decode()
    text = page_text(page)
    assert f"Changed from Oppose to Neutral on {_day(timezone.now())}" in text
    assert "Fine after the explanation." in text
    # The earlier stance keeps its reason, under the current one, for anyone to read.
    earlier = page.split('class="earlier-wordings"', 1)[1].split("</details>", 1)[0]
    assert "What this position said before (one earlier wording)" in page_text(earlier)
    assert "Oppose" in page_text(earlier) and "Too vague about scope." in page_text(earlier)
    assert "Fine after the explanation." not in page_text(earlier)


def test_a_position_once_hidden_shows_no_earlier_wording(
    consultation, url, keys, participant, facilitator, client
):
    """Its history cannot say which wording a moderator hid, so none is shown again."""
    take(consultation, participant, keys[0], "oppose", "Something abusive.")
    row = Position.objects.get()
    services.moderate(item=row, user=facilitator, hide=True, reason="Personal attack.")
    services.moderate(item=row, user=facilitator, hide=False, reason="Edited by the author.")
    take(consultation, participant, keys[0], "support", "A civil reason.")
    text = page_text(client.get(_section_page(url, keys[0])))
    assert "Changed from Oppose to Support" in text and "A civil reason." in text
    assert "Something abusive." not in text
    assert "earlier wording" not in text


def test_a_second_submit_of_the_same_position_changes_nothing(consultation, keys, participant):
    take(consultation, participant, keys[0], "support", "Yes.")
    take(consultation, participant, keys[0], "support", "Yes.")
    assert Position.objects.count() == 1
    assert Position.history.count() == 1


def test_change_over_http_shows_the_note_and_the_current_stance(url, keys, participant, client):
    client.force_login(participant)
    data = {"action": "position", "section_key": keys[1], "strength": ""}
    r = client.post(url, {**data, "stance": "oppose", "reason": "Unclear."}, follow=True)
    assert "Your position is recorded." in page_text(r)
    r = client.post(url, {**data, "stance": "neutral", "reason": ""}, follow=True)
    assert "Change your position (now: Neutral)" in page_text(r)
    text = page_text(client.get(_section_page(url, keys[1])))
    assert "Changed from Oppose to Neutral" in text
    assert "Change your position (now: Neutral)" in text
    assert Position.objects.filter(user=participant).count() == 1


def test_oppose_needs_a_reason(consultation, url, keys, participant, client):
    with pytest.raises(ValidationError) as exc:
        take(consultation, participant, keys[0], "oppose", "   ")
    assert exc.value.message_dict == {"reason": ["This cannot be empty."]}

    client.force_login(participant)
    r = client.post(
        url,
        {"action": "position", "section_key": keys[0], "stance": "oppose", "reason": ""},
    )
    assert r.status_code == 400
    assert "Say why you oppose, so the drafters can act on it." in page_text(r)
    assert not Position.objects.exists()
    # Support and Neutral need no reason.
    take(consultation, participant, keys[0], "support")
    take(consultation, participant, keys[1], "neutral")
    assert Position.objects.count() == 2


@pytest.mark.parametrize("stance", ["maybe", "", "SUPPORT", "support "])
def test_a_stance_outside_the_set_is_refused(consultation, keys, participant, stance):
    with pytest.raises(ValidationError) as exc:
        take(consultation, participant, keys[0], stance, "because")
    assert exc.value.message_dict == {"stance": ["Choose Support, Oppose or Neutral."]}
    assert not Position.objects.exists()


def test_a_strength_outside_the_set_is_refused(consultation, keys, participant):
    with pytest.raises(ValidationError, match="Strength is strong, weak or nothing"):
        take(consultation, participant, keys[0], "support", strength="very")
    assert not Position.objects.exists()


def test_an_over_long_reason_is_refused(consultation, keys, participant):
    with pytest.raises(ValidationError) as exc:
        take(consultation, participant, keys[0], "oppose", "x" * 5001)
    assert "Please keep this under 5,000 characters (it has 5,001)." in messages_of(exc)
    assert not Position.objects.exists()
    take(consultation, participant, keys[0], "oppose", "x" * 5000)  # the limit itself is fine
    assert Position.objects.get().reason == "x" * 5000


def test_an_unknown_section_is_refused(consultation, participant):
    with pytest.raises(ValidationError) as exc:
        take(consultation, participant, "no-such-section", "support")
    assert "not part of the consulted version" in messages_of(exc)
    assert not Position.objects.exists()


def test_a_whole_text_position(consultation, url, participant, client):
    position = take(consultation, participant, WHOLE_TEXT, "support", "Good overall.")
    assert position.section_key == WHOLE_TEXT
    assert selectors.tallies(consultation)[WHOLE_TEXT].support == 1
    html = client.get(url).content.decode()
    whole = html.split(f'id="section-{WHOLE_TEXT}"', 1)[1]
    assert "The whole text" in page_text(whole)[:40]
    assert f'id="position-{position.pk}"' in whole
    assert "Good overall." in page_text(whole)


def test_anonymous_and_inactive_users_cannot_take_positions(consultation, keys, inactive):
    from django.contrib.auth.models import AnonymousUser

    for user in (AnonymousUser(), inactive):
        with pytest.raises(PermissionDenied):
            take(consultation, user, keys[0], "support")
    assert not Position.objects.exists()


# --- closed means read-only -------------------------------------------------------------


def test_after_close_everything_is_refused_and_nothing_changes(
    consultation, url, keys, participants, facilitator, client
):
    pat, quinn, _ = participants
    position = take(consultation, pat, keys[0], "oppose", "Too strict.")
    reply = services.add_reply(position=position, user=quinn, body="Why?")

    client.force_login(facilitator)
    r = client.post(f"{url}state/", {"to": "closed", "note": "The four weeks are over."})
    assert r.status_code == 302
    consultation.refresh_from_db()
    assert consultation.state == "closed"

    attempts = [
        lambda: take(consultation, pat, keys[0], "support", "Changed my mind."),
        lambda: take(consultation, quinn, keys[1], "support"),
        lambda: services.add_reply(position=position, user=quinn, body="Late reply."),
        lambda: services.add_reply(position=position, user=pat, body="Late.", parent=reply),
        lambda: services.give_private_feedback(consultation=consultation, user=pat, body="Late."),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as exc:
            attempt()
        assert "This consultation is closed: it is read-only now." in messages_of(exc)
    position.refresh_from_db()
    assert (position.stance, position.reason) == ("oppose", "Too strict.")
    assert Position.objects.count() == 1
    assert Reply.objects.count() == 1
    assert not PrivateFeedback.objects.exists()

    # Over HTTP: the page says so and why, offers no forms, and a crafted POST is refused.
    client.force_login(pat)
    r = client.get(url)
    text = page_text(r)
    assert "This consultation is closed and read-only." in text
    assert "Closed: The four weeks are over." in text
    assert 'class="position-form"' not in r.content.decode()
    assert 'class="reply-form"' not in r.content.decode()
    r = client.post(
        url, {"action": "position", "section_key": keys[0], "stance": "support", "reason": "x"}
    )
    assert r.status_code == 400
    assert "read-only" in page_text(r)
    r = client.post(url, {"action": "reply", "position": position.pk, "body": "Late."})
    assert r.status_code == 400
    position.refresh_from_db()
    assert position.stance == "oppose"
    assert Reply.objects.count() == 1


def test_only_facilitators_open_and_close(consultation, url, participant, client):
    client.force_login(participant)
    assert client.post(f"{url}state/", {"to": "closed"}).status_code == 403
    consultation.refresh_from_db()
    assert consultation.state == "open"


def test_a_summarised_consultation_cannot_be_reopened(make_consultation, version, facilitator):
    consultation = make_consultation(version, state="summarised")
    with pytest.raises(ValidationError, match="summarised"):
        services.open_consultation(consultation=consultation, user=facilitator)
    consultation.refresh_from_db()
    assert consultation.state == "summarised"


def _past_closing_time(consultation):
    now = timezone.now()
    Consultation.objects.filter(pk=consultation.pk).update(
        opens_at=now - timedelta(days=28), closes_at=now - timedelta(minutes=1)
    )
    consultation.refresh_from_db()


def test_past_its_closing_time_a_consultation_takes_no_more_input(
    consultation, url, keys, participant, client
):
    position = take(consultation, participant, keys[0], "support")
    _past_closing_time(consultation)
    assert consultation.state == "open"  # cron has not run yet
    with pytest.raises(ValidationError, match="read-only"):
        take(consultation, participant, keys[0], "oppose", "Late change.")
    with pytest.raises(ValidationError, match="read-only"):
        services.add_reply(position=position, user=participant, body="Late.")
    position.refresh_from_db()
    assert position.stance == "support"
    client.force_login(participant)
    r = client.post(
        url, {"action": "position", "section_key": keys[1], "stance": "support", "reason": ""}
    )
    assert r.status_code == 400
    assert Position.objects.count() == 1


def test_due_consultations_close_themselves(consultation):
    _past_closing_time(consultation)
    assert services.close_due_consultations() == 1
    consultation.refresh_from_db()
    assert consultation.state == "closed"
    assert consultation.state_note.startswith("The consultation period ended on ")


# --- replies ------------------------------------------------------------------------------


def test_replies_nest_three_levels_and_no_deeper(consultation, url, keys, participants, client):
    pat, quinn, rey = participants
    position = take(consultation, pat, keys[0], "oppose", "Too strict.")
    one = services.add_reply(position=position, user=quinn, body="Level one")
    two = services.add_reply(position=position, user=rey, body="Level two", parent=one)
    three = services.add_reply(position=position, user=pat, body="Level three", parent=two)
    assert [one.depth, two.depth, three.depth] == [1, 2, 3]
    with pytest.raises(ValidationError) as exc:
        services.add_reply(position=position, user=quinn, body="Level four", parent=three)
    assert "Threads go 3 levels deep; reply to an earlier message instead." in messages_of(exc)
    assert Reply.objects.count() == 3

    client.force_login(quinn)
    html = client.get(_section_page(url, keys[0])).content.decode()
    for reply in (one, two, three):
        assert f'id="reply-{reply.pk}"' in html
        assert f'href="#reply-{reply.pk}"' in html  # each has its permalink
    # A reply form under levels one and two, none under level three.
    assert f'name="parent" value="{two.pk}"' in html
    assert f'name="parent" value="{three.pk}"' not in html
    r = client.post(
        url, {"action": "reply", "position": position.pk, "parent": three.pk, "body": "Four"}
    )
    assert r.status_code == 400
    assert Reply.objects.count() == 3


def test_a_reply_signs_with_user_and_utc_time(consultation, url, keys, participants, client):
    pat, quinn, _ = participants
    position = take(consultation, pat, keys[0], "support")
    client.force_login(quinn)
    r = client.post(url, {"action": "reply", "position": position.pk, "body": "Agreed!"})
    reply = Reply.objects.get()
    thread = f"{_section_page(url, keys[0])}?position={position.pk}"
    assert r["Location"] == f"{thread}#reply-{reply.pk}"
    assert (reply.user, reply.body, reply.depth) == (quinn, "Agreed!", 1)
    html = client.get(_section_page(url, keys[0])).content.decode()
    item = html.split(f'id="reply-{reply.pk}"', 1)[1].split("</li>", 1)[0]
    assert "<strong>quinn</strong>" in item
    stamp = re.search(r'<time datetime="([^"]+)"[^>]*>([^<]+)</time>', item)
    assert stamp and stamp.group(1).startswith(reply.created_at.strftime("%Y-%m-%dT%H:%M"))
    assert stamp.group(1).endswith("+00:00") and stamp.group(2).endswith(" UTC")


def test_replies_to_hidden_items_are_refused(consultation, keys, participants, facilitator):
    pat, quinn, rey = participants
    position = take(consultation, pat, keys[0], "oppose", "Nonsense.")
    reply = services.add_reply(position=position, user=quinn, body="Rude words")
    services.moderate(item=reply, user=facilitator, hide=True, reason="Personal attack")
    with pytest.raises(ValidationError, match="That reply is hidden; replies to it are closed."):
        services.add_reply(position=position, user=rey, body="Answer", parent=reply)
    services.moderate(item=position, user=facilitator, hide=True, reason="Off topic")
    with pytest.raises(ValidationError, match="That position is hidden; replies to it are closed."):
        services.add_reply(position=position, user=rey, body="Answer")
    assert Reply.objects.count() == 1


def test_a_reply_cannot_hang_under_another_thread(consultation, keys, participants):
    pat, quinn, rey = participants
    a = take(consultation, pat, keys[0], "support")
    b = take(consultation, quinn, keys[0], "support")
    under_b = services.add_reply(position=b, user=rey, body="On b")
    with pytest.raises(ValidationError, match="another thread"):
        services.add_reply(position=a, user=rey, body="Wrong thread", parent=under_b)
    assert Reply.objects.count() == 1


# --- moderation -----------------------------------------------------------------------------


def test_moderation_needs_a_reason(consultation, url, keys, participant, facilitator, client):
    position = take(consultation, participant, keys[0], "oppose", "Rant.")
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as exc:
            services.moderate(item=position, user=facilitator, hide=True, reason=reason)
        assert "Moderation needs a reason; it is shown publicly." in messages_of(exc)
    with pytest.raises(ValidationError, match="under 500"):
        services.moderate(item=position, user=facilitator, hide=True, reason="x" * 501)

    client.force_login(facilitator)
    r = client.post(
        url, {"action": "moderate", "kind": "position", "item": position.pk, "hide": "1"}
    )
    assert r.status_code == 400
    assert "Moderation needs a reason; it is shown publicly." in page_text(r)
    position.refresh_from_db()
    assert not position.hidden
    assert not ModerationAction.objects.exists()


def test_participants_cannot_moderate(consultation, url, keys, participants, client):
    pat, quinn, _ = participants
    position = take(consultation, pat, keys[0], "oppose", "Rant.")
    with pytest.raises(PermissionDenied):
        services.moderate(item=position, user=quinn, hide=True, reason="I dislike it")
    client.force_login(quinn)
    r = client.post(
        url,
        {"action": "moderate", "kind": "position", "item": position.pk, "hide": "1", "reason": "x"},
    )
    assert r.status_code == 403
    position.refresh_from_db()
    assert not position.hidden


def test_hiding_and_restoring_a_position_in_the_open(
    consultation, url, keys, participants, facilitator, client
):
    pat, quinn, _ = participants
    position = take(consultation, pat, keys[0], "oppose", "You are all idiots.")

    client.force_login(facilitator)
    r = client.post(
        url,
        {
            "action": "moderate",
            "kind": "position",
            "item": position.pk,
            "hide": "1",
            "reason": "Personal attack",
        },
        follow=True,
    )
    assert "Done; the moderation log shows it." in page_text(r)
    position.refresh_from_db()
    assert position.hidden and position.hidden_by == facilitator
    assert Position.objects.filter(pk=position.pk).exists()  # never deleted
    notice = rf"Hidden by fran on {_day(position.hidden_at)} UTC ?: Personal attack"

    client.logout()
    public = page_text(client.get(url))
    assert re.search(notice, public)
    assert "You are all idiots." not in public

    client.force_login(quinn)
    other = page_text(client.get(url))
    assert re.search(notice, other)
    assert "You are all idiots." not in other

    # The author still sees their own text, and why it was hidden, on the section's page (the
    # first view's digest, kept for everyone, shows the notice only).
    client.force_login(pat)
    own = page_text(client.get(_section_page(url, keys[0])))
    assert re.search(notice, own)
    assert "Show the hidden text (visible to you only)" in own
    assert "You are all idiots." in own

    client.logout()
    log = page_text(client.get(f"{url}moderation/"))
    assert "Hidden" in log and "fran" in log and "position by pat" in log
    assert "Personal attack" in log
    assert "You are all idiots." not in log

    services.moderate(item=position, user=facilitator, hide=False, reason="Appeal accepted")
    position.refresh_from_db()
    assert not position.hidden and position.hidden_reason == ""
    public = page_text(client.get(url))
    assert "You are all idiots." in public
    assert "Hidden by" not in public
    log_html = client.get(f"{url}moderation/").content.decode()
    rows = re.findall(r"<tr><td>.*?</tr>", log_html, re.S)
    assert len(rows) == 2
    assert "Restored" in page_text(rows[0]) and "Appeal accepted" in page_text(rows[0])
    assert "Hidden" in page_text(rows[1]) and "Personal attack" in page_text(rows[1])
    assert list(ModerationAction.objects.values_list("action", "reason", "actor")) == [
        ("restore", "Appeal accepted", facilitator.pk),
        ("hide", "Personal attack", facilitator.pk),
    ]
    with pytest.raises(ValidationError, match="It is not hidden."):
        services.moderate(item=position, user=facilitator, hide=False, reason="again")


def test_hiding_a_reply(consultation, url, keys, participants, facilitator, client):
    pat, quinn, _ = participants
    position = take(consultation, pat, keys[0], "support", "Fine.")
    reply = services.add_reply(position=position, user=quinn, body="Shut up, pat.")
    client.force_login(facilitator)
    r = client.post(
        url,
        {"action": "moderate", "kind": "reply", "item": reply.pk, "hide": "1", "reason": "Rude"},
    )
    assert r.status_code == 302
    client.logout()
    text = page_text(client.get(_section_page(url, keys[0])))
    assert "Shut up, pat." not in text
    assert re.search(r"Hidden by fran on .* UTC ?: Rude", text)
    assert "Shut up, pat." not in page_text(client.get(url))
    assert "reply by quinn" in page_text(client.get(f"{url}moderation/"))
    client.force_login(quinn)
    assert "Shut up, pat." in page_text(client.get(_section_page(url, keys[0])))


def test_moderation_stays_possible_after_close(
    make_consultation, version, keys, participant, facilitator
):
    consultation = make_consultation(version)
    position = take(consultation, participant, keys[0], "oppose", "Slur.")
    consultation = in_state(consultation, "closed", user=facilitator)
    services.moderate(item=position, user=facilitator, hide=True, reason="Found late")
    position.refresh_from_db()
    assert position.hidden


# --- flags -------------------------------------------------------------------------------


def test_participants_flag_and_facilitators_see_the_count(
    consultation, url, keys, participants, facilitator, client
):
    pat, quinn, rey = participants
    position = take(consultation, pat, keys[0], "oppose", "Borderline remark.")
    client.force_login(quinn)
    r = client.post(
        url,
        {"action": "flag", "kind": "position", "item": position.pk, "reason": "Feels hostile"},
        follow=True,
    )
    assert "Thank you: the facilitators will look at it." in page_text(r)
    assert "waiting for review" not in page_text(r)  # participants do not see the queue
    # Flagging the same thing twice adds no second flag; flagging needs a reason.
    client.post(url, {"action": "flag", "kind": "position", "item": position.pk, "reason": "!"})
    r = client.post(url, {"action": "flag", "kind": "position", "item": position.pk})
    assert r.status_code == 400
    assert Flag.objects.count() == 1
    services.flag_item(item=position, user=rey, reason="Agree, hostile")
    assert Flag.objects.count() == 2

    client.force_login(facilitator)
    assert "2 flags waiting for review" in page_text(client.get(url))
    log = page_text(client.get(f"{url}moderation/"))
    assert "quinn flagged this item" in log and "Feels hostile" in log
    client.force_login(pat)
    assert "Feels hostile" not in page_text(client.get(f"{url}moderation/"))

    # Hiding the item resolves its flags.
    services.moderate(item=position, user=facilitator, hide=True, reason="Hostile")
    client.force_login(facilitator)
    assert "waiting for review" not in page_text(client.get(url))
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()


# --- private feedback ------------------------------------------------------------------------

SECRET = "PRIVATE-7731: the moderator of our chapter bullies people"


@pytest.fixture
def with_feedback(make_consultation, version, keys, participants, facilitator, client):
    """An open consultation with public activity and one piece of private feedback, then
    closed and summarised, so every public page has something to show."""
    consultation = make_consultation(version)
    pat, quinn, _ = participants
    url = consultation_url(consultation)
    position = take(consultation, pat, keys[0], "oppose", "Public reason.")
    services.add_reply(position=position, user=quinn, body="Public reply.")
    client.force_login(pat)
    r = client.post(f"{url}feedback/", {"body": SECRET, "section_key": keys[0]}, follow=True)
    assert "Sent privately to the facilitators." in page_text(r)
    client.logout()
    feedback = PrivateFeedback.objects.get()
    assert (feedback.user, feedback.body, feedback.section_key) == (pat, SECRET, keys[0])
    services.moderate(item=position, user=facilitator, hide=True, reason="Testing the log")
    services.moderate(item=position, user=facilitator, hide=False, reason="Restored")
    consultation = in_state(consultation, "closed", user=facilitator)
    services.save_summary(
        consultation=consultation,
        user=facilitator,
        intro="We heard you.",
        sections=[
            {
                "section_key": keys[0],
                "outcome": "partly",
                "text": "Rewritten.",
                "cited": [position.pk],
            }
        ],
    )
    services.publish_summary(consultation=consultation, user=facilitator)
    return consultation


@pytest.mark.parametrize("viewer", ["anonymous", "author", "other participant", "facilitator"])
def test_private_feedback_never_appears_on_public_pages(
    with_feedback, viewer, keys, participants, facilitator, client
):
    user = {
        "anonymous": None,
        "author": participants[0],
        "other participant": participants[1],
        "facilitator": facilitator,
    }[viewer]
    if user:
        client.force_login(user)
    url = consultation_url(with_feedback)
    pages = {
        "consultation page": "",
        "section page": f"?section={keys[0]}",
        "moderation log": "moderation/",
        "summary": "summary/",
        "CSV export": "export.csv",
        "JSON export": "export.json",
        "policy's consultation list": f"/{with_feedback.version.policy.slug}/consultations/",
    }
    for name, path in pages.items():
        r = client.get(path if path.startswith("/") else url + path)
        assert r.status_code == 200, name
        body = r.content.decode()
        # The page has the public activity (so it is the page we mean)...
        if name not in ("moderation log", "policy's consultation list"):
            assert "Public reason." in body, name
        # ...and none of the private feedback.
        assert "PRIVATE-7731" not in body, name
        assert "bullies" not in body, name


@pytest.mark.parametrize(
    "viewer,sees", [("anonymous", False), ("author", False), ("other", False), ("fac", True)]
)
def test_only_facilitators_read_private_feedback(
    with_feedback, viewer, sees, participants, facilitator, client
):
    user = {
        "anonymous": None,
        "author": participants[0],
        "other": participants[1],
        "fac": facilitator,
    }[viewer]
    if user:
        client.force_login(user)
    r = client.get(consultation_url(with_feedback) + "feedback/")
    assert r.status_code == 200
    text = page_text(r)
    assert (SECRET in text) is sees
    assert ("Received (facilitators only)" in text) is sees
    if sees:
        assert "pat" in text


def test_private_feedback_validation(consultation, url, keys, participant, client):
    with pytest.raises(ValidationError, match="not part of the consulted version"):
        services.give_private_feedback(
            consultation=consultation, user=participant, body="x", section_key="nope"
        )
    with pytest.raises(ValidationError, match="This cannot be empty."):
        services.give_private_feedback(consultation=consultation, user=participant, body=" ")
    client.force_login(participant)
    r = client.post(f"{url}feedback/", {"body": ""})
    assert r.status_code == 400
    assert "This field is required." in page_text(r)
    assert not PrivateFeedback.objects.exists()


# --- summaries -----------------------------------------------------------------------------


def test_a_summary_waits_for_the_close(consultation, url, keys, facilitator, client):
    with pytest.raises(ValidationError, match="Summaries are written at or after close."):
        services.save_summary(
            consultation=consultation,
            user=facilitator,
            intro="",
            sections=[{"section_key": keys[0], "outcome": "accepted", "text": "Done."}],
        )
    client.force_login(facilitator)
    r = client.get(f"{url}summary/edit/", follow=True)
    assert r.redirect_chain == [(url, 302)]
    assert "Summaries are written at or after close." in page_text(r)
    r = client.post(
        f"{url}summary/edit/", _summary_form(keys, {keys[0]: ("accepted", "Done.", [])})
    )
    assert r.status_code == 302
    assert not Summary.objects.exists()


def test_writing_citing_and_publishing_a_summary(
    consultation,
    url,
    keys,
    participants,
    facilitator,
    client,
    django_capture_on_commit_callbacks,
):
    pat, quinn, rey = participants
    cited = take(consultation, pat, keys[0], "oppose", "Name a contact person, not a form.")
    other = take(consultation, quinn, keys[0], "support")
    services.add_reply(position=cited, user=rey, body="Yes, a person.")
    # Not told: someone whose account is gone, and someone without an address.
    gone = UserFactory(username="gone2")
    take(consultation, gone, keys[1], "support")
    gone.is_active = False
    gone.save()
    nomail = UserFactory(username="nomail", email="")
    take(consultation, nomail, keys[1], "support")
    hidden = take(consultation, UserFactory(username="troll"), keys[2], "oppose", "Spam")
    services.moderate(item=hidden, user=facilitator, hide=True, reason="Spam")

    client.force_login(facilitator)
    client.post(f"{url}state/", {"to": "closed", "note": "Period over."})
    consultation.refresh_from_db()
    assert consultation.state == "closed"
    r = client.get(f"{url}summary/edit/")
    assert r.status_code == 200
    assert f"#{cited.pk} pat: Oppose" in page_text(r)
    assert f"#{hidden.pk}" not in page_text(r)  # hidden positions are not offered for citing

    with pytest.raises(ValidationError, match="Only visible positions"):
        services.save_summary(
            consultation=consultation,
            user=facilitator,
            intro="",
            sections=[
                {"section_key": keys[2], "outcome": "no_change", "text": "x", "cited": [hidden.pk]}
            ],
        )

    form = _summary_form(
        keys,
        {
            keys[0]: ("partly", "We now name a person to contact.", [cited.pk, other.pk]),
            keys[1]: ("no_change", "Nobody objected.", []),
        },
    )
    r = client.post(f"{url}summary/edit/", form, follow=True)
    assert "Summary saved (not yet published)." in page_text(r)
    assert "Draft summary" in page_text(r)
    assert mail.outbox == []
    row = SummarySection.objects.get(section_key=keys[0])
    assert row.outcome == "partly"
    assert set(row.cited_positions.values_list("pk", flat=True)) == {cited.pk, other.pk}
    client.logout()
    assert "have not published a summary yet" in page_text(client.get(f"{url}summary/"))
    assert "We now name a person" not in page_text(client.get(f"{url}summary/"))

    client.force_login(facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"{url}summary/edit/", {**form, "publish": "1"}, follow=True)
        assert "Everyone who took a position or replied is emailed" in page_text(r)
        assert mail.outbox == []  # saved; publishing waits for the confirmation
        r = client.post(f"{url}summary/publish/", follow=True)
    assert "Summary published; participants are being told." in page_text(r)
    consultation.refresh_from_db()
    assert consultation.state == "summarised"
    summary = Summary.objects.get()
    assert summary.is_published and summary.published_by == facilitator

    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(
        ["pat@example.org", "quinn@example.org", "rey@example.org", "troll@example.org"]
    )
    message = mail.outbox[0]
    assert message.subject == "Summary published: Consultation on the code"
    assert settings.WAGTAILADMIN_BASE_URL.rstrip("/") + f"{url}summary/" in message.body

    client.logout()
    r = client.get(f"{url}summary/")
    text = page_text(r)
    assert "Published by fran" in text
    assert "Partly accepted" in text and "We now name a person to contact." in text
    assert "No change needed" in text
    section = r.content.decode().split(f'id="summary-{keys[0]}"', 1)[1].split("</section>")[0]
    assert f'href="{url}#position-{cited.pk}"' in section
    assert "Name a contact person, not a form." in page_text(section)
    assert "pat, oppose" in page_text(section)
    # The consultation page now points to the summary and is read-only.
    assert "Read the facilitators' summary" in page_text(client.get(url))


def test_republishing_an_edited_summary_does_not_email_everyone_again(
    make_consultation, version, keys, participants, facilitator, django_capture_on_commit_callbacks
):
    consultation = make_consultation(version)
    take(consultation, participants[0], keys[0], "support")
    consultation = in_state(consultation, "closed", user=facilitator)
    row = {"section_key": keys[0], "outcome": "accepted", "text": "Done."}
    with django_capture_on_commit_callbacks(execute=True):
        services.save_summary(consultation=consultation, user=facilitator, intro="", sections=[row])
        services.publish_summary(consultation=consultation, user=facilitator)
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.save_summary(
            consultation=consultation, user=facilitator, intro="Typo fixed.", sections=[row]
        )
        services.publish_summary(consultation=consultation, user=facilitator)
    assert len(mail.outbox) == 1


def test_a_title_with_a_line_break_still_reaches_participants(
    make_consultation, version, keys, participants, facilitator, django_capture_on_commit_callbacks
):
    """Mail headers hold one line: a title typed with a line break is folded into the subject
    instead of making the mail library refuse every message."""
    consultation = make_consultation(version, title="Our code\nsecond round")
    take(consultation, participants[0], keys[0], "support")
    consultation = in_state(consultation, "closed", user=facilitator)
    row = {"section_key": keys[0], "outcome": "accepted", "text": "Done."}
    with django_capture_on_commit_callbacks(execute=True):
        services.save_summary(consultation=consultation, user=facilitator, intro="", sections=[row])
        services.publish_summary(consultation=consultation, user=facilitator)
    assert [m.subject for m in mail.outbox] == ["Summary published: Our code second round"]


def test_publishing_needs_a_written_summary(make_consultation, version, facilitator):
    consultation = make_consultation(version, state="closed")
    with pytest.raises(ValidationError, match="Write at least one section"):
        services.publish_summary(consultation=consultation, user=facilitator)
    consultation.refresh_from_db()
    assert consultation.state == "closed"


@pytest.fixture
def summarised_with_citations(consultation, keys, participants, facilitator):
    pat, quinn, _ = participants
    on_changed = take(consultation, pat, keys[0], "oppose", "Say how to reach you.")
    on_unchanged = take(consultation, quinn, keys[1], "support", "Good as it is.")
    on_whole = take(consultation, quinn, WHOLE_TEXT, "oppose", "Fill in every placeholder.")
    consultation = in_state(consultation, "closed", user=facilitator)
    services.save_summary(
        consultation=consultation,
        user=facilitator,
        intro="",
        sections=[
            {
                "section_key": keys[0],
                "outcome": "accepted",
                "text": "Added an address.",
                "cited": [on_changed.pk],
            },
            {
                "section_key": keys[1],
                "outcome": "no_change",
                "text": "Kept.",
                "cited": [on_unchanged.pk],
            },
            {
                "section_key": WHOLE_TEXT,
                "outcome": "accepted",
                "text": "Filled in.",
                "cited": [on_whole.pk],
            },
        ],
    )
    services.publish_summary(consultation=consultation, user=facilitator)
    return consultation


def test_you_said_we_changed(summarised_with_citations, policy, editor, keys, client):
    consultation = summarised_with_citations
    url = consultation_url(consultation)
    before = page_text(client.get(f"{url}summary/"))
    assert "You said" in before and "We changed" not in before

    v2 = _publish_next_version(policy, editor, changed={keys[0]})
    assert v2.number == 2
    # A new version alone answers nothing: the facilitators name the version that does.
    assert "We changed" not in page_text(client.get(f"{url}summary/"))
    _answer_with(consultation, 2)
    html = client.get(f"{url}summary/").content.decode()
    assert "answer this consultation with version 2" in page_text(html)
    changed = html.split(f'id="summary-{keys[0]}"', 1)[1].split("</section>")[0]
    assert "Say how to reach you." in page_text(changed)
    assert "We changed" in page_text(changed)
    diff = changed.split('class="diff-text"', 1)[1]
    assert re.search(
        r"<del\b[^>]*>((?!</del>).)*\[CONTACT METHOD\]((?!</del>).)*</del>", diff, re.S
    )
    assert re.search(
        r"<ins\b[^>]*>((?!</ins>).)*conduct@example\.org((?!</ins>).)*</ins>", diff, re.S
    )
    unchanged = html.split(f'id="summary-{keys[1]}"', 1)[1].split("</section>")[0]
    assert "Good as it is." in page_text(unchanged)
    assert "No change to this section's text in version 2." in page_text(unchanged)
    assert "<ins" not in unchanged


def test_you_said_we_changed_for_the_whole_text(
    summarised_with_citations, policy, editor, keys, client
):
    _publish_next_version(policy, editor, changed={keys[0]})
    _answer_with(summarised_with_citations, 2)
    html = client.get(consultation_url(summarised_with_citations) + "summary/").content.decode()
    whole = html.split(f'id="summary-{WHOLE_TEXT}"', 1)[1].split("</section>")[0]
    assert "Fill in every placeholder." in page_text(whole)
    assert "No change to this section's text" not in page_text(whole)
    slug = summarised_with_citations.version.policy.slug
    assert re.search(rf'href="[^"]*/{slug}/compare/1/2/"', whole)
    assert "Every change from version 1 to 2" in page_text(whole)


def _answer_with(consultation, number):
    """The facilitator names the version that answers the consultation, keeping the rest."""
    summary = Summary.objects.select_related("published_by").get(consultation=consultation)
    services.save_summary(
        consultation=consultation,
        user=summary.published_by,
        intro=summary.intro,
        sections=[],
        answered_by=number,
    )


def test_the_summary_compares_with_the_version_the_facilitator_chose(
    summarised_with_citations, policy, editor, keys, client
):
    """Version 2 changes another section; version 3 carries the requested change. Naming
    version 3 shows the change from 1 to 3, not the unrelated version 2."""
    consultation = summarised_with_citations
    _publish_next_version(policy, editor, changed={keys[2]})
    _publish_next_version(policy, editor, changed={keys[0], keys[2]})
    _answer_with(consultation, 3)
    html = client.get(consultation_url(consultation) + "summary/").content.decode()
    assert "answer this consultation with version 3" in page_text(html)
    changed = html.split(f'id="summary-{keys[0]}"', 1)[1].split("</section>")[0]
    assert "conduct@example.org" in changed and "<ins" in changed
    kept = html.split(f'id="summary-{keys[1]}"', 1)[1].split("</section>")[0]
    assert "No change to this section's text in version 3." in page_text(kept)


def test_an_accepted_section_must_change_in_the_answering_version(
    summarised_with_citations, policy, editor, keys, facilitator
):
    consultation = summarised_with_citations
    _publish_next_version(policy, editor, changed={keys[2]})  # not the accepted section
    with pytest.raises(ValidationError, match=r"“Section 1” is marked as accepted, but version 2"):
        _answer_with(consultation, 2)
        services.publish_summary(consultation=consultation, user=facilitator)
    with pytest.raises(ValidationError, match="cannot answer this consultation"):
        _answer_with(consultation, 1)


def test_the_summary_editor_offers_the_later_versions(
    make_consultation, version, policy, editor, keys, participant, facilitator, client
):
    consultation = make_consultation(version)
    take(consultation, participant, keys[0], "oppose", "*Purpose* is unclear; say “why”.")
    consultation = in_state(consultation, "closed", user=facilitator)
    _publish_next_version(policy, editor, changed={keys[0]})
    client.force_login(facilitator)
    url = consultation_url(consultation)
    page = client.get(f"{url}summary/edit/").content.decode()
    assert "The version that answers this consultation" in page
    assert '<option value="2" selected>2 — Filled in the contact address</option>' in page
    form = {
        "intro": "",
        "answered_by": "2",
        f"s-{keys[0]}-section_key": keys[0],
        f"s-{keys[0]}-outcome": "accepted",
        f"s-{keys[0]}-text": "Added a contact address.",
        f"s-{keys[0]}-cited": [Position.objects.get().pk],
        "publish": "1",
    }
    for key in keys[1:] + [WHOLE_TEXT]:
        form[f"s-{key}-section_key"] = key
    client.post(f"{url}summary/edit/", form)
    r = client.post(f"{url}summary/publish/", follow=True)
    assert "Summary published" in page_text(r)
    assert Summary.objects.get().answered_by.number == 2
    section = r.content.decode().split(f'id="summary-{keys[0]}"', 1)[1].split("</section>")[0]
    # The cited reason reads as text: no Markdown marks, no doubled quotes.
    assert "pat, oppose: Purpose is unclear; say “why”." in page_text(section)
    assert "*Purpose*" not in section


# --- carry-forward ---------------------------------------------------------------------------


@pytest.fixture
def second_round(make_consultation, version, policy, editor, keys, participant, facilitator):
    """Positions on version 1; version 2 changes the first section only; a new consultation."""
    first = make_consultation(version, title="Round one")
    take(first, participant, keys[0], "oppose", "No contact given.")
    take(first, participant, keys[1], "support", "Clear.", strength="strong")
    take(first, participant, keys[2], "neutral")
    in_state(first, "closed", user=facilitator)
    v2 = _publish_next_version(policy, editor, changed={keys[0]})
    return make_consultation(v2, title="Round two")


def test_carry_forward_offers_unchanged_sections_and_marks_changed_ones(
    second_round, keys, participant, client
):
    url = consultation_url(second_round)
    client.force_login(participant)
    html = client.get(url).content.decode()
    carry = html.split('class="carry"', 1)[1].split("</section>", 1)[0]
    text = page_text(carry)
    assert "Your positions from the previous consultation" in page_text(html)
    assert f'name="section_key" value="{keys[1]}"' in carry
    assert f'name="section_key" value="{keys[2]}"' in carry
    assert f'name="section_key" value="{keys[0]}"' not in carry
    assert "Section 1: you said Oppose. Changed since you commented" in text
    assert "<ins" in carry and "<del" in carry
    assert text.count("text unchanged, can be carried over") == 2

    r = client.post(url, {"action": "carry", "section_key": [keys[1], keys[2]]}, follow=True)
    assert "Carried over 2 position(s)." in page_text(r)
    carried = {
        p.section_key: (p.stance, p.strength, p.reason)
        for p in Position.objects.filter(consultation=second_round)
    }
    assert carried == {keys[1]: ("support", "strong", "Clear."), keys[2]: ("neutral", "", "")}
    # What is left to carry is only the changed section, which has no checkbox.
    carry = r.content.decode().split('class="carry"', 1)[1].split("</section>", 1)[0]
    assert 'name="section_key"' not in carry
    assert "Changed since you commented" in page_text(carry)


def test_a_changed_section_cannot_be_carried(second_round, keys, participant, client):
    url = consultation_url(second_round)
    client.force_login(participant)
    r = client.post(url, {"action": "carry", "section_key": [keys[1], keys[0]]})
    assert r.status_code == 400
    assert "That section's text changed since you commented" in page_text(r)
    assert not Position.objects.filter(consultation=second_round).exists()  # not even keys[1]


def test_hidden_positions_are_not_carried(
    make_consultation, version, policy, editor, keys, participant, facilitator, client
):
    first = make_consultation(version, title="Round one")
    kept = take(first, participant, keys[1], "support", "Fine.")
    hidden = take(first, participant, keys[2], "oppose", "Insulting words.")
    services.moderate(item=hidden, user=facilitator, hide=True, reason="Insult")
    in_state(first, "closed", user=facilitator)
    second = make_consultation(_publish_next_version(policy, editor, changed={keys[0]}))
    assert [c.position for c in selectors.carry_forward_candidates(second, participant)] == [kept]
    client.force_login(participant)
    r = client.post(consultation_url(second), {"action": "carry", "section_key": keys[2]})
    assert r.status_code == 400
    assert not Position.objects.filter(consultation=second).exists()


def test_others_have_nothing_to_carry(second_round, keys, participants, client):
    client.force_login(participants[1])
    html = client.get(consultation_url(second_round)).content.decode()
    assert 'class="carry"' not in html
    r = client.post(consultation_url(second_round), {"action": "carry", "section_key": keys[1]})
    assert r.status_code == 400
    assert not Position.objects.filter(consultation=second_round).exists()


# --- tallies ---------------------------------------------------------------------------------


def test_tallies_count_visible_positions_per_stance_and_section(
    consultation, url, keys, participants, facilitator, client, django_capture_on_commit_callbacks
):
    pat, quinn, rey = participants
    extra = UserFactory(username="sam")
    take(consultation, pat, keys[0], "support")
    take(consultation, quinn, keys[0], "support")
    take(consultation, rey, keys[0], "oppose", "No.")
    troll = take(consultation, extra, keys[0], "support", "Spam spam")
    take(consultation, pat, keys[1], "neutral")
    take(consultation, quinn, WHOLE_TEXT, "oppose", "Too long.")
    services.add_reply(position=troll, user=pat, body="Huh?")

    counts = selectors.tallies(consultation)
    assert (counts[keys[0]].support, counts[keys[0]].oppose, counts[keys[0]].neutral) == (3, 1, 0)
    assert counts[keys[0]].replies == 1
    assert (counts[keys[1]].support, counts[keys[1]].neutral) == (0, 1)
    assert counts[WHOLE_TEXT].oppose == 1
    assert keys[2] not in counts

    html = client.get(url).content.decode()  # this also caches the tallies
    first = page_text(html.split(f'id="section-{keys[0]}"', 1)[1].split("</section>")[0])
    assert "Support: 3 (75%) · Oppose: 1 (25%) · Neutral: 0 (0%)" in first
    overall = page_text(html.split('class="overall"', 1)[1].split("</section>")[0])
    assert "Support: 3 (50%) · Oppose: 2 (33%) · Neutral: 1 (17%)" in overall
    section_page = client.get(_section_page(url, keys[0])).content.decode()
    assert 'aria-label="Support 3, Oppose 1, Neutral 0"' in section_page

    client.force_login(facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            url,
            {
                "action": "moderate",
                "kind": "position",
                "item": troll.pk,
                "hide": "1",
                "reason": "Spam",
            },
        )
    assert r.status_code == 302
    html = client.get(url).content.decode()
    first = page_text(html.split(f'id="section-{keys[0]}"', 1)[1].split("</section>")[0])
    assert "Support: 2 (67%) · Oppose: 1 (33%) · Neutral: 0 (0%)" in first
    assert selectors.tallies(consultation)[keys[0]].support == 2


# --- one position per person, even under a double submit ------------------------------------


def _submit(barrier, errors, consultation, user, key, stance, reason):
    """One browser tab's submit, on its own database connection."""
    try:
        barrier.wait(timeout=10)
        take(consultation, user, key, stance, reason)
    except Exception as exc:  # reported by the test
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_concurrent_double_submit_leaves_one_position(consultation, keys, participant):
    for key in [*keys, WHOLE_TEXT]:
        barrier = threading.Barrier(2)
        errors = []
        threads = [
            threading.Thread(
                target=_submit,
                args=(barrier, errors, consultation, participant, key, stance, reason),
            )
            for stance, reason in (("oppose", "First click."), ("neutral", "Second click."))
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert errors == []
        rows = Position.objects.filter(consultation=consultation, section_key=key, user=participant)
        assert rows.count() == 1
        assert rows.get().stance in ("oppose", "neutral")
    assert Position.objects.filter(consultation=consultation).count() == 4
