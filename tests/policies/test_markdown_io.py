"""Tests for policies.markdown_io: import, rendering, placeholders, keys and export.

The module is pure Python, so these tests need no database or Django settings.
"""

import difflib
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.markdown_io import (
    PLACEHOLDER_RE,
    ParsedSection,
    PolicyFormatError,
    find_placeholders,
    highlight_placeholders,
    match_section_keys,
    parse_policy,
    render_markdown,
    slugify_key,
    to_markdown,
    to_wikitext,
)

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "policies"

# Number of sections each corpus file splits into at level 2 (an "Introduction" section is
# counted when the file has text between its title and its first ## heading).
CORPUS_SECTION_COUNTS = {
    "citizen-code-of-conduct-2.2.md": 10,
    "citizen-code-of-conduct-2.3.md": 11,
    "citizen-code-of-conduct.md": 11,
    "contributor-covenant-1.4.en.md": 6,
    "contributor-covenant-2.0.en.md": 7,
    "contributor-covenant-2.1.de.md": 7,
    "contributor-covenant-2.1.en.md": 7,
    "contributor-covenant-2.1.es.md": 7,
    "contributor-covenant-2.1.fr.md": 7,
    "contributor-covenant-3.0.en.md": 7,
    "django-code-of-conduct.2026-01-10.md": 2,
    "django-code-of-conduct.md": 9,
    # No ## headings at all (# then ###): split at level 3 instead, see test_mozilla_fallback.
    "mozilla-community-participation-guidelines-2.3.md": 7,
    "psf-code-of-conduct.2024-03-11.md": 7,
    "psf-code-of-conduct.md": 8,
}


def corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def pairs(policy) -> list[tuple[str, str]]:
    return [(s.heading, s.body) for s in policy.sections]


def word_similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.split(), b.split()).ratio()


# --------------------------------------------------------------------------------------------
# parse_policy: the corpus
# --------------------------------------------------------------------------------------------


def test_corpus_is_complete():
    assert sorted(p.name for p in CORPUS.glob("*.md")) == sorted(CORPUS_SECTION_COUNTS)


@pytest.mark.parametrize("name", sorted(CORPUS_SECTION_COUNTS))
def test_corpus_file_parses(name):
    policy = parse_policy(corpus(name))
    assert len(policy.sections) == CORPUS_SECTION_COUNTS[name]
    assert policy.title
    for section in policy.sections:
        assert section.heading
        assert not section.heading.startswith("#")
        assert section.body == section.body.strip("\n")
        assert not re.search(r"^ {0,3}##? ", section.body, re.M), "level 1-2 heading in a body"


def test_corpus_citizen_headings_keep_numbering():
    policy = parse_policy(corpus("citizen-code-of-conduct-2.3.md"))
    assert policy.title == "Citizen Code of Conduct"
    assert policy.front_matter == {}
    assert [s.heading for s in policy.sections][:5] == [
        "1. Purpose",
        "2. Open [Source/Culture/Tech] Citizenship",
        "3. Expected Behavior",
        "4. Unacceptable Behavior",
        "5. Weapons Policy",
    ]
    assert "_Revision 2.2. Posted 4 February 2016._" in policy.sections[-1].body
    assert policy.sections[-1].body.endswith("Posted 17 March 2013._")


def test_corpus_toml_front_matter_and_deeper_headings():
    policy = parse_policy(corpus("contributor-covenant-2.1.en.md"))
    assert policy.front_matter == {"version": "2.1", "aliases": ["/version/2/1"]}
    assert policy.title == "Contributor Covenant Code of Conduct"
    guidelines = policy.sections[5]
    assert guidelines.heading == "Enforcement Guidelines"
    assert "### 1. Correction" in guidelines.body
    assert "### 4. Permanent Ban" in guidelines.body
    attribution = policy.sections[6]
    assert attribution.body.endswith(
        "[translations]: https://www.contributor-covenant.org/translations"
    )


def test_corpus_front_matter_title_wins_over_heading():
    policy = parse_policy(corpus("contributor-covenant-3.0.en.md"))
    assert policy.title == "Contributor Covenant 3"
    assert policy.front_matter["version"] == "3.0"
    assert policy.sections[0].heading == "Our Pledge"


def test_corpus_yaml_front_matter_and_introduction():
    policy = parse_policy(corpus("psf-code-of-conduct.md"))
    assert policy.front_matter == {"source": "https://www.python.org/psf/conduct/"}
    assert policy.title == "Python Software Foundation Code of Conduct"
    intro = policy.sections[0]
    assert intro.heading == "Introduction"
    assert intro.body.startswith("The Python community is made up of members")
    scope = next(s for s in policy.sections if s.heading == "Scope")
    assert scope.body.startswith("### PSF Events")
    assert "#### Contact Information" in scope.body


def test_corpus_translation_titles():
    assert parse_policy(corpus("contributor-covenant-2.1.de.md")).sections[3].heading == (
        "Geltungsbereich"
    )
    fr = parse_policy(corpus("contributor-covenant-2.1.fr.md"))
    assert fr.title == "Code de conduite _Contributor Covenant_"
    assert fr.sections[2].heading == "Responsabilités d'application"


def test_mozilla_fallback_to_shallowest_level_present():
    policy = parse_policy(corpus("mozilla-community-participation-guidelines-2.3.md"))
    assert policy.section_level == 3
    assert [s.heading for s in policy.sections] == [
        "Introduction",
        "When and How to Use These Guidelines",
        "Expected Behavior",
        "Behavior That Will Not Be Tolerated",
        "Consequences of Unacceptable Behavior",
        "Reporting",
        "Ask questions",
    ]
    assert "#### Be Respectful" in policy.sections[2].body
    assert policy.sections[-1].body.rstrip().endswith("many, many Mozillians.")


def test_django_single_heading_with_long_preamble():
    policy = parse_policy(corpus("django-code-of-conduct.2026-01-10.md"))
    assert [s.heading for s in policy.sections] == ["Introduction", "Questions?"]
    assert "- **Be friendly and patient.**" in policy.sections[0].body


