"""Which comment of a wiki discussion is which, from one import to the next (pure: no ORM).

A wiki talk page has no comment ids, but a signed comment is known by its author and its
timestamp, which an edit of the comment leaves alone (MediaWiki's DiscussionTools names comments
the same way). So a comment's *identity* is its author and timestamp (under the identity of the
position it answers, for a reply), and its *content* is what it says; importing the page again
matches identities, and a different content is an edit. A comment without a timestamp has only
its content to go by: edited, it reads as a new comment (the old one is left in place).
Two comments with the same identity on one page (a copy-paste) are told apart by their order."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from .discussion_import import ImportedPosition, ImportedReply, ParsedDiscussion

_NUMBERING = re.compile(r"^(?:§\s*)?(?:\d+(?:\.\d+)*[.)]?|[IVXLC]+\.|[A-Za-z]\))\s+")


def normalise_heading(heading: str) -> str:
    """Compare headings case-insensitively, ignoring leading numbering ("2.", "3.1", "§ 4")
    and repeated whitespace."""
    text = " ".join(heading.split())
    text = _NUMBERING.sub("", text, count=1)
    return text.strip(" :").casefold()


def digest(*parts: str) -> str:
    """sha256 over the parts, separated by a unit separator so that no two tuples collide."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def heading_resolver(
    sections: Iterable[tuple[str, str]], explicit: dict[str, str | None] | None = None
) -> Callable[[str], tuple[str | None, str]]:
    """A function from a discussion heading to (section key or None, why None), given the
    consulted version's (key, heading) pairs and an optional explicit mapping (normalised
    heading → key, None to skip) that wins over the automatic matching."""
    sections = list(sections)
    automatic: dict[str, str] = {}
    for key, heading in sections:
        automatic.setdefault(normalise_heading(heading), key)
    for key, _heading in sections:
        automatic.setdefault(normalise_heading(key), key)
    explicit = explicit or {}

    def resolve(heading: str) -> tuple[str | None, str]:
        norm = normalise_heading(heading)
        if norm in explicit:
            return explicit[norm], "is mapped to nothing"
        return automatic.get(norm), "matches no section of the consulted version"

    return resolve


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


@dataclass
class PlannedReply:
    identity: str
    content: str  # digest of what it says
    parent: int | None  # index into the position's planned replies
    item: ImportedReply


@dataclass
class PlannedPosition:
    identity: str
    content: str
    section_key: str
    item: ImportedPosition
    replies: list[PlannedReply] = field(default_factory=list)


@dataclass
class Plan:
    positions: list[PlannedPosition] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)

    @property
    def authors(self) -> set[str]:
        names = {p.item.author for p in self.positions}
        names |= {r.item.author for p in self.positions for r in p.replies}
        return names


def plan_import(parsed: ParsedDiscussion, resolve) -> Plan:
    """Give every comment of a parsed page its identity and content digest; positions under
    a heading that matches no section are skipped (with their replies), like the file import."""
    plan = Plan(skipped=list(parsed.skipped))
    seen: dict[str, int] = {}

    def unique(identity: str) -> str:
        seen[identity] = seen.get(identity, 0) + 1
        return identity if seen[identity] == 1 else f"{identity}#{seen[identity]}"

    for item in parsed.positions:
        key, why = resolve(item.section_heading)
        if key is None:
            extra = f" and its {len(item.replies)} replies" if item.replies else ""
            why = f"section “{item.section_heading}” {why} (position{extra} not imported)"
            plan.skipped.append((item.line, why))
            plan.skipped.extend(
                (reply.line, "reply under a position that was not imported")
                for reply in item.replies
            )
            continue
        content = digest(key, item.stance, item.strength, item.reason)
        if item.timestamp is not None:
            identity = unique(digest("signed", item.author, _iso(item.timestamp)))
        else:
            identity = unique(digest("unsigned", item.author, content))
        planned = PlannedPosition(identity, content, key, item)
        for reply in item.replies:
            parent_identity = (
                planned.replies[reply.parent].identity if reply.parent is not None else identity
            )
            body = digest(reply.body)
            if reply.timestamp is not None:
                rid = digest(parent_identity, "signed", reply.author, _iso(reply.timestamp))
            else:
                rid = digest(parent_identity, "unsigned", reply.author, body)
            planned.replies.append(PlannedReply(unique(rid), body, reply.parent, reply))
        plan.positions.append(planned)
    plan.skipped.sort()
    return plan


def position_text(stance: str, strength: str, reason: str) -> str:
    """How an imported position reads in its import record (and that record's history)."""
    label = f"{strength} {stance}".strip() if stance else "comment"
    return f"[{label}] {reason}"
