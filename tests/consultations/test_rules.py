"""Who may do what in a consultation: role × action × state, in the rules and over HTTP."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from consultations import rules
from consultations.models import WHOLE_TEXT, Flag, Position, PrivateFeedback, Reply, SummarySection
from consultations.selectors import consultation_url

from .conftest import STATES

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "participant", "facilitator", "admin", "inactive"]
ACTIONS = (
    "view",
    "take_position",
    "reply",
    "flag",
    "moderate",
    "manage",
    "read_private_feedback",
    "give_private_feedback",
    "write_summary",
)

# The expected answer for every role, state and action, written out in full.
# Columns in the order of ACTIONS: view, take_position, reply, flag, moderate, manage,
# read_private_feedback, give_private_feedback, write_summary.
EXPECTED = {
    ("anonymous", "draft"):        (0, 0, 0, 0, 0, 0, 0, 0, 0),
    ("anonymous", "open"):         (1, 0, 0, 0, 0, 0, 0, 0, 0),
    ("anonymous", "closed"):       (1, 0, 0, 0, 0, 0, 0, 0, 0),
    ("anonymous", "summarised"):   (1, 0, 0, 0, 0, 0, 0, 0, 0),
    ("participant", "draft"):      (0, 0, 0, 0, 0, 0, 0, 0, 0),
    ("participant", "open"):       (1, 1, 1, 1, 0, 0, 0, 1, 0),
    ("participant", "closed"):     (1, 0, 0, 1, 0, 0, 0, 0, 0),
    ("participant", "summarised"): (1, 0, 0, 1, 0, 0, 0, 0, 0),
    ("facilitator", "draft"):      (1, 0, 0, 0, 1, 1, 1, 0, 0),
    ("facilitator", "open"):       (1, 1, 1, 1, 1, 1, 1, 1, 0),
    ("facilitator", "closed"):     (1, 0, 0, 1, 1, 1, 1, 0, 1),
    ("facilitator", "summarised"): (1, 0, 0, 1, 1, 1, 1, 0, 1),
    ("admin", "draft"):            (1, 0, 0, 0, 1, 1, 1, 0, 0),
    ("admin", "open"):             (1, 1, 1, 1, 1, 1, 1, 1, 0),
    ("admin", "closed"):           (1, 0, 0, 1, 1, 1, 1, 0, 1),
    ("admin", "summarised"):       (1, 0, 0, 1, 1, 1, 1, 0, 1),
    ("inactive", "draft"):         (0, 0, 0, 0, 0, 0, 0, 0, 0),
    ("inactive", "open"):          (1, 0, 0, 0, 0, 0, 0, 0, 0),
    ("inactive", "closed"):        (1, 0, 0, 0, 0, 0, 0, 0, 0),
    ("inactive", "summarised"):    (1, 0, 0, 0, 0, 0, 0, 0, 0),
}  # fmt: skip

PREDICATES = {action: getattr(rules, f"can_{action}") for action in ACTIONS}
PERMISSIONS = {
    "view": "consultations.view_consultation",
    **{a: f"consultations.{a}" for a in ACTIONS if a != "view"},
}


def expected(role, state) -> dict[str, bool]:
    return dict(zip(ACTIONS, map(bool, EXPECTED[(role, state)]), strict=True))


def test_the_table_covers_every_role_and_state():
    assert set(EXPECTED) == {(r, s) for r in ROLES for s in STATES}
    # A few rows that the rest of the suite leans on, spelled out as sentences.
    assert not any(expected("anonymous", "open")[a] for a in ACTIONS if a != "view")
    assert not any(expected(r, "closed")["take_position"] for r in ROLES)
    assert [r for r in ROLES if expected(r, "closed")["write_summary"]] == ["facilitator", "admin"]


@pytest.fixture
def role_user(request, participant, facilitator, superuser, inactive):
    return {
        "anonymous": AnonymousUser(),
        "participant": participant,
        "facilitator": facilitator,
        "admin": superuser,
        "inactive": inactive,
    }


@pytest.mark.parametrize("role", ROLES)
def test_rules_match_the_table(role, role_user, make_consultation, version):
    user = role_user[role]
    want, got, via_has_perm = {}, {}, {}
    for state in STATES:
        consultation = make_consultation(version, state=state)
        want[state] = expected(role, state)
        got[state] = {a: bool(PREDICATES[a](user, consultation)) for a in ACTIONS}
        via_has_perm[state] = {a: user.has_perm(PERMISSIONS[a], consultation) for a in ACTIONS}
    assert got == want
    if role != "admin":  # Django answers True to everything an active superuser asks
        assert via_has_perm == want


def _refused(response) -> bool:
    """Refused: a 4xx, or a redirect to the sign-in page."""
    if 400 <= response.status_code < 500:
        return True
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_http_matches_the_table(
    role, state, role_user, make_consultation, version, keys, client, participants
):
    """View, take a position, reply, flag, moderate, private feedback (give and read), manage
    and summarise, each tried over HTTP: what succeeds is exactly what the table allows, and
    what is refused (4xx or a redirect to sign in) writes nothing."""
    consultation = make_consultation(version, state=state)
    url = consultation_url(consultation)
    slug = consultation.version.policy.slug
    now = timezone.now()
    # Someone else's position to reply to, flag and hide (written directly: drafts take none).
    theirs = Position.objects.create(
        consultation=consultation,
        section_key=keys[1],
        user=participants[2],
        stance="oppose",
        reason="Too vague.",
        created_at=now,
        updated_at=now,
    )
    PrivateFeedback.objects.create(
        consultation=consultation, user=participants[2], body="Secret worry", created_at=now
    )
    user = role_user[role]
    if user.is_authenticated or role == "inactive":
        client.force_login(user)
    want = expected(role, state)
    got, refused = {}, {}

    r = client.get(url)
    got["view"], refused["view"] = r.status_code == 200, r.status_code == 404

    r = client.post(
        url,
        {"action": "position", "section_key": keys[0], "stance": "support", "reason": "Agreed."},
    )
    mine = Position.objects.filter(consultation=consultation, section_key=keys[0])
    got["take_position"] = r.status_code == 302 and mine.filter(user=user.pk).exists()
    refused["take_position"] = _refused(r) and not mine.exists()
    if got["take_position"]:
        assert r["Location"] == f"{url}#position-{mine.get().pk}"
        assert (mine.get().stance, mine.get().reason) == ("support", "Agreed.")
    elif user.is_active and user.is_authenticated and state in ("closed", "summarised"):
        assert r.status_code == 400
        assert "read-only" in r.content.decode()  # and the page says why

    r = client.post(url, {"action": "reply", "position": theirs.pk, "body": "A reply."})
    replies = Reply.objects.filter(position=theirs)
    got["reply"] = r.status_code == 302 and replies.exists()
    refused["reply"] = _refused(r) and not replies.exists()

    r = client.post(
        url, {"action": "flag", "kind": "position", "item": theirs.pk, "reason": "Rude."}
    )
    flags = Flag.objects.filter(position=theirs)
    got["flag"] = r.status_code == 302 and flags.exists()
    refused["flag"] = _refused(r) and not flags.exists()

    r = client.post(
        url,
        {"action": "moderate", "kind": "position", "item": theirs.pk, "hide": "1", "reason": "x"},
    )
    theirs.refresh_from_db()
    got["moderate"] = r.status_code == 302 and theirs.hidden
    refused["moderate"] = _refused(r) and not theirs.hidden

    r = client.post(f"{url}feedback/", {"body": "Mine, privately."})
    sent = PrivateFeedback.objects.filter(body="Mine, privately.")
    got["give_private_feedback"] = r.status_code == 302 and sent.exists()
    refused["give_private_feedback"] = _refused(r) and not sent.exists()

    r = client.get(f"{url}feedback/")
    shown = "Secret worry" in r.content.decode()
    got["read_private_feedback"] = r.status_code == 200 and shown
    refused["read_private_feedback"] = not shown

    r = client.get(f"/{slug}/consultations/new/")
    got["manage"] = r.status_code == 200 and b'name="title"' in r.content
    refused["manage"] = _refused(r)

    form = {"intro": "We heard you."}
    for key in [*keys, WHOLE_TEXT]:
        form[f"s-{key}-section_key"] = key
        form[f"s-{key}-outcome"] = "accepted" if key == keys[1] else ""
        form[f"s-{key}-text"] = "We rewrote it." if key == keys[1] else ""
    r = client.post(f"{url}summary/edit/", form)
    written = SummarySection.objects.filter(summary__consultation=consultation, section_key=keys[1])
    got["write_summary"] = r.status_code == 302 and written.exists()
    # A facilitator asking too early is sent back to the page with a message instead.
    told_too_early = r.status_code == 302 and r["Location"] == url
    refused["write_summary"] = (_refused(r) or told_too_early) and not written.exists()

    checked = {a: want[a] for a in got}
    assert got == checked
    for action, allowed in checked.items():
        if not allowed:
            assert refused[action], f"{action} was neither done nor cleanly refused"
