"""Who may do what with votes and ratification records: one table of roles × actions, checked
through the predicates in ratification.rules (and the registered permissions), then through the
pages a person would use."""

import pytest
import rules as rules_registry
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import timezone

from ratification import eligibility, rules, services
from ratification.models import Ballot, Choice, Vote
from tests.factories import UserFactory

from .conftest import DAY, close, make_vote

ROLES = ["anonymous", "voter", "ineligible", "facilitator", "scrutineer", "secretary", "admin"]
EVERYONE = frozenset(ROLES)
PARTICIPANTS = EVERYONE - {"anonymous"}
FACILITATORS = frozenset({"facilitator", "admin"})
SCRUTINEERS = frozenset({"scrutineer", "admin"})


@pytest.fixture
def people(facilitator, scrutineer, secretary, superuser):
    return {
        "anonymous": AnonymousUser(),
        "voter": UserFactory(username="vera"),
        "ineligible": UserFactory(username="ian"),
        "facilitator": facilitator,
        "scrutineer": scrutineer,
        "secretary": secretary,
        "admin": superuser,
    }


@pytest.fixture
def vote_in(version, facilitator, people):
    """vote_in(phase): a fresh vote in that phase; "ineligible" is on its exclude list."""

    def build(phase: str) -> Vote:
        excluded = {"exclude_voters": (people["ineligible"],)}
        if phase == "draft":
            return make_vote(version, facilitator, open_it=False, **excluded)
        if phase == "scheduled":
            return make_vote(
                version,
                facilitator,
                opens_at=timezone.now() + DAY,
                closes_at=timezone.now() + 2 * DAY,
                **excluded,
            )
        vote = make_vote(version, facilitator, **excluded)
        if phase == "closed":
            return close(vote)
        if phase == "cancelled":
            return services.cancel_vote(vote=vote, user=facilitator, reason="Wrong text.")
        assert phase == "voting"
        return vote

    return build


# --- the predicates ---------------------------------------------------------------------------


def may_cast(user, vote) -> bool:
    """What a person notices: the rule lets them, and the vote's eligibility does too."""
    return bool(rules.can_cast_ballot(user, vote) and eligibility.check(vote, user).eligible)


ACTIONS = {
    "view": (rules.can_view_vote, "ratification.view_vote"),
    "edit": (rules.can_edit_vote, "ratification.edit_vote"),
    "open": (rules.can_open_vote, "ratification.open_vote"),
    "cancel": (rules.can_cancel_vote, "ratification.cancel_vote"),
    "cast": (rules.can_cast_ballot, "ratification.cast_ballot"),
    "results": (rules.can_see_results, "ratification.see_results"),
    "strike": (rules.can_strike, "ratification.strike_ballot"),
}

VOTE_MATRIX = [
    ("view", "draft", FACILITATORS),
    ("view", "scheduled", EVERYONE),
    ("view", "voting", EVERYONE),
    ("view", "closed", EVERYONE),
    ("view", "cancelled", EVERYONE),
    ("edit", "draft", FACILITATORS),
    ("edit", "scheduled", frozenset()),
    ("edit", "voting", frozenset()),
    ("edit", "closed", frozenset()),
    ("open", "draft", FACILITATORS),
    ("open", "scheduled", frozenset()),
    ("open", "voting", frozenset()),
    ("open", "closed", frozenset()),
    ("cancel", "draft", FACILITATORS),
    ("cancel", "scheduled", FACILITATORS),
    ("cancel", "voting", FACILITATORS),
    ("cancel", "closed", frozenset()),
    ("cancel", "cancelled", frozenset()),
    ("cast", "draft", frozenset()),
    ("cast", "scheduled", frozenset()),
    ("cast", "voting", PARTICIPANTS - {"ineligible"}),
    ("cast", "closed", frozenset()),
    ("cast", "cancelled", frozenset()),
    # Results stay hidden until close from everyone, facilitators and admins included.
    ("results", "draft", frozenset()),
    ("results", "scheduled", frozenset()),
    ("results", "voting", frozenset()),
    ("results", "closed", EVERYONE),
    ("results", "cancelled", frozenset()),
    ("strike", "draft", frozenset()),
    ("strike", "scheduled", frozenset()),
    ("strike", "voting", SCRUTINEERS),
    # Results are published once, at close, and never revised: no strikes after it.
    ("strike", "closed", frozenset()),
    ("strike", "cancelled", frozenset()),
]


