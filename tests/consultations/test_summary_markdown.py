"""A published summary reads as formatted text, on its page and in the summaries feed: the
facilitators' Markdown is rendered (and sanitised), never shown as raw `*Purpose*`, and text
that already carries its quotation marks is not quoted twice."""

import xml.etree.ElementTree as ET

import pytest

from consultations import services
from consultations.selectors import consultation_url
from core.text import without_enclosing_quotes
from policies import services as policy_services

from .conftest import in_state, page_text

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def summarised(make_consultation, version, policy, editor, keys, participant, facilitator):
    """A consultation answered by version 2, whose edit summary the editor typed in quotes,
    with a published summary written in Markdown."""
    consultation = make_consultation(version)
    position = services.take_position(
        consultation=consultation,
        section_key=keys[0],
        user=participant,
        stance="oppose",
        reason="“Why this exists” reads like an essay title; call it *Purpose*.",
    )
    consultation = in_state(consultation, "closed", user=facilitator)
    policy_services.publish_policy(
        page=policy,
        user=editor,
        summary="“Renamed the first section”",
        sections=[(s.key, s.heading, s.body + "\n\nMore.") for s in version.sections.all()],
    )
    services.save_summary(
        consultation=consultation,
        user=facilitator,
        intro="Thank you. Version 2 takes up **two** suggestions.",
        answered_by=2,
        sections=[
            {
                "section_key": keys[0],
                "outcome": "accepted",
                "text": "Renamed to *Purpose*.",
                "cited": [position.pk],
            }
        ],
    )
    services.publish_summary(consultation=consultation, user=facilitator)
    return consultation


def test_the_summary_page_renders_markdown_and_quotes_once(summarised, keys, client):
    html = client.get(consultation_url(summarised) + "summary/").content.decode()
    assert "Version 2 takes up <strong>two</strong> suggestions." in html
    section = html.split(f'id="summary-{keys[0]}"', 1)[1].split("</section>")[0]
    assert "Renamed to <em>Purpose</em>." in section
    assert "*Purpose*" not in html and "**two**" not in html
    text = page_text(html)
    assert "“Renamed the first section”" in text
    assert "““" not in text and "””" not in text
    # The cited reason keeps the participant's own quotes, once, without Markdown marks.
    assert "oppose: “Why this exists” reads like an essay title; call it Purpose." in text


def test_the_version_pages_quote_an_edit_summary_once(summarised, policy, client):
    for path in (policy.url, f"{policy.url}versions/"):
        html = client.get(path).content.decode()
        assert "<q>Renamed the first section</q>" in html


def test_the_summaries_feed_carries_rendered_markdown(summarised, keys, client):
    response = client.get("/feeds/summaries/")
    root = ET.fromstring(response.content)  # noqa: S314  (our own feed)
    entry = root.find(f"{ATOM}entry")
    described = entry.findtext(f"{ATOM}summary")
    assert entry.find(f"{ATOM}summary").get("type") == "html"
    assert "Version 2 takes up <strong>two</strong> suggestions." in described
    assert "Renamed to <em>Purpose</em>." in described
    assert "(Accepted)</h3>" in described
    assert "*" not in described


def test_markdown_in_a_summary_cannot_inject_markup_into_the_feed(
    summarised, facilitator, keys, client
):
    services.save_summary(
        consultation=summarised,
        user=facilitator,
        intro=(
            '*Hi* <script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3))'
        ),
        sections=[{"section_key": keys[0], "outcome": "accepted", "text": "*ok*", "cited": []}],
    )
    root = ET.fromstring(client.get("/feeds/summaries/").content)  # noqa: S314
    described = root.find(f"{ATOM}entry").findtext(f"{ATOM}summary")
    assert "<em>Hi</em>" in described
    assert "<script" not in described and "onerror" not in described
    assert "javascript:" not in described


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("“Fix a typo”", "Fix a typo"),
        ('"Fix a typo"', "Fix a typo"),
        ("»Tippfehler«", "Tippfehler"),
        ("„Tippfehler“", "Tippfehler"),
        ("Fix a typo", "Fix a typo"),
        ('"Scope" and "purpose" reworded', '"Scope" and "purpose" reworded'),
        ("Call it “Purpose”", "Call it “Purpose”"),
        ("“", "“"),
    ],
)
def test_only_quotes_around_the_whole_text_are_dropped(typed, shown):
    assert without_enclosing_quotes(typed) == shown
