"""Template placeholders such as ``[INSERT CONTACT METHOD]``: :func:`find_placeholders` lists
them in Markdown source, :func:`highlight_placeholders` marks them in rendered HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .blocks import _LINK_DEFINITION_RE, _label


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