@pytest.mark.parametrize(
    ("action", "phase", "allowed"), VOTE_MATRIX, ids=[f"{a}-{p}" for a, p, _ in VOTE_MATRIX]
)
def test_vote_permission_matrix(people, vote_in, action, phase, allowed):
    vote = vote_in(phase)
    assert rules.phase(vote) == phase
    predicate, perm = ACTIONS[action]
    check = may_cast if action == "cast" else predicate
    got = {role: bool(check(user, vote)) for role, user in people.items()}
    assert got == {role: role in allowed for role in ROLES}
    # The registered permission says the same as the predicate (for everyone but the
    # ineligible voter, whose refusal comes from the vote's eligibility, not the role).
    registered = {role: rules_registry.has_perm(perm, user, vote) for role, user in people.items()}
    expected = {role: role in allowed for role in ROLES}
    if action == "cast" and phase == "voting":
        expected["ineligible"] = True
    assert registered == expected


GLOBAL_MATRIX = [
    ("create", rules.can_create_vote, "ratification.create_vote", FACILITATORS),
    (
        "board",
        rules.can_record_board_decision,
        "ratification.record_board_decision",
        FACILITATORS | {"secretary"},
    ),
    (
        "external",
        rules.can_record_external_tally,
        "ratification.record_external_tally",
        FACILITATORS,
    ),
]


@pytest.mark.parametrize(
    ("action", "predicate", "perm", "allowed"), GLOBAL_MATRIX, ids=[a for a, *_ in GLOBAL_MATRIX]
)
def test_global_permission_matrix(people, action, predicate, perm, allowed):
    expected = {role: role in allowed for role in ROLES}
    assert {role: bool(predicate(user)) for role, user in people.items()} == expected
    assert {role: rules_registry.has_perm(perm, u) for role, u in people.items()} == expected


def test_inactive_accounts_have_no_role(vote_in, facilitator):
    vote, draft = vote_in("voting"), vote_in("draft")
    gone = UserFactory(username="gone", is_active=False, is_superuser=True)
    facilitator.is_active = False
    for user in (gone, facilitator):
        assert not rules.can_create_vote(user)
        assert not rules.can_strike(user, vote)
        assert not rules.can_cast_ballot(user, vote)
        assert not rules.can_record_board_decision(user)
        assert not rules.can_view_vote(user, draft)


def test_phase_follows_the_clock(vote_in):
    vote = vote_in("voting")
    assert rules.phase(vote, now=vote.opens_at - DAY) == "scheduled"
    assert rules.phase(vote, now=vote.opens_at) == "voting"
    assert rules.phase(vote, now=vote.closes_at) == "closed"  # closing time is exclusive
    vote.state = Vote.State.CANCELLED
    assert rules.phase(vote, now=vote.opens_at) == "cancelled"


# --- the same table, through the pages ---------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    if user.is_authenticated:
        client.force_login(user)
    return client


def _login_redirect(response, path) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        f"/accounts/login/?next={path}"
    )


def _outcome(response, path) -> str:
    """200, 403, 404, 409, "login" (302 to the sign-in page) or "done" (302 elsewhere)."""
    if _login_redirect(response, path):
        return "login"
    if response.status_code == 302:
        return "done"
    return str(response.status_code)


def _table(**by_role) -> dict:
    default = by_role.pop("default")
    return {role: by_role.get(role, default) for role in ROLES}


