"""Parse a page the way a browser would and report anything that could run script."""

from html.parser import HTMLParser

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href"}


class _Scanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            # Our own static files are the only scripts a page may load.
            if not (attributes.get("src") or "").startswith("/static/"):
                self.problems.append("<script> element")
        elif tag in {"iframe", "object", "embed"}:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name} attribute on <{tag}>")
            url = "".join((value or "").split()).lower()
            if name in URL_ATTRIBUTES and url.startswith(("javascript:", "data:", "vbscript:")):
                self.problems.append(f"{name}={value!r} on <{tag}>")


def script_problems(html: str) -> list[str]:
    scanner = _Scanner()
    scanner.feed(html)
    return scanner.problems