# --------------------------------------------------------------------------------------------
# parse_policy: rules and errors
# --------------------------------------------------------------------------------------------


def test_bytes_with_bom_and_crlf():
    data = "\ufeff# Título\r\n\r\n## Ámbito\r\nTexto\r\n".encode()
    policy = parse_policy(data)
    assert policy.title == "Título"
    assert pairs(policy) == [("Ámbito", "Texto")]


def test_str_input_with_bom_and_lone_cr():
    policy = parse_policy("\ufeff# T\r## A\rbody\r")
    assert pairs(policy) == [("A", "body")]


def test_not_utf8_reports_offset():
    data = b"# Title\n\n## Scope\n\ncaf\xe9 au lait\n"
    with pytest.raises(PolicyFormatError) as info:
        parse_policy(data)
    message = str(info.value)
    assert message.startswith("The file is not UTF-8 text:")
    assert "offset 22" in message
    assert "line 5" in message


def test_not_utf8_offset_counts_bom():
    with pytest.raises(PolicyFormatError, match="offset 4"):
        parse_policy(b"\xef\xbb\xbf#\xff")


@pytest.mark.parametrize("data", [b"", "", "   \n\n\t\n", b"\xef\xbb\xbf\r\n"])
def test_empty(data):
    with pytest.raises(PolicyFormatError, match=r"^The file is empty\.$"):
        parse_policy(data)


def test_only_front_matter():
    with pytest.raises(PolicyFormatError, match="no policy text"):
        parse_policy("---\ntitle: x\n---\n\n")


@pytest.mark.parametrize("opener", ["---", "+++"])
def test_unclosed_front_matter(opener):
    with pytest.raises(PolicyFormatError) as info:
        parse_policy(f"{opener}\ntitle = 'x'\n\n# T\n\n## A\n\nbody\n")
    assert str(info.value).startswith(
        f"Front matter opened with {opener} on line 1 is never closed."
    )


def test_yaml_front_matter_closed_with_dots():
    policy = parse_policy("---\ntitle: From YAML\nversion: 3\n...\n# Heading title\n## A\nx\n")
    assert policy.front_matter == {"title": "From YAML", "version": 3}
    assert policy.title == "From YAML"


def test_invalid_yaml_front_matter():
    with pytest.raises(PolicyFormatError) as info:
        parse_policy("---\ntitle: [unclosed\n---\n## A\nx\n")
    message = str(info.value)
    assert message.startswith("The YAML front matter")
    assert "line" in message


def test_invalid_toml_front_matter_reports_file_line():
    with pytest.raises(PolicyFormatError) as info:
        parse_policy('+++\nversion = "2.1"\nbroken line\n+++\n## A\nx\n')
    message = str(info.value)
    assert message.startswith("The TOML front matter")
    assert "line 3" in message  # line 2 of the TOML is line 3 of the file


@pytest.mark.parametrize("source", ["- a\n- b", "just a string", "42"])
def test_front_matter_must_be_a_mapping(source):
    with pytest.raises(PolicyFormatError, match="must be a set of keys and values"):
        parse_policy(f"---\n{source}\n---\n## A\nx\n")


def test_empty_front_matter_is_empty_dict():
    assert parse_policy("---\n---\n## A\nx\n").front_matter == {}


def test_no_headings_is_an_error():
    with pytest.raises(PolicyFormatError) as info:
        parse_policy("# Title\n\nSome text but no sections.\n")
    message = str(info.value)
    assert message.startswith("No level-2 headings (## ...) found")
    assert "--level" in message


def test_no_headings_error_names_requested_level():
    with pytest.raises(PolicyFormatError, match=r"No level-3 headings \(### \.\.\.\) found"):
        parse_policy("# Title\n\ntext\n", level=3)


@pytest.mark.parametrize("level", [0, 7, -1, "2", 2.0, True, None])
def test_level_is_validated(level):
    with pytest.raises(PolicyFormatError, match="heading level"):
        parse_policy("## A\nx\n", level=level)


def test_title_and_sections():
    text = "# My Policy #\n\n## 1. Purpose ##\n\nWhy.\n\n## 2. Scope\nWhere.\n\n\n"
    policy = parse_policy(text)
    assert policy.title == "My Policy"
    assert policy.front_matter == {}
    assert policy.section_level == 2
    assert policy.sections == [
        ParsedSection("1. Purpose", "Why."),
        ParsedSection("2. Scope", "Where."),
    ]


def test_no_title():
    policy = parse_policy("## A\n\nx\n")
    assert policy.title == ""
    assert pairs(policy) == [("A", "x")]


def test_preamble_becomes_introduction():
    policy = parse_policy("# T\n\nHello\n\nthere\n\n## A\n\nx\n")
    assert pairs(policy) == [("Introduction", "Hello\n\nthere"), ("A", "x")]


def test_blank_preamble_is_dropped():
    assert pairs(parse_policy("# T\n\n   \n\n## A\nx")) == [("A", "x")]


def test_heading_closing_sequence_rules():
    policy = parse_policy("## C#\n\n## C # #\n\n## Plain ###   \n\n##\n\n## #\n")
    assert [s.heading for s in policy.sections] == ["C#", "C #", "Plain", "", ""]


def test_hashes_without_space_are_not_headings():
    policy = parse_policy("## A\n\n#hashtag\n##not a heading\n")
    assert pairs(policy) == [("A", "#hashtag\n##not a heading")]


def test_indented_four_spaces_is_not_a_heading():
    policy = parse_policy("## A\n\n    ## code\n")
    assert pairs(policy) == [("A", "    ## code")]


def test_headings_in_fenced_code_are_ignored():
    text = (
        "# T\n\n## Real\n\n```markdown\n# not a title\n## not a section\n```\n\n"
        "~~~~\n## still code\n```\n## still code\n~~~~\n\n## Second\nend\n"
    )
    policy = parse_policy(text)
    assert [s.heading for s in policy.sections] == ["Real", "Second"]
    assert "## not a section" in policy.sections[0].body
    assert policy.sections[0].body.endswith("~~~~")


