"""Carrying a set-aside draft onto the current text: a three-way merge section by section.

A draft is set aside when its publication is refused because someone else published first
(services.set_aside_refused_draft). Its author later carries it onto the current text. Sections
are matched by their stable key; a section counts as changed when its heading or body differs.
Callers pass normalised text (heading stripped, body as services.normalise_text makes it), so
a re-saved section with other line endings is not a change. Pure: sections in, merged sections
out; no ORM.

For each section, with *base* the version the draft started from, *mine* the set-aside draft
and *theirs* the current working text:
- only one side changed it → that side's text;
- both changed it the same way → that text;
- both changed it differently, or one side removed what the other edited → theirs is kept and
  the section is reported as a conflict, with the draft's text beside it, for the author to
  carry over by hand. Nothing of the current text is ever overwritten without being shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    body: str

    def same_as(self, other: Section | None) -> bool:
        return other is not None and (self.heading, self.body) == (other.heading, other.body)


def _same(a: Section | None, b: Section | None) -> bool:
    return (a is None and b is None) or (a is not None and a.same_as(b))


@dataclass(frozen=True)
class Conflict:
    """A section both sides touched. `mine` None: the draft removed it; `theirs` None: it was
    removed from the current text."""

    key: str
    base: Section | None
    mine: Section | None
    theirs: Section | None

    @property
    def heading(self) -> str:
        for s in (self.theirs, self.mine, self.base):
            if s is not None:
                return s.heading
        return self.key


@dataclass(frozen=True)
class Merge:
    sections: list[Section]
    carried: list[str] = field(default_factory=list)  # keys whose draft change was applied
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def changes_anything(self) -> bool:
        return bool(self.carried)


def three_way(base: list[Section], mine: list[Section], theirs: list[Section]) -> Merge:
    """Apply what `mine` changed since `base` to `theirs` (see the module docstring)."""
    b = {s.key: s for s in base}
    m = {s.key: s for s in mine}
    t = {s.key: s for s in theirs}
    merged: list[Section] = []
    carried: list[str] = []
    conflicts: list[Conflict] = []

    for key, current in t.items():
        was, draft = b.get(key), m.get(key)
        if key not in b and key not in m:
            merged.append(current)  # added by theirs only
        elif _same(draft, was) or _same(draft, current):
            merged.append(current)
        elif _same(current, was):
            if draft is not None:
                merged.append(draft)
            carried.append(key)  # edited, or removed, by the draft alone
        else:
            merged.append(current)
            conflicts.append(Conflict(key=key, base=was, mine=draft, theirs=current))

    for key, was in b.items():
        if key in t:
            continue
        draft = m.get(key)
        if draft is not None and not _same(draft, was):
            # Removed from the current text while the draft edited it.
            conflicts.append(Conflict(key=key, base=was, mine=draft, theirs=None))

    # Sections the draft added go after the section that precedes them in the draft.
    order = [s.key for s in mine]
    for index, key in enumerate(order):
        if key in b or key in t:
            continue
        placed = {s.key: i for i, s in enumerate(merged)}
        before = next((order[j] for j in range(index - 1, -1, -1) if order[j] in placed), None)
        at = placed[before] + 1 if before is not None else 0
        merged.insert(at, m[key])
        carried.append(key)

    return Merge(sections=merged, carried=carried, conflicts=conflicts)