HTTP_CASES = {
    "view draft": (
        "draft",
        "get",
        "/votes/{pk}/",
        _table(default="404", facilitator="200", admin="200"),
    ),
    "view voting": ("voting", "get", "/votes/{pk}/", _table(default="200")),
    "view closed": ("closed", "get", "/votes/{pk}/", _table(default="200")),
    "create form": (
        "voting",
        "get",
        "/baseline/ratification/votes/new/",
        _table(default="403", anonymous="login", facilitator="200", admin="200"),
    ),
    "edit draft": (
        "draft",
        "get",
        "/votes/{pk}/edit/",
        _table(default="404", facilitator="200", admin="200"),
    ),
    "open draft, asking first": (
        "draft",
        "get",
        "/votes/{pk}/open/",
        _table(default="404", facilitator="200", admin="200"),
    ),
    "open draft": (
        "draft",
        "post",
        "/votes/{pk}/open/",
        _table(default="404", facilitator="done", admin="done"),
    ),
    "cancel voting, asking first": (
        "voting",
        "get",
        "/votes/{pk}/cancel/",
        _table(default="403", anonymous="login", facilitator="200", admin="200"),
    ),
    "cancel closed, asking first": (
        "closed",
        "get",
        "/votes/{pk}/cancel/",
        _table(default="403", anonymous="login"),
    ),
    "cancel voting": (
        "voting",
        "post",
        "/votes/{pk}/cancel/",
        _table(default="403", anonymous="login", facilitator="done", admin="done"),
    ),
    "cancel closed": (
        "closed",
        "post",
        "/votes/{pk}/cancel/",
        _table(default="403", anonymous="login"),
    ),
    "cast scheduled": (
        "scheduled",
        "post",
        "/votes/{pk}/ballot/",
        _table(default="409", anonymous="login"),
    ),
    "cast voting": (
        "voting",
        "post",
        "/votes/{pk}/ballot/",
        _table(default="done", anonymous="login", ineligible="403"),
    ),
    "cast closed": (
        "closed",
        "post",
        "/votes/{pk}/ballot/",
        _table(default="409", anonymous="login"),
    ),
    "results voting": ("voting", "get", "/votes/{pk}/results/", _table(default="403")),
    "results json voting": ("voting", "get", "/votes/{pk}/results.json", _table(default="403")),
    "results closed": ("closed", "get", "/votes/{pk}/results/", _table(default="200")),
    "results cancelled": ("cancelled", "get", "/votes/{pk}/results/", _table(default="403")),
    "strike voting": (
        "voting",
        "post",
        "/votes/{pk}/strike/",
        _table(default="403", anonymous="login", scrutineer="done", admin="done"),
    ),
    "strike closed": (
        "closed",
        "post",
        "/votes/{pk}/strike/",
        _table(default="403", anonymous="login"),
    ),
    "strike draft": (
        "draft",
        "post",
        "/votes/{pk}/strike/",
        _table(default="404", facilitator="403", admin="403"),
    ),
    "record board decision": (
        "voting",
        "get",
        "/baseline/ratification/{number}/board/new/",
        _table(default="403", anonymous="login", facilitator="200", secretary="200", admin="200"),
    ),
    "record external tally": (
        "voting",
        "get",
        "/baseline/ratification/{number}/external/new/",
        _table(default="403", anonymous="login", facilitator="200", admin="200"),
    ),
}


@pytest.mark.parametrize("case", list(HTTP_CASES))
def test_pages_enforce_the_matrix(case, people, vote_in, version):
    phase, method, template, expected = HTTP_CASES[case]
    got = {}
    for role, user in people.items():
        target = None
        data = {}
        if case.startswith("strike") and phase in ("voting", "closed"):
            vote = vote_in("voting")
            target, _ = services.cast_ballot(vote=vote, user=UserFactory(), option="no")
            if phase == "closed":
                vote = close(vote)
            data = {"ballot": target.pk, "reason": "Sock puppet."}
        else:
            vote = vote_in(phase)  # a fresh vote each time: some requests change it
        if case == "strike draft":
            # Refused before the ballot is looked up, so any number will do.
            data = {"ballot": 1, "reason": "Sock puppet."}
        elif case.startswith("cast"):
            data = {"option": "yes"}
        elif case.startswith("cancel"):
            data = {"reason": "Wrong text."}
        path = template.format(pk=vote.pk, number=version.number)
        client = _client(user)
        response = client.post(path, data) if method == "post" else client.get(path)
        got[role] = _outcome(response, path)
        # What a refused request leaves behind: nothing.
        vote.refresh_from_db()
        if got[role] != "done":  # refused, or only asked (a confirmation page changes nothing)
            if case.startswith("cast"):
                assert not Ballot.objects.filter(vote=vote).exists(), (case, role)
                assert not Choice.objects.filter(vote=vote).exists(), (case, role)
            if target is not None:
                target.refresh_from_db()
                assert not target.struck, (case, role)
            if case.startswith("cancel") or case.startswith("open"):
                assert vote.state == {"draft": "draft", "closed": "closed"}.get(phase, "open")
        elif got[role] == "done":
            if case.startswith("cancel"):
                assert vote.state == Vote.State.CANCELLED
            if case.startswith("open"):
                assert vote.state == Vote.State.OPEN and vote.frozen_at is not None
            if case.startswith("strike"):
                target.refresh_from_db()
                assert target.struck and target.struck_reason == "Sock puppet."
            if case == "cast voting":
                assert Ballot.objects.filter(vote=vote, voter=user).count() == 1
    assert got == expected