def test_unclosed_fence_swallows_rest():
    policy = parse_policy("## A\n\n```\n## B\n")
    assert pairs(policy) == [("A", "```\n## B")]


def test_setext_headings():
    text = (
        "My Title\n========\n\nIntro text.\n\n"
        "First section\n-------------\n\nBody.\n\n## ATX\nmore\n"
    )
    policy = parse_policy(text)
    assert policy.title == "My Title"
    assert pairs(policy) == [
        ("Introduction", "Intro text."),
        ("First section", "Body."),
        ("ATX", "more"),
    ]


def test_dashes_after_list_or_blank_line_are_not_setext():
    text = "## A\n\n- item\n---\n\nparagraph line one\nline two\n---\n\n---\n"
    policy = parse_policy(text)
    assert [s.heading for s in policy.sections] == ["A"]


def test_deeper_headings_stay_in_body():
    policy = parse_policy("# T\n## A\n### A.1\ntext\n#### A.1.1\n## B\n")
    assert pairs(policy) == [("A", "### A.1\ntext\n#### A.1.1"), ("B", "")]


def test_later_level_one_heading_starts_a_section():
    policy = parse_policy("# Title\n\n## A\na\n\n# Appendix\nx\n\n## B\nb\n")
    assert policy.title == "Title"
    assert pairs(policy) == [("A", "a"), ("Appendix", "x"), ("B", "b")]


def test_level_three():
    policy = parse_policy("# T\n## Part\nintro\n### One\n1\n#### deep\n### Two\n2\n", level=3)
    assert policy.title == "T"
    assert pairs(policy) == [("Part", "intro"), ("One", "1\n#### deep"), ("Two", "2")]


def test_level_one_uses_every_level_one_heading():
    policy = parse_policy("# Part A\n## a\nx\n# Part B\ny\n", level=1)
    assert policy.title == ""
    assert policy.section_level == 1
    assert pairs(policy) == [("Part A", "## a\nx"), ("Part B", "y")]


def test_level_one_title_from_front_matter():
    policy = parse_policy("---\ntitle: Rules\n---\n# One\nx\n", level=1)
    assert policy.title == "Rules"
    assert pairs(policy) == [("One", "x")]


def test_fallback_to_deeper_level():
    policy = parse_policy("# T\n\nintro\n\n### X\nx\n#### x.1\n### Y\ny\n")
    assert policy.section_level == 3
    assert pairs(policy) == [("Introduction", "intro"), ("X", "x\n#### x.1"), ("Y", "y")]


def test_trailing_whitespace_inside_body_is_kept():
    policy = parse_policy("## A\n\nline one  \nline two\n\n")
    assert policy.sections[0].body == "line one  \nline two"


# --------------------------------------------------------------------------------------------
# render_markdown
# --------------------------------------------------------------------------------------------


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def tags_of(html: str):
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.tags


ALLOWED_TAGS = {
    "p", "br", "hr", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "b", "i",
    "code", "pre", "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td", "del",
    "ins", "sup", "sub", "abbr",
}  # fmt: skip


def assert_safe(html: str) -> None:
    lowered = html.lower()
    assert "<script" not in lowered
    assert "javascript:" not in lowered
    assert "vbscript:" not in lowered
    assert not re.search(r"<[^>]*\son\w+\s*=", html, re.I)
    for tag, attrs in tags_of(html):
        if tag == "mark":  # added by highlight_placeholders
            assert attrs == [("class", "placeholder"), ("title", "To fill in")]
            continue
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert name in {"href", "title", "rel", "align"}, (tag, name)
            if name == "href":
                assert value is not None
                assert re.match(r"(?:https?:|mailto:|/|#|[^:]*$)", value, re.I), value


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x OnErRoR=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](<javascript:alert(1)>)",
    '[x](javascript:alert(1) "title")',
    "[x][r]\n\n[r]: javascript:alert(1)",
    "![x](javascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="jav&#x61;script:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="java&#9;script:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    "<a href='javascript:alert(1)'>x</a>",
    '<a href="https://ok.example" onmouseover="alert(1)">x</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>x</details>",
    '<form action="javascript:alert(1)"><input type=submit></form>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<<script>alert(1)//<</script>",
    '**<b onmouseover="alert(1)">bold</b>** and `<script>`',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<style>body { background: red }</style>text",
    "- item <img src=x onerror=alert(1)>\n- [y](javascript:alert(1))",
    "| a | b |\n|---|---|\n| <svg onload=alert(1)> | [z](javascript:alert(1)) |",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_render_never_lets_scripts_through(payload):
    html = render_markdown(payload)
    assert_safe(html)
    assert_safe(highlight_placeholders(html))


def test_render_strips_script_content():
    assert "alert" not in render_markdown("before <script>alert(1)</script> after")


def test_render_basic_markdown():
    html = render_markdown(
        "Some **bold**, *em* and `code`.\n\n- one\n- two\n\n1. first\n2. second\n\n"
        "> quoted\n\n---\n\n```\nx < y\n```\n"
    )
    assert "<strong>bold</strong>" in html
    assert "<em>em</em>" in html
    assert "<code>code</code>" in html
    assert "<ul>" in html and "<ol>" in html and "<li>one</li>" in html
    assert "<blockquote>" in html
    assert "<hr>" in html
    assert "<pre><code>x &lt; y\n</code></pre>" in html
    assert_safe(html)


def test_render_demotes_top_level_headings():
    html = render_markdown("# One\n\n## Two\n\n### Three\n\n#### Four\n\nSetext\n======\n")
    assert "<h1" not in html and "<h2" not in html
    assert html.count("<h3>") == 4
    assert "<h3>One</h3>" in html and "<h3>Setext</h3>" in html
    assert "<h4>Four</h4>" in html


