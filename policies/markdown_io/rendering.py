"""Rendering: a section body's Markdown becomes safe HTML for display.

:func:`render_markdown` converts with Python-Markdown and sanitises with nh3 through an
explicit allow-list. A cost guard shows pathological input (which would keep Python-Markdown
busy for minutes) as escaped plain text instead.
"""

from __future__ import annotations

import bisect
import html as html_lib
import re

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.tables import TableExtension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from .blocks import _LIST_ITEM_RE

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
