"""What a page must never contain, parsed the way a browser would (entities decoded).

Stricter than tests/html_safety.py: besides <script>, on* attributes and script URLs it also
refuses the elements and attributes that run or load code without a <script> tag (iframe
srcdoc, base, meta refresh, object/embed, inline styles, forms posting to javascript:). The
site's own markup uses none of them outside <head>, so anything found came from user text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "lowsrc",
    "dynsrc",
    "values",
    "to",
    "from",
    "by",
}
FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "isindex"}
HEAD_ONLY = {"meta", "link", "title"}
# The URL parser drops tabs and newlines anywhere, and C0 controls and spaces at either end
# (WHATWG URL standard); other characters inside a scheme make it no scheme at all.
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:")


def is_script_url(value: str) -> bool:
    """Browsers ignore whitespace and control characters inside a scheme."""
    url = _TAB_OR_NEWLINE.sub("", value or "").strip("".join(map(chr, range(0x21))))
    return url.lower().startswith(SCRIPT_SCHEMES)


class _Scanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_head = False
        self.in_svg = 0

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False

    def _check(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "head":
            self.in_head = True
        if tag == "script":
            # The site loads its own static files and nothing else.
            if not (attributes.get("src") or "").startswith("/static/"):
                self.problems.append("<script> element")
        elif tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> element")
        elif tag == "style":
            self.problems.append("<style> element")
        elif tag in HEAD_ONLY and not self.in_head:
            self.problems.append(f"<{tag}> outside <head>")
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on") or name in ("style", "srcdoc"):
                self.problems.append(f"{name} attribute on <{tag}>")
            elif name == "http-equiv":
                self.problems.append(f"http-equiv on <{tag}>")
            elif name in URL_ATTRIBUTES and is_script_url(value):
                self.problems.append(f"{name}={value!r} on <{tag}>")


def html_problems(html: str) -> list[str]:
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner.problems


def fragment_problems(html: str) -> list[str]:
    """For HTML fragments (a rendered field, a feed entry): <meta>/<link> are never allowed."""
    scanner = _Scanner()
    scanner.in_head = False
    scanner.feed(html)
    scanner.close()
    return scanner.problems