def test_render_links_get_rel_and_keep_safe_urls():
    html = render_markdown(
        "[a](https://example.org/x) [b](mailto:conduct@example.org) [c](/relative/path) "
        '[d](#fragment) [e](http://example.org "Title")'
    )
    anchors = [dict(attrs) for tag, attrs in tags_of(html) if tag == "a"]
    assert [a["href"] for a in anchors] == [
        "https://example.org/x",
        "mailto:conduct@example.org",
        "/relative/path",
        "#fragment",
        "http://example.org",
    ]
    assert all(a["rel"] == "nofollow noopener" for a in anchors)
    assert anchors[-1]["title"] == "Title"


def test_render_drops_disallowed_schemes_but_keeps_text():
    html = render_markdown("[click me](javascript:alert(1)) [ftp](ftp://example.org/)")
    assert "click me" in html and "ftp" in html
    assert "href" not in html


def test_render_table_and_abbr():
    html = render_markdown(
        "| Step | Action |\n|:-----|-------:|\n| 1 | Warn |\n\nThe CoC applies.\n\n"
        "*[CoC]: Code of Conduct\n"
    )
    assert "<table>" in html and "<th" in html and "<td" in html
    assert 'align="left"' in html
    assert '<abbr title="Code of Conduct">CoC</abbr>' in html
    assert_safe(html)


def test_render_empty():
    assert render_markdown("") == ""


@pytest.mark.parametrize(
    "text",
    [
        "[" * 20000,
        "[a " * 10000,
        "![" * 10000,
        "[a](" * 10000,
        "<a " * 10000,
        "[" * 10000 + "]" * 10000,
        "#a\n" * 10000,
        "a\n---\n" * 5000,
        "- " * 10000 + "x",
        "1. " * 10000 + "x",
        "> " * 10000 + "x",
        ("<a " * 30 + "\n\n") * 300,
    ],
    ids=lambda text: repr(text[:8]),
)
def test_render_pathological_input_is_bounded(text):
    # Python-Markdown alone takes from tens of seconds to minutes (or overflows the stack) on
    # these; the guard shows the offending paragraphs as plain text instead.
    start = time.monotonic()
    html = render_markdown(text)
    assert time.monotonic() - start < 15
    assert_safe(html)


def test_render_guard_leaves_real_documents_alone():
    long_list = "".join(
        f"- item {i} with [a link](https://example.org/{i}) and **bold**\n" for i in range(800)
    )
    html = render_markdown(long_list)
    assert html.count("<li>") == 800
    assert html.count("<a ") == 800
    for name in CORPUS_SECTION_COUNTS:
        whole = (CORPUS / name).read_text(encoding="utf-8")
        assert "<li>" in render_markdown(whole) or "<p>" in render_markdown(whole)
        assert "&lt;" not in render_markdown(whole.replace("</br>", ""))


@pytest.mark.parametrize("name", sorted(CORPUS_SECTION_COUNTS))
def test_render_corpus_is_safe(name):
    for section in parse_policy(corpus(name)).sections:
        assert_safe(highlight_placeholders(render_markdown(section.body)))


def test_render_mozilla_stray_br():
    body = parse_policy(corpus("mozilla-community-participation-guidelines-2.3.md")).sections[2]
    html = render_markdown(body.body)
    assert "<h4>Be Respectful</h4>" in html
    assert "&lt;/br&gt;" not in html


# --------------------------------------------------------------------------------------------
# Placeholders
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "[INSERT CONTACT METHOD]",
        "[GOVERNING_BODY]",
        "[CONTACT_INFO_HERE]",
        "[INSERTAR MÉTODO DE CONTACTO]",
        "[INSERT EMAIL ADDRESS]",
        "[KONTAKTMETHODE EINFÜGEN]",
        "[INSÉRER UNE ADRESSE EMAIL]",
        "[INSERT E-MAIL]",
        "[ABC]",
        "[X 2]",
        "[ВСТАВИТЬ КОНТАКТ]",
        "[YEAR 2024]",
    ],
)
def test_placeholder_matches(text):
    assert PLACEHOLDER_RE.fullmatch(text)


@pytest.mark.parametrize(
    "text",
    [
        "[TEXT](https://example.org)",
        "[TEXT][1]",
        "[text][REF]",
        "[FAQ][]",
        "[1]",
        "[123]",
        "[AB]",
        "[Insert contact method]",
        "[NOTE: describe your means of reporting here.]",
        "[Source/Culture/Tech]",
        "[ ]",
        "[   ]",
        "[ X ]",
        "![ALT TEXT](image.png)",
        "\\[ESCAPED]",
        "[___]",
        "[--- 1]",
    ],
)
def test_placeholder_does_not_match(text):
    assert not PLACEHOLDER_RE.search(text)


def test_find_placeholders_unique_in_order_with_brackets():
    text = (
        "Contact [CONTACT_INFO_HERE]. Ask [GOVERNING_BODY] or [CONTACT_INFO_HERE].\n"
        "See [the docs](https://example.org) and [FAQ][1], [INSERT EMAIL ADDRESS].\n"
        "Also the [FAQ] and [HOME].\n\n[FAQ]: https://example.org/faq\n[1]: https://x.org\n"
    )
    assert find_placeholders(text) == [
        "[CONTACT_INFO_HERE]",
        "[GOVERNING_BODY]",
        "[INSERT EMAIL ADDRESS]",
        "[HOME]",
    ]


