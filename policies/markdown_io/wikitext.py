"""Exporting MediaWiki wikitext: :func:`to_wikitext` converts a policy's Markdown sections to
wiki markup for pasting into a wiki page.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urljoin

from .blocks import (
    _ATX_RE,
    _LINK_DEFINITION_RE,
    _LIST_ITEM_RE,
    _QUOTE_RE,
    _SETEXT_RE,
    _THEMATIC_RE,
    _clean_atx_text,
    _closes_fence,
    _fence_opener,
    _indent_width,
    _label,
    _leading_width,
    _strip_blank_lines,
)
from .parsing import _heading_and_body

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
