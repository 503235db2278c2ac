"""Exporting Markdown: :func:`to_markdown` writes a document that :func:`parse_policy` reads
back unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

import yaml

from .blocks import _strip_blank_lines
from .parsing import _heading_and_body


def _heading_line(marks: str, text: str) -> str:
    text = " ".join(part.strip() for part in (text or "").splitlines() if part.strip())
    if text.endswith("#"):
        text += " #"  # a closing sequence, so the parser keeps the text's own "#"
    return f"{marks} {text}".rstrip() if text else marks


def to_markdown(
    title: str,
    sections: Sequence[tuple[str, str]],
    *,
    front_matter: dict | None = None,
) -> str:
    """Write a policy as Markdown that :func:`parse_policy` reads back.

    Layout: optional YAML front matter between ``---`` lines, ``# Title`` (omitted when the
    title is blank), then ``## Heading`` and the body of every section, separated by blank
    lines. Bodies are written verbatim (minus leading/trailing blank lines), so parsing the
    result gives the same headings and bodies as long as a body contains no heading of level 1
    or 2 itself. `sections` holds ``(heading, body)`` pairs (``ParsedSection`` objects work
    too).
    """
    parts: list[str] = []
    if front_matter:
        try:
            dumped = yaml.safe_dump(
                dict(front_matter), sort_keys=False, allow_unicode=True, default_flow_style=False
            )
        except yaml.YAMLError as exc:
            raise ValueError(f"The front matter cannot be written as YAML: {exc}") from exc
        parts.append(f"---\n{dumped}---")
    if title and title.strip():
        parts.append(_heading_line("#", title))
    for section in sections:
        heading, body = _heading_and_body(section)
        parts.append(_heading_line("##", heading))
        text = _strip_blank_lines(body.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
        if text:
            parts.append(text)
    return "\n\n".join(parts) + "\n"
