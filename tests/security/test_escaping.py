"""The raw HTML of every page that shows user text never holds an executable form of the XSS
corpus: no <script> but the site's own, no on* attributes, no javascript:/data: URLs, no
frames, styles or meta refreshes. Feeds, the badge and the downloads are checked in their own
formats. The browser-side twin is tests/browser/test_xss_corpus.py."""

from __future__ import annotations

import html as html_lib
import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client

from policies import diffing, markdown_diff, markdown_io
from policies.templatetags.accord import markdown as markdown_filter

from . import payloads as P
from .corpus import FACILITATOR, PARTICIPANT, build
from .html_checks import fragment_problems, html_problems

# Marked so pytest-django runs these with the other non-transactional tests, before any
# transactional test empties the database (the module fixtures build on migration data).
pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
# Payloads that would show a script marker if they ran; the template family is detected by its
# source text surviving unevaluated instead.
EXECUTION_HINTS = (
    "alert",
    "__x",
    "pwned",
    "confirm(1)",
    "prompt(1)",
    "msgbox(1)",
    "YWxlcnQoMSk",
    "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg",
    "97,108,101,114,116",
    "&#97;&#108;&#101;&#114;&#116;",
    "\\u0061lert",
    "al'+'ert",
    "__x'+'ss",
)


# Built and fetched once per process. The data is rolled back as soon as every page is fetched:
# the tests read only the coverage counts and the responses. pytest-xdist may tear module
# fixtures down between two tests of this module and set them up again; the cache keeps that
# from building the corpus a second time.
_BUILT = {}


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    if not _BUILT:
        with django_db_blocker.unblock(), transaction.atomic():
            corpus = build()
            _BUILT["corpus"] = corpus
            _BUILT["fetched"] = _fetch_every_page(corpus)
            transaction.set_rollback(True)
    return _BUILT


def _fetch_every_page(corpus):
    """Every page, fetched once as the role it is listed for."""
    clients = {"anonymous": Client(raise_request_exception=False)}
    for name in (FACILITATOR, PARTICIPANT):
        client = Client(raise_request_exception=False)
        client.force_login(get_user_model().objects.get(username=name))
        clients[name] = client
    return [(page, clients[page.role].get(page.url)) for page in corpus.pages]


@pytest.fixture
def corpus(built):
    return built["corpus"]


@pytest.fixture
def fetched(built):
    return built["fetched"]


# --- the corpus itself -------------------------------------------------------------------------


def test_the_corpus_has_over_a_hundred_distinct_payloads_in_every_family():
    assert len(P.PAYLOADS) >= 100
    assert len(set(P.TEXTS)) == len(P.TEXTS)
    assert set(P.by_family()) == set(P.FAMILIES)
    for payload in P.PAYLOADS:
        if payload.family != "template injection":
            assert any(hint in payload.text for hint in EXECUTION_HINTS), payload


# Field kinds with a length limit under 5,000 characters: a payload longer than the limit
# cannot be stored there. Every other kind gets the whole corpus.
LIMITS = {
    "policy title": 255,
    "section heading": 255,
    "version summary": 500,
    "version label": 20,
    "consultation title": 200,
    "consultation state note": 500,
    "flag reason": 500,
    "moderation reason": 500,
    "amendment heading (service + direct)": 255,
    "community name": 200,
    "community language": 20,
    "enforcement body / report contact": 200,
    "equivalent title": 200,
    "mapping note": 500,
    "vote question": 300,
    "vote cancel reason": 500,
    "ballot strike reason": 500,
    "board decision body": 200,
    "external tally title": 200,
}


def test_every_field_kind_received_the_corpus(corpus):
    """Every payload lands in every field kind, length limits aside."""
    for kind, landed in corpus.coverage.items():
        if kind == "vote option label":  # one option per line of the vote form
            expected = len(P.fitting(P.ONE_LINE, 80))
        else:
            expected = len(P.fitting(P.TEXTS, LIMITS.get(kind, 5000)))
        assert landed >= expected, (kind, landed, expected)
    assert len(corpus.coverage) >= 35


# --- one payload at a time, through the renderers -----------------------------------------------


