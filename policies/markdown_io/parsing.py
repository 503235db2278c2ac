"""Importing: a Markdown file (bytes or text) becomes a :class:`ParsedPolicy`.

:func:`parse_policy` reads the front matter (YAML between ``---`` lines or TOML between ``+++``
lines), the title and a flat list of :class:`ParsedSection`, split at the headings of one
level (``##`` by default). Problems a user can fix are raised as :class:`PolicyFormatError`
with a readable message.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

import yaml

from core.text import NulCharacterError, imported_text

from .blocks import _Heading, _scan_headings, _strip_blank_lines

INTRODUCTION_HEADING = "Introduction"
"""Heading given to the text between the title and the first section heading."""


class PolicyFormatError(ValueError):
    """Raised for input that cannot be imported; ``str(e)`` is a message a user can act on."""


@dataclass
class ParsedSection:
    """One section of an imported policy."""

    heading: str
    body: str
    """Markdown source of the section body without leading/trailing blank lines. Headings
    deeper than the section level (``###`` and below by default) stay inside the body."""


@dataclass
class ParsedPolicy:
    """The result of :func:`parse_policy`."""

    title: str
    front_matter: dict
    sections: list[ParsedSection]
    section_level: int = 2
    """The heading level the sections were actually split at. This is the requested level
    unless the file has no heading at that level (or above), in which case the shallowest
    deeper level present is used; see :func:`parse_policy`."""


def _heading_and_body(section: Any) -> tuple[str, str]:
    """(heading, body) of a :class:`ParsedSection` or of a tuple ending with them: the section
    keys and both exporters take either."""
    if isinstance(section, ParsedSection):
        return section.heading, section.body
    heading, body = section[-2], section[-1]
    return heading or "", body or ""


def _decode(data: bytes | str) -> str:
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if isinstance(data, bytes):
        bom = b"\xef\xbb\xbf"
        skip = len(bom) if data.startswith(bom) else 0
        try:
            return data[skip:].decode("utf-8")
        except UnicodeDecodeError as exc:
            offset = skip + exc.start
            line = data[:offset].count(b"\n") + 1
            raise PolicyFormatError(
                f"The file is not UTF-8 text: the byte 0x{data[offset]:02x} at offset {offset} "
                f"(line {line}) is not valid UTF-8. Save the file with UTF-8 encoding and "
                "import it again."
            ) from exc
    if isinstance(data, str):
        return data[1:] if data.startswith("\ufeff") else data
    raise TypeError(f"parse_policy() needs bytes or str, not {type(data).__name__}")


_TOML_POSITION_RE = re.compile(r"\(at line (\d+), column (\d+)\)")


def _parse_front_matter(lines: list[str]) -> tuple[dict, int]:
    """Parse front matter at the top of `lines`; return it and the index of the first line
    after it (0 when there is none)."""
    if not lines or lines[0].rstrip() not in ("---", "+++"):
        return {}, 0
    opener = lines[0].rstrip()
    closers = ("---", "...") if opener == "---" else ("+++",)
    for end in range(1, len(lines)):
        if lines[end].rstrip() in closers:
            break
    else:
        raise PolicyFormatError(
            f"Front matter opened with {opener} on line 1 is never closed. Add a line "
            f"containing only {opener} where it ends (or remove the first line if the file "
            "has no front matter)."
        )
    source = "\n".join(lines[1:end])
    if opener == "---":
        try:
            value = yaml.safe_load(source)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 2}, column {mark.column + 1})" if mark else ""
            raise PolicyFormatError(
                f"The YAML front matter (between the --- lines) is not valid: {problem}{where}."
            ) from exc
        kind = "YAML"
    else:
        try:
            value = tomllib.loads(source)
        except tomllib.TOMLDecodeError as exc:
            message = _TOML_POSITION_RE.sub(
                lambda m: f"(line {int(m[1]) + 1}, column {m[2]})", str(exc)
            )
            raise PolicyFormatError(
                f"The TOML front matter (between the +++ lines) is not valid: {message}."
            ) from exc
        kind = "TOML"
    if value is None:
        value = {}
    if not isinstance(value, dict):
        what = "a list" if isinstance(value, list) else f"a single value ({value!r:.40})"
        raise PolicyFormatError(
            f"The {kind} front matter must be a set of keys and values (such as "
            f"'title: My policy'), but it is {what}."
        )
    return value, end + 1