def test_find_placeholders_empty():
    assert find_placeholders("") == []
    assert find_placeholders("No placeholders [here](https://x.org).") == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("contributor-covenant-1.4.en.md", ["[INSERT EMAIL ADDRESS]"]),
        ("contributor-covenant-2.0.en.md", ["[INSERT CONTACT METHOD]"]),
        ("contributor-covenant-2.1.en.md", ["[INSERT CONTACT METHOD]"]),
        ("contributor-covenant-2.1.de.md", ["[KONTAKTMETHODE EINFÜGEN]"]),
        ("contributor-covenant-2.1.es.md", ["[INSERTAR MÉTODO DE CONTACTO]"]),
        ("contributor-covenant-2.1.fr.md", ["[INSÉRER UNE ADRESSE EMAIL]"]),
        (
            "citizen-code-of-conduct.md",
            [
                "[COMMUNITY_NAME]",
                "[CONTACT_INFO_HERE]",
                "[LINK_TO_REPORTING_GUIDELINES]",
                "[GOVERNING_BODY]",
                "[LINK_TO_POLICY]",
            ],
        ),
        ("contributor-covenant-3.0.en.md", []),
        ("django-code-of-conduct.md", []),
        ("psf-code-of-conduct.md", []),
    ],
)
def test_corpus_placeholders(name, expected):
    policy = parse_policy(corpus(name))
    found: list[str] = []
    for section in policy.sections:
        found += [p for p in find_placeholders(section.body) if p not in found]
    assert found == expected


def test_highlight_wraps_text_only():
    html = (
        '<p title="[INSERT TITLE]">Write to [INSERT EMAIL ADDRESS] or '
        '<a href="/x?[NOT_THIS]" title="[NOR THIS]">[GOVERNING_BODY]</a>.</p>'
    )
    result = highlight_placeholders(html)
    mark = '<mark class="placeholder" title="To fill in">'
    assert result == (
        f'<p title="[INSERT TITLE]">Write to {mark}[INSERT EMAIL ADDRESS]</mark> or '
        f'<a href="/x?[NOT_THIS]" title="[NOR THIS]">{mark}[GOVERNING_BODY]</mark></a>.</p>'
    )


def test_highlight_attribute_with_angle_bracket():
    html = '<a title="a > [NOT_ME]" href="/">[YES_ME]</a>'
    result = highlight_placeholders(html)
    assert 'title="a > [NOT_ME]"' in result
    assert result.count("<mark") == 1
    assert '">[YES_ME]</mark></a>' in result


def test_highlight_is_idempotent_and_leaves_plain_html():
    html = render_markdown("Contact [INSERT CONTACT METHOD] now.")
    once = highlight_placeholders(html)
    assert once.count("<mark") == 1
    assert highlight_placeholders(once) == once
    assert highlight_placeholders("<p>nothing [here]</p>") == "<p>nothing [here]</p>"


def test_highlight_after_render_of_corpus():
    body = parse_policy(corpus("contributor-covenant-2.1.es.md")).sections[4].body
    html = highlight_placeholders(render_markdown(body))
    assert '<mark class="placeholder" title="To fill in">[INSERTAR MÉTODO DE CONTACTO]</mark>' in (
        html
    )


# --------------------------------------------------------------------------------------------
# slugify_key
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Our Pledge", "our-pledge"),
        ("1. Purpose", "purpose"),
        ("10. License and attribution", "license-and-attribution"),
        ("5) Scope", "scope"),
        ("2.1 Reporting", "reporting"),
        ("Responsabilités d'application", "responsabilites-d-application"),
        ("Geltungsbereich & Maßnahmen", "geltungsbereich-massnahmen"),
        ("Guías de Aplicación", "guias-de-aplicacion"),
        ("Questions?", "questions"),
        ("2. Open [Source/Culture/Tech] Citizenship", "open-source-culture-tech-citizenship"),
        ("2024 Transparency Report", "2024-transparency-report"),
        ("", "section"),
        ("1.", "section"),
        ("行動規範", "section"),
        ("  --Weird   spacing--  ", "weird-spacing"),
    ],
)
def test_slugify_key(heading, expected):
    assert slugify_key(heading, set()) == expected


def test_slugify_key_length_and_suffix():
    long = "word " * 30
    key = slugify_key(long, set())
    assert len(key) <= 50 and not key.endswith("-")
    taken = {key}
    second = slugify_key(long, taken)
    assert second != key and second.endswith("-2") and len(second) <= 50
    assert taken == {key}  # not mutated


def test_slugify_key_counts_up():
    taken = {"scope", "scope-2", "scope-3"}
    assert slugify_key("Scope", taken) == "scope-4"
    assert slugify_key("Scope", frozenset()) == "scope"


# --------------------------------------------------------------------------------------------
# match_section_keys
# --------------------------------------------------------------------------------------------


def keyed(policy) -> list[tuple[str, str, str]]:
    taken: set[str] = set()
    out = []
    for section in policy.sections:
        key = slugify_key(section.heading, taken)
        taken.add(key)
        out.append((key, section.heading, section.body))
    return out


def test_match_citizen_weapons_policy_insert_and_renumbering():
    old = keyed(parse_policy(corpus("citizen-code-of-conduct-2.2.md")))
    new = parse_policy(corpus("citizen-code-of-conduct-2.3.md")).sections
    keys = match_section_keys(old, new, similarity=word_similarity)
    assert keys == [
        "purpose",
        "open-source-culture-tech-citizenship",
        "expected-behavior",
        "unacceptable-behavior",
        None,
        "consequences-of-unacceptable-behavior",
        "reporting-guidelines",
        "addressing-grievances",
        "scope",
        "contact-info",
        "license-and-attribution",
    ]
    assert new[keys.index(None)].heading == "5. Weapons Policy"


def test_match_citizen_placeholder_edits_keep_all_keys():
    old = keyed(parse_policy(corpus("citizen-code-of-conduct-2.3.md")))
    new = parse_policy(corpus("citizen-code-of-conduct.md")).sections
    assert match_section_keys(old, new, similarity=word_similarity) == [k for k, _, _ in old]


def test_match_contributor_covenant_2_0_to_2_1_keeps_all_keys():
    old = keyed(parse_policy(corpus("contributor-covenant-2.0.en.md")))
    new = parse_policy(corpus("contributor-covenant-2.1.en.md")).sections
    assert match_section_keys(old, new, similarity=word_similarity) == [k for k, _, _ in old]


