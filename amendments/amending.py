"""Amendments as word-level changes to a base text: find them, detect overlaps, apply several.

Pure: text in, text out. A change is a span of the base text (character offsets) and what
replaces it; spans come from the word diff, so an amendment that rewrites a whole section but
alters three words yields three small changes, and two amendments conflict only when they
touch the same words."""

from __future__ import annotations

from dataclasses import dataclass

from policies import diffing


@dataclass(frozen=True)
class Change:
    start: int  # offset in the base text
    end: int  # exclusive; start == end is a pure insertion
    new: str

    def touches(self, other: Change) -> bool:
        """True when both changes rewrite some of the same base text, or insert at the same
        point, or one inserts inside the other's span: applying both is ambiguous."""
        if self.start == self.end and other.start == other.end:
            return self.start == other.start
        if self.start == self.end:
            return other.start < self.start < other.end
        if other.start == other.end:
            return self.start < other.start < self.end
        return self.start < other.end and other.start < self.end


def changes(base: str, new: str) -> list[Change]:
    """The changes that turn `base` into `new`, in base order. Runs of deletes and inserts
    between equal text form one change."""
    found: list[Change] = []
    offset = 0
    start = None
    replacement: list[str] = []
    for op in diffing.diff_words(base, new):
        if op.kind == diffing.EQUAL:
            if start is not None:
                found.append(Change(start, offset, "".join(replacement)))
                start, replacement = None, []
            offset += len(op.old)
            continue
        if start is None:
            start = offset
        offset += len(op.old)
        replacement.append(op.new)
    if start is not None:
        found.append(Change(start, offset, "".join(replacement)))
    return found


def conflicts(first: list[Change], second: list[Change]) -> list[tuple[Change, Change]]:
    """Every pair of changes, one from each list, that touch the same base text."""
    return [(a, b) for a in first for b in second if a.touches(b)]


def apply(base: str, all_changes: list[Change]) -> str:
    """Apply non-conflicting changes to `base`. Raises ValueError when two of them touch."""
    ordered = sorted(all_changes, key=lambda c: (c.start, c.end))
    for a, b in zip(ordered, ordered[1:], strict=False):
        if a.touches(b):
            raise ValueError("two changes touch the same words")
    out: list[str] = []
    position = 0
    for change in ordered:
        out.append(base[position : change.start])
        out.append(change.new)
        position = change.end
    out.append(base[position:])
    return "".join(out)


def quoted(base: str, change: Change, limit: int = 80) -> str:
    """The base words a change rewrites, for messages ("both change “quick brown”")."""
    text = " ".join(base[change.start : change.end].split())
    if not text:
        return "(an insertion)"
    return text if len(text) <= limit else text[: limit - 1] + "…"
