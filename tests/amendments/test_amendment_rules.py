"""Amendments: who may do what (role × consultation phase × amendment state × action, in the
rules and in the services), bad input refused with nothing changed, and conflict detection when
accepted amendments are merged into the next draft."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from wagtail.models import Revision

from amendments import rules, services
from amendments.models import Amendment, AmendmentMerge, AmendmentRevision
from consultations import services as consultation_services
from consultations.models import WHOLE_TEXT, Consultation, Position
from policies import services as policy_services
from policies.models import PolicyPage, PolicySection, PolicyVersion
from tests.factories import UserFactory

from .conftest import in_state, page_text

pytestmark = pytest.mark.django_db


# --- helpers, shared with test_amendment_views.py -------------------------------------------


def body(version, key) -> str:
    return version.sections.get(key=key).body


def reword(text: str, old: str, new: str) -> str:
    """`text` with the first `old` replaced ("word1" comes before "word10" in the test bodies)."""
    assert old in text, (old, text)
    return text.replace(old, new, 1)


def propose(consultation, user, key, text="", *, kind="replace", heading="", why="Clearer."):
    return services.propose_amendment(
        consultation=consultation,
        user=user,
        section_key=key,
        kind=kind,
        text=text,
        heading=heading,
        rationale=why,
    )


def accept(amendment, facilitator, state="accepted"):
    return services.decide_amendment(
        amendment=amendment, user=facilitator, state=state, reason="The room agreed."
    )


def snapshot(*amendments) -> dict:
    """Everything an amendment action could write: row counts, the amendments' own fields and
    the policy's Wagtail revisions (merging saves a draft revision)."""
    data = {
        model.__name__: model.objects.count()
        for model in (Amendment, AmendmentRevision, AmendmentMerge, Position, Revision)
    }
    for amendment in amendments:
        if amendment is not None:
            data[f"amendment-{amendment.pk}"] = (
                Amendment.objects.filter(pk=amendment.pk)
                .values("state", "revision", "kind", "text", "heading", "rationale", "decided_by")
                .get()
            )
    return data


def draft_sections(policy_id) -> list[tuple[str, str, str]]:
    draft = PolicyPage.objects.get(pk=policy_id).get_latest_revision_as_object()
    return [(s.key, s.heading, s.body) for s in draft.sections.all()]


def publish(consultation, user, capture):
    summary = services.merge_summary(consultation.version.policy_id)
    with capture(execute=True):
        return services.publish_merged_draft(consultation=consultation, user=user, summary=summary)


def make_merger(username="mona"):
    """A facilitator who may also edit and publish the policy: the one who merges."""
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=["Facilitators", "Editors", "Moderators"]))
    return user


@pytest.fixture
def mona(db):
    return make_merger()


# --- the permission matrix ------------------------------------------------------------------

ROLES = ["anonymous", "participant", "author", "facilitator", "merger", "superuser", "inactive"]
PHASES = ["open", "closed"]
STATES = ["proposed", "withdrawn", "accepted", "partly", "rejected"]
ACTIONS = ["propose", "revise", "withdraw", "decide", "position", "apply"]

