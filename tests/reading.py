"""How a person reads a page in tests: its visible text, and its tables as rows of cells."""

import re
from html import unescape
from html.parser import HTMLParser

INLINE_TAGS = (
    "a",
    "abbr",
    "b",
    "code",
    "del",
    "em",
    "i",
    "ins",
    "label",
    "q",
    "span",
    "strong",
    "time",
)


def page_text(html, *, extra_inline: tuple[str, ...] = ()) -> str:
    """What a reader sees: the text of a page (or response), tags dropped, spaces collapsed.
    Inline tags vanish ("<strong>Closed</strong>: why" reads "Closed: why"); others become
    spaces."""
    if hasattr(html, "content"):
        html = html.content.decode()
    inline = re.compile(r"</?(" + "|".join(INLINE_TAGS + extra_inline) + r")\b[^>]*>", re.I)
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    html = re.sub(inline, "", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self._caption = None
        self._rows = None
        self._cell = None
        self._in_caption = False
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._caption, self._rows = f"table{len(self.tables)}", []
        elif tag == "caption":
            self._in_caption, self._caption = True, ""
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._rows is not None and not self._in_head:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows and not self._in_head:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self._rows is not None:
            self.tables[self._caption] = self._rows
            self._rows = None
        elif tag == "caption":
            self._in_caption = False
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._in_caption:
            self._caption += data.strip()
        elif self._cell is not None:
            self._cell.append(data)


def tables(html) -> dict[str, list[list[str]]]:
    """Every table body on the page as rows of cell texts, by caption (or "table<N>")."""
    if hasattr(html, "content"):
        html = html.content.decode()
    parser = _Tables()
    parser.feed(html)
    return parser.tables
