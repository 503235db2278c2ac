"""Parts of a consultation contributed by later apps (amendments: proposals discussed as
pseudo-sections, listed under the sections they amend, exported and summarised with the
consultation), without this app importing them or knowing their models.

An app registers one Extension from its AppConfig.ready(); every hook is optional. Hooks run in
the order the apps were registered (INSTALLED_APPS order), and each runs a fixed number of
queries, so a page costs the same whatever is registered."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class PagePart:
    """What an extension adds to the consultation page.

    `by_section`: items shown under each section (key → list), for its section-end template.
    `focus`: the item a pseudo-section discusses when the page is focused on one (`?section=`),
    shown above its positions with `focus_template`; `focus_heading` names that section and
    `focus_accepts_positions` says whether positions may still be taken on it."""

    by_section: dict[str, list] = field(default_factory=dict)
    focus: Any = None
    focus_heading: str = ""
    focus_template: str = ""
    focus_accepts_positions: bool = True


@dataclass
class ExportPart:
    """Rows an extension adds to the consultation's exports: under `key` in the JSON file, and
    as extra rows (already spreadsheet-safe, in the export's COLUMNS) in the CSV file."""

    key: str
    rows: list[dict]
    csv_rows: list[dict]


@dataclass(frozen=True)
class Extension:
    name: str
    # consultation → keys of pseudo-sections that positions may be taken on right now.
    open_keys: Callable[[Any], set[str]] | None = None
    # (consultation, *, sections, counts, focus) → PagePart.
    page: Callable[..., PagePart] | None = None
    # (request, consultation, context) → None: adds to the consultation page's context.
    detail_context: Callable[..., None] | None = None
    # Actions posted to the consultation page: action → view(request, consultation).
    actions: dict[str, Callable[..., Any]] = field(default_factory=dict)
    # Templates included on the consultation page: at the end of each section (not on a
    # focused pseudo-section), and in the facilitator tools.
    section_end_template: str = ""
    # (label, address relative to the consultation's with "{key}") linked from each text
    # section on the first view, for readers who may take a position.
    section_link: tuple[Any, str] | None = None
    facilitator_template: str = ""
    # (consultation, headings: {section key: heading}) → entries added to the summary view.
    summary: Callable[..., dict] | None = None
    summary_template: str = ""
    # consultation → ExportPart; consultation → values that change whenever its rows would.
    export: Callable[[Any], ExportPart] | None = None
    fingerprint: Callable[[Any], list] | None = None


_extensions: list[Extension] = []


def register(extension: Extension) -> None:
    if all(e.name != extension.name for e in _extensions):
        _extensions.append(extension)


def registered() -> list[Extension]:
    return list(_extensions)
