"""Diffs of Markdown text for reading (pure: text and ops in, HTML out; no ORM).

Two things policies.diffing leaves to its callers, because they depend on the text being
Markdown:

- `join_soft_wraps`: a line break inside a paragraph is a space in Markdown. A source diff
  shown with `white-space: pre-wrap` would break lines wherever the file happened to be
  wrapped, so both texts are unwrapped first; breaks that mean something (blank lines, list
  items, headings, quotes, tables, code) stay.
- `render_rendered`: the rendered view of a diff of two texts, formatted like the published
  text with insertions and deletions marked inside its paragraphs, list items and headings (a
  "rich diff"). Lines are matched first and changed lines diffed word by word, so the new
  text's structure wins: a deleted line shows as a struck item or paragraph of its own, a
  deleted list marker or paragraph break is not shown.

How the rendered view stays safe: the old and new text are merged into one Markdown text
with private-use characters around deleted and inserted runs, rendered and sanitised by
markdown_io.render_markdown (nh3, its allow-list), then read back token by token with an
HTML parser and written out again, every text and attribute escaped: the markers become
<del>/<ins> around text only (closed before and reopened after any tag they cross), and are
dropped from attributes. Nothing a user wrote can become markup."""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterable
from html.parser import HTMLParser

from .diffing import DELETE, EQUAL, INSERT, Op, diff_words
from .markdown_io import render_markdown

# Private-use characters: never in a published text (they would be shown as boxes) and left
# alone by Markdown and nh3.
DEL_START, DEL_END, INS_START, INS_END = "\ue000", "\ue001", "\ue002", "\ue003"
_MARKERS = re.compile("[\ue000-\ue003]")
_MARKERS_ENCODED = re.compile("%EE%80%8[0-3]", re.IGNORECASE)

# A line that starts a block of its own: a blank line, a list item, a heading, a quote, a
# table row, a fence, a rule or setext underline, an indented code line.
_STARTS_BLOCK = re.compile(
    r"""^(?:\s*$
        |\s*(?:[-*+]|\d{1,9}[.)])(?:\s|$)
        |\ {0,3}(?:\#{1,6}(?:\s|$)|>|\||```|~~~|(?:[-*_=]\s*){3,}$|=+\s*$)
        |\ {4}|\t)""",
    re.VERBOSE,
)
_ENDS_BLOCK = re.compile(r"^\s*$|^ {0,3}(?:#{1,6}(?:\s|$)|\||```|~~~)|(?: {2}|\\)$")
_FENCE = re.compile(r"^ {0,3}(?:```|~~~)")
# Block syntax at the start of a line: kept out of the markers so that the line still parses.
_BLOCK_PREFIX = re.compile(r"^[ \t]*(?:(?:[-*+]|\d{1,9}[.)]|#{1,6}|>)[ \t]+)*")


def join_soft_wraps(text: str) -> str:
    """`text` with every line break that Markdown reads as a space (a paragraph wrapped over
    several lines) made a space; breaks between blocks and inside code fences are kept."""
    lines = (text or "").replace("\r\n", "\n").split("\n")
    out = [lines[0]]
    fenced = bool(_FENCE.match(lines[0]))
    for previous, line in zip(lines, lines[1:], strict=False):
        if fenced or _STARTS_BLOCK.match(line) or _ENDS_BLOCK.search(previous):
            out.append("\n" + line)
        else:
            out.append(" " + line.lstrip())
        if _FENCE.match(line):
            fenced = not fenced
    return "".join(out)