# What each service call does, for every role, phase and state of the amendment acted on:
#   +  done      P  PermissionDenied (not this person's to do)      V  ValidationError (not now)
# "participant" is a signed-in participant who is not the amendment's author; "merger" is a
# facilitator who may also publish the policy. Proposing concerns a new amendment (to another
# section), so its column only depends on the phase.
#                                           propose revise withdraw decide position apply
EXPECTED = {
    ("anonymous",   "open",   "proposed"):  "P P P P P P",
    ("anonymous",   "open",   "withdrawn"): "P P P P P P",
    ("anonymous",   "open",   "accepted"):  "P P P P P P",
    ("anonymous",   "open",   "partly"):    "P P P P P P",
    ("anonymous",   "open",   "rejected"):  "P P P P P P",
    ("anonymous",   "closed", "proposed"):  "P P P P P P",
    ("anonymous",   "closed", "withdrawn"): "P P P P P P",
    ("anonymous",   "closed", "accepted"):  "P P P P P P",
    ("anonymous",   "closed", "partly"):    "P P P P P P",
    ("anonymous",   "closed", "rejected"):  "P P P P P P",
    ("participant", "open",   "proposed"):  "+ P P P + P",
    ("participant", "open",   "withdrawn"): "+ P P P V P",
    ("participant", "open",   "accepted"):  "+ P P P V P",
    ("participant", "open",   "partly"):    "+ P P P V P",
    ("participant", "open",   "rejected"):  "+ P P P V P",
    ("participant", "closed", "proposed"):  "V P P P V P",
    ("participant", "closed", "withdrawn"): "V P P P V P",
    ("participant", "closed", "accepted"):  "V P P P V P",
    ("participant", "closed", "partly"):    "V P P P V P",
    ("participant", "closed", "rejected"):  "V P P P V P",
    ("author",      "open",   "proposed"):  "+ + + P + P",
    ("author",      "open",   "withdrawn"): "+ V V P V P",
    ("author",      "open",   "accepted"):  "+ V V P V P",
    ("author",      "open",   "partly"):    "+ V V P V P",
    ("author",      "open",   "rejected"):  "+ V V P V P",
    ("author",      "closed", "proposed"):  "V V + P V P",  # withdrawing stays possible
    ("author",      "closed", "withdrawn"): "V V V P V P",
    ("author",      "closed", "accepted"):  "V V V P V P",
    ("author",      "closed", "partly"):    "V V V P V P",
    ("author",      "closed", "rejected"):  "V V V P V P",
    ("facilitator", "open",   "proposed"):  "+ P P + + P",
    ("facilitator", "open",   "withdrawn"): "+ P P V V P",
    ("facilitator", "open",   "accepted"):  "+ P P V V P",
    ("facilitator", "open",   "partly"):    "+ P P V V P",
    ("facilitator", "open",   "rejected"):  "+ P P V V P",
    ("facilitator", "closed", "proposed"):  "V P P + V P",
    ("facilitator", "closed", "withdrawn"): "V P P V V P",
    ("facilitator", "closed", "accepted"):  "V P P V V P",
    ("facilitator", "closed", "partly"):    "V P P V V P",
    ("facilitator", "closed", "rejected"):  "V P P V V P",
    ("merger",      "open",   "proposed"):  "+ P P + + V",
    ("merger",      "open",   "withdrawn"): "+ P P V V V",
    ("merger",      "open",   "accepted"):  "+ P P V V +",
    ("merger",      "open",   "partly"):    "+ P P V V +",
    ("merger",      "open",   "rejected"):  "+ P P V V V",
    ("merger",      "closed", "proposed"):  "V P P + V V",
    ("merger",      "closed", "withdrawn"): "V P P V V V",
    ("merger",      "closed", "accepted"):  "V P P V V +",
    ("merger",      "closed", "partly"):    "V P P V V +",
    ("merger",      "closed", "rejected"):  "V P P V V V",
    ("superuser",   "open",   "proposed"):  "+ P P + + V",
    ("superuser",   "open",   "withdrawn"): "+ P P V V V",
    ("superuser",   "open",   "accepted"):  "+ P P V V +",
    ("superuser",   "open",   "partly"):    "+ P P V V +",
    ("superuser",   "open",   "rejected"):  "+ P P V V V",
    ("superuser",   "closed", "proposed"):  "V P P + V V",
    ("superuser",   "closed", "withdrawn"): "V P P V V V",
    ("superuser",   "closed", "accepted"):  "V P P V V +",
    ("superuser",   "closed", "partly"):    "V P P V V +",
    ("superuser",   "closed", "rejected"):  "V P P V V V",
    ("inactive",    "open",   "proposed"):  "P P P P P P",
    ("inactive",    "open",   "withdrawn"): "P P P P P P",
    ("inactive",    "open",   "accepted"):  "P P P P P P",
    ("inactive",    "open",   "partly"):    "P P P P P P",
    ("inactive",    "open",   "rejected"):  "P P P P P P",
    ("inactive",    "closed", "proposed"):  "P P P P P P",
    ("inactive",    "closed", "withdrawn"): "P P P P P P",
    ("inactive",    "closed", "accepted"):  "P P P P P P",
    ("inactive",    "closed", "partly"):    "P P P P P P",
    ("inactive",    "closed", "rejected"):  "P P P P P P",
}  # fmt: skip