@pytest.mark.parametrize("payload", P.TEXTS, ids=range(len(P.TEXTS)))
def test_each_payload_renders_harmlessly(payload):
    rendered = markdown_io.render_markdown(payload)
    assert fragment_problems(rendered) == [], rendered
    assert fragment_problems(str(markdown_filter(payload))) == []
    inline = diffing.render_inline(diffing.diff_words("Old text.", payload))
    assert fragment_problems(inline) == [], inline
    old, new = diffing.render_side_by_side(diffing.diff_words(payload, payload[::-1]))
    assert fragment_problems(old) == [] and fragment_problems(new) == []
    # The compare page's rendered view: payloads on either side, and changed into each other.
    for a, b in (("Old text.", payload), (payload, "New text."), (payload, payload[::-1])):
        rich = markdown_diff.render_rendered(a, b)
        assert fragment_problems(rich) == [], rich


# --- every page of the data set -----------------------------------------------------------------


def _decoded(response) -> str:
    return response.content.decode(response.charset or "utf-8")


def test_no_page_fails(fetched):
    failed = [str(page) for page, r in fetched if r.status_code >= 500]
    assert failed == []
    # Reflected payloads may be refused (400/404); a cancelled vote's results are 403.
    unexpected = [
        (str(page), r.status_code)
        for page, r in fetched
        if r.status_code != 200
        and not ("?" in page.url and r.status_code in (400, 404))
        and not (page.url.endswith("/results/") and r.status_code == 403)
    ]
    assert unexpected == []


def test_a_link_label_holding_html_converts_to_wikitext():
    """Once a server error on every wikitext download (the nested label conversion could not
    resolve the outer call's placeholders)."""
    text = markdown_io.to_wikitext(
        "Title", [("k", "Heading", "[<b>bold</b> label](https://example.org)")]
    )
    assert "[https://example.org <b>bold</b> label]" in text


def test_no_page_holds_an_executable_payload(fetched):
    problems = {}
    reached = 0
    for page, response in fetched:
        if page.kind != "html":
            continue
        html = _decoded(response)
        assert response["Content-Type"].startswith("text/html"), page
        found = html_problems(html)
        if found:
            problems[str(page)] = sorted(set(found))
        if "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "alert(1)" in html:
            reached += 1
    assert problems == {}
    # The payloads did reach the pages (escaped), so a clean scan means something.
    assert reached >= len([p for p in fetched if p[0].kind == "html"]) * 0.8


def test_template_syntax_is_shown_not_evaluated(fetched):
    page, response = next((p, r) for p, r in fetched if p.url == "/xss/" and p.role == "anonymous")
    text = html_lib.unescape(_decoded(response))
    for source in ("{{ 7*7 }}", "{% debug %}", "${alert(1)}", "{{ settings.SECRET_KEY }}"):
        assert source in text, source


def test_feeds_hold_no_markup_a_feed_reader_would_run(fetched):
    """Atom summaries are type="html": a reader renders their (XML-decoded) text as HTML."""
    problems = {}
    entries = 0
    for page, response in fetched:
        if page.kind != "feed":
            continue
        assert response.status_code == 200, page
        assert response["Content-Type"].startswith("application/atom+xml")
        root = ET.fromstring(response.content)  # noqa: S314  (our own feed)
        for entry in root.iter(f"{ATOM}entry"):
            entries += 1
            for element in entry:
                if element.get("type") == "html":
                    found = fragment_problems(element.text or "")
                    if found:
                        problems.setdefault(page.url, set()).update(found)
    assert entries
    assert problems == {}


def test_badges_are_inert_svg(fetched):
    for page, response in fetched:
        if page.kind != "svg":
            continue
        assert response["Content-Type"] == "image/svg+xml"
        root = ET.fromstring(response.content)  # noqa: S314  (our own SVG)
        for element in root.iter():
            assert not element.tag.endswith("script"), page
            assert not [a for a in element.attrib if a.lower().startswith("on")], page


def test_downloads_and_exports_are_never_html(fetched):
    for page, response in fetched:
        if page.kind not in ("text", "json"):
            continue
        assert response.status_code == 200, page
        content_type = response["Content-Type"]
        expected = "application/json" if page.kind == "json" else ("text/plain", "text/markdown")
        assert content_type.startswith(expected), (page, content_type)
        assert response["X-Content-Type-Options"] == "nosniff", page