def test_match_psf_versions_keep_keys_and_find_new_section():
    old = keyed(parse_policy(corpus("psf-code-of-conduct.2024-03-11.md")))
    new = parse_policy(corpus("psf-code-of-conduct.md")).sections
    keys = match_section_keys(old, new, similarity=word_similarity)
    assert [s.heading for s, k in zip(new, keys, strict=True) if k is None] == [
        "Transparency Reports"
    ]
    assert sorted(k for k in keys if k) == sorted(k for k, _, _ in old)


def test_match_renamed_and_lightly_edited_section_keeps_key():
    body = (
        "If you are subject to or witness unacceptable behavior, or have any other concerns, "
        "please notify a community organizer as soon as possible."
    )
    old = [
        ("purpose", "1. Purpose", "We want a friendly community."),
        ("reporting-guidelines", "2. Reporting Guidelines", body),
        ("scope", "3. Scope", "All community venues."),
    ]
    new = [
        ParsedSection("1. Purpose", "We want a friendly community."),
        ParsedSection("2. How to report", body.replace("as soon as possible", "right away")),
        ParsedSection("3. Scope", "All community venues."),
    ]
    assert match_section_keys(old, new, similarity=word_similarity) == [
        "purpose",
        "reporting-guidelines",
        "scope",
    ]


def test_match_similar_heading_with_rewritten_body():
    old = [("code-of-conduct-team", "Code of Conduct Team", "Alice and Bob handle reports.")]
    new = [ParsedSection("The Code of Conduct Team", "Reports go to a rotating committee.")]
    assert match_section_keys(old, new, similarity=word_similarity) == ["code-of-conduct-team"]


def test_match_unrelated_sections_are_new():
    old = [("scope", "Scope", "All community venues and online spaces.")]
    new = [
        ParsedSection("Weapons Policy", "No weapons are allowed at events."),
        ParsedSection("Attribution", "Adapted from elsewhere."),
    ]
    assert match_section_keys(old, new, similarity=word_similarity) == [None, None]


def test_match_each_old_key_used_once_and_best_pair_wins():
    old = [("a", "Enforcement", "Warnings then bans are issued by the moderators team.")]
    new = [
        ParsedSection("Enforcement ladder", "Warnings then bans are issued by the team."),
        ParsedSection("Enforcement", "Warnings then bans are issued by the moderators team."),
    ]
    assert match_section_keys(old, new, similarity=word_similarity) == [None, "a"]


def test_match_duplicate_headings_pair_in_order_and_empty_bodies_not_compared():
    old = [("n1", "Notes", ""), ("n2", "Notes", ""), ("x", "Other", "")]
    new = [ParsedSection("Notes", ""), ParsedSection("Notes", ""), ParsedSection("New", "")]
    assert match_section_keys(old, new, similarity=word_similarity) == ["n1", "n2", None]


def test_match_reordered_sections():
    old = keyed(parse_policy(corpus("contributor-covenant-2.1.en.md")))
    new = list(reversed(parse_policy(corpus("contributor-covenant-2.1.en.md")).sections))
    keys = match_section_keys(old, new, similarity=word_similarity)
    assert keys == [k for k, _, _ in reversed(old)]


def test_match_with_no_old_version():
    assert match_section_keys([], [ParsedSection("A", "x")], similarity=word_similarity) == [None]


# --------------------------------------------------------------------------------------------
# to_markdown
# --------------------------------------------------------------------------------------------


def test_to_markdown_layout():
    text = to_markdown("Rules", [("Scope", "All spaces."), ("Empty", ""), ("C#", "x")])
    assert text == "# Rules\n\n## Scope\n\nAll spaces.\n\n## Empty\n\n## C# #\n\nx\n"


def test_to_markdown_front_matter_round_trip():
    front = {"title": "Rules", "version": 3, "label": "v3", "published": "2026-01-10T12:00:00"}
    text = to_markdown("Rules", [("Scope", "All spaces.")], front_matter=front)
    assert text.startswith("---\ntitle: Rules\nversion: 3\n")
    policy = parse_policy(text)
    assert policy.front_matter == front
    assert policy.title == "Rules"
    assert pairs(policy) == [("Scope", "All spaces.")]


def test_to_markdown_without_title_or_front_matter():
    assert to_markdown("", [("A", "x")], front_matter={}) == "## A\n\nx\n"


def test_to_markdown_accepts_parsed_sections():
    policy = parse_policy("# T\n## A\nx\n")
    assert to_markdown(policy.title, policy.sections) == "# T\n\n## A\n\nx\n"


@pytest.mark.parametrize("name", sorted(CORPUS_SECTION_COUNTS))
def test_corpus_round_trip(name):
    first = parse_policy(corpus(name))
    text = to_markdown(first.title, pairs(first), front_matter=first.front_matter)
    second = parse_policy(text)
    assert pairs(second) == pairs(first)
    assert second.title == first.title
    assert second.front_matter == first.front_matter
    assert second.section_level == 2


_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzÀÉßçABCXYZ0123456789", min_size=1, max_size=8)
_PUNCT = st.sampled_from(["", ".", ",", "!", "?", ":", "'s", " (note)", " & co", " C#"])
_PHRASE = st.builds(
    lambda words, punct: " ".join(words) + punct,
    st.lists(_WORD, min_size=1, max_size=6),
    _PUNCT,
)
_BLOCK = st.one_of(
    _PHRASE,
    st.builds(lambda a, b: f"{a}\n{b}", _PHRASE, _PHRASE),
    st.builds(lambda items: "\n".join(f"- {i}" for i in items), st.lists(_PHRASE, min_size=1)),
    st.builds(lambda a: f"1. {a}\n2. {a}", _PHRASE),
    st.builds(lambda a: f"### {a}", _PHRASE),
    st.builds(lambda a: f"#### {a} ####", _PHRASE),
    st.builds(lambda a: f"```\n## {a}\n# {a}\n```", _PHRASE),
    st.builds(lambda a: f"> {a}", _PHRASE),
    st.builds(lambda a: f"**{a}** [link](https://example.org/{len(a)})", _PHRASE),
)
_BODY = st.lists(_BLOCK, max_size=4).map("\n\n".join)
_SECTIONS = st.lists(st.tuples(_PHRASE, _BODY), min_size=1, max_size=6)