PREDICATES = {
    "propose": rules.can_propose_amendment,  # on the consultation
    "revise": rules.can_revise_amendment,
    "withdraw": rules.can_withdraw_amendment,
    "decide": rules.can_decide_amendment,
    "position": rules.can_take_position,  # on the consultation
    "apply": rules.can_merge_amendment,
}
PERMISSIONS = {
    "propose": "amendments.propose_amendment",
    "revise": "amendments.revise_amendment",
    "withdraw": "amendments.withdraw_amendment",
    "decide": "amendments.decide_amendment",
    "position": "consultations.take_position",
    "apply": "amendments.merge_amendment",
}
ON_CONSULTATION = ("propose", "position")


def expected(role, phase, state) -> dict[str, str]:
    return dict(zip(ACTIONS, EXPECTED[(role, phase, state)].split(), strict=True))


def expected_predicates(role, phase, state) -> dict[str, bool]:
    """The rules answer "yes" exactly where the service does it. Positions are allowed per
    consultation (the service then refuses amendments that are no longer proposed, with a
    ValidationError), so that predicate follows the proposed-amendment row."""
    done = {a: outcome == "+" for a, outcome in expected(role, phase, state).items()}
    done["position"] = expected(role, phase, "proposed")["position"] == "+"
    return done


def test_the_table_covers_every_case_and_reads_as_intended():
    assert set(EXPECTED) == {(r, p, s) for r in ROLES for p in PHASES for s in STATES}
    assert all(set(v.split()) <= {"+", "P", "V"} for v in EXPECTED.values())
    everything = [(r, p, s) for r in ROLES for p in PHASES for s in STATES]
    # Nobody signed out or deactivated does anything.
    for role in ("anonymous", "inactive"):
        outcomes = {o for r, p, s in everything if r == role for o in expected(r, p, s).values()}
        assert outcomes == {"P"}
    # Only the author revises and withdraws; only facilitators decide; only mergers apply.
    for action, who in (
        ("revise", {"author"}),
        ("withdraw", {"author"}),
        ("decide", {"facilitator", "merger", "superuser"}),
        ("apply", {"merger", "superuser"}),
    ):
        assert {r for r, p, s in everything if expected(r, p, s)[action] == "+"} == who
    # Nothing new after close; withdrawing and deciding stay possible.
    closed = [c for c in everything if c[1] == "closed"]
    assert not any(expected(*c)[a] == "+" for c in closed for a in ("propose", "revise"))
    assert not any(expected(*c)["position"] == "+" for c in closed)
    assert expected("author", "closed", "proposed")["withdraw"] == "+"
    assert expected("facilitator", "closed", "proposed")["decide"] == "+"
    # Only accepted and partly accepted amendments are merged.
    assert {s for r, p, s in everything if expected(r, p, s)["apply"] == "+"} == {
        "accepted",
        "partly",
    }


@pytest.fixture
def role_user(participants, facilitator, mona, superuser, inactive):
    pat, quinn, _ = participants
    return {
        "anonymous": AnonymousUser(),
        "participant": quinn,
        "author": pat,  # every amendment in the matrix is pat's
        "facilitator": facilitator,
        "merger": mona,
        "superuser": superuser,
        "inactive": inactive,
    }