def _front_matter_title(front_matter: dict) -> str:
    value = front_matter.get("title")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return str(value).strip()


def _no_sections_error(level: int) -> PolicyFormatError:
    marks = "#" * level
    return PolicyFormatError(
        f"No level-{level} headings ({marks} ...) found: sections are split at level-{level} "
        f"headings. Start each section with a line such as '{marks} Scope', or choose the "
        "heading level your file uses with --level."
    )


def parse_policy(data: bytes | str, *, level: int = 2) -> ParsedPolicy:
    """Split a Markdown policy document into a title, front matter and sections.

    `data` is the file's content; bytes must be UTF-8 (a byte-order mark is accepted). Line
    endings are normalised to ``\\n``.

    Front matter is YAML when the first line is ``---`` (closed by ``---`` or ``...``) or TOML
    when it is ``+++`` (closed by ``+++``); it must be a mapping.

    Headings are ATX (``## Heading``, an optional closing ``#`` run is removed) or setext
    (a single line of text underlined with ``===`` for level 1 or ``---`` for level 2).
    Lines inside fenced code blocks (````` ``` ````` or ``~~~``) are never headings.

    Sections:

    * When `level` is 2 or more, the first level-1 heading that comes before any other heading
      of level <= `level` is the *title heading*: it is not a section. The title is the front
      matter's ``title`` if present, else the text of the title heading, else ``""``.
    * Every other heading of level <= `level` starts a section, so a later level-1 heading
      (e.g. ``# Appendix``) becomes a section of its own rather than being buried in the body
      of the section before it. Deeper headings stay in the bodies.
    * If the file has no heading at level <= `level` (other than the title), but does have
      deeper ones (e.g. a document going straight from ``#`` to ``###``), sections are split at
      the shallowest level present instead; :attr:`ParsedPolicy.section_level` reports the
      level used.
    * With ``level=1`` every level-1 heading is a section and only front matter gives a title.
    * Non-blank text before the first section heading (other than the title heading) becomes a
      first section headed ``"Introduction"``.

    Control characters other than tab and line breaks are dropped (core.text).

    Raises :class:`PolicyFormatError` for non-UTF-8 data, a NUL character, an empty file,
    broken front matter, an invalid `level` or a file with no headings to split at.
    """
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 6:
        raise PolicyFormatError(f"The heading level must be a number from 1 to 6, not {level!r}.")
    text = _decode(data).replace("\r\n", "\n").replace("\r", "\n")
    try:
        text = imported_text(text)
    except NulCharacterError as exc:
        raise PolicyFormatError(f"The file cannot be imported: {exc}") from exc
    if not text.strip():
        raise PolicyFormatError("The file is empty.")
    all_lines = text.split("\n")
    front_matter, first_line = _parse_front_matter(all_lines)
    lines = all_lines[first_line:]
    if not any(line.strip() for line in lines):
        raise PolicyFormatError("The file has front matter but no policy text after it.")

    headings = _scan_headings(lines)
    title_heading: _Heading | None = None
    if level >= 2:
        first = next((h for h in headings if h.level <= level), None)
        if first is not None and first.level == 1:
            title_heading = first
    others = [h for h in headings if h is not title_heading]
    section_level = level
    splits = [h for h in others if h.level <= level]
    if not splits:
        if not others:
            raise _no_sections_error(level)
        section_level = min(h.level for h in others)
        splits = [h for h in others if h.level == section_level]

    skipped = set(range(title_heading.start, title_heading.end)) if title_heading else set()

    def body(start: int, end: int) -> str:
        return _strip_blank_lines([lines[i] for i in range(start, end) if i not in skipped])

    sections: list[ParsedSection] = []
    preamble = body(0, splits[0].start)
    if preamble:
        sections.append(ParsedSection(INTRODUCTION_HEADING, preamble))
    for n, heading in enumerate(splits):
        end = splits[n + 1].start if n + 1 < len(splits) else len(lines)
        sections.append(ParsedSection(heading.text, body(heading.end, end)))

    title = _front_matter_title(front_matter) or (title_heading.text if title_heading else "")
    return ParsedPolicy(title, front_matter, sections, section_level)