@settings(max_examples=150, deadline=None)
@given(title=st.one_of(st.just(""), _PHRASE), sections=_SECTIONS)
def test_round_trip_property(title, sections):
    policy = parse_policy(to_markdown(title, sections))
    assert policy.title == title
    assert pairs(policy) == sections


@settings(max_examples=50, deadline=None)
@given(title=_PHRASE, sections=_SECTIONS, version=st.integers(0, 1000), label=_PHRASE)
def test_round_trip_property_with_front_matter(title, sections, version, label):
    front = {"title": title, "version": version, "label": label}
    policy = parse_policy(to_markdown(title, sections, front_matter=front).encode())
    assert policy.front_matter == front
    assert pairs(policy) == sections


# --------------------------------------------------------------------------------------------
# to_wikitext
# --------------------------------------------------------------------------------------------


def wiki_body(body: str, **kwargs) -> str:
    text = to_wikitext("Ignored title", [("S", body)], **kwargs)
    assert text.startswith("== S ==\n\n") or text == "== S ==\n"
    return text[len("== S ==\n\n") :].rstrip("\n")


def test_wikitext_headings_and_title_not_emitted():
    text = to_wikitext("My Policy", [("1. Purpose", "Why."), ("Scope", "### Sub\n\n#### Deeper")])
    assert "My Policy" not in text
    assert text == ("== 1. Purpose ==\n\nWhy.\n\n== Scope ==\n\n=== Sub ===\n\n==== Deeper ====\n")


def test_wikitext_top_level_headings_in_body_become_level_three():
    assert wiki_body("# A\n\n## B\n\nC\n---") == "=== A ===\n\n=== B ===\n\n=== C ==="


def test_wikitext_emphasis_and_code():
    assert wiki_body("**bold**, __bold__, *em*, _em_, ***both*** and `co*de*`") == (
        "'''bold''', '''bold''', ''em'', ''em'', '''''both''''' and <code>co*de*</code>"
    )


def test_wikitext_intraword_underscores_and_lone_asterisks_untouched():
    assert wiki_body("snake_case_name and 5 * 3 * 2") == "snake_case_name and 5 * 3 * 2"


def test_wikitext_code_is_escaped_and_protected():
    assert wiki_body("`<b>'[x]'</b>`") == "<code><nowiki>&lt;b&gt;'[x]'&lt;/b&gt;</nowiki></code>"
    assert wiki_body("```python\nif a < b:\n    print('**x**')\n```") == (
        "<pre>if a &lt; b:\n    print('**x**')</pre>"
    )


def test_wikitext_paragraphs_joined_and_separated():
    assert wiki_body("one\ntwo\nthree\n\nfour\n  five") == "one two three\n\nfour five"


def test_wikitext_hard_break():
    assert wiki_body("one  \ntwo\\\nthree") == "one<br />two<br />three"


def test_wikitext_inline_links():
    assert (
        wiki_body(
            'See [the FAQ](https://example.org/faq "FAQ") or [mail us](mailto:a@example.org).'
        )
        == "See [https://example.org/faq the FAQ] or [mailto:a@example.org mail us]."
    )


def test_wikitext_link_across_wrapped_lines():
    assert wiki_body("our [Reporting\nGuidelines](https://example.org/r)") == (
        "our [https://example.org/r Reporting Guidelines]"
    )


def test_wikitext_link_text_with_emphasis_and_brackets():
    assert wiki_body("[**a** [b]](https://x.org/a_b_c)") == "[https://x.org/a_b_c '''a''' [b&#93;]"


def test_wikitext_reference_links_resolved_and_definitions_removed():
    body = (
        "Adapted from the [Contributor Covenant][homepage], see [FAQ][] and [Mozilla CoC].\n"
        "Unknown [thing][nowhere] stays.\n\n"
        "[homepage]: https://www.contributor-covenant.org\n"
        "[FAQ]: https://www.contributor-covenant.org/faq\n"
        '[mozilla coc]: https://github.com/mozilla/diversity "Mozilla"\n'
    )
    assert wiki_body(body) == (
        "Adapted from the [https://www.contributor-covenant.org Contributor Covenant], see "
        "[https://www.contributor-covenant.org/faq FAQ] and "
        "[https://github.com/mozilla/diversity Mozilla CoC]. Unknown [thing][nowhere] stays."
    )


def test_wikitext_reference_defined_in_another_section():
    text = to_wikitext("", [("A", "See [docs][d]."), ("B", "[d]: https://docs.example")])
    assert text == "== A ==\n\nSee [https://docs.example docs].\n\n== B ==\n"


def test_wikitext_autolinks():
    assert wiki_body("<https://example.org/x_y_z> and <conduct@example.org>") == (
        "https://example.org/x_y_z and [mailto:conduct@example.org conduct@example.org]"
    )


def test_wikitext_relative_fragment_and_unsafe_links():
    assert wiki_body("[Procedures](Enforcement.md) [top](#scope) [x](javascript:alert(1))") == (
        "Procedures (Enforcement.md) [[#scope|top]] x"
    )
    assert wiki_body("[Procedures](Enforcement.md)", base_url="https://example.org/coc/") == (
        "[https://example.org/coc/Enforcement.md Procedures]"
    )


def test_wikitext_bullet_lists_nested():
    body = "- one\n- two\n  continued\n  - nested\n    - deeper\n* three\n+ four\n    - deep"
    assert wiki_body(body) == (
        "* one\n* two continued\n** nested\n*** deeper\n* three\n* four\n** deep"
    )


