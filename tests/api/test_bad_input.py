"""Malformed, oversized and nonsensical requests get a 4xx with a message, never a 500."""

import json

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer(world, facilitator):
    """A facilitator (may post positions and declare for any community), by token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=facilitator).key}")
    return client


def write_urls(world) -> list[str]:
    return [
        f"/api/v1/consultations/{world.consultation.pk}/positions/",
        "/api/v1/communities/alder-wiki/adoptions/",
    ]


def raw_post(client, url, data: bytes | str, content_type="application/json"):
    return client.generic("POST", url, data, content_type=content_type)


MALFORMED = [
    b"{",
    b"{'single': 'quotes'}",
    b"\xff\xfe not utf-8",
    b"NaN",
    b"[1, 2, 3]",
    b'"a string"',
    b"null",
    b"",
    b'{"stance": {"nested": true}, "section_key": ["a"], "policy": 5, "status": false}',
    b'{"section_key": "a\\u0000b", "stance": "support", "policy": "a\\u0000", "status": "adopted"}',
    b'{"section_key": "\\ud800", "stance": "support", "policy": "\\ud800", '
    b'"status": "adopted", "reason": "\\udfff", "rationale": "\\ud800"}',
    b'{"version": "two", "decided_on": "2026-13-45", "parameters": "nope", '
    b'"policy": "baseline", "status": "adopted"}',
    b'{"version": 99999999999999999999999999, "policy": "baseline", "status": "adopted"}',
    b'{"version": -1, "policy": "baseline", "status": "adopted"}',
    b'{"section_key": "' + b"k" * 200 + b'", "stance": "support"}',
]


def test_malformed_bodies_are_400(world, writer, subtests):
    for payload in MALFORMED:
        for url in write_urls(world):
            with subtests.test(url=url, payload=payload):
                response = raw_post(writer, url, payload)
                assert response.status_code == 400, response.content
                assert response.json(), "a message says what is wrong"


def test_reason_with_a_nul_character_is_refused(world, writer):
    url = write_urls(world)[0]
    data = {"section_key": world.keys[0], "stance": "support", "reason": "a\x00b"}
    response = raw_post(writer, url, json.dumps(data))
    assert response.status_code == 400
    assert "reason" in response.json()


DEEP = [
    b"[" * 1000 + b"]" * 1000,
    b'{"a":' * 3000 + b"1" + b"}" * 3000,
    b"[" * 100_000,
    b'{"section_key": "k", "stance": "support", "reason": ' + b"[" * 65 + b"]" * 65 + b"}",
]


def test_deeply_nested_bodies_are_400(world, writer, subtests):
    for payload in DEEP:
        for url in write_urls(world):
            with subtests.test(url=url, payload=payload[:20]):
                response = raw_post(writer, url, payload)
                assert response.status_code == 400, response.content[:500]
                assert "nested" in response.json()["detail"]


def test_brackets_inside_text_are_not_nesting(world, writer):
    url = write_urls(world)[0]
    data = {"section_key": world.keys[0], "stance": "support", "reason": "[{" * 2000}
    response = raw_post(writer, url, json.dumps(data))
    assert response.status_code == 201, response.content[:500]


def test_oversized_bodies_are_413(world, writer):
    huge = json.dumps({"section_key": "x", "stance": "support", "reason": "a" * 300_000})
    for url in write_urls(world):
        response = raw_post(writer, url, huge)
        assert response.status_code == 413
        assert response.json() == {"detail": "The request body is too large."}


def test_long_text_within_the_body_limit_is_400_with_a_message(world, writer):
    url = write_urls(world)[0]
    data = {"section_key": world.keys[0], "stance": "support", "reason": "a" * 6000}
    response = raw_post(writer, url, json.dumps(data))
    assert response.status_code == 400
    assert response.json() == {"reason": ["Ensure this field has no more than 5000 characters."]}


def test_other_media_types_are_415(world, writer):
    for url in write_urls(world):
        response = raw_post(
            writer, url, "stance=support&section_key=x", "application/x-www-form-urlencoded"
        )
        assert response.status_code == 415
        assert "Unsupported media type" in response.json()["detail"]


def test_methods_that_do_not_exist_are_405(world, writer):
    for url in [*write_urls(world), "/api/v1/policies/"]:
        assert writer.delete(url).status_code == 405
        assert writer.put(url, {}, format="json").status_code == 405
    assert writer.post("/api/v1/policies/", {}, format="json").status_code == 405


MISSING = [
    "/api/v1/consultations/99999999999999999999999999/",
    "/api/v1/consultations/9223372036854775808/positions/",
    "/api/v1/votes/99999999999999999999999999/results/",
    "/api/v1/policies/baseline/versions/99999999999999999999999/",
    "/api/v1/policies/baseline/compare/1/99999999999999999999999/",
    "/api/v1/policies/nope/compare/1/2/",
    "/api/v1/consultations/424242/replies/",
    "/api/v1/consultations/424242/amendments/",
    "/api/v1/consultations/424242/summary/",
    "/api/v1/votes/424242/voters/",
    "/api/v1/votes/424242/results/",
    "/api/v1/communities/%ED%A0%80/",
    "/api/v1/no-such-thing/",
    "/api/v1/policies/baseline/versions/1/sections/no-such-section/",
    "/api/v1/communities/?page=99999999999999999999999999",
]


def test_unknown_things_are_json_404(api, world, subtests):
    for url in MISSING:
        with subtests.test(url=url):
            response = api.get(url)
            assert response.status_code == 404
            assert "detail" in response.json()


BAD_FILTERS = [
    "/api/v1/consultations/?version=99999999999999999999999",
    "/api/v1/consultations/?version=1e400",
    "/api/v1/consultations/?version=nan",
    "/api/v1/consultations/?version=-1",
    "/api/v1/consultations/?policy=%00",
    "/api/v1/consultations/?state=%00",
    "/api/v1/communities/?q=%00",
    "/api/v1/communities/?q=" + "x" * 101,
    "/api/v1/communities/?language=%00",
    "/api/v1/replies-of-open/?position=99999999999999999999999",
    "/api/v1/replies-of-open/?position=abc",
    "/api/v1/positions-of-open/?section=%00",
    "/api/v1/positions-of-open/?ordering=nope",
    "/api/v1/amendments-of-open/?section=%00",
    "/api/v1/amendments-of-open/?section=" + "s" * 61,
    "/api/v1/votes/?version=1.5.5",
    "/api/v1/external-tallies/?community=%00",
    "/api/v1/board-ratifications/?version=x",
    "/api/v1/communities/?page_size=-5",
    "/api/v1/communities/?page_size=abc",
    "/api/v1/communities/?page_size=99999999999999999999999999999",
    "/api/v1/policies/baseline/compare/1/2/?ops=%00",
]


def test_bad_filters_are_400(api, world, subtests):
    pk = world.consultation.pk
    for query in BAD_FILTERS:
        query = (
            query.replace("replies-of-open", f"consultations/{pk}/replies")
            .replace("positions-of-open", f"consultations/{pk}/positions")
            .replace("amendments-of-open", f"consultations/{pk}/amendments")
        )
        with subtests.test(query=query):
            response = api.get(query)
            assert response.status_code == 400, response.content
            assert response.json()


ODDITIES = [
    "/api/v1/communities/?unknown=1",
    "/api/v1/external-tallies/?community=%ED%A0%80",
    "/api/v1/communities/?q=%ED%A0%80",
]


def test_harmless_oddities_are_ignored(api, world, subtests):
    for query in ODDITIES:
        with subtests.test(query=query):
            assert api.get(query).status_code == 200
