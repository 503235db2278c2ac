"""Reading and writing policy documents as Markdown, and exporting them as MediaWiki wikitext.

This module is pure Python: it knows nothing about Django or the database, so it can be used
from management commands, views and tests alike.

Importing
    :func:`parse_policy` turns a Markdown file (bytes or text) into a :class:`ParsedPolicy`: a
    title, the front matter (YAML between ``---`` lines or TOML between ``+++`` lines) and a flat
    list of :class:`ParsedSection`, split at the headings of one level (``##`` by default).
    Problems a user can fix are reported as :class:`PolicyFormatError` with a readable message.

Rendering
    :func:`render_markdown` converts a section body to HTML and sanitises it with an explicit
    allow-list; :func:`highlight_placeholders` then marks template placeholders such as
    ``[INSERT CONTACT METHOD]`` (found in source text by :func:`find_placeholders`).

Versioning
    :func:`slugify_key` derives a stable key from a heading, and :func:`match_section_keys`
    works out which sections of a newly imported version continue which sections of the
    current one, so keys survive renumbering, renames and light edits.

Exporting
    :func:`to_markdown` writes a document that :func:`parse_policy` reads back unchanged;
    :func:`to_wikitext` writes MediaWiki markup for pasting into a wiki page.
"""

from __future__ import annotations

import bisect
import html as html_lib
import re
import tomllib
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import markdown
import nh3
import yaml
from markdown.extensions import Extension
from markdown.extensions.tables import TableExtension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from core.text import NulCharacterError, imported_text

__all__ = [
    "PLACEHOLDER_RE",
    "ParsedPolicy",
    "ParsedSection",
    "PolicyFormatError",
    "find_placeholders",
    "highlight_placeholders",
    "match_section_keys",
    "parse_policy",
    "render_markdown",
    "slugify_key",
    "to_markdown",
    "to_wikitext",
]

INTRODUCTION_HEADING = "Introduction"
"""Heading given to the text between the title and the first section heading."""


class PolicyFormatError(ValueError):
    """Raised for input that cannot be imported; ``str(e)`` is a message a user can act on."""


@dataclass
class ParsedSection:
    """One section of an imported policy."""

    heading: str
    body: str
    """Markdown source of the section body without leading/trailing blank lines. Headings
    deeper than the section level (``###`` and below by default) stay inside the body."""


@dataclass
class ParsedPolicy:
    """The result of :func:`parse_policy`."""

    title: str
    front_matter: dict
    sections: list[ParsedSection]
    section_level: int = 2
    """The heading level the sections were actually split at. This is the requested level
    unless the file has no heading at that level (or above), in which case the shallowest
    deeper level present is used; see :func:`parse_policy`."""


# --------------------------------------------------------------------------------------------
# Block-structure helpers shared by the parser and the wikitext writer
# --------------------------------------------------------------------------------------------

_ATX_RE = re.compile(r"^ {0,3}(#{1,6})(?=[ \t]|$)(.*)$")
_SETEXT_RE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE_RE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_LIST_ITEM_RE = re.compile(r"^([ \t]*)([-*+]|\d{1,9}[.)])(?:[ \t]+(.*)|[ \t]*$)")
_THEMATIC_RE = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_QUOTE_RE = re.compile(r"^ {0,3}> ?(.*)$")
_NUMBERING_RE = re.compile(r"^\s*(?:\d+(?:\.\d+)*[.)]|\d+(?:\.\d+)+)(?=\s|$)\s*")


@dataclass
class _Heading:
    start: int  # index of the heading's first line
    end: int  # index just after its last line (setext headings span two lines)
    level: int
    text: str


def _indent_width(prefix: str) -> int:
    return len(prefix.expandtabs(4))


def _leading_width(line: str) -> int:
    return _indent_width(line[: len(line) - len(line.lstrip())])


def _clean_atx_text(raw: str) -> str:
    """Heading text of an ATX heading: surrounding spaces and a closing ``#`` run removed
    (a closing run must follow a space or tab, so ``C#`` keeps its ``#``)."""
    text = raw.strip()
    without = text.rstrip("#")
    if not without or without[-1] in " \t":
        return without.strip()
    return text


def _fence_opener(line: str) -> tuple[str, int, int] | None:
    """(fence character, fence length, indent) if `line` opens a fenced code block."""
    m = _FENCE_RE.match(line)
    if not m or (m[2][0] == "`" and "`" in m[3]):
        return None
    return m[2][0], len(m[2]), len(m[1])


def _closes_fence(line: str, char: str, length: int) -> bool:
    m = _FENCE_RE.match(line)
    return bool(m and m[2][0] == char and len(m[2]) >= length and not m[3].strip())


def _is_plain_line(line: str) -> bool:
    """Could `line` be the text of a setext heading (i.e. plain paragraph text)?"""
    if line.startswith(("\t", "    ")):
        return False
    stripped = line.lstrip()
    return not (
        _LIST_ITEM_RE.match(line) or stripped.startswith((">", "|", "<")) or _fence_opener(line)
    )


def _scan_headings(lines: Sequence[str]) -> list[_Heading]:
    """All ATX headings, and single-line setext headings, outside fenced code blocks."""
    headings: list[_Heading] = []
    fence: tuple[str, int, int] | None = None
    after_break = True  # the previous line ended a block (start, blank line, heading, fence)
    candidate: int | None = None  # a plain line that could be the text of a setext heading
    for i, line in enumerate(lines):
        if fence:
            if _closes_fence(line, fence[0], fence[1]):
                fence = None
                after_break = True
            continue
        opener = _fence_opener(line)
        if opener:
            fence = opener
            candidate = None
            continue
        if not line.strip():
            after_break, candidate = True, None
            continue
        m = _ATX_RE.match(line)
        if m:
            headings.append(_Heading(i, i + 1, len(m[1]), _clean_atx_text(m[2])))
            after_break, candidate = True, None
            continue
        m = _SETEXT_RE.match(line)
        if m and candidate == i - 1:
            level = 1 if m[1][0] == "=" else 2
            headings.append(_Heading(i - 1, i + 1, level, lines[i - 1].strip()))
            after_break, candidate = True, None
            continue
        candidate = i if after_break and _is_plain_line(line) else None
        after_break = False
    return headings