def _amendment_in(state, consultation, version, key, author, facilitator, n) -> Amendment:
    """A fresh amendment by `author`, brought to `state` the way people would."""
    amendment = propose(consultation, author, key, reword(body(version, key), f"word{n}", f"w{n}!"))
    if state == "withdrawn":
        services.withdraw_amendment(amendment=amendment, user=author)
    elif state in Amendment.DECIDED:
        accept(amendment, facilitator, state)
    return amendment


def _attempt(action, *, user, consultation, amendment, version, keys) -> str:
    """Try one action through its service: "+", "P" or "V"."""
    try:
        if action == "propose":
            text = reword(body(version, keys[1]), "word7", "proposed")
            propose(consultation, user, keys[1], text)
        elif action == "revise":
            services.revise_amendment(
                amendment=amendment,
                user=user,
                kind="replace",
                text=amendment.text + " Revised.",
                rationale="Clearer still.",
            )
        elif action == "withdraw":
            services.withdraw_amendment(amendment=amendment, user=user)
        elif action == "decide":
            services.decide_amendment(
                amendment=amendment, user=user, state="accepted", reason="Widely supported."
            )
        elif action == "position":
            consultation_services.take_position(
                consultation=consultation, section_key=amendment.key, user=user, stance="support"
            )
        elif action == "apply":
            services.apply_amendment(amendment=amendment, user=user)
    except PermissionDenied:
        return "P"
    except ValidationError:
        return "V"
    return "+"


def _was_done(action, *, user, consultation, amendment, keys) -> bool:
    if action == "propose":
        return Amendment.objects.filter(
            consultation=consultation, author=user, section_key=keys[1]
        ).exists()
    amendment = Amendment.objects.get(pk=amendment.pk)
    if action == "revise":
        return amendment.revision == 2 and amendment.revisions.count() == 2
    if action == "withdraw":
        return amendment.state == "withdrawn"
    if action == "decide":
        return amendment.state == "accepted" and amendment.decided_by_id == user.pk
    if action == "position":
        return Position.objects.filter(section_key=amendment.key, user=user).exists()
    return AmendmentMerge.objects.filter(amendment=amendment, applied_by=user).exists()


@pytest.mark.parametrize("role", ROLES)
def test_rules_and_services_match_the_table(
    role, role_user, make_consultation, version, keys, participants, facilitator, subtests
):
    """Each action on its own fresh amendment in each phase and state: the predicate (and
    has_perm) says yes exactly where the service does it; every refusal is PermissionDenied or
    ValidationError as the table says, and writes nothing. The people and the policy are built
    once per role; each phase and state starts from them again (its writes are rolled back)."""
    for phase in PHASES:
        for state in STATES:
            with subtests.test(phase=phase, state=state), transaction.atomic():
                cache.clear()  # posting limits are counted in the cache, not rolled back
                _check_one_case(
                    role, phase, state, role_user=role_user,
                    make_consultation=make_consultation, version=version, keys=keys,
                    participants=participants, facilitator=facilitator,
                )  # fmt: skip
                transaction.set_rollback(True)


def _check_one_case(
    role, phase, state, *, role_user, make_consultation, version, keys, participants, facilitator
):
    consultation = make_consultation(version)
    author = participants[0]
    fresh = {
        action: _amendment_in(state, consultation, version, keys[0], author, facilitator, n)
        for n, action in enumerate(ACTIONS)
        if action != "propose"
    }
    if phase == "closed":
        consultation = in_state(consultation, "closed", user=facilitator)
    related = Amendment.objects.select_related("consultation__version__policy", "author")
    fresh = {action: related.get(pk=a.pk) for action, a in fresh.items()}
    user = role_user[role]

    outcomes, predicates, perms = {}, {}, {}
    for action in ACTIONS:
        amendment = fresh.get(action)
        obj = consultation if action in ON_CONSULTATION else amendment
        predicates[action] = bool(PREDICATES[action](user, obj))
        perms[action] = user.has_perm(PERMISSIONS[action], obj)
        before = snapshot(amendment)
        context = dict(user=user, consultation=consultation, amendment=amendment, keys=keys)
        outcomes[action] = _attempt(action, version=version, **context)
        if outcomes[action] == "+":
            assert _was_done(action, **context), action
        else:
            assert snapshot(amendment) == before, f"{action} was refused but wrote something"

    assert outcomes == expected(role, phase, state)
    assert predicates == expected_predicates(role, phase, state)
    if role != "superuser":  # Django answers True to everything an active superuser asks
        assert perms == expected_predicates(role, phase, state)