def _marked(text: str, start: str, end: str, *, at_line_start: bool, deleted: bool) -> str:
    """`text` between markers, line by line, with each line's block syntax left outside them
    (a deleted line's only when the line keeps some text)."""
    out = []
    for i, line in enumerate(text.split("\n")):
        if i:
            out.append("\n")
        prefix = _BLOCK_PREFIX.match(line).group(0) if (at_line_start or i) else ""
        rest = line[len(prefix) :]
        if deleted:
            # Deleted emphasis or code marks at its edges would pair with the new text's.
            rest = rest.strip("*_`~")
        if deleted and not rest.strip():
            continue  # a deleted marker or blank: the new text's structure wins
        out.append(prefix)
        if rest.strip():
            out.append(f"{start}{rest}{end}")
        else:
            out.append(rest)
    return "".join(out)


def merged_source(ops: Iterable[Op]) -> str:
    """The new text with deleted runs put back and both kinds marked (see module docstring)."""
    parts: list[str] = []

    def line_start() -> bool:
        return not parts or parts[-1].endswith("\n")

    for op in ops:
        if op.kind == EQUAL:
            parts.append(op.new)
        elif op.kind == DELETE:
            if op.old.strip():
                marked = _marked(
                    op.old, DEL_START, DEL_END, at_line_start=line_start(), deleted=True
                )
                parts.append(marked)
        elif op.kind == INSERT:
            if op.new.strip():
                marked = _marked(
                    op.new, INS_START, INS_END, at_line_start=line_start(), deleted=False
                )
                parts.append(marked)
            else:
                parts.append(op.new)
    return "".join(parts)


_LABELS = {"del": "removed", "ins": "added"}


class _Rewriter(HTMLParser):
    """Writes sanitised HTML out again, turning markers in text into <del>/<ins>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.mode = ""  # "", "del" or "ins"

    def _tag(self, tag, attrs, closing=""):
        written = "".join(
            f' {name}="{html.escape(_MARKERS_ENCODED.sub("", _MARKERS.sub("", value or "")))}"'
            for name, value in attrs
        )
        return f"<{tag}{written}{closing}>"

    def handle_starttag(self, tag, attrs):
        self.out.append(self._tag(tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.out.append(self._tag(tag, attrs, " /"))

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        for piece in re.split("([\ue000-\ue003])", data):
            if piece == DEL_START:
                self.mode = "del"
            elif piece == INS_START:
                self.mode = "ins"
            elif piece in (DEL_END, INS_END):
                self.mode = ""
            elif piece:
                text = html.escape(piece, quote=False)
                if self.mode and piece.strip():
                    label = _LABELS[self.mode]
                    text = (
                        f'<{self.mode}><span class="visually-hidden">{label}: </span>'
                        f"{text}</{self.mode}>"
                    )
                self.out.append(text)


def merged_lines(old: str, new: str) -> str:
    """The merged, marked source of two (unwrapped) texts, block by block: lines are matched
    first (difflib), a changed line is diffed word by word against the line it replaces, and
    lines only one side has are marked whole. Diffing the whole text at once would let one
    hunk run across a paragraph break or list marker, putting the old structure back beside
    the new."""
    old_lines, new_lines = old.split("\n"), new.split("\n")
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(new_lines[j1:j2])
            continue
        pairs = min(i2 - i1, j2 - j1)
        for k in range(pairs):
            out.append(merged_source(diff_words(old_lines[i1 + k], new_lines[j1 + k])))
        for line in old_lines[i1 + pairs : i2]:
            if line.strip():
                out.append(_marked(line, DEL_START, DEL_END, at_line_start=True, deleted=True))
        for line in new_lines[j1 + pairs : j2]:
            out.append(_marked(line, INS_START, INS_END, at_line_start=True, deleted=False))
    return "\n".join(out)


def render_rendered(old: str, new: str) -> str:
    """The diff of two Markdown texts as formatted, sanitised HTML: the merged text rendered
    as Markdown, with <del>/<ins> (each with the hidden "removed: "/"added: " label of
    policies.diffing) around the changed words wherever they stand."""
    source = merged_lines(join_soft_wraps(old), join_soft_wraps(new))
    rewriter = _Rewriter()
    rewriter.feed(render_markdown(source))
    rewriter.close()
    return "".join(rewriter.out)