def _strip_blank_lines(lines: Sequence[str]) -> str:
    """Join `lines`, dropping whitespace-only lines at the start and the end."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])


# --------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------


def _decode(data: bytes | str) -> str:
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if isinstance(data, bytes):
        bom = b"\xef\xbb\xbf"
        skip = len(bom) if data.startswith(bom) else 0
        try:
            return data[skip:].decode("utf-8")
        except UnicodeDecodeError as exc:
            offset = skip + exc.start
            line = data[:offset].count(b"\n") + 1
            raise PolicyFormatError(
                f"The file is not UTF-8 text: the byte 0x{data[offset]:02x} at offset {offset} "
                f"(line {line}) is not valid UTF-8. Save the file with UTF-8 encoding and "
                "import it again."
            ) from exc
    if isinstance(data, str):
        return data[1:] if data.startswith("\ufeff") else data
    raise TypeError(f"parse_policy() needs bytes or str, not {type(data).__name__}")


_TOML_POSITION_RE = re.compile(r"\(at line (\d+), column (\d+)\)")


def _parse_front_matter(lines: list[str]) -> tuple[dict, int]:
    """Parse front matter at the top of `lines`; return it and the index of the first line
    after it (0 when there is none)."""
    if not lines or lines[0].rstrip() not in ("---", "+++"):
        return {}, 0
    opener = lines[0].rstrip()
    closers = ("---", "...") if opener == "---" else ("+++",)
    for end in range(1, len(lines)):
        if lines[end].rstrip() in closers:
            break
    else:
        raise PolicyFormatError(
            f"Front matter opened with {opener} on line 1 is never closed. Add a line "
            f"containing only {opener} where it ends (or remove the first line if the file "
            "has no front matter)."
        )
    source = "\n".join(lines[1:end])
    if opener == "---":
        try:
            value = yaml.safe_load(source)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 2}, column {mark.column + 1})" if mark else ""
            raise PolicyFormatError(
                f"The YAML front matter (between the --- lines) is not valid: {problem}{where}."
            ) from exc
        kind = "YAML"
    else:
        try:
            value = tomllib.loads(source)
        except tomllib.TOMLDecodeError as exc:
            message = _TOML_POSITION_RE.sub(
                lambda m: f"(line {int(m[1]) + 1}, column {m[2]})", str(exc)
            )
            raise PolicyFormatError(
                f"The TOML front matter (between the +++ lines) is not valid: {message}."
            ) from exc
        kind = "TOML"
    if value is None:
        value = {}
    if not isinstance(value, dict):
        what = "a list" if isinstance(value, list) else f"a single value ({value!r:.40})"
        raise PolicyFormatError(
            f"The {kind} front matter must be a set of keys and values (such as "
            f"'title: My policy'), but it is {what}."
        )
    return value, end + 1


def _front_matter_title(front_matter: dict) -> str:
    value = front_matter.get("title")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return str(value).strip()


def _no_sections_error(level: int) -> PolicyFormatError:
    marks = "#" * level
    return PolicyFormatError(
        f"No level-{level} headings ({marks} ...) found: sections are split at level-{level} "
        f"headings. Start each section with a line such as '{marks} Scope', or choose the "
        "heading level your file uses with --level."
    )


def parse_policy(data: bytes | str, *, level: int = 2) -> ParsedPolicy:
    """Split a Markdown policy document into a title, front matter and sections.

    `data` is the file's content; bytes must be UTF-8 (a byte-order mark is accepted). Line
    endings are normalised to ``\\n``.

    Front matter is YAML when the first line is ``---`` (closed by ``---`` or ``...``) or TOML
    when it is ``+++`` (closed by ``+++``); it must be a mapping.

    Headings are ATX (``## Heading``, an optional closing ``#`` run is removed) or setext
    (a single line of text underlined with ``===`` for level 1 or ``---`` for level 2).
    Lines inside fenced code blocks (````` ``` ````` or ``~~~``) are never headings.

    Sections:

    * When `level` is 2 or more, the first level-1 heading that comes before any other heading
      of level <= `level` is the *title heading*: it is not a section. The title is the front
      matter's ``title`` if present, else the text of the title heading, else ``""``.
    * Every other heading of level <= `level` starts a section, so a later level-1 heading
      (e.g. ``# Appendix``) becomes a section of its own rather than being buried in the body
      of the section before it. Deeper headings stay in the bodies.
    * If the file has no heading at level <= `level` (other than the title), but does have
      deeper ones (e.g. a document going straight from ``#`` to ``###``), sections are split at
      the shallowest level present instead; :attr:`ParsedPolicy.section_level` reports the
      level used.
    * With ``level=1`` every level-1 heading is a section and only front matter gives a title.
    * Non-blank text before the first section heading (other than the title heading) becomes a
      first section headed ``"Introduction"``.

    Control characters other than tab and line breaks are dropped (core.text).

    Raises :class:`PolicyFormatError` for non-UTF-8 data, a NUL character, an empty file,
    broken front matter, an invalid `level` or a file with no headings to split at.
    """
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 6:
        raise PolicyFormatError(f"The heading level must be a number from 1 to 6, not {level!r}.")
    text = _decode(data).replace("\r\n", "\n").replace("\r", "\n")
    try:
        text = imported_text(text)
    except NulCharacterError as exc:
        raise PolicyFormatError(f"The file cannot be imported: {exc}") from exc
    if not text.strip():
        raise PolicyFormatError("The file is empty.")
    all_lines = text.split("\n")
    front_matter, first_line = _parse_front_matter(all_lines)
    lines = all_lines[first_line:]
    if not any(line.strip() for line in lines):
        raise PolicyFormatError("The file has front matter but no policy text after it.")

    headings = _scan_headings(lines)
    title_heading: _Heading | None = None
    if level >= 2:
        first = next((h for h in headings if h.level <= level), None)
        if first is not None and first.level == 1:
            title_heading = first
    others = [h for h in headings if h is not title_heading]
    section_level = level
    splits = [h for h in others if h.level <= level]
    if not splits:
        if not others:
            raise _no_sections_error(level)
        section_level = min(h.level for h in others)
        splits = [h for h in others if h.level == section_level]

    skipped = set(range(title_heading.start, title_heading.end)) if title_heading else set()

    def body(start: int, end: int) -> str:
        return _strip_blank_lines([lines[i] for i in range(start, end) if i not in skipped])

    sections: list[ParsedSection] = []
    preamble = body(0, splits[0].start)
    if preamble:
        sections.append(ParsedSection(INTRODUCTION_HEADING, preamble))
    for n, heading in enumerate(splits):
        end = splits[n + 1].start if n + 1 < len(splits) else len(lines)
        sections.append(ParsedSection(heading.text, body(heading.end, end)))

    title = _front_matter_title(front_matter) or (title_heading.text if title_heading else "")
    return ParsedPolicy(title, front_matter, sections, section_level)


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------

_ALLOWED_TAGS = {
    "p", "br", "hr", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "b", "i",
    "code", "pre", "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td", "del",
    "ins", "sup", "sub", "abbr",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"align"},
    "td": {"align"},
}
_URL_SCHEMES = {"http", "https", "mailto"}


class _DemoteHeadings(Treeprocessor):
    """Render ``#`` and ``##`` headings inside a body as ``<h3>``: the page itself uses
    ``<h1>`` for the title and ``<h2>`` for section headings."""

    def run(self, root):
        for element in root.iter():
            if element.tag in ("h1", "h2"):
                element.tag = "h3"


class _AccordExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802 - name fixed by Python-Markdown
        md.treeprocessors.register(_DemoteHeadings(md), "accord_demote_headings", 0)
        # After fenced code blocks are stashed (priority 25), before raw HTML blocks (20).
        md.preprocessors.register(_CostGuard(md), "accord_cost_guard", 22)


# Python-Markdown is quadratic on some input: for every "[" (or "(" after "]") it scans to the
# matching bracket, or to the end of the paragraph when there is none; every inline element
# costs a pass over its paragraph; and its raw-HTML block parser scans from every "<tag" to the
# next ">" anywhere in the text. The guard below estimates that work per paragraph and, when a
# body's total exceeds the budget, shows its costliest paragraphs as escaped plain text
# instead. Real policies stay orders of magnitude below the budget; this only bounds the time
# hostile input can take (to about a second).
_INLINE_STARTERS = "[<\\&*_`!("
_BRACKET_RE = re.compile(r"\\.|[\[\]()]", re.S)
_TAG_START_RE = re.compile(r"<[A-Za-z/!?]")
_BLOCK_HEADING_RE = re.compile(r" {0,3}(?:#|=+[ \t]*$|-+[ \t]*$)")
_NESTING_RE = re.compile(r"(?:[ \t]*(?:[-*+>]|\d{1,9}[.)])(?=[ \t>]|$))+")
_MARKER_RE = re.compile(r"[-*+>]|\d{1,9}[.)]")
_RENDER_BUDGET = 2_000_000


def _starter_count(text: str) -> int:
    return sum(text.count(c) for c in _INLINE_STARTERS)


def _inline_cost(text: str) -> int:
    """Estimated inline-processing work for one block of Markdown."""
    cost = len(text) * (_starter_count(text) // 64)
    open_square: list[int] = []
    open_round: list[int] = []
    for m in _BRACKET_RE.finditer(text):
        char, at = m[0], m.start()
        if char == "[":
            open_square.append(at)
        elif char == "(":
            open_round.append(at)
        elif char == "]" and open_square:
            cost += at - open_square.pop()
        elif char == ")" and open_round:
            cost += at - open_round.pop()
    return cost + sum(len(text) - at for at in open_square + open_round)


class _CostGuard(Preprocessor):
    """Replace the costliest paragraphs of pathological input with escaped plain text."""

    def run(self, lines):
        whole = "\n".join(lines)
        markers = sum(whole.count(c) for c in "-+>.)") + len(lines) // 8
        if (_starter_count(whole) + markers) * len(whole) <= _RENDER_BUDGET:
            return lines  # cannot exceed the budget: skip the detailed estimate
        closers = [m.start() for m in re.finditer(">", whole)]
        spans: list[tuple[int, int, int]] = []  # (cost, first line, line after the last)
        start, start_offset, offset = None, 0, 0
        for i, line in enumerate([*lines, ""]):
            if line.strip():
                if start is None:
                    start, start_offset = i, offset
            elif start is not None:
                # List items are rendered one by one, so they are costed one by one.
                cost, unit = 0, ""
                for item_line in lines[start:i]:
                    if _LIST_ITEM_RE.match(item_line):
                        cost += _inline_cost(unit)
                        unit = ""
                    unit += item_line + "\n"
                cost += _inline_cost(unit)
                # Each heading line inside a block makes Python-Markdown re-split the block, and
                # each level of nesting ("- - - x", "> > x") re-parses the rest of it.
                block_length = offset - start_offset
                for block_line in lines[start:i]:
                    if _BLOCK_HEADING_RE.match(block_line):
                        cost += block_length // 8
                    nest = _NESTING_RE.match(block_line)
                    if nest:
                        cost += (len(_MARKER_RE.findall(nest[0])) - 1) * block_length // 8
                for m in _TAG_START_RE.finditer("\n".join(lines[start:i])):
                    position = start_offset + m.start()
                    k = bisect.bisect_right(closers, position)
                    cost += (closers[k] if k < len(closers) else len(whole)) - position
                spans.append((cost, start, i))
                start = None
            offset += len(line) + 1
        total = sum(cost for cost, _, _ in spans)
        plain: dict[int, int] = {}
        for cost, first, after in sorted(spans, reverse=True):
            if total <= _RENDER_BUDGET:
                break
            total -= cost
            plain[first] = after
        out: list[str] = []
        i = 0
        while i < len(lines):
            if i in plain:
                text = html_lib.escape("\n".join(lines[i : plain[i]]), quote=False)
                out.append(self.md.htmlStash.store(f"<p>{text}</p>"))
                i = plain[i]
            else:
                out.append(lines[i])
                i += 1
        return out


def render_markdown(text: str) -> str:
    """Markdown to safe HTML for display.

    Converted with Python-Markdown (``fenced_code``, ``tables``, ``abbr``, ``sane_lists``)
    then sanitised with nh3 using an explicit allow-list of tags (paragraphs, lists, emphasis,
    code, quotes, tables, ``h3``-``h6``...) and attributes (``a[href,title]``,
    ``abbr[title]``, ``th/td[align]``). Level-1 and level-2 headings in the text become
    ``<h3>``. Links may only use http, https or mailto, or be relative / fragment links, and
    get ``rel="nofollow noopener"``. Raw HTML is stripped (``<script>``/``<style>`` with
    their content); the text of other disallowed tags is kept, escaped.

    Pathological input that would make Python-Markdown run for minutes (thousands of stray
    ``[`` or ``<tag`` in one paragraph, thousands of nested list markers...) is shown as
    escaped plain text instead, paragraph by paragraph; ordinary documents are unaffected.
    """
    md = markdown.Markdown(
        extensions=[
            "fenced_code",
            TableExtension(use_align_attribute=True),
            "abbr",
            "sane_lists",
            _AccordExtension(),
        ],
        output_format="html",
    )
    try:
        converted = md.convert(text or "")
    except RecursionError:  # e.g. thousands of nested list markers ("- - - - ... x")
        converted = f"<p>{html_lib.escape(text or '', quote=False)}</p>"
    return nh3.clean(
        converted,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="nofollow noopener",
        clean_content_tags={"script", "style"},
        strip_comments=True,
    )


# --------------------------------------------------------------------------------------------
# Placeholders
# --------------------------------------------------------------------------------------------


def _char_class(chars: Iterable[str]) -> str:
    """A regex character-class body matching exactly `chars` (compressed into ranges)."""
    codes = sorted({ord(c) for c in chars})
    parts: list[str] = []
    i = 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        first, last = re.escape(chr(codes[i])), re.escape(chr(codes[j]))
        parts.append(first if i == j else f"{first}-{last}")
        i = j + 1
    return "".join(parts)


# Uppercase letters of the Basic Multilingual Plane (Latin, Greek, Cyrillic, Armenian...).
_UPPER = _char_class(c for c in map(chr, range(0x10000)) if c.isupper())
# Combining marks, so decomposed text such as "E\u0301" still counts as uppercase.
_MARKS = "\u0300-\u036f"

PLACEHOLDER_RE: re.Pattern[str] = re.compile(
    r"(?<![\]\\!])\["  # not the label of a reference link [text][LABEL], not escaped or image
    rf"(?=[{_UPPER}{_MARKS}0-9 _\-]*?[{_UPPER}])"  # at least one letter
    rf"(?! )[{_UPPER}{_MARKS}0-9 _\-]{{3,}}(?<! )"  # 3+ allowed characters, no edge spaces
    r"\](?![(\[])"  # not followed by a link destination or a reference label
)
"""Bracketed ALL-CAPS template placeholders such as ``[INSERT CONTACT METHOD]``,
``[GOVERNING_BODY]`` or ``[INSERTAR MÉTODO DE CONTACTO]``: uppercase letters, digits, spaces,
underscores and hyphens, at least three characters with at least one letter. Markdown links
(``[TEXT](url)``, ``[TEXT][ref]``, ``[text][REF]``), images and numbers like ``[1]`` do not
match."""

_LINK_DEFINITION_RE = re.compile(
    r"^ {0,3}\[([^\]]+)\]:[ \t]*+<?([^\s>]*+)>?"
    r"(?:[ \t]++(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?[ \t]*+$"
)


def _label(text: str) -> str:
    return " ".join(text.split()).casefold()


def find_placeholders(text: str) -> list[str]:
    """Placeholders in Markdown source, with their brackets, unique, in order of appearance.

    Labels that the text defines as link references (``[FAQ]: https://...``) are links, not
    placeholders, and are left out.
    """
    defined = set()
    for line in (text or "").splitlines():
        m = _LINK_DEFINITION_RE.match(line)
        if m:
            defined.add(_label(m[1]))
    found: dict[str, None] = {}
    for m in PLACEHOLDER_RE.finditer(text or ""):
        if _label(m[0][1:-1]) not in defined:
            found.setdefault(m[0], None)
    return list(found)


_HTML_TOKEN_RE = re.compile(r"<!--.*?-->|<(?:[^<>\"']|\"[^\"]*\"|'[^']*')*>", re.S)
_MARK_OPEN = '<mark class="placeholder" title="To fill in">'


def highlight_placeholders(html: str) -> str:
    """Wrap each placeholder in the text of sanitised HTML in
    ``<mark class="placeholder" title="To fill in">…</mark>``.

    Only text between tags is touched, never tag names or attribute values. Text already
    inside a ``<mark>`` is left alone, so applying this twice changes nothing.
    """

    def mark(text: str) -> str:
        return PLACEHOLDER_RE.sub(lambda m: f"{_MARK_OPEN}{m[0]}</mark>", text)

    out: list[str] = []
    depth = 0  # how many <mark> elements we are inside
    pos = 0
    for m in _HTML_TOKEN_RE.finditer(html):
        text = html[pos : m.start()]
        out.append(mark(text) if depth == 0 else text)
        tag = m[0].lower()
        if re.match(r"<mark\b", tag):
            depth += 1
        elif re.match(r"</mark\b", tag):
            depth = max(depth - 1, 0)
        out.append(m[0])
        pos = m.end()
    tail = html[pos:]
    out.append(mark(tail) if depth == 0 else tail)
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Section keys
# --------------------------------------------------------------------------------------------

_TRANSLITERATIONS = str.maketrans(
    {
        "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
        "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th",
        "ı": "i",
    }
)  # fmt: skip
_KEY_MAX = 50


def slugify_key(heading: str, taken: Collection[str]) -> str:
    """A stable section key derived from `heading` that is not in `taken`.

    Leading numbering (``"1."``, ``"5)"``, ``"2.1"``) is dropped, accents are removed
    (``"é"`` -> ``"e"``, ``"ß"`` -> ``"ss"``), the rest is lowercased and every run of other
    characters becomes ``"-"``; at most 50 characters, ``"section"`` if nothing is left. If the
    slug is taken, ``-2``, ``-3``... is appended. `taken` is not modified.
    """
    text = _NUMBERING_RE.sub("", heading or "", count=1).translate(_TRANSLITERATIONS)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    slug = slug[:_KEY_MAX].rstrip("-") or "section"
    if slug not in taken:
        return slug
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = slug[: _KEY_MAX - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        n += 1


def _comparable_heading(heading: str) -> str:
    return " ".join(_NUMBERING_RE.sub("", heading or "", count=1).casefold().split())


def _heading_and_body(section: Any) -> tuple[str, str]:
    if isinstance(section, ParsedSection):
        return section.heading, section.body
    heading, body = section[-2], section[-1]
    return heading or "", body or ""


HEADING_THRESHOLD = 0.6
BODY_THRESHOLD = 0.5


def match_section_keys(
    old: Sequence[tuple[str, str, str]],
    new: Sequence[ParsedSection],
    *,
    similarity: Callable[[str, str], float],
) -> list[str | None]:
    """For each new section, the key of the old section it continues, or None if it is new.

    `old` holds ``(key, heading, body)`` of the current version's sections. Matching:

    1. Same heading, ignoring case, spacing and leading numbering (so ``"5. Scope"`` matches
       ``"6. Scope"`` after a section was inserted before it). Duplicates pair up in order.
    2. Remaining sections pair up by ``similarity(a, b)`` (0..1): a pair qualifies when the
       headings are at least 0.6 alike or the bodies at least 0.5 alike, scores
       ``max(heading_similarity, body_similarity)`` and pairs are taken greedily from the best
       score (ties: nearest position first). Empty bodies are never compared.

    Each old key is used at most once.
    """
    result: list[str | None] = [None] * len(new)
    new_pairs = [_heading_and_body(s) for s in new]
    used_old: set[int] = set()
    used_keys: set[str] = set()

    def take(i: int, j: int) -> None:
        result[i] = old[j][0]
        used_old.add(j)
        used_keys.add(old[j][0])

    def available(j: int) -> bool:
        return j not in used_old and bool(old[j][0]) and old[j][0] not in used_keys

    by_heading: dict[str, list[int]] = {}
    for j, (_key, heading, _body) in enumerate(old):
        by_heading.setdefault(_comparable_heading(heading), []).append(j)
    for i, (heading, _body) in enumerate(new_pairs):
        for j in by_heading.get(_comparable_heading(heading), []):
            if available(j):
                take(i, j)
                break

    candidates: list[tuple[float, int, int, int]] = []
    for i, (heading, body) in enumerate(new_pairs):
        if result[i] is not None:
            continue
        new_heading = _comparable_heading(heading)
        for j, (_key, old_heading, old_body) in enumerate(old):
            if not available(j):
                continue
            old_heading, old_body = _comparable_heading(old_heading), old_body or ""
            heading_score = (
                similarity(old_heading, new_heading) if old_heading and new_heading else 0.0
            )
            body_score = similarity(old_body, body) if old_body.strip() and body.strip() else 0.0
            if heading_score >= HEADING_THRESHOLD or body_score >= BODY_THRESHOLD:
                candidates.append((-max(heading_score, body_score), abs(i - j), i, j))
    candidates.sort()
    for _score, _distance, i, j in candidates:
        if result[i] is None and available(j):
            take(i, j)
    return result


# --------------------------------------------------------------------------------------------
# Export: Markdown
# --------------------------------------------------------------------------------------------


def _heading_line(marks: str, text: str) -> str:
    text = " ".join(part.strip() for part in (text or "").splitlines() if part.strip())
    if text.endswith("#"):
        text += " #"  # a closing sequence, so the parser keeps the text's own "#"
    return f"{marks} {text}".rstrip() if text else marks


def to_markdown(
    title: str,
    sections: Sequence[tuple[str, str]],
    *,
    front_matter: dict | None = None,
) -> str:
    """Write a policy as Markdown that :func:`parse_policy` reads back.

    Layout: optional YAML front matter between ``---`` lines, ``# Title`` (omitted when the
    title is blank), then ``## Heading`` and the body of every section, separated by blank
    lines. Bodies are written verbatim (minus leading/trailing blank lines), so parsing the
    result gives the same headings and bodies as long as a body contains no heading of level 1
    or 2 itself. `sections` holds ``(heading, body)`` pairs (``ParsedSection`` objects work
    too).
    """
    parts: list[str] = []
    if front_matter:
        try:
            dumped = yaml.safe_dump(
                dict(front_matter), sort_keys=False, allow_unicode=True, default_flow_style=False
            )
        except yaml.YAMLError as exc:
            raise ValueError(f"The front matter cannot be written as YAML: {exc}") from exc
        parts.append(f"---\n{dumped}---")
    if title and title.strip():
        parts.append(_heading_line("#", title))
    for section in sections:
        heading, body = _heading_and_body(section)
        parts.append(_heading_line("##", heading))
        text = _strip_blank_lines(body.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
        if text:
            parts.append(text)
    return "\n\n".join(parts) + "\n"


# --------------------------------------------------------------------------------------------
# Export: MediaWiki wikitext
# --------------------------------------------------------------------------------------------

_WIKI_SCHEMES = {
    "http", "https", "ftp", "ftps", "sftp", "mailto", "irc", "ircs", "news", "tel", "xmpp",
    "git", "ssh", "matrix",
}  # fmt: skip
_MAX_QUOTE_DEPTH = 16
_TOKEN_RE = re.compile("\ue000(\\d+)\ue001")
_EM, _STRONG, _STRONG_EM = "\ue002", "\ue003", "\ue004"
_APOSTROPHE_NEXT_TO_MARKUP_RE = re.compile("(?<=[\ue002-\ue004])'|'(?=[\ue002-\ue004])")
_CODE_SPAN_RE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_ESCAPE_RE = re.compile(r"\\([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")
_AUTOLINK_RE = re.compile(r"<((?:[a-zA-Z][a-zA-Z0-9+.-]{1,31}):[^\s<>]*)>")
_EMAIL_AUTOLINK_RE = re.compile(r"<([^\s@<>()\[\]]++@[^\s@<>()\[\].]++(?:\.[^\s@<>()\[\].]++)+)>")
_HTML_TAG_RE = re.compile(r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>", re.S)
_BRACKETED = r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]"
_INLINE_LINK_RE = re.compile(
    r"(!?)" + _BRACKETED + r"\(\s*+(<[^<>\n]*>|(?:[^\s()]|\([^\s()]*\))*+)"
    r"(?:\s++(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?\s*+\)"
)
_REF_LINK_RE = re.compile(r"(!?)" + _BRACKETED + r"\[([^\[\]]*)\]")
_SHORTCUT_LINK_RE = re.compile(r"(!?)\[([^\[\]]+)\](?![\[(:])")
_BARE_URL_RE = re.compile(r"(?<![\w/])(?:https?|ftp)://[^\s<>\[\]\ue000\ue001]+")
# Emphasis content may not contain its own delimiter, which keeps matching linear; nesting
# is handled by running the passes in the order strong+em, em, strong, em.
_STRONG_EM_RE = re.compile(
    r"(?<!\*)\*\*\*(?![\s*])([^*]+?)(?<![\s*])\*\*\*(?!\*)"
    r"|(?<![\w_])___(?![\s_])([^_]+?)(?<![\s_])___(?![\w_])"
)
_STRONG_RE = re.compile(
    r"(?<!\*)\*\*(?![\s*])([^*]+?)(?<![\s*])\*\*(?!\*)"
    r"|(?<![\w_])__(?![\s_])([^_]+?)(?<![\s_])__(?![\w_])"
)
_EM_RE = re.compile(
    r"(?<!\*)\*(?![\s*])([^*]+?)(?<![\s*])\*(?!\*)"
    r"|(?<![\w_])_(?![\s_])([^_]+?)(?<![\s_])_(?![\w_])"
)
_WIKI_LINE_START_RE = re.compile(r"[*#:;]|-{4}|\{\||=.*=\s*$")
_TABLE_DELIMITER_RE = re.compile(r"^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")


def _escape_pre(text: str) -> str:
    return html_lib.escape(text, quote=False)


def _guard_line_start(text: str) -> str:
    """Stop text placed at the start of a wikitext line from being read as wiki markup."""
    return "<nowiki/>" + text if _WIKI_LINE_START_RE.match(text) else text


def _join_paragraph(lines: Sequence[str]) -> str:
    """Join soft-wrapped lines with spaces; Markdown hard breaks become ``<br />``."""
    out: list[str] = []
    for n, line in enumerate(lines):
        stripped = line.strip()
        last = n == len(lines) - 1
        if not last and stripped.endswith("\\") and not stripped.endswith("\\\\"):
            out.append(stripped[:-1].rstrip() + "<br />")
        elif not last and line.endswith("  "):
            out.append(stripped + "<br />")
        else:
            out.append(stripped)
    return re.sub(r"<br />\s+", "<br />", " ".join(part for part in out if part))


def _split_table_row(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line)]


class _WikiWriter:
    """Converts Markdown bodies to wikitext; holds the document's link definitions."""

    def __init__(self, definitions: dict[str, str], base_url: str | None) -> None:
        self.definitions = definitions
        self.base_url = base_url
        self._link_depth = 0  # > 0 while converting a link's text: links cannot nest
        self._quote_depth = 0  # nesting of block quotes being converted
        self._inline_depth = 0
        self._store: list[str] = []

    # -- inline ------------------------------------------------------------------------------

    def inline(self, text: str) -> str:
        # One store for a call and the calls it makes for link labels: a label can hold tokens
        # the outer call already kept (an HTML tag, say), and both must resolve them.
        if not self._inline_depth:
            self._store = []
        store = self._store
        self._inline_depth += 1
        try:
            return self._inline(text, store)
        finally:
            self._inline_depth -= 1

    def _inline(self, text: str, store: list[str]) -> str:
        def keep(value: str) -> str:
            store.append(value)
            return f"\ue000{len(store) - 1}\ue001"

        text = _CODE_SPAN_RE.sub(lambda m: keep(self._code(m[2])), text)
        text = _ESCAPE_RE.sub(lambda m: keep(self._literal(m[1])), text)
        text = _AUTOLINK_RE.sub(lambda m: keep(self._autolink(m[1])), text)
        text = _EMAIL_AUTOLINK_RE.sub(lambda m: keep(f"[mailto:{m[1]} {m[1]}]"), text)
        text = _HTML_TAG_RE.sub(lambda m: keep(m[0]), text)
        text = _INLINE_LINK_RE.sub(
            lambda m: keep(self._link(m[3].strip().strip("<>"), m[2], image=bool(m[1]))), text
        )
        text = _REF_LINK_RE.sub(lambda m: self._reference(m, keep), text)
        text = _SHORTCUT_LINK_RE.sub(lambda m: self._reference(m, keep), text)
        text = _BARE_URL_RE.sub(lambda m: keep(m[0]), text)
        text = re.sub(
            r"~{3,}|\{\{|\}\}|\[\[|\]\]", lambda m: keep(f"<nowiki>{m[0]}</nowiki>"), text
        )
        text = re.sub(r"'{2,}", lambda m: "&#39;" * len(m[0]), text)
        text = _STRONG_EM_RE.sub(lambda m: f"{_STRONG_EM}{m[1] or m[2]}{_STRONG_EM}", text)
        text = _EM_RE.sub(lambda m: f"{_EM}{m[1] or m[2]}{_EM}", text)
        text = _STRONG_RE.sub(lambda m: f"{_STRONG}{m[1] or m[2]}{_STRONG}", text)
        text = _EM_RE.sub(lambda m: f"{_EM}{m[1] or m[2]}{_EM}", text)
        # A literal apostrophe next to generated quote markup would change its meaning.
        text = _APOSTROPHE_NEXT_TO_MARKUP_RE.sub("&#39;", text)
        text = text.replace(_STRONG_EM, "'''''").replace(_STRONG, "'''").replace(_EM, "''")
        for _ in range(len(store) + 1):
            text, count = _TOKEN_RE.subn(lambda m: store[int(m[1])], text)
            if not count:
                break
        return text

    @staticmethod
    def _code(content: str) -> str:
        if content.startswith(" ") and content.endswith(" ") and content.strip():
            content = content[1:-1]
        escaped = html_lib.escape(content, quote=False)
        if re.search(r"['\[\]{}|~]|__|://", content):
            return f"<code><nowiki>{escaped}</nowiki></code>"
        return f"<code>{escaped}</code>"

    @staticmethod
    def _literal(char: str) -> str:
        return {"<": "&lt;", ">": "&gt;", "&": "&amp;", "[": "&#91;", "]": "&#93;"}.get(
            char, f"<nowiki>{char}</nowiki>" if char in "'*#:;=|{}~_" else char
        )

    @staticmethod
    def _autolink(url: str) -> str:
        if url.lower().startswith("mailto:"):
            return f"[{url} {url[len('mailto:') :]}]"
        scheme = url.split(":", 1)[0].lower()
        return url if scheme in _WIKI_SCHEMES else f"<nowiki>{url}</nowiki>"

    def _link(self, url: str, text: str, *, image: bool = False) -> str:
        self._link_depth += 1
        try:
            label = self.inline(text).strip()
        finally:
            self._link_depth -= 1
        if self._link_depth:
            return label  # e.g. an image inside a link: keep its text only
        if url.startswith("#"):
            fragment = url.replace("|", "%7C").replace("]", "%5D")
            return f"[[{fragment}|{label.replace(']]', '&#93;&#93;')}]]" if label else url
        if not re.match(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)", url):
            if not self.base_url:
                if not url:
                    return label
                return f"{label} ({url})" if label and label != url else url
            url = urljoin(self.base_url, url)
        elif not url.startswith("//") and url.split(":", 1)[0].lower() not in _WIKI_SCHEMES:
            return label  # e.g. javascript: -- MediaWiki would not link it anyway
        for char, code in (" ", "%20"), ("[", "%5B"), ("]", "%5D"), ("<", "%3C"), (">", "%3E"):
            url = url.replace(char, code)
        url = url.replace('"', "%22")
        if not label:
            return f"[{url}]" if image else url
        return f"[{url} {label.replace(']', '&#93;')}]"

    def _reference(self, m: re.Match[str], keep: Callable[[str], str]) -> str:
        groups = m.groups()
        image, text = bool(groups[0]), groups[1]
        label = groups[2] if len(groups) > 2 and groups[2] else text
        url = self.definitions.get(_label(label))
        if url is None:
            return m[0]
        return keep(self._link(url, text, image=image))

    # -- blocks ------------------------------------------------------------------------------

    def blocks(self, lines: Sequence[str]) -> list[str]:
        out: list[str] = []
        i, n = 0, len(lines)
        while i < n:
            line = lines[i]
            if not line.strip():
                i += 1
                continue
            fence = _fence_opener(line)
            if fence:
                i = self._fence(lines, i, fence, out)
                continue
            m = _ATX_RE.match(line)
            if m:
                marks = "=" * min(max(len(m[1]), 3), 6)
                out.append(f"{marks} {self.inline(_clean_atx_text(m[2]))} {marks}")
                i += 1
                continue
            if _THEMATIC_RE.match(line):
                out.append("----")
                i += 1
                continue
            if self._is_quote(line):
                i = self._quote(lines, i, out)
                continue
            if _LIST_ITEM_RE.match(line):
                i = self._list(lines, i, out)
                continue
            if "|" in line and i + 1 < n and self._is_table_start(line, lines[i + 1]):
                i = self._table(lines, i, out)
                continue
            if line.startswith(("    ", "\t")):
                i = self._indented_code(lines, i, out)
                continue
            i = self._paragraph(lines, i, out)
        return out

    def _interrupts_paragraph(self, line: str) -> bool:
        return bool(
            _ATX_RE.match(line)
            or _fence_opener(line)
            or _THEMATIC_RE.match(line)
            or self._is_quote(line)
            or (_LIST_ITEM_RE.match(line) and _indent_width(_LIST_ITEM_RE.match(line)[1]) < 4)
        )

    def _fence(self, lines: Sequence[str], i: int, fence: tuple[str, int, int], out: list[str]):
        char, length, indent = fence
        content: list[str] = []
        i += 1
        while i < len(lines) and not _closes_fence(lines[i].lstrip(), char, length):
            line = lines[i]
            strip = min(indent, len(line) - len(line.lstrip(" ")))
            content.append(line[strip:])
            i += 1
        out.append("<pre>" + _escape_pre("\n".join(content)) + "</pre>")
        return i + 1

    def _indented_code(self, lines: Sequence[str], i: int, out: list[str]) -> int:
        content: list[str] = []
        while i < len(lines) and (not lines[i].strip() or lines[i].startswith(("    ", "\t"))):
            line = lines[i]
            content.append(line[1:] if line.startswith("\t") else line[4:])
            i += 1
        out.append("<pre>" + _escape_pre(_strip_blank_lines(content)) + "</pre>")
        return i

    def _paragraph(self, lines: Sequence[str], i: int, out: list[str]) -> int:
        para = [lines[i]]
        i += 1
        setext = False
        while i < len(lines) and lines[i].strip():
            if _SETEXT_RE.match(lines[i]):
                setext = True
                i += 1
                break
            if self._interrupts_paragraph(lines[i]):
                break
            para.append(lines[i])
            i += 1
        if setext:
            out.append(f"=== {self.inline(' '.join(p.strip() for p in para))} ===")
        else:
            out.append(_guard_line_start(self.inline(_join_paragraph(para))))
        return i

    def _is_quote(self, line: str) -> bool:
        return self._quote_depth < _MAX_QUOTE_DEPTH and bool(_QUOTE_RE.match(line))

    def _quote(self, lines: Sequence[str], i: int, out: list[str]) -> int:
        inner: list[str] = []
        while i < len(lines) and lines[i].strip():
            m = _QUOTE_RE.match(lines[i])
            if m:
                inner.append(m[1])
            elif self._interrupts_paragraph(lines[i]):
                break
            else:
                inner.append(lines[i])  # lazy continuation of the quoted paragraph
            i += 1
        self._quote_depth += 1
        try:
            converted = self.blocks(inner)
        finally:
            self._quote_depth -= 1
        if len(converted) == 1 and "\n" not in converted[0]:
            out.append(f"<blockquote>{converted[0]}</blockquote>")
        elif converted:
            out.append("<blockquote>\n" + "\n\n".join(converted) + "\n</blockquote>")
        return i

    def _list(self, lines: Sequence[str], i: int, out: list[str]) -> int:
        # Each item: [indent, marker ("*" or "#"), paragraphs (lists of raw lines)].
        items: list[tuple[int, str, list[list[str]]]] = []
        n = len(lines)
        after_blank = False
        while i < n:
            line = lines[i]
            if not line.strip():
                j = i
                while j < n and not lines[j].strip():
                    j += 1
                if (
                    j < n
                    and not _THEMATIC_RE.match(lines[j])
                    and (_LIST_ITEM_RE.match(lines[j]) or _leading_width(lines[j]) >= 2)
                ):
                    i, after_blank = j, True
                    continue
                break
            m = _LIST_ITEM_RE.match(line)
            if _THEMATIC_RE.match(line) and not m:
                break
            if m and not _THEMATIC_RE.match(line):
                marker = "#" if m[2][0].isdigit() else "*"
                items.append((_indent_width(m[1]), marker, [[m[3] or ""]]))
            elif after_blank:
                items[-1][2].append([line])  # a further paragraph of the item
            elif self._interrupts_paragraph(line) and _leading_width(line) < 2:
                break
            else:
                items[-1][2][-1].append(line)  # lazy continuation line
            after_blank = False
            i += 1

        stack: list[list[Any]] = []  # [indent, marker] per nesting level
        rendered: list[str] = []
        for indent, marker, paragraphs in items:
            while stack and indent < stack[-1][0] - 1:
                stack.pop()
            if not stack or indent >= stack[-1][0] + 2:
                stack.append([indent, marker])
            else:
                stack[-1][1] = marker
            prefix = "".join(level[1] for level in stack)
            text = "<br /><br />".join(
                self.inline(_join_paragraph(p)) for p in paragraphs if "".join(p).strip()
            )
            rendered.append(f"{prefix} {_guard_line_start(text)}".rstrip())
        out.append("\n".join(rendered))
        return i

    @staticmethod
    def _is_table_start(header: str, delimiter: str) -> bool:
        return bool(
            _TABLE_DELIMITER_RE.match(delimiter)
            and "-" in delimiter
            and ("|" in delimiter or header.strip().startswith("|"))
            and len(_split_table_row(header)) == len(_split_table_row(delimiter))
        )

    def _table(self, lines: Sequence[str], i: int, out: list[str]) -> int:
        def cells(row: str) -> list[str]:
            # Cells were split at unescaped pipes; escaped ones ("\\|") stay literal.
            return [
                self.inline(cell.replace("\\|", "\ue005")).replace("\ue005", "&#124;") or " "
                for cell in _split_table_row(row)
            ]

        rows = ['{| class="wikitable"', "! " + " !! ".join(cells(lines[i]))]
        i += 2
        while i < len(lines) and lines[i].strip() and "|" in lines[i]:
            rows += ["|-", "| " + " || ".join(cells(lines[i]))]
            i += 1
        rows.append("|}")
        out.append("\n".join(rows))
        return i


def _extract_link_definitions(body: str, definitions: dict[str, str]) -> list[str]:
    """Body lines with link reference definitions (outside code blocks) blanked out; the
    definitions are added to `definitions` (the first definition of a label wins)."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    fence: tuple[str, int, int] | None = None
    for n, line in enumerate(lines):
        if fence:
            if _closes_fence(line, fence[0], fence[1]):
                fence = None
            continue
        fence = _fence_opener(line)
        if fence:
            continue
        m = _LINK_DEFINITION_RE.match(line)
        if m:
            definitions.setdefault(_label(m[1]), m[2])
            lines[n] = ""
    return lines


def to_wikitext(
    title: str,
    sections: Sequence[tuple[str, str]],
    *,
    base_url: str | None = None,
) -> str:
    """Convert a policy to MediaWiki wikitext.

    The title is not written: a wiki page has its own title. Each section becomes
    ``== Heading ==`` followed by its body, converted from Markdown:

    * headings inside bodies: ``### x`` -> ``=== x ===``, ``#### x`` -> ``==== x ====``
      (``#``/``##`` in a body also become ``===``);
    * ``**bold**``/``__bold__`` -> ``'''bold'''``, ``*em*``/``_em_`` -> ``''em''``,
      ``***both***`` -> ``'''''both'''''``, ```code``` -> ``<code>code</code>``;
    * ``[text](url)`` -> ``[url text]``; reference links ``[text][ref]``, ``[text][]`` and
      ``[text]`` are resolved against ``[ref]: url`` definitions anywhere in the document, and
      the definition lines are dropped; ``<https://x>`` -> ``https://x``; ``<a@b.org>`` ->
      ``[mailto:a@b.org a@b.org]``; ``[text](#frag)`` -> ``[[#frag|text]]``. Relative links are
      resolved against `base_url` when given, else written as ``text (url)``; links with
      other schemes (e.g. ``javascript:``) keep only their text. Images become links;
    * ``-``/``*``/``+`` lists -> ``*``, ordered lists -> ``#``, nested by indentation
      (``**``, ``##``, ``#*``...); continuation lines are joined onto their item, further
      paragraphs of an item are separated by ``<br /><br />``;
    * ``> quote`` -> ``<blockquote>…</blockquote>``; code blocks -> ``<pre>…</pre>``;
      ``---`` rules -> ``----``; pipe tables -> ``{| class="wikitable" … |}``;
    * paragraphs are kept apart by blank lines and their soft-wrapped lines joined with a
      space (hard breaks become ``<br />``). Text that wikitext would misread (``~~~~``,
      ``{{``, ``[[``, ``''``, a leading ``*``/``#``/``:``/``;``) is neutralised.

    Raw HTML passes through unchanged (MediaWiki filters it itself).
    """
    definitions: dict[str, str] = {}
    prepared = []
    for section in sections:
        heading, body = _heading_and_body(section)
        prepared.append((heading, _extract_link_definitions(body, definitions)))
    writer = _WikiWriter(definitions, base_url)
    parts: list[str] = []
    for heading, lines in prepared:
        text = writer.inline(re.sub(r"\s+", " ", heading).strip()) or "Untitled section"
        parts.append(f"== {text} ==")
        parts.extend(writer.blocks(lines))
    return "\n\n".join(parts) + "\n" if parts else ""