def test_wikitext_ordered_lists_nested_and_mixed():
    body = "1. first\n2. second\n   1. sub one\n   2. sub two\n      - bullet\n3. third"
    assert wiki_body(body) == "# first\n# second\n## sub one\n## sub two\n##* bullet\n# third"


def test_wikitext_loose_list_stays_one_list():
    body = "1. one\n\n2. two\n\n   more about two\n\nAfter."
    assert wiki_body(body) == "# one\n# two<br /><br />more about two\n\nAfter."


def test_wikitext_list_interrupting_paragraph():
    assert wiki_body("Including:\n* a\n* b\n\nEnd") == "Including:\n\n* a\n* b\n\nEnd"


def test_wikitext_blockquote():
    assert wiki_body("> quoted\n> text\n\nafter") == "<blockquote>quoted text</blockquote>\n\nafter"
    assert wiki_body("> para\n>\n> - item") == ("<blockquote>\npara\n\n* item\n</blockquote>")


def test_wikitext_rule_and_table():
    assert wiki_body("a\n\n***\n\nb") == "a\n\n----\n\nb"
    assert wiki_body("| A | B |\n|---|:-:|\n| 1 | [x](https://x.org) |\n| a\\|b | |") == (
        '{| class="wikitable"\n! A !! B\n|-\n| 1 || [https://x.org x]\n|-\n| a&#124;b ||  \n|}'
    )


def test_wikitext_neutralises_wiki_syntax():
    out = wiki_body("Sign with ~~~~ or {{template}} or [[Page]] and ''quotes''")
    assert "<nowiki>~~~~</nowiki>" in out
    assert "<nowiki>{{</nowiki>" in out and "<nowiki>[[</nowiki>" in out
    assert "''quotes''" not in out
    assert wiki_body("#hashtag at the start") == "<nowiki/>#hashtag at the start"
    assert wiki_body("- #1 item") == "* <nowiki/>#1 item"


def test_wikitext_apostrophe_next_to_emphasis():
    assert wiki_body("*Contributor Covenant*'s text") == "''Contributor Covenant''&#39;s text"


def test_wikitext_escapes():
    assert (
        wiki_body(r"\*not em\* and \[not link\]")
        == "<nowiki>*</nowiki>not em<nowiki>*</nowiki> and &#91;not link&#93;"
    )


def test_wikitext_empty_sections():
    assert to_wikitext("T", []) == ""
    assert to_wikitext("T", [("A", "")]) == "== A ==\n"


def test_wikitext_contributor_covenant_2_1():
    policy = parse_policy(corpus("contributor-covenant-2.1.en.md"))
    text = to_wikitext(policy.title, pairs(policy))
    assert "](" not in text
    assert "**" not in text
    assert "[homepage]:" not in text and "[v2.1]:" not in text
    assert "[https://www.contributor-covenant.org Contributor Covenant]" in text
    assert (
        "[https://github.com/mozilla/diversity Mozilla's code of conduct enforcement ladder]"
        in (text)
    )
    assert "=== 1. Correction ===" in text
    assert "'''Community Impact''': Use of inappropriate language" in text
    assert "* Demonstrating empathy and kindness toward other people\n" in text
    assert text.count("\n== ") + text.startswith("== ") == 7


@pytest.mark.parametrize("name", sorted(CORPUS_SECTION_COUNTS))
def test_wikitext_corpus_smoke(name):
    policy = parse_policy(corpus(name))
    text = to_wikitext(policy.title, pairs(policy))
    assert "](" not in text
    assert not re.search(r"(?<!^)(?<!\*)\*\*(?!\*)", text, re.M), "unconverted bold"
    assert not re.search(r"[\ue000-\uf8ff]", text), "internal marker leaked"
    assert not re.search(r"^ {0,3}[-+] ", text, re.M), "unconverted bullet"


def test_wikitext_nested_lists_from_corpus():
    policy = parse_policy(corpus("contributor-covenant-3.0.en.md"))
    text = to_wikitext(policy.title, pairs(policy))
    assert "# Warning\n## Event: A violation involving a single incident" in text
    django = parse_policy(corpus("django-code-of-conduct.2026-01-10.md"))
    text = to_wikitext(django.title, pairs(django))
    assert "** Posting (or threatening to post) other people's personally identifying " in text
    assert "[mailto:conduct@djangoproject.com conduct@djangoproject.com]" in text


# --------------------------------------------------------------------------------------------
# Robustness on arbitrary input
# --------------------------------------------------------------------------------------------

_TOKENS = list("abcXYZ 019#*_-+=>`~[]()<>!:/\\|'\"&;.\n\t") + [
    "\n\n", "## ", "- ", "1. ", "```", "](", "<a href=", "javascript:", "[A B]", "é",
]  # fmt: skip
_MARKDOWNISH = st.lists(st.sampled_from(_TOKENS), max_size=120).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=_MARKDOWNISH)
def test_parse_never_crashes(text):
    try:
        policy = parse_policy(text)
    except PolicyFormatError as exc:
        assert str(exc)
        return
    assert policy.sections
    for section in policy.sections:
        assert section.body == section.body.strip("\n") or not section.body.strip()


@settings(max_examples=300, deadline=None)
@given(text=_MARKDOWNISH)
def test_render_is_always_sanitised(text):
    html = highlight_placeholders(render_markdown(text))
    assert "<script" not in html.lower()
    for tag, attrs in tags_of(html):
        assert tag in ALLOWED_TAGS | {"mark"}, tag
        for name, value in attrs:
            assert not name.startswith("on")
            if name == "href":
                assert not re.match(r"\s*javascript:", value or "", re.I)


@settings(max_examples=300, deadline=None)
@given(heading=_MARKDOWNISH, body=_MARKDOWNISH)
def test_wikitext_and_placeholders_never_crash(heading, body):
    text = to_wikitext("T", [(heading, body), ("Other", body)])
    assert not re.search(r"[\ue000-\ue005]", text)
    assert all(PLACEHOLDER_RE.fullmatch(p) for p in find_placeholders(body))
