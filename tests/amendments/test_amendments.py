"""Amendments: propose better wording, weigh it with positions, decide with a reason, merge
accepted ones into the next draft (conflicts detected), publish, and credit the authors."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from amendments import services
from amendments.models import Amendment, AmendmentMerge, AmendmentRevision
from consultations import services as consultation_services
from consultations.models import Position
from policies.models import PolicyVersion

from .conftest import in_state, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def merger(facilitator):
    """A facilitator who may also edit and publish the policy (merging writes its draft)."""
    facilitator.groups.add(*Group.objects.filter(name__in=["Editors", "Moderators"]))
    facilitator.is_staff = True
    facilitator.save()
    return facilitator


def body(version, key):
    return version.sections.get(key=key).body


def reword(text, old, new):
    assert old in text, (old, text)
    return text.replace(old, new, 1)


def propose(consultation, user, key, text, *, kind="replace", heading="", why="Clearer."):
    return services.propose_amendment(
        consultation=consultation,
        user=user,
        section_key=key,
        kind=kind,
        text=text,
        heading=heading,
        rationale=why,
    )


def test_proposal_shows_as_a_diff_and_takes_positions(
    consultation, version, keys, participants, client
):
    pat, quinn, rey = participants
    text = reword(body(version, keys[0]), "word0", "kindness")
    amendment = propose(consultation, pat, keys[0], text)
    for user, stance in ((quinn, "support"), (rey, "oppose")):
        consultation_services.take_position(
            consultation=consultation,
            section_key=amendment.key,
            user=user,
            stance=stance,
            reason="Because." if stance == "oppose" else "",
        )
    response = client.get(f"/baseline/consultations/{consultation.pk}/")
    text_seen = page_text(response)
    assert f"Amendment #{amendment.pk} by pat Proposed" in text_seen
    html = response.content.decode()
    assert "<del" in html and "kindness" in html
    assert "Support: 1 (50%) · Oppose: 1 (50%)" in text_seen  # the amendment's own tally
    assert "All positions" in text_seen and "Support: 0" in text_seen  # not counted on the text
    focus = client.get(f"/baseline/consultations/{consultation.pk}/?section={amendment.key}")
    assert focus.status_code == 200
    assert "Clearer." in page_text(focus) and "Because." in page_text(focus)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"key": "no-such-section"}, "not part of the consulted version"),
        ({"text": ""}, "This cannot be empty"),
        ({"text": "<script>alert(1)</script> new words"}, "HTML tags"),
        ({"kind": "delete", "text": "something"}, "leave the text empty"),
        ({"kind": "insert", "heading": ""}, "This cannot be empty"),
        ({"why": ""}, "This cannot be empty"),
        ({"text": None}, "current text"),
    ],
)
def test_bad_proposals_are_refused_and_nothing_is_written(
    consultation, version, keys, participant, kwargs, message
):
    key = kwargs.get("key", keys[0])
    text = kwargs.get("text", "A better sentence.")
    if text is None:
        text = body(version, keys[0])
    with pytest.raises(ValidationError, match=message):
        propose(
            consultation,
            participant,
            key,
            text,
            kind=kwargs.get("kind", "replace"),
            heading=kwargs.get("heading", ""),
            why=kwargs.get("why", "Clearer."),
        )
    assert not Amendment.objects.exists() and not AmendmentRevision.objects.exists()


def test_no_amendments_after_close(consultation, keys, participant, facilitator):
    closed = in_state(consultation, "closed", user=facilitator)
    with pytest.raises(ValidationError, match="closed"):
        propose(closed, participant, keys[0], "New words.")
    assert not Amendment.objects.exists()


def test_author_revises_then_withdraws_and_nobody_else_may(
    consultation, version, keys, participants, client
):
    pat, quinn, _ = participants
    first = reword(body(version, keys[0]), "word0", "care")
    amendment = propose(consultation, pat, keys[0], first)
    with pytest.raises(PermissionDenied):
        services.revise_amendment(
            amendment=amendment, user=quinn, kind="replace", text=first + " x", rationale="r"
        )
    second = reword(first, "care", "great care")
    services.revise_amendment(
        amendment=amendment, user=pat, kind="replace", text=second, rationale="Even clearer."
    )
    assert [r.text for r in amendment.revisions.order_by("number")] == [first, second]
    page = client.get(f"/baseline/consultations/{consultation.pk}/?section={amendment.key}")
    assert "Earlier wordings (1)" in page_text(page)
    services.withdraw_amendment(amendment=amendment, user=pat)
    with pytest.raises(ValidationError, match="withdrawn"):
        services.revise_amendment(
            amendment=amendment, user=pat, kind="replace", text=first, rationale="again"
        )
    with pytest.raises(ValidationError):  # no positions on a withdrawn amendment
        consultation_services.take_position(
            consultation=consultation, section_key=amendment.key, user=quinn, stance="support"
        )


def test_decisions_need_a_facilitator_and_a_public_reason(
    consultation, version, keys, participant, facilitator
):
    amendment = propose(
        consultation, participant, keys[0], reword(body(version, keys[0]), "word0", "x")
    )
    with pytest.raises(PermissionDenied):
        services.decide_amendment(
            amendment=amendment, user=participant, state="accepted", reason="ok"
        )
    with pytest.raises(ValidationError):
        services.decide_amendment(
            amendment=amendment, user=facilitator, state="accepted", reason=" "
        )
    services.decide_amendment(
        amendment=amendment, user=facilitator, state="accepted", reason="Widely supported."
    )
    amendment.refresh_from_db()
    assert (amendment.state, amendment.decision_reason) == ("accepted", "Widely supported.")
    with pytest.raises(ValidationError, match="already accepted"):
        services.decide_amendment(
            amendment=amendment, user=facilitator, state="rejected", reason="no"
        )


def test_merge_detects_conflicts_publishes_and_credits(
    consultation, version, keys, participants, merger, client, django_capture_on_commit_callbacks
):
    pat, quinn, rey = participants
    base = body(version, keys[0])
    a = propose(consultation, pat, keys[0], reword(base, "word0", "respect"))
    b = propose(consultation, quinn, keys[0], reword(base, "word0", "dignity"))  # same words
    c = propose(consultation, rey, keys[0], reword(base, "word14", "everyone"))  # other words
    d = propose(
        consultation, rey, keys[1], "Ask for help early.", kind="insert", heading="Getting help"
    )
    for amendment in (a, b, c, d):
        services.decide_amendment(amendment=amendment, user=merger, state="accepted", reason="Yes.")
    services.apply_amendment(amendment=a, user=merger)
    with pytest.raises(ValidationError, match=f"conflicts with amendment #{a.pk} by pat"):
        services.apply_amendment(amendment=b, user=merger)
    services.apply_amendment(amendment=c, user=merger)
    services.apply_amendment(amendment=d, user=merger)
    summary = services.merge_summary(version.policy_id)
    assert f"#{a.pk} by pat" in summary and f"#{c.pk} by rey" in summary
    with django_capture_on_commit_callbacks(execute=True):
        new = services.publish_merged_draft(consultation=consultation, user=merger, summary=summary)
    assert new.number == version.number + 1 and new.summary == summary
    merged = reword(reword(base, "word0", "respect"), "word14", "everyone")
    assert new.sections.get(key=keys[0]).body == merged
    new_keys = list(new.sections.values_list("heading", flat=True))
    assert (
        new_keys.index("Getting help")
        == new_keys.index(version.sections.get(key=keys[1]).heading) + 1
    )
    assert set(
        AmendmentMerge.objects.filter(version=new).values_list("amendment_id", flat=True)
    ) == {a.pk, c.pk, d.pk}
    history = page_text(client.get("/baseline/versions/"))
    assert f"Wording from: amendment #{a.pk} by pat; amendment #{c.pk} by rey" in history
    focus = client.get(f"/baseline/consultations/{consultation.pk}/?section={a.key}")
    assert f"Merged into version {new.number}" in page_text(focus)
    assert f"/baseline/compare/{version.number}/{new.number}/" in focus.content.decode()
    assert PolicyVersion.objects.filter(policy_id=version.policy_id).count() == version.number + 1
    assert Position.objects.count() == 0


def test_summary_and_exports_include_amendments(
    consultation, version, keys, participants, facilitator, client
):
    pat, quinn, _ = participants
    accepted = propose(consultation, pat, keys[0], reword(body(version, keys[0]), "word0", "care"))
    consultation_services.take_position(
        consultation=consultation, section_key=accepted.key, user=quinn, stance="support"
    )
    withdrawn = propose(consultation, quinn, keys[1], "Shorter.", why="Too long.")
    services.withdraw_amendment(amendment=withdrawn, user=quinn)
    services.decide_amendment(
        amendment=accepted, user=facilitator, state="accepted", reason="Most supported it."
    )
    data = client.get(f"/baseline/consultations/{consultation.pk}/export.json").json()
    by_id = {a["id"]: a for a in data["amendments"]}
    assert by_id[accepted.pk]["state"] == "accepted" and by_id[accepted.pk]["support"] == 1
    assert by_id[withdrawn.pk]["state"] == "withdrawn"
    csv_text = client.get(f"/baseline/consultations/{consultation.pk}/export.csv").content.decode()
    assert f"amendment,{accepted.pk}," in csv_text and ",accepted,1,0,0" in csv_text
    summarised = in_state(consultation, "summarised", user=facilitator)
    summary = page_text(client.get(f"/baseline/consultations/{summarised.pk}/summary/"))
    assert f"#{accepted.pk} by pat" in summary and "Accepted Most supported it." in summary
    assert f"#{withdrawn.pk} by quinn" in summary and "Withdrawn by its author." in summary
