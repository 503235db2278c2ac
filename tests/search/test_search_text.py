"""The pure helpers behind snippets and highlighting."""

import re
from html import unescape

from hypothesis import given
from hypothesis import strategies as st

from policysite.search_text import (
    Matcher,
    describe_ranges,
    highlight,
    normalise,
    ranges,
    snippet,
    strip_markdown,
)


def test_highlight_escapes_then_marks():
    html = highlight("<b>Report</b> & reporting", Matcher(["report"]))
    assert html == "&lt;b&gt;<mark>Report</mark>&lt;/b&gt; &amp; <mark>reporting</mark>"


def test_highlight_matches_word_forms_not_fragments():
    html = highlight("harassment harassing harass harbour", Matcher(["harassment"]))
    assert html.count("<mark>") == 3 and "harbour" in html and "<mark>harbour" not in html


@given(st.text(), st.lists(st.text(min_size=1), max_size=3))
def test_highlight_only_ever_adds_mark_tags(text, terms):
    html = highlight(text, Matcher(terms))
    assert re.sub(r"</?mark>", "", html).count("<") == 0
    assert unescape(re.sub(r"</?mark>", "", html)) == text


@given(st.text(), st.lists(st.from_regex(r"\w{1,8}", fullmatch=True), max_size=3))
def test_snippet_is_always_safe(text, terms):
    html = snippet(text, Matcher(terms), words=10)
    assert re.sub(r"</?mark>", "", html).count("<") == 0


def test_snippet_starts_a_little_before_the_first_match():
    text = (
        " ".join(f"w{i}" for i in range(100)) + " needle " + " ".join(f"x{i}" for i in range(100))
    )
    html = snippet(text, Matcher(["needle"]), words=30)
    assert html.startswith("… w90 ") and "<mark>needle</mark>" in html and html.endswith(" …")
    assert len(html.replace("<mark>", "").replace("</mark>", "").split()) == 32  # 30 + 2 "…"


def test_snippet_without_a_match_is_the_start():
    assert snippet("one two three", Matcher(["zzz"]), words=2) == "one two …"


def test_strip_markdown_roughly():
    text = (
        "## Heading\n\n- **Bold** and _em_ with [a link](https://x.example) and `code`; snake_case"
    )
    assert " ".join(strip_markdown(text).split()) == (
        "Heading Bold and em with a link and code; snake_case"
    )


def test_normalise_ignores_case_and_line_breaks():
    assert normalise("  Retaliation\n against\tREPORTERS ") == "retaliation against reporters"


def test_ranges():
    assert ranges([5, 2, 3, 4, 7, 7]) == [(2, 5), (7, 7)]
    assert describe_ranges([2, 3, 4, 5, 7]) == "versions 2–5, 7"
    assert describe_ranges([3]) == "version 3"
    assert describe_ranges([3, 4]) == "versions 3–4"