@pytest.mark.parametrize("role", ["anonymous", "participant", "facilitator"])
def test_apply_refuses_non_mergers_before_looking_at_the_state(
    role, role_user, consultation, version, keys, participants
):
    amendment = propose(
        consultation, participants[0], keys[0], reword(body(version, keys[0]), "word0", "x")
    )
    with pytest.raises(PermissionDenied):
        services.apply_amendment(amendment=amendment, user=role_user[role])


# --- bad input: a clear message, nothing changed ---------------------------------------------


@pytest.fixture
def pending(consultation, version, keys, participants):
    """pat's proposed amendment to the first section."""
    return propose(
        consultation, participants[0], keys[0], reword(body(version, keys[0]), "word0", "care")
    )


def test_amending_a_section_the_consulted_version_no_longer_has(
    policy, version, keys, editor, make_consultation, participant
):
    """Version 2 dropped the third section: a consultation on version 2 takes no amendment to
    it, and neither does any consultation take one to a made-up key."""
    kept = [(s.key, s.heading, s.body) for s in version.sections.all()][:2]
    v2 = policy_services.publish_policy(
        page=policy, user=editor, summary="Drop the third section.", sections=kept
    )
    consultation = make_consultation(v2)
    before = snapshot()
    for key in (keys[2], "no-such-section", WHOLE_TEXT, ""):
        with pytest.raises(ValidationError, match="not part of the consulted version"):
            propose(consultation, participant, key, "Bring it back, better.")
    assert snapshot() == before


def test_no_amendment_after_close_and_the_message_says_so(
    consultation, keys, participant, facilitator
):
    closed = in_state(consultation, "closed", user=facilitator)
    before = snapshot()
    with pytest.raises(ValidationError, match="closed: it is read-only"):
        propose(closed, participant, keys[0], "New words.")
    assert snapshot() == before


def test_no_amendment_before_opening(make_consultation, version, keys, participant):
    draft = make_consultation(version, state="draft")
    with pytest.raises(ValidationError, match="not opened yet"):
        propose(draft, participant, keys[0], "New words.")
    assert not Amendment.objects.exists()


def test_no_amendment_past_the_closing_time_even_before_it_is_marked_closed(
    consultation, keys, participant, pending
):
    now = timezone.now()
    Consultation.objects.filter(pk=consultation.pk).update(
        opens_at=now - timedelta(days=30), closes_at=now - timedelta(minutes=1)
    )
    consultation.refresh_from_db()
    before = snapshot(pending)
    with pytest.raises(ValidationError, match="read-only"):
        propose(consultation, participant, keys[1], "New words.")
    with pytest.raises(ValidationError, match="read-only"):
        services.revise_amendment(
            amendment=pending, user=participant, kind="replace", text="Other.", rationale="r"
        )
    assert snapshot(pending) == before


@pytest.mark.parametrize(
    "kind, text, heading, message",
    [
        ("replace", "", "", "This cannot be empty"),
        ("replace", "   \n\t ", "", "This cannot be empty"),
        ("insert", "", "A new section", "This cannot be empty"),
        ("delete", "Some words", "", "leave the text empty"),
        ("sideways", "Some words", "", "Replace the text, delete the section"),
    ],
)
def test_empty_replacement_is_not_a_deletion(
    consultation, keys, participant, pending, kind, text, heading, message
):
    """Empty text is only accepted when the amendment says "delete"; on a proposal and on a
    revision alike."""
    before = snapshot(pending)
    with pytest.raises(ValidationError, match=message):
        propose(consultation, participant, keys[1], text, kind=kind, heading=heading)
    with pytest.raises(ValidationError, match=message):
        services.revise_amendment(
            amendment=pending,
            user=participant,
            kind=kind,
            text=text,
            heading=heading,
            rationale="r",
        )
    assert snapshot(pending) == before
    # ...while "delete" with no text is a proper amendment.
    deletion = propose(consultation, participant, keys[1], "", kind="delete")
    assert (deletion.kind, deletion.text) == ("delete", "")


