"""Comparing a community's text with the copy on its wiki, and marking the copy Accord wrote.

A pure module (text in, text out; no ORM). Wikitext that reads the same on the wiki compares
equal: line endings, runs of spaces, trailing spaces, blank-line runs, soft-wrapped paragraph
lines, spacing inside ``== Heading ==`` and after list markers, ``<br>`` spellings, ``&nbsp;``
and the ``<nowiki/>`` guards the exporter adds all normalise away, and so does Accord's own
version marker.
"""

from __future__ import annotations

import hashlib
import html
import re

MARKER_ID = "accord-version"

# The marker Accord appends to a page it publishes: a line the wiki shows in small print, with
# the version and content hash as data attributes a template or gadget can read.
_MARKER_RE = re.compile(
    r"^[ \t]*(?:<small>)?<span id=\"" + MARKER_ID + r"\"[^>\n]*>[^<\n]*</span>(?:</small>)?[ \t]*$",
    re.M,
)
_COMMENT_MARKER_RE = re.compile(r"<!--\s*accord:[^\n]*?-->")
_HEADING_RE = re.compile(r"^(={1,6})[ \t]*(.*?)[ \t]*\1[ \t]*$")
_LIST_RE = re.compile(r"^([*#:;]+)[ \t]*")
_BR_RE = re.compile(r"<br\s*/?>", re.I)
_SPACES_RE = re.compile(r"[ \t\u00a0]+")
# Lines that wikitext does not join to the line before: markup at the start of a line.
_BLOCK_START = ("*", "#", ":", ";", "=", "{|", "|", "!", "----", " ", "<")


def content_hash(text: str) -> str:
    """SHA-256 of the normalised text: what Accord names in edit summaries and markers."""
    return hashlib.sha256(normalise(text).encode()).hexdigest()


def strip_marker(text: str) -> str:
    text = _MARKER_RE.sub("", text)
    return _COMMENT_MARKER_RE.sub("", text)


def with_marker(text: str, *, policy: str, version: int, digest: str, label: str) -> str:
    """`text` with Accord's marker as its last line (after a blank line)."""
    attrs = " ".join(
        f'data-{name}="{html.escape(str(value), quote=True)}"'
        for name, value in (("policy", policy), ("version", version), ("hash", digest))
    )
    shown = html.escape(label.replace("\n", " "), quote=False)
    return f'{text.rstrip()}\n\n<small><span id="{MARKER_ID}" {attrs}>{shown}</span></small>\n'


def _is_block_line(line: str) -> bool:
    return line.startswith(_BLOCK_START)


def normalise(text: str) -> str:
    """The text as it reads: formatting differences that change nothing on the wiki removed."""
    text = strip_marker(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("&nbsp;", " ").replace("<nowiki/>", "")
    text = _BR_RE.sub("<br />", text)
    lines: list[str] = []
    for raw in text.split("\n"):
        line = raw.rstrip()
        heading = _HEADING_RE.match(line)
        if heading:
            line = f"{heading[1]} {heading[2]} {heading[1]}"
        else:
            line = _LIST_RE.sub(lambda m: m[1] + " ", line)
        # A plain line continues the paragraph of the plain line before it.
        if (
            line
            and lines
            and lines[-1]
            and not _is_block_line(line)
            and not _is_block_line(lines[-1])
        ):
            lines[-1] = f"{lines[-1]} {line}"
            continue
        lines.append(line)
    out = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue  # one blank line between blocks, none at the start
        prefix = len(line) - len(line.lstrip(" ")) if line.startswith(" ") else 0
        out.append(line[:prefix] + _SPACES_RE.sub(" ", line[prefix:]))
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)
