"""Section keys, which positions, overrides and mappings point at.

:func:`slugify_key` derives a stable key from a heading, and :func:`match_section_keys` works
out which sections of a newly imported version continue which sections of the current one, so
keys survive renumbering, renames and light edits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Sequence

from .parsing import ParsedSection, _heading_and_body

# Leading section numbering: "1.", "5)", "2.1".
_NUMBERING_RE = re.compile(r"^\s*(?:\d+(?:\.\d+)*[.)]|\d+(?:\.\d+)+)(?=\s|$)\s*")
_TRANSLITERATIONS = str.maketrans(
    {
        "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
        "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th",
        "ı": "i",
    }
)  # fmt: skip
_KEY_MAX = 50


def slugify_key(heading: str, taken: Collection[str]) -> str:
    """A stable section key derived from `heading` that is not in `taken`.

    Leading numbering (``"1."``, ``"5)"``, ``"2.1"``) is dropped, accents are removed
    (``"é"`` -> ``"e"``, ``"ß"`` -> ``"ss"``), the rest is lowercased and every run of other
    characters becomes ``"-"``; at most 50 characters, ``"section"`` if nothing is left. If the
    slug is taken, ``-2``, ``-3``... is appended. `taken` is not modified.
    """
    text = _NUMBERING_RE.sub("", heading or "", count=1).translate(_TRANSLITERATIONS)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    slug = slug[:_KEY_MAX].rstrip("-") or "section"
    if slug not in taken:
        return slug
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = slug[: _KEY_MAX - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        n += 1


def _comparable_heading(heading: str) -> str:
    return " ".join(_NUMBERING_RE.sub("", heading or "", count=1).casefold().split())


HEADING_THRESHOLD = 0.6
BODY_THRESHOLD = 0.5


def match_section_keys(
    old: Sequence[tuple[str, str, str]],
    new: Sequence[ParsedSection],
    *,
    similarity: Callable[[str, str], float],
) -> list[str | None]:
    """For each new section, the key of the old section it continues, or None if it is new.

    `old` holds ``(key, heading, body)`` of the current version's sections. Matching:

    1. Same heading, ignoring case, spacing and leading numbering (so ``"5. Scope"`` matches
       ``"6. Scope"`` after a section was inserted before it). Duplicates pair up in order.
    2. Remaining sections pair up by ``similarity(a, b)`` (0..1): a pair qualifies when the
       headings are at least 0.6 alike or the bodies at least 0.5 alike, scores
       ``max(heading_similarity, body_similarity)`` and pairs are taken greedily from the best
       score (ties: nearest position first). Empty bodies are never compared.

    Each old key is used at most once.
    """
    result: list[str | None] = [None] * len(new)
    new_pairs = [_heading_and_body(s) for s in new]
    used_old: set[int] = set()
    used_keys: set[str] = set()

    def take(i: int, j: int) -> None:
        result[i] = old[j][0]
        used_old.add(j)
        used_keys.add(old[j][0])

    def available(j: int) -> bool:
        return j not in used_old and bool(old[j][0]) and old[j][0] not in used_keys

    by_heading: dict[str, list[int]] = {}
    for j, (_key, heading, _body) in enumerate(old):
        by_heading.setdefault(_comparable_heading(heading), []).append(j)
    for i, (heading, _body) in enumerate(new_pairs):
        for j in by_heading.get(_comparable_heading(heading), []):
            if available(j):
                take(i, j)
                break

    candidates: list[tuple[float, int, int, int]] = []
    for i, (heading, body) in enumerate(new_pairs):
        if result[i] is not None:
            continue
        new_heading = _comparable_heading(heading)
        for j, (_key, old_heading, old_body) in enumerate(old):
            if not available(j):
                continue
            old_heading, old_body = _comparable_heading(old_heading), old_body or ""
            heading_score = (
                similarity(old_heading, new_heading) if old_heading and new_heading else 0.0
            )
            body_score = similarity(old_body, body) if old_body.strip() and body.strip() else 0.0
            if heading_score >= HEADING_THRESHOLD or body_score >= BODY_THRESHOLD:
                candidates.append((-max(heading_score, body_score), abs(i - j), i, j))
    candidates.sort()
    for _score, _distance, i, j in candidates:
        if result[i] is None and available(j):
            take(i, j)
    return result