def test_nothing_builds_on_a_withdrawn_amendment(
    consultation, keys, participants, facilitator, pending
):
    """No amendment to it, no revision, no position, no decision, no merge."""
    pat, quinn, _ = participants
    services.withdraw_amendment(amendment=pending, user=pat)
    before = snapshot(pending)
    with pytest.raises(ValidationError, match="not part of the consulted version"):
        propose(consultation, quinn, pending.key, "A better amendment.")
    with pytest.raises(ValidationError, match="withdrawn: it can no longer be revised"):
        services.revise_amendment(
            amendment=pending, user=pat, kind="replace", text="Another go.", rationale="r"
        )
    with pytest.raises(ValidationError, match="withdrawn: it cannot be withdrawn"):
        services.withdraw_amendment(amendment=pending, user=pat)
    with pytest.raises(ValidationError, match="not part of the consulted version"):
        consultation_services.take_position(
            consultation=consultation, section_key=pending.key, user=quinn, stance="support"
        )
    with pytest.raises(ValidationError, match="already withdrawn"):
        accept(pending, facilitator)
    assert snapshot(pending) == before


@pytest.mark.parametrize(
    "field, value",
    [
        ("text", "<script>alert(1)</script> Better words."),
        ("text", "Better <img src=x onerror=alert(1)> words."),
        ("text", "Better words.<!-- hidden -->"),
        ("heading", "<b>New</b> section"),
        ("rationale", "Because <iframe src=//evil.example></iframe>."),
    ],
)
def test_html_is_refused_in_proposals_and_revisions(
    consultation, keys, participant, pending, field, value
):
    values = {"text": "Plain better words.", "heading": "", "rationale": "Clearer."}
    values[field] = value
    kind = "insert" if field == "heading" else "replace"
    before = snapshot(pending)
    with pytest.raises(ValidationError, match="HTML tags such as <script> are not accepted"):
        propose(
            consultation,
            participant,
            keys[1],
            values["text"],
            kind=kind,
            heading=values["heading"],
            why=values["rationale"],
        )
    with pytest.raises(ValidationError, match="HTML tags"):
        services.revise_amendment(amendment=pending, user=participant, kind=kind, **values)
    assert snapshot(pending) == before


def test_markdown_that_merely_mentions_angle_brackets_is_fine(consultation, keys, participant):
    amendment = propose(consultation, participant, keys[1], "Use 3 < 4 and a -> b, *not* tags.")
    assert amendment.text == "Use 3 < 4 and a -> b, *not* tags."


def test_html_in_a_decision_reason_is_refused(pending, facilitator):
    before = snapshot(pending)
    with pytest.raises(ValidationError, match="HTML tags"):
        services.decide_amendment(
            amendment=pending, user=facilitator, state="rejected", reason="<script>x</script>"
        )
    with pytest.raises(ValidationError, match="Accept, partly accept or reject"):
        services.decide_amendment(
            amendment=pending, user=facilitator, state="withdrawn", reason="Tidy."
        )
    assert snapshot(pending) == before


def test_a_revision_must_change_something(pending, participant):
    before = snapshot(pending)
    with pytest.raises(ValidationError, match="Nothing changed"):
        services.revise_amendment(
            amendment=pending,
            user=participant,
            kind=pending.kind,
            text=pending.text,
            rationale=pending.rationale,
        )
    assert snapshot(pending) == before


# --- merging: conflicts, the merged text and credit ------------------------------------------


