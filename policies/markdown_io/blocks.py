"""Markdown block structure, read line by line: ATX and setext headings, fenced code blocks,
list items, block quotes, thematic breaks and link reference definitions.

The parser finds section headings with it, the renderer's cost guard counts list items, the
placeholder finder skips reference definitions and the wikitext writer converts every block.
Its names are the package's own helpers, not part of its interface.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_ATX_RE = re.compile(r"^ {0,3}(#{1,6})(?=[ \t]|$)(.*)$")
_SETEXT_RE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE_RE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_LIST_ITEM_RE = re.compile(r"^([ \t]*)([-*+]|\d{1,9}[.)])(?:[ \t]+(.*)|[ \t]*$)")
_THEMATIC_RE = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_QUOTE_RE = re.compile(r"^ {0,3}> ?(.*)$")


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


# A link reference definition line: [label]: url "optional title".
_LINK_DEFINITION_RE = re.compile(
    r"^ {0,3}\[([^\]]+)\]:[ \t]*+<?([^\s>]*+)>?"
    r"(?:[ \t]++(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?[ \t]*+$"
)


def _label(text: str) -> str:
    """A reference label as links match it: case and runs of whitespace ignored."""
    return " ".join(text.split()).casefold()
