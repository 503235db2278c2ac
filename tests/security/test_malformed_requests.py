"""Malformed and oversized requests to every form, action and API endpoint: a 4xx (or the
documented 200 form page with its errors, or a redirect to sign in), never a 500.

Every endpoint gets the same battery, generated from its fields: nothing, wrong types, numbers
past 64 bits, negative numbers, NUL bytes, repeated values, each field 1 MB in turn, a 3 MB
body, unknown ids, non-UTF-8 bytes (url-encoded and multipart), broken multipart, JSON where a
form is expected, the wrong HTTP methods, no CSRF token, and no session. The endpoint list is
checked against the URL configuration, so a new view without an entry here fails the suite.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from amendments import services as amendment_services
from communities import services as community_services
from consultations import services as consultation_services
from consultations.models import WHOLE_TEXT
from ratification import services as vote_services
from ratification.models import Ballot
from tests.factories import EditorFactory, UserFactory, make_policy

# Marked so pytest-django runs these with the other non-transactional tests, before any
# transactional test empties the database (the module fixtures build on migration data).
pytestmark = pytest.mark.django_db

HUGE = "x" * 1_000_000
HUGE_BODY = "x" * 3_000_000  # over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)
BIG = "9" * 30
UNKNOWN_ID = "987654321"
# 200: the form again, with its errors (the documented behaviour of the form pages).
# 302: to sign in, or back to the page with an error message. 409: a state conflict.
ALLOWED = {200, 302, 400, 401, 403, 404, 405, 409, 413, 415, 429}

# (endpoint, variant) -> why, for a server error known and not fixed yet. Anything else that
# fails is a new bug.
KNOWN_500: dict = {}  # every server error this file found has been fixed

SLUG = "baseline"
FACILITATOR = "fran"
PARTICIPANT = "kim"
DELEGATE = "dana"


# --- the data every endpoint acts on ------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


def _build_world() -> dict:
    now = timezone.now().replace(microsecond=0)
    fran = EditorFactory(username=FACILITATOR)
    fran.groups.add(*Group.objects.filter(name__in=["Facilitators", "Scrutineers"]))
    kim = UserFactory(username=PARTICIPANT)
    dana = UserFactory(username=DELEGATE)
    voters = [UserFactory(username=f"voter{i}") for i in range(3)]
    policy = make_policy(editor=fran, slug=SLUG, n_sections=3, n_versions=2)
    v1, v2 = policy.versions.order_by("number")
    keys = [s.key for s in v2.sections.all()]

    # An open consultation with a position, a reply and a proposed amendment; a closed one for
    # the summary; an earlier one on version 1, so the carry-over form has something to carry.
    earlier = consultation_services.create_consultation(
        version=v1, user=fran, title="Earlier", closes_at=now + dt.timedelta(days=9), open_now=True
    )
    consultation_services.take_position(
        consultation=earlier, section_key=keys[2], user=kim, stance="support"
    )
    consultation = consultation_services.create_consultation(
        version=v2, user=fran, title="Open", closes_at=now + dt.timedelta(days=9), open_now=True
    )
    position = consultation_services.take_position(
        consultation=consultation, section_key=keys[0], user=kim, stance="oppose", reason="No."
    )
    reply = consultation_services.add_reply(position=position, user=fran, body="Why?")
    amendment = amendment_services.propose_amendment(
        consultation=consultation,
        user=kim,
        section_key=keys[1],
        kind="replace",
        text="Better words.",
        rationale="Clearer.",
    )
    accepted = amendment_services.propose_amendment(
        consultation=consultation,
        user=kim,
        section_key=keys[0],
        kind="replace",
        text="Accepted words.",
        rationale="Clearer.",
    )
    amendment_services.decide_amendment(
        amendment=accepted, user=fran, state="accepted", reason="Yes."
    )
    closed = consultation_services.create_consultation(
        version=v2, user=fran, title="Closed", closes_at=now + dt.timedelta(days=9), open_now=True
    )
    consultation_services.close_consultation(consultation=closed, user=fran, note="Done.")

    community, _ = community_services.save_community(
        user=fran, name="Alder Wiki", slug="alder", kind="wiki", delegates=[dana]
    )
    adoption = community_services.declare_adoption(
        community=community, policy=policy, user=fran, status="adopted", version=v1
    )
    community_services.set_override(
        adoption=adoption, section_key=keys[0], user=fran, action="omit", rationale="Local."
    )
    equivalent, _ = community_services.save_community(
        user=fran, name="Birch", slug="birch", delegates=[dana]
    )
    community_services.declare_adoption(
        community=equivalent,
        policy=policy,
        user=fran,
        status="own_equivalent",
        equivalent_title="Ours",
        equivalent_url="https://example.org/ours",
    )
    for voter in voters:
        community_services.save_membership(community=community, member=voter, user=fran)

    def config(**extra):
        return vote_services.VoteSettings(
            question="Ratify?",
            opens_at=extra.pop("opens", now - dt.timedelta(hours=1)),
            closes_at=extra.pop("closes", now + dt.timedelta(days=7)),
            **extra,
        )

    draft = vote_services.create_vote(version=v2, user=fran, config=config())
    open_vote = vote_services.create_vote(version=v2, user=fran, config=config())
    open_vote = vote_services.open_vote(vote=open_vote, user=fran)
    vote_services.cast_ballot(vote=open_vote, user=voters[0], option="yes")
    past = vote_services.create_vote(
        version=v2,
        user=fran,
        config=config(opens=now - dt.timedelta(days=3), closes=now - dt.timedelta(days=1)),
        now=now - dt.timedelta(days=4),
    )
    past = vote_services.open_vote(vote=past, user=fran, now=now - dt.timedelta(days=3))
    vote_services.cast_ballot(
        vote=past, user=voters[1], option="no", now=now - dt.timedelta(days=2)
    )
    past = vote_services.close_vote(vote=past, now=now)
    return {
        "policy": policy,
        "keys": keys,
        "consultation": consultation,
        "closed": closed,
        "position": position,
        "reply": reply,
        "amendment": amendment,
        "accepted": accepted,
        "community": community,
        "equivalent": equivalent,
        "draft": draft,
        "open_vote": open_vote,
        "past": past,
        "ballot": Ballot.objects.get(vote=open_vote),
        "community_ids": [community.pk],
    }


# --- endpoints ------------------------------------------------------------------------------------


@dataclass
class Endpoint:
    url: str
    role: str | None  # who may use it (None: anyone)
    fields: dict = field(default_factory=dict)  # a valid-looking value for each field
    fixed: dict = field(default_factory=dict)  # sent as is in every variant (e.g. action)
    ids: tuple = ()  # fields holding ids of rows
    methods: tuple = ("POST",)  # what the view accepts besides GET/HEAD
    get: bool = True  # GET shows a page
    multipart: bool = False


def _consultation_action(w, action, role, fields, ids=()):
    c = w["consultation"]
    return Endpoint(f"/{SLUG}/consultations/{c.pk}/", role, fields, {"action": action}, ids=ids)


def _vote_form(w) -> dict:
    now = timezone.now()
    return {
        "version": "2",
        "question": "Ratify?",
        "description": "",
        "options": "Yes = for\nNo = against",
        "opens_at": (now + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + dt.timedelta(days=8)).strftime("%Y-%m-%dT%H:%M"),
        "secret": "on",
        "threshold_numerator": "2",
        "threshold_denominator": "3",
        "quorum_ballots": "0",
        "quorum_communities": "0",
        "breakdown_min_group": "10",
        "registered_before": "",
        "min_contributions": "0",
        "min_community_edits": "0",
        "eligible_communities": str(w["community"].pk),
        "exclude_blocked": "on",
        "include_voters": "",
        "exclude_voters": "",
    }


ENDPOINTS = {
    # consultations: the page's actions, each its own form
    "consultation position": lambda w: _consultation_action(
        w,
        "position",
        PARTICIPANT,
        {"section_key": w["keys"][2], "stance": "oppose", "strength": "", "reason": "r"},
    ),
    "consultation reply": lambda w: _consultation_action(
        w,
        "reply",
        PARTICIPANT,
        {"position": w["position"].pk, "parent": w["reply"].pk, "body": "b"},
        ids=("position", "parent"),
    ),
    "consultation flag": lambda w: _consultation_action(
        w,
        "flag",
        PARTICIPANT,
        {"kind": "reply", "item": w["reply"].pk, "reason": "r"},
        ids=("item",),
    ),
    "consultation moderate": lambda w: _consultation_action(
        w,
        "moderate",
        FACILITATOR,
        {"kind": "reply", "item": w["reply"].pk, "hide": "1", "reason": "r"},
        ids=("item",),
    ),
    "consultation carry": lambda w: _consultation_action(
        w, "carry", PARTICIPANT, {"section_key": w["keys"][2]}
    ),
    "consultation amend": lambda w: _consultation_action(
        w,
        "amend",
        PARTICIPANT,
        {
            "section_key": w["keys"][2],
            "kind": "insert",
            "heading": "h",
            "text": "t",
            "rationale": "r",
        },
    ),
    "amendment propose page": lambda w: Endpoint(
        f"/{SLUG}/consultations/{w['consultation'].pk}/sections/{w['keys'][2]}/propose/",
        PARTICIPANT,
        {"section_key": w["keys"][2], "kind": "replace", "text": "t", "rationale": "r"},
        {"action": "amend"},
    ),
    "consultation amend_revise": lambda w: _consultation_action(
        w,
        "amend_revise",
        PARTICIPANT,
        {
            "amendment": w["amendment"].pk,
            "section_key": w["keys"][1],
            "kind": "replace",
            "heading": "",
            "text": "Other words.",
            "rationale": "r",
        },
        ids=("amendment",),
    ),
    "consultation amend_withdraw": lambda w: _consultation_action(
        w, "amend_withdraw", PARTICIPANT, {"amendment": w["amendment"].pk}, ids=("amendment",)
    ),
    "consultation amend_decide": lambda w: _consultation_action(
        w,
        "amend_decide",
        FACILITATOR,
        {"amendment": w["amendment"].pk, "state": "rejected", "reason": "r"},
        ids=("amendment",),
    ),
    "consultation unknown action": lambda w: _consultation_action(
        w, "drop-tables", PARTICIPANT, {"x": "y"}
    ),
    "consultation state": lambda w: Endpoint(
        f"/{SLUG}/consultations/{w['consultation'].pk}/state/",
        FACILITATOR,
        {"to": "closed", "note": "n"},
    ),
    "consultation summary publish": lambda w: Endpoint(
        f"/{SLUG}/consultations/{w['closed'].pk}/summary/publish/", FACILITATOR, {}
    ),
    "consultation feedback": lambda w: Endpoint(
        f"/{SLUG}/consultations/{w['consultation'].pk}/feedback/",
        PARTICIPANT,
        {"section_key": w["keys"][0], "body": "b"},
    ),
    "consultation summary edit": lambda w: Endpoint(
        f"/{SLUG}/consultations/{w['closed'].pk}/summary/edit/",
        FACILITATOR,
        {
            "intro": "i",
            **{f"s-{k}-section_key": k for k in [*w["keys"], WHOLE_TEXT]},
            f"s-{w['keys'][0]}-outcome": "partly",
            f"s-{w['keys'][0]}-text": "t",
            f"s-{w['keys'][0]}-cited": "1",
        },
        ids=(f"s-{w['keys'][0]}-cited",),
    ),
    "consultation merge apply": lambda w: Endpoint(
        f"/{SLUG}/consultations/{w['consultation'].pk}/merge/",
        FACILITATOR,
        {"amendment": w["accepted"].pk},
        {"action": "apply"},
        ids=("amendment",),
    ),
    "consultation merge publish": lambda w: Endpoint(
        f"/{SLUG}/consultations/{w['consultation'].pk}/merge/",
        FACILITATOR,
        {"summary": "s"},
        {"action": "publish"},
    ),
    "consultation create": lambda w: Endpoint(
        f"/{SLUG}/consultations/new/",
        FACILITATOR,
        {
            "version": "2",
            "title": "t",
            "description": "d",
            "opens_at": "2030-01-01T10:00",
            "closes_at": "2030-02-01T10:00",
            "open_now": "on",
        },
    ),
    # communities
    "community declare": lambda w: Endpoint(
        f"/communities/alder/{SLUG}/declare/",
        DELEGATE,
        {
            "status": "adopted",
            "version": "2",
            "decided_on": "2024-01-01",
            "evidence_url": "https://example.org/e",
            "rationale": "r",
            "enforcement_body": "e",
            "report_contact": "c",
            "appeal_process": "a",
            "equivalent_title": "",
            "equivalent_url": "",
            "param_0": "x",
        },
    ),
    "community override": lambda w: Endpoint(
        f"/communities/alder/{SLUG}/override/",
        DELEGATE,
        {"section_key": w["keys"][1], "action": "replace", "text": "t", "rationale": "r"},
    ),
    "community override remove": lambda w: Endpoint(
        f"/communities/alder/{SLUG}/override/", DELEGATE, {"remove": w["keys"][0]}
    ),
    "community rebase": lambda w: Endpoint(
        f"/communities/alder/{SLUG}/rebase/{w['keys'][0]}/",
        DELEGATE,
        {"action": "replace", "text": "t"},
    ),
    "community upgrade": lambda w: Endpoint(
        f"/communities/alder/{SLUG}/upgrade/", DELEGATE, {"version": "2"}, get=False
    ),
    "community mapping": lambda w: Endpoint(
        f"/communities/birch/{SLUG}/mapping/",
        DELEGATE,
        {f"m-{k}-coverage": "covered" for k in w["keys"]} | {f"m-{k}-note": "n" for k in w["keys"]},
    ),
    # The wiki round trip: alder names no wiki, so nothing here reaches a network.
    "community wiki publish": lambda w: Endpoint(
        f"/communities/alder/{SLUG}/wiki/publish/",
        DELEGATE,
        {"page_title": "Project:Code", "source": "effective", "lookup": "1"},
    ),
    "community wiki acknowledge": lambda w: Endpoint(
        f"/communities/alder/{SLUG}/wiki/acknowledge/",
        DELEGATE,
        {"revision": "1001", "note": "Agreed."},
        get=False,
    ),
    "registry: community add": lambda w: Endpoint(
        "/admin/snippets/communities/community/add/",
        FACILITATOR,
        {"name": "n", "slug": "new-one", "kind": "wiki", "language": "en", "url": ""},
    ),
    "registry: community edit": lambda w: Endpoint(
        f"/admin/snippets/communities/community/edit/{w['community'].pk}/",
        FACILITATOR,
        {"name": "n", "slug": "alder", "kind": "wiki", "language": "en", "url": ""},
    ),
    "registry: membership add": lambda w: Endpoint(
        "/admin/snippets/communities/membership/add/",
        FACILITATOR,
        {
            "community": w["community"].pk,
            "user": get_user_model().objects.get(username=PARTICIPANT).pk,
            "edit_count": "3",
            "registered_on": "2020-01-01",
        },
        ids=("community", "user"),
    ),
    # ratification
    "vote new": lambda w: Endpoint(f"/{SLUG}/ratification/votes/new/", FACILITATOR, _vote_form(w)),
    "vote edit": lambda w: Endpoint(
        f"/votes/{w['draft'].pk}/edit/", FACILITATOR, _vote_form(w), ids=("eligible_communities",)
    ),
    "vote edit (frozen)": lambda w: Endpoint(
        f"/votes/{w['open_vote'].pk}/edit/", FACILITATOR, _vote_form(w)
    ),
    "vote open": lambda w: Endpoint(f"/votes/{w['draft'].pk}/open/", FACILITATOR, {}),
    "vote cancel": lambda w: Endpoint(
        f"/votes/{w['open_vote'].pk}/cancel/", FACILITATOR, {"reason": "r"}
    ),
    "vote ballot": lambda w: Endpoint(
        f"/votes/{w['open_vote'].pk}/ballot/",
        "voter1",
        {"option": "yes", "community": w["community"].pk},
        ids=("community",),
        get=False,
    ),
    "vote receipt": lambda w: Endpoint(
        f"/votes/{w['past'].pk}/receipt/", None, {"receipt": "A" * 24}
    ),
    "vote strike": lambda w: Endpoint(
        f"/votes/{w['open_vote'].pk}/strike/",
        FACILITATOR,
        {"ballot": w["ballot"].pk, "reason": "r"},
        ids=("ballot",),
        get=False,
    ),
    "board decision": lambda w: Endpoint(
        f"/{SLUG}/ratification/2/board/new/",
        FACILITATOR,
        {
            "body": "Board",
            "decided_on": "2024-01-01",
            "outcome": "ratified",
            "minutes_url": "https://example.org/m",
            "note": "n",
        },
    ),
    "external tally": lambda w: Endpoint(
        f"/{SLUG}/ratification/2/external/new/",
        FACILITATOR,
        {
            "title": "t",
            "community": w["community"].pk,
            "held_until": "2024-01-01",
            "votes_for": "1",
            "votes_against": "1",
            "votes_abstain": "0",
            "outcome": "passed",
            "source_url": "https://example.org/s",
            "note": "n",
        },
        ids=("community",),
    ),
    # policies and the site
    "policy import (admin)": lambda w: Endpoint(
        "/admin/policies/import/",
        FACILITATOR,
        {"slug": SLUG, "title": "", "label": "3", "summary": "s", "level": "2"},
        multipart=True,
    ),
    "translation upload": lambda w: Endpoint(
        f"/{SLUG}/translations/upload/",
        FACILITATOR,
        {"language": "de", "version": "1", "note": "n"},
        multipart=True,
        get=False,
    ),
    "login": lambda w: Endpoint(
        "/accounts/login/", None, {"login": PARTICIPANT, "password": "wrong", "next": "/"}
    ),
    # accounts: deleting one's account (typed confirmation), refreshing an identity's activity
    "account delete": lambda w: Endpoint("/accounts/delete/", PARTICIPANT, {"confirm": "nobody"}),
    "account refresh": lambda w: Endpoint(
        f"/accounts/profile/identities/{_identity(PARTICIPANT)}/refresh/",
        PARTICIPANT,
        {"next": "/votes/"},
        get=False,
    ),
    "logout": lambda w: Endpoint("/accounts/logout/", PARTICIPANT, {}, get=False),
    # The language switcher: anyone may post, whatever the language and next page say.
    "set language": lambda w: Endpoint(
        "/i18n/setlang/", None, {"language": "de", "next": "/communities/"}, get=False
    ),
}


def _identity(username) -> int:
    """A linked identity of `username` from a provider with no wiki to ask (no network)."""
    from allauth.socialaccount.models import SocialAccount

    user = get_user_model().objects.get(username=username)
    account, _ = SocialAccount.objects.get_or_create(
        user=user, provider="example-sso", uid=f"sso-{user.pk}"
    )
    return account.pk


def _client(role, *, csrf=False) -> Client:
    client = Client(enforce_csrf_checks=csrf, raise_request_exception=False)
    if role:
        client.force_login(get_user_model().objects.get(username=role))
    return client


def _multipart(fields: dict, raw: bytes = b"") -> tuple[bytes, str]:
    boundary = "accordboundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    if raw:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="p.md"\r\nContent-Type: text/markdown\r\n\r\n'.encode()
            + raw
            + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _variants(endpoint: Endpoint):
    """(label, role, method, data or (body, content type), csrf) for every malformed request."""
    fixed, fields, role = endpoint.fixed, endpoint.fields, endpoint.role

    def form(**overrides):
        return {**fields, **overrides, **fixed}

    every = list(fields)
    yield "no fields", role, "POST", dict(fixed), False
    yield "wrong types", role, "POST", {**{k: "¿not this?" for k in every}, **fixed}, False
    yield "numbers past 64 bits", role, "POST", {**{k: BIG for k in every}, **fixed}, False
    yield "negative numbers", role, "POST", {**{k: "-1" for k in every}, **fixed}, False
    yield "NUL bytes", role, "POST", {**{k: "a\x00b" for k in every}, **fixed}, False
    yield "repeated values", role, "POST", {**{k: ["1", "2"] for k in every}, **fixed}, False
    for name in every:
        yield f"{name} is 1 MB", role, "POST", form(**{name: HUGE}), False
    yield "3 MB body", role, "POST", form(**{(every or ["padding"])[0]: HUGE_BODY}), False
    for name in endpoint.ids:
        yield f"unknown {name}", role, "POST", form(**{name: UNKNOWN_ID}), False
        yield f"{name} past 64 bits", role, "POST", form(**{name: BIG}), False
    encoded = "&".join(f"{k}={v}" for k, v in {**fields, **fixed}.items()).encode()
    broken = encoded + b"&" + (every or ["x"])[0].encode() + b"=\xff\xfe\xfa"
    yield (
        "non-UTF-8 url-encoded",
        role,
        "POST",
        (broken, "application/x-www-form-urlencoded"),
        False,
    )
    body, content_type = _multipart({k: v for k, v in form().items()})
    yield (
        "non-UTF-8 multipart",
        role,
        "POST",
        (body.replace(b"\r\n\r\n", b"\r\n\r\n\xff\xfe", 1), content_type),
        False,
    )
    yield "broken multipart", role, "POST", (b"--zzz\r\ngarbage", content_type), False
    yield "multipart without boundary", role, "POST", (b"--x\r\n", "multipart/form-data"), False
    yield "JSON body", role, "POST", (json.dumps(form()).encode()[:-1], "application/json"), False
    yield "PUT", role, "PUT", form(), False
    yield "DELETE", role, "DELETE", form(), False
    if not endpoint.get:
        yield "GET on POST-only", role, "GET", None, False
    if role:
        yield "anonymous", None, "POST", form(), False
        yield "no CSRF token", role, "POST", form(), True


def _send(client, method, url, data):
    if method == "GET":
        return client.get(url)
    if isinstance(data, tuple):
        body, content_type = data
        return client.generic(method, url, body, content_type=content_type)
    if method == "POST":
        return client.post(url, data)
    from urllib.parse import urlencode

    return client.generic(
        method,
        url,
        urlencode(data, doseq=True),
        content_type="application/x-www-form-urlencoded",
    )


@pytest.mark.parametrize("name", ENDPOINTS)
def test_malformed_posts_never_fail(world, db, name):
    endpoint = ENDPOINTS[name](world)
    outcomes = {}
    for label, role, method, data, csrf in _variants(endpoint):
        cache.clear()  # rate limits: each request is judged on its own
        if endpoint.multipart and method == "POST" and isinstance(data, dict):
            body, content_type = _multipart(data, raw=b"# T\n\n## S\n\n\xff\xfe not UTF-8")
            data = (body, content_type)
        # Each request starts from the same data: one that succeeds (cancelling the vote, say)
        # must not turn the next ones into "already cancelled".
        with transaction.atomic():
            response = _send(_client(role, csrf=csrf), method, endpoint.url, data)
            transaction.set_rollback(True)
        outcomes[label] = response.status_code
        if label == "anonymous" and response.status_code == 302 and name != "logout":
            assert "/login/" in response["Location"], (label, response["Location"])
        if label == "no CSRF token":
            assert response.status_code == 403, label
        wagtail_or_auth = endpoint.url.startswith(("/admin/", "/accounts/"))
        if label in ("PUT", "DELETE", "GET on POST-only") and not wagtail_or_auth:
            assert response.status_code in (302, 404, 405), (label, response.status_code)
    server_errors = {
        label: s for label, s in outcomes.items() if s >= 500 and (name, label) not in KNOWN_500
    }
    assert server_errors == {}, (name, endpoint.url)
    odd = {label: s for label, s in outcomes.items() if s not in ALLOWED | {500}}
    assert odd == {}, (name, endpoint.url)


# --- GET: hostile query strings and ids -----------------------------------------------------------


def _get_urls(w) -> list[str]:
    c, v = w["consultation"].pk, w["past"].pk
    huge = BIG
    return [
        f"/{SLUG}/consultations/{c}/?page=abc&sort=%00&stance=maybe&section=" + "k" * 5000,
        f"/{SLUG}/consultations/{c}/?page={huge}&section=amendment-{huge}",
        f"/{SLUG}/consultations/{c}/?section=amendment-abc&page=-5",
        f"/{SLUG}/consultations/{c}/feedback/?section=%ff%fe",
        f"/{SLUG}/consultations/{c}/sections/{'k' * 500}/positions/?page=abc&stance=%00",
        f"/{SLUG}/consultations/{c}/sections/__whole__/positions/?page={huge}&sort=%ff",
        f"/{SLUG}/consultations/{huge}/",
        f"/{SLUG}/consultations/{huge}/summary/",
        f"/{SLUG}/consultations/{huge}/export.json",
        f"/{SLUG}/consultations/{UNKNOWN_ID}/moderation/",
        f"/no-such-policy/consultations/{c}/",
        f"/{SLUG}/compare/?a=abc&b={huge}",
        f"/{SLUG}/compare/?a={huge}&b=1",
        f"/{SLUG}/compare/1/{huge}/",
        f"/{SLUG}/compare/{huge}/2/?view=%00",
        f"/{SLUG}/versions/{huge}/",
        f"/{SLUG}/versions/{huge}/markdown/",
        f"/{SLUG}/versions/{UNKNOWN_ID}/wikitext/",
        f"/{SLUG}/ratification/{huge}/",
        f"/{SLUG}/ratification/{huge}/board/new/",
        f"/votes/{huge}/",
        f"/votes/{huge}/results.json",
        f"/votes/{huge}/ballots.json",
        f"/votes/{UNKNOWN_ID}/ballots.csv",
        f"/votes/{UNKNOWN_ID}/voters/",
        f"/votes/{v}/results/?x=%ff",
        "/communities/?q=" + "x" * 100_000 + "&language=%00&kind=zzz&status=zzz&policy=%ff",
        "/communities/no-such/",
        f"/communities/alder/{SLUG}/effective.exe",
        "/communities/alder/no-such/effective/",
        "/adoption/?policy=%00&sort=" + "z" * 5000,
        "/adoption/export.json?policy=no-such",
        "/adoption/badge/no-such/no-such.svg",
        "/search/?q=" + "x" * 100_000,
        "/search/?q=a&version=" + huge + "&consultation=" + huge + "&policy=%00&kind=zzz",
        "/search/?phrase=%ff%fe&community=" + "x" * 500,
        "/feeds/policies/no-such/versions/",
        "/feeds/policies/no-such/translations/",
        f"/{SLUG}/translations/zz-no-such/",
        f"/{SLUG}/translations/%00/",
        "/accounts/login/?next=" + "x" * 10_000,
        # NUL bytes: PostgreSQL refuses them in any string it is sent.
        f"/{SLUG}/consultations/{c}/?section=%00&stance=%00&sort=%00&page=%00",
        f"/{SLUG}/consultations/{c}/?section=amendment-%00",
        f"/{SLUG}/consultations/{c}/feedback/?section=%00",
        f"/communities/alder/{SLUG}/override/?section=%00",
        "/communities/?q=%00&language=%00&kind=%00&status=%00&policy=%00",
        "/adoption/?policy=%00&sort=%00",
        "/adoption/export.csv?policy=%00",
        "/search/?q=%00&phrase=%00a%00b%00c&language=%00&community=%00&policy=%00&kind=%00",
        "/search/?q=a%00b",
        "/accounts/login/?next=%00",
        f"/{SLUG}/compare/?a=%00&b=1",
    ]


def test_hostile_query_strings_and_ids_never_fail(world, db):
    client = _client(FACILITATOR)
    anonymous = _client(None)
    outcomes = {}
    for url in _get_urls(world):
        for who, c in (("facilitator", client), ("anonymous", anonymous)):
            outcomes[(url[:90], who)] = c.get(url).status_code
    server_errors = {k: s for k, s in outcomes.items() if s >= 500}
    assert server_errors == {}
    assert {s for s in outcomes.values()} <= ALLOWED | {301}


# --- the REST API ---------------------------------------------------------------------------------

WRITE_METHODS = ("post", "put", "patch", "delete")


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _api_patterns():
    return [
        (route, p) for route, p in _walk(get_resolver().url_patterns) if route.startswith("api/v1/")
    ]


def _api_url(route: str, w, *, unknown=False) -> str | None:
    import re

    if route.startswith("api/v1/^"):
        return None  # the catch-all
    values = {
        "consultations": str(w["consultation"].pk),
        "votes": str(w["open_vote"].pk),
        "communities": w["community"].slug,
        "policies": SLUG,
    }
    collection = route.split("/")[2]

    def value(match):
        name = match.group(2)
        if unknown:
            return "no-such" if match.group(1) == "slug" else UNKNOWN_ID
        if name in ("slug", "pk"):
            return values.get(collection, "1")
        if name == "key":
            return w["keys"][0]
        return "1"

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


def test_api_write_endpoints_refuse_malformed_requests(world, db):
    patterns = _api_patterns()
    if not patterns:
        pytest.skip("no REST API under /api/v1/ yet")
    writable = []
    for route, pattern in patterns:
        view = getattr(pattern.callback, "cls", None)
        methods = [m for m in WRITE_METHODS if view is not None and hasattr(view, m)]
        if methods and not route.startswith("api/v1/^"):
            writable.append((route, methods))
    assert writable, "the API has no write endpoint to test"
    bodies = {
        "broken JSON": (b'{"stance": ', "application/json"),
        "a JSON list": (b"[1, 2]", "application/json"),
        "a JSON string": (b'"x"', "application/json"),
        "wrong types": (
            json.dumps(
                {"section_key": [1], "stance": 5, "policy": {}, "status": None, "version": "x"}
            ).encode(),
            "application/json",
        ),
        "numbers past 64 bits": (
            json.dumps({"version": int(BIG), "stance": BIG}).encode(),
            "application/json",
        ),
        "NUL bytes": (
            json.dumps({"section_key": "a\x00b", "policy": "a\x00b", "reason": "\x00"}).encode(),
            "application/json",
        ),
        "huge field": (
            json.dumps({"section_key": "x", "stance": "oppose", "reason": HUGE}).encode(),
            "application/json",
        ),
        "non-UTF-8": (b'{"reason": "\xff\xfe"}', "application/json"),
        "form encoded": (b"stance=support", "application/x-www-form-urlencoded"),
        "XML": (b"<a/>", "application/xml"),
        "no body": (b"", "application/json"),
    }
    outcomes = {}
    fran = _client(FACILITATOR)
    kim = _client(PARTICIPANT)
    anonymous = _client(None)
    for route, methods in writable:
        url = _api_url(route, world)
        for method in [m.upper() for m in methods] + ["PUT", "PATCH", "DELETE"]:
            for label, (body, content_type) in bodies.items():
                for who, client in (("fran", fran), ("kim", kim), ("anonymous", anonymous)):
                    cache.clear()
                    response = client.generic(method, url, body, content_type=content_type)
                    outcomes[(route, method, label, who)] = response.status_code
        cache.clear()
        unknown = _api_url(route, world, unknown=True)
        response = fran.generic("POST", unknown, b'{"stance": "support"}', "application/json")
        outcomes[(route, "POST", "unknown id", "fran")] = response.status_code
        assert response.status_code in (400, 404), (unknown, response.status_code)
        response = anonymous.post(url, b"{}", content_type="application/json")
        assert response.status_code in (401, 403), (url, response.status_code)
    server_errors = {k: s for k, s in outcomes.items() if s >= 500}
    assert server_errors == {}
    odd = {k: s for k, s in outcomes.items() if not 400 <= s < 500}
    assert odd == {}


def test_api_reads_refuse_hostile_query_strings(world, db):
    patterns = _api_patterns()
    if not patterns:
        pytest.skip("no REST API under /api/v1/ yet")
    client = _client(None)
    outcomes = {}
    hostile = "?page=abc&page_size=" + BIG + "&q=%00&version=" + BIG + "&id=-1&ordering=zzz"
    for route, _pattern in patterns:
        for unknown in (False, True):
            url = _api_url(route, world, unknown=unknown)
            if url is None:
                continue
            cache.clear()
            outcomes[(url, "hostile")] = client.get(url + hostile).status_code
    server_errors = {k: s for k, s in outcomes.items() if s >= 500}
    assert server_errors == {}


# --- nothing is left out -------------------------------------------------------------------------

# Read-only pages and downloads: checked by test_hostile_query_strings_and_ids_never_fail and
# tests/security/test_escaping.py, and they take no body.
READ_ONLY = {
    "health",
    "search",
    "feed_versions",
    "feed_policy_versions",
    "feed_policy_translations",
    "feed_summaries",
    "feed_adoption",
    "feed_votes",
    "list",
    "detail",
    "section_positions",
    "moderation",
    "summary",
    "export_csv",
    "export_json",
    "effective",
    "effective_download",
    "dashboard",
    "badge",
    "votes",
    "vote",
    "ballot_recorded",
    "eligibility",
    "results",
    "results_json",
    "results_csv",
    "ballots_json",
    "ballots_csv",
    "voters",
    "voters_json",
    "voters_csv",
    "log",  # also the transparency log's /log/
    "jsonl",  # /log.jsonl
    "status",
    "status_version",
    "account_profile",
}
POSTED = {
    "create": "consultation create",
    "detail": "consultation position",
    "state": "consultation state",
    "feedback": "consultation feedback",
    "summary_edit": "consultation summary edit",
    "summary_publish": "consultation summary publish",
    "merge": "consultation merge apply",
    "declare": "community declare",
    "override": "community override",
    "rebase": "community rebase",
    "upgrade": "community upgrade",
    "mapping": "community mapping",
    "wiki_publish": "community wiki publish",
    "wiki_acknowledge": "community wiki acknowledge",
    "edit": "vote edit",
    "open": "vote open",
    "cancel": "vote cancel",
    "ballot": "vote ballot",
    "receipt": "vote receipt",
    "strike": "vote strike",
    "new": "vote new",
    "board_new": "board decision",
    "external_new": "external tally",
    "login": "login",
    "logout": "logout",
    "account_delete": "account delete",
    "account_refresh_activity": "account refresh",
    "set_language": "set language",
    "propose": "amendment propose page",
}
NOT_OURS = (
    "admin/",
    "django-admin/",
    "documents/",
    "_util/",
    "api/",
    "^((?:[\\w\\-]+/)*)$",
)


def test_every_site_url_is_covered():
    """A new view must be added to ENDPOINTS (if it takes a body) or READ_ONLY."""
    missing = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith(NOT_OURS):
            continue
        if pattern.name not in POSTED and (
            pattern.callback.__module__.startswith("allauth.")
            or route.startswith("accounts/social/")  # allauth's redirects from old URLs
        ):
            continue  # django-allauth's own pages (sign-up, email, password, providers)
        if pattern.name in POSTED:
            assert POSTED[pattern.name] in ENDPOINTS
        elif pattern.name not in READ_ONLY:
            missing.append(route)
    assert missing == []