@pytest.fixture
def base(version, keys):
    return body(version, keys[0])


def _decided(consultation, facilitator, *specs):
    """Propose (user, key, text, kind, heading) and accept each; return the amendments."""
    out = []
    for user, key, text, kind, heading in specs:
        amendment = propose(consultation, user, key, text, kind=kind, heading=heading)
        accept(amendment, facilitator)
        out.append(amendment)
    return out


@pytest.mark.parametrize("first", [0, 1])
def test_overlapping_words_conflict_and_the_message_names_the_first(
    consultation, version, keys, participants, mona, base, first
):
    pat, quinn, _ = participants
    amendments = _decided(
        consultation,
        mona,
        (pat, keys[0], reword(base, "word0", "respect"), "replace", ""),
        (quinn, keys[0], reword(base, "word0 word1", "dignity for all"), "replace", ""),
    )
    applied, refused = amendments[first], amendments[1 - first]
    services.apply_amendment(amendment=applied, user=mona)
    before = snapshot(refused)
    draft_before = draft_sections(version.policy_id)
    author = applied.author.get_username()
    with pytest.raises(ValidationError) as caught:
        services.apply_amendment(amendment=refused, user=mona)
    message = " ".join(caught.value.messages)
    assert f"Amendment #{refused.pk} conflicts with amendment #{applied.pk} by {author}" in message
    assert "both change “word0" in message
    assert snapshot(refused) == before
    assert draft_sections(version.policy_id) == draft_before
    assert not AmendmentMerge.objects.filter(amendment=refused).exists()


def test_different_words_of_one_section_both_land_and_the_authors_are_credited(
    consultation,
    version,
    keys,
    participants,
    mona,
    base,
    client,
    django_capture_on_commit_callbacks,
):
    pat, quinn, rey = participants
    a, b = _decided(
        consultation,
        mona,
        (pat, keys[0], reword(base, "word0", "respect"), "replace", ""),
        (quinn, keys[0], reword(base, "word14", "everyone"), "replace", ""),
    )
    rejected = propose(consultation, rey, keys[1], reword(body(version, keys[1]), "word7", "no"))
    accept(rejected, mona, "rejected")
    services.apply_amendment(amendment=a, user=mona)
    services.apply_amendment(amendment=b, user=mona)
    new = publish(consultation, mona, django_capture_on_commit_callbacks)

    merged = reword(reword(base, "word0", "respect"), "word14", "everyone")
    consulted = [(s.key, s.heading, s.body) for s in version.sections.all()]
    assert [(s.key, s.heading, s.body) for s in new.sections.all()] == [
        (keys[0], consulted[0][1], merged),
        *consulted[1:],
    ]
    assert new.number == version.number + 1
    assert f"#{a.pk} by pat" in new.summary and f"#{b.pk} by quinn" in new.summary
    assert sorted(
        AmendmentMerge.objects.filter(version=new).values_list("amendment_id", flat=True)
    ) == sorted([a.pk, b.pk])
    history = page_text(client.get(f"/{version.policy.slug}/versions/"))
    assert f"Wording from: amendment #{a.pk} by pat; amendment #{b.pk} by quinn" in history
    assert f"amendment #{rejected.pk} by rey" not in history
    focus = page_text(client.get(f"{consultation_path(consultation)}?section={a.key}"))
    assert f"Merged into version {new.number}" in focus


def consultation_path(consultation) -> str:
    return f"/{consultation.version.policy.slug}/consultations/{consultation.pk}/"


