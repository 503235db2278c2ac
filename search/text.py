"""Pure text helpers for search results: Markdown stripped roughly, snippets around the first
match, matches highlighted after escaping, version numbers as ranges. No ORM."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WORD = re.compile(r"\w+")

# Rough on purpose: a snippet only has to read well, not render. Raw HTML is kept (and shown
# escaped) so a reader sees what was written.
# Every pattern runs in time linear in the text, whatever the text (a search must not be made
# slow by a body of 50,000 "["): link text excludes "[" and "]" and a link's target excludes "("
# except for one balanced pair, so an attempt that fails ends at the next bracket instead of
# rescanning the rest of the text; definitions stay on their line. tests/search checks it.
_LINK_TARGET = r"\((?:[^()]|\([^()]*\))*\)"  # (url), (url "title"), (…/Foo_(bar))
_MARKDOWN = [
    (re.compile(r"(?m)^\s{0,3}(`{3,}|~{3,}).*$"), " "),  # code fences
    (re.compile(r"!\[([^\[\]]*)\]" + _LINK_TARGET), r"\1"),  # images: their alt text
    (re.compile(r"\[([^\[\]]*)\]" + _LINK_TARGET), r"\1"),  # links: their text
    (re.compile(r"(?m)^\s{0,3}\[[^\[\]\n]+\]:\s*\S.*$"), " "),  # reference definitions
    (re.compile(r"(?m)^\s{0,3}(#{1,6}|>+|[-*+]|\d{1,9}[.)])[ \t]+"), ""),  # block markers
    (re.compile(r"\*{1,3}|~~|`+"), ""),  # emphasis, strike-through, code spans
    (re.compile(r"(?<!\w)_{1,3}|_{1,3}(?!\w)"), ""),  # _emphasis_ but not snake_case
]

# A snippet is read from the start of a text: beyond this many characters, a body (which an
# import may make as large as a megabyte) is not stripped or searched for the first match.
SNIPPET_SOURCE_CHARS = 100_000

# Longest first; enough to highlight "harassing" for "harassment" the way PostgreSQL's
# stemming matched it. Highlighting only: matching itself is the search backend's.
_SUFFIXES = sorted(
    ["ations", "ation", "ments", "ment", "ings", "ing", "ness", "edly", "ed", "ers", "er"]
    + ["ies", "es", "s", "ly", "y", "e"],
    key=len,
    reverse=True,
)


def strip_markdown(text: str) -> str:
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    return text


def normalise(text: str) -> str:
    """Case and runs of whitespace (wrapped lines included) carry no meaning in a phrase."""
    return " ".join(text.split()).casefold()


def stem(word: str) -> str:
    word = word.casefold()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith("ss"):  # "harass" is not a plural
                continue
            return word[: -len(suffix)]
    return word


class Matcher:
    """Which words of a text count as a match for the search terms."""

    def __init__(self, terms: list[str]):
        self.words = {t.casefold() for t in terms}
        self.stems = {stem(t) for t in terms}

    def __bool__(self) -> bool:
        return bool(self.words)

    def matches(self, word: str) -> bool:
        folded = word.casefold()
        return folded in self.words or stem(folded) in self.stems


def highlight(text: str, matcher: Matcher) -> SafeString:
    """Escape the text, then wrap each matching word in <mark>."""
    out, pos = [], 0
    for m in WORD.finditer(text):
        if matcher.matches(m.group()):
            out.append(escape(text[pos : m.start()]))
            out.append(f"<mark>{escape(m.group())}</mark>")
            pos = m.end()
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # noqa: S308  (every piece escaped above)


def first_match(tokens: list[str], matcher: Matcher) -> int | None:
    """The index of the first whitespace-separated token holding a match, or None."""
    for i, token in enumerate(tokens):
        if any(matcher.matches(w) for w in WORD.findall(token)):
            return i
    return None


def snippet(text: str, matcher: Matcher, *, words: int = 30) -> SafeString:
    """A window of about `words` words around the first match (the start when none), with
    Markdown stripped roughly and the matches highlighted."""
    tokens = strip_markdown((text or "")[:SNIPPET_SOURCE_CHARS]).split()
    hit = first_match(tokens, matcher)
    start = max(0, (hit or 0) - words // 3)
    end = min(len(tokens), start + words)
    start = max(0, min(start, end - words))
    piece = " ".join(tokens[start:end])
    return mark_safe(  # noqa: S308  (highlight escapes)
        ("… " if start > 0 else "")
        + highlight(piece, matcher)
        + (" …" if end < len(tokens) else "")
    )


def ranges(numbers) -> list[tuple[int, int]]:
    """[2, 3, 4, 5, 7] → [(2, 5), (7, 7)]."""
    out: list[list[int]] = []
    for n in sorted(set(numbers)):
        if out and n == out[-1][1] + 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return [(a, b) for a, b in out]


def describe_ranges(numbers) -> str:
    """[2, 3, 4, 5, 7] → "versions 2–5, 7"; [3] → "version 3"."""
    parts = [str(a) if a == b else f"{a}–{b}" for a, b in ranges(numbers)]
    single = len(parts) == 1 and "–" not in parts[0]
    return ("version " if single else "versions ") + ", ".join(parts)