@pytest.mark.parametrize("deletion_first", [True, False])
def test_deleting_and_rewording_one_section_conflict(
    consultation, version, keys, participants, mona, base, deletion_first
):
    pat, quinn, _ = participants
    deletion, rewording = _decided(
        consultation,
        mona,
        (pat, keys[0], "", "delete", ""),
        (quinn, keys[0], reword(base, "word20", "twenty"), "replace", ""),
    )
    applied, refused = (deletion, rewording) if deletion_first else (rewording, deletion)
    services.apply_amendment(amendment=applied, user=mona)
    before = snapshot(refused)
    draft_before = draft_sections(version.policy_id)
    with pytest.raises(ValidationError) as caught:
        services.apply_amendment(amendment=refused, user=mona)
    message = " ".join(caught.value.messages)
    author = applied.author.get_username()
    assert f"conflicts with amendment #{applied.pk} by {author}" in message
    assert "one of them deletes the section" in message
    assert snapshot(refused) == before
    assert draft_sections(version.policy_id) == draft_before


def test_two_insertions_after_one_section_both_land_in_the_order_applied(
    consultation, version, keys, participants, mona, base, django_capture_on_commit_callbacks
):
    pat, quinn, rey = participants
    first, second, rewording = _decided(
        consultation,
        mona,
        (pat, keys[0], "Ask early.", "insert", "Getting help"),
        (quinn, keys[0], "Say thanks.", "insert", "Thanks"),
        (rey, keys[0], reword(base, "word3", "three"), "replace", ""),  # no clash with inserts
    )
    for amendment in (first, second, rewording):
        services.apply_amendment(amendment=amendment, user=mona)
    new = publish(consultation, mona, django_capture_on_commit_callbacks)
    consulted = list(version.sections.all())
    assert [(s.heading, s.body) for s in new.sections.all()] == [
        (consulted[0].heading, reword(base, "word3", "three")),
        ("Getting help", "Ask early."),
        ("Thanks", "Say thanks."),
        *[(s.heading, s.body) for s in consulted[1:]],
    ]
    assert AmendmentMerge.objects.filter(version=new).count() == 3


def test_insertion_after_a_deleted_section_lands_where_the_section_was(
    consultation, version, keys, participants, mona
):
    pat, quinn, _ = participants
    deletion, insertion = _decided(
        consultation,
        mona,
        (pat, keys[1], "", "delete", ""),
        (quinn, keys[1], "In its place.", "insert", "Replacement"),
    )
    services.apply_amendment(amendment=deletion, user=mona)
    services.apply_amendment(amendment=insertion, user=mona)
    headings = [h for _, h, _ in draft_sections(version.policy_id)]
    consulted = [s.heading for s in version.sections.all()]
    assert headings == [consulted[0], "Replacement", consulted[2]]


def test_the_merge_refuses_a_section_removed_from_the_draft_by_hand(
    consultation, version, keys, participants, mona, base, editor
):
    pat, quinn, _ = participants
    first, second = _decided(
        consultation,
        mona,
        (pat, keys[0], reword(base, "word0", "respect"), "replace", ""),
        (quinn, keys[1], reword(body(version, keys[1]), "word7", "seven"), "replace", ""),
    )
    services.apply_amendment(amendment=first, user=mona)
    draft = PolicyPage.objects.get(pk=version.policy_id).get_latest_revision_as_object()
    draft.sections = [
        PolicySection(key=s.key, heading=s.heading, body=s.body)
        for s in draft.sections.all()
        if s.key != keys[1]
    ]
    draft.save_revision(user=editor)
    before = snapshot(second)
    with pytest.raises(ValidationError, match="The draft no longer has this section"):
        services.apply_amendment(amendment=second, user=mona)
    assert snapshot(second) == before


def test_the_merge_refuses_when_a_later_version_was_published(
    consultation, policy, version, participant, mona, base, editor, keys
):
    (amendment,) = _decided(
        consultation, mona, (participant, keys[0], reword(base, "word0", "x"), "replace", "")
    )
    sections = [(s.key, s.heading, s.body + " Edited.") for s in version.sections.all()]
    policy_services.publish_policy(page=policy, user=editor, summary="v2", sections=sections)
    before = snapshot(amendment)
    with pytest.raises(ValidationError, match="published after the consulted version"):
        services.apply_amendment(amendment=amendment, user=mona)
    assert snapshot(amendment) == before
    assert PolicyVersion.objects.filter(policy=policy).count() == 2
