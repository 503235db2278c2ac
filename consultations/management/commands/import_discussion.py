"""manage.py import_discussion: bring a wiki consultation discussion into a consultation."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction

from consultations import services
from consultations.discussion_import import (
    DiscussionFormatError,
    ImportedPosition,
    ParsedDiscussion,
    parse_rendered,
    parse_wikitext,
)
from consultations.models import WHOLE_TEXT, Consultation, Position, Reply
from core.mediawiki_api import WikiApiError
from core.text import NulCharacterError, imported_text, strip_control_characters
from core.views import error_text

_NUMBERING = re.compile(r"^(?:§\s*)?(?:\d+(?:\.\d+)*[.)]?|[IVXLC]+\.|[A-Za-z]\))\s+")
_WIKITEXT_SUFFIXES = {".wiki", ".wikitext", ".mediawiki", ".mw"}


def normalise_heading(heading: str) -> str:
    """Compare headings case-insensitively, ignoring leading numbering ("2.", "3.1", "§ 4")
    and repeated whitespace."""
    text = " ".join(heading.split())
    text = _NUMBERING.sub("", text, count=1)
    return text.strip(" :").casefold()


def import_key(*parts: str) -> str:
    """sha256 over the parts, separated by a unit separator so that no two tuples collide."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


@dataclass
class ImportReport:
    """Counts for the closing report; `skipped` holds (line number, why)."""

    positions: int = 0
    replies: int = 0
    existing_positions: int = 0
    existing_replies: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)


class Command(BaseCommand):
    help = (
        "Import a wiki discussion (MediaWiki source or the page copied from the browser) into a "
        "consultation as positions and replies by their wiki authors. Section headings are "
        "matched to the consulted version's section headings (case-insensitive, leading "
        "numbering ignored) or through --mapping. Positions under a heading that matches no "
        "section are skipped and listed with their line numbers. Importing the same file again "
        "adds nothing. Any consultation state is accepted except summarised. Nothing is "
        "written if anything is wrong with the input."
    )

    def add_arguments(self, parser):
        """FILE, --consultation, --format, --mapping, --source-wiki, --dry-run."""
        parser.add_argument(
            "file", type=Path, nargs="?", help="The discussion, UTF-8 encoded (or use --wiki)."
        )
        parser.add_argument(
            "--wiki",
            metavar="API_URL",
            default="",
            help=(
                "Read the discussion from a wiki instead of a file: the wiki's action API, e.g. "
                "https://meta.wikimedia.org/w/api.php (with --page). Running it again imports "
                "only comments added since, updates edited ones and duplicates nothing."
            ),
        )
        parser.add_argument(
            "--page", default="", help="With --wiki: the title of the discussion page."
        )
        parser.add_argument(
            "--consultation", type=int, required=True, help="Id of the consultation to fill."
        )
        parser.add_argument(
            "--format",
            choices=["auto", "wikitext", "rendered"],
            default="auto",
            help=(
                "wikitext: MediaWiki source (== Heading ==, * {{Support}} … signatures). "
                "rendered: the page copied from the browser (headings ending in [edit], "
                "• bullets). auto (default): wikitext for .wiki/.wikitext/.mediawiki files or "
                "when a == Heading == line exists, else rendered when a line ends in [edit]."
            ),
        )
        parser.add_argument(
            "--mapping",
            type=Path,
            default=None,
            help=(
                "A JSON object mapping a discussion heading to a section key of the consulted "
                f'version, e.g. {{"Code of conduct": "our-pledge", "General": "{WHOLE_TEXT}"}}. '
                f'"{WHOLE_TEXT}" means the whole text; null skips that heading. Headings '
                "compare like the automatic matching; the mapping wins over it."
            ),
        )
        parser.add_argument(
            "--source-wiki",
            default="imported",
            help='Where the discussion comes from, stored with every item (default "imported").',
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Parse and report what would be imported without writing anything.",
        )

    def handle(self, *args, **options):
        """Check everything first, then write all rows in one transaction (through the
        services' import_position and import_reply) and report."""
        if options["wiki"] or options["page"]:
            return self._handle_wiki(options)
        if options["file"] is None:
            raise CommandError("Give a FILE to import, or --wiki API_URL --page TITLE.")
        source = strip_control_characters(options["source_wiki"]).strip()
        if not source or len(source) > Position._meta.get_field("imported_from").max_length:
            raise CommandError("--source-wiki must be 1 to 200 characters.")
        text = self._read(options["file"])
        consultation = self._consultation(options["consultation"])
        parsed = self._parse(text, options["format"], options["file"])
        sections = self._section_map(consultation, options["mapping"])

        try:
            with transaction.atomic():
                # Serialise imports into the same consultation (a no-op on SQLite).
                Consultation.objects.select_for_update().get(pk=consultation.pk)
                report = self._import(consultation, parsed, sections, source)
                if options["dry_run"]:
                    transaction.set_rollback(True)
        except ValidationError as exc:
            raise CommandError(f"{error_text(exc)} Nothing was written.") from exc
        except IntegrityError as exc:
            raise CommandError(
                f"The database refused the import ({exc}); nothing was written. Is another "
                "import into this consultation running?"
            ) from exc
        self._print(report, dry_run=options["dry_run"])

    # --- from a wiki ------------------------------------------------------------------------

    def _handle_wiki(self, options) -> None:
        if not options["wiki"] or not options["page"]:
            raise CommandError("--wiki API_URL and --page TITLE go together.")
        if options["file"] is not None:
            raise CommandError("Give either a FILE or --wiki/--page, not both.")
        consultation = self._consultation(options["consultation"])
        mapping = None
        if options["mapping"] is not None:
            keys = {s.key for s in consultation.version.sections.all()} | {WHOLE_TEXT}
            mapping = self._read_mapping(options["mapping"], keys)
        try:
            report = services.import_wiki_discussion(
                consultation=consultation,
                api_url=options["wiki"],
                title=options["page"],
                mapping=mapping,
                dry_run=options["dry_run"],
            )
        except WikiApiError as exc:
            raise CommandError(f"{exc} Nothing was written.") from exc
        except ValidationError as exc:
            raise CommandError(f"{error_text(exc)} Nothing was written.") from exc
        except IntegrityError as exc:
            raise CommandError(
                f"The database refused the import ({exc}); nothing was written. Is another "
                "import into this consultation running?"
            ) from exc
        self._print_wiki(report, dry_run=options["dry_run"])

    def _print_wiki(self, report: services.WikiImportReport, *, dry_run: bool) -> None:
        when = f"{report.revision_at:%Y-%m-%d %H:%M} UTC" if report.revision_at else "unknown time"
        if report.redirected_from:
            self.stdout.write(
                f"“{report.redirected_from}” redirects to “{report.title}” (the page was "
                "renamed); read that page instead."
            )
        self.stdout.write(
            f"Read “{report.title}” at revision {report.revision_id} ({when}, "
            f"by {report.revision_user or 'unknown'})"
            + (
                f"; last imported at revision {report.previous_revision_id}."
                if report.previous_revision_id
                else "; first import of this page."
            )
        )
        verb = "Would add" if dry_run else "Added"
        self.stdout.write(
            f"{verb} {report.added_positions} positions and {report.added_replies} replies; "
            f"changed {report.changed_positions} positions and {report.changed_replies} "
            f"replies; left {report.unchanged} alone."
        )
        if report.signed_in:
            self.stdout.write(
                f"{report.signed_in} new items are signed by people with an account here."
            )
        if report.gone:
            self.stdout.write(
                f"{report.gone} comments imported earlier are no longer on the page (kept)."
            )
        count = len(report.skipped)
        self.stdout.write(f"Skipped {count}{':' if count else '.'}")
        for line, why in report.skipped:
            self.stdout.write(f"  line {line}: {why}")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")

    # --- input ------------------------------------------------------------------------------

    def _read(self, path: Path) -> str:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CommandError(
                f"{path} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                "save it as UTF-8 and try again."
            ) from exc
        try:
            return imported_text(text)
        except NulCharacterError as exc:
            raise CommandError(f"{path}: {exc} Nothing was imported.") from exc

    def _consultation(self, pk: int) -> Consultation:
        consultation = Consultation.objects.select_related("version").filter(pk=pk).first()
        if consultation is None:
            raise CommandError(f"No consultation with id {pk}.")
        if consultation.state == Consultation.State.SUMMARISED:
            raise CommandError(
                f"“{consultation.title}” is already summarised; importing now would change the "
                "positions its summary is based on."
            )
        return consultation

    def _parse(self, text: str, fmt: str, path: Path) -> ParsedDiscussion:
        if fmt == "auto":
            fmt = _detect_format(text, path)
        parser = parse_wikitext if fmt == "wikitext" else parse_rendered
        try:
            return parser(text)
        except DiscussionFormatError as exc:
            raise CommandError(f"{path} cannot be read as {fmt}: {exc}") from exc

    def _section_map(self, consultation: Consultation, mapping_path: Path | None):
        """A function from a discussion heading to (section key or None, why None)."""
        sections = list(consultation.version.sections.all())
        keys = {s.key for s in sections} | {WHOLE_TEXT}
        automatic: dict[str, str] = {}
        for s in sections:
            automatic.setdefault(normalise_heading(s.heading), s.key)
        for s in sections:
            automatic.setdefault(normalise_heading(s.key), s.key)
        explicit: dict[str, str | None] = {}
        if mapping_path is not None:
            explicit = self._read_mapping(mapping_path, keys)

        def resolve(heading: str) -> tuple[str | None, str]:
            norm = normalise_heading(heading)
            if norm in explicit:
                return explicit[norm], "is mapped to nothing in --mapping"
            return automatic.get(norm), "matches no section of the consulted version"

        return resolve

    def _read_mapping(self, path: Path, keys: set[str]) -> dict[str, str | None]:
        try:
            data = json.loads(self._read(path))
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path} is not valid JSON: {exc}.") from exc
        if not isinstance(data, dict):
            raise CommandError(f'{path} must hold a JSON object {{"Heading": "section-key"}}.')
        mapping: dict[str, str | None] = {}
        for heading, key in data.items():
            if key is not None and not isinstance(key, str):
                raise CommandError(f"{path}: the key for “{heading}” must be a string or null.")
            if key and key not in keys:
                raise CommandError(
                    f"{path}: “{key}” (for “{heading}”) is not a section key of this version; "
                    f"known keys: {', '.join(sorted(keys))}."
                )
            mapping[normalise_heading(heading)] = key or None
        return mapping

    # --- writing ----------------------------------------------------------------------------

    def _import(self, consultation, parsed: ParsedDiscussion, resolve, source: str):
        report = ImportReport(skipped=list(parsed.skipped))
        existing = {
            p.import_key: p
            for p in Position.objects.filter(consultation=consultation)
            .exclude(import_key="")
            .select_related("consultation")
        }
        existing_replies = {
            (r.position_id, r.import_key): r
            for r in Reply.objects.filter(position__consultation=consultation).exclude(
                import_key=""
            )
        }
        seen: dict[str, int] = {}
        for item in parsed.positions:
            key, why = resolve(item.section_heading)
            if key is None:
                extra = f" and its {len(item.replies)} replies" if item.replies else ""
                report.skipped.append(
                    (
                        item.line,
                        f"section “{item.section_heading}” {why} "
                        f"(position{extra} not imported; see --mapping)",
                    )
                )
                report.skipped.extend(
                    (reply.line, "reply under a position that was not imported")
                    for reply in item.replies
                )
                continue
            pkey = import_key(
                key,
                item.author,
                _iso(item.timestamp),
                item.stance,
                item.reason,
            )
            if pkey in seen:
                report.skipped.append(
                    (item.line, f"duplicate of the position on line {seen[pkey]}")
                )
                continue
            seen[pkey] = item.line
            when = item.timestamp or consultation.opens_at
            position = existing.get(pkey)
            if position is None:
                position = services.import_position(
                    consultation=consultation,
                    section_key=key,
                    author=item.author,
                    source=source,
                    import_key=pkey,
                    stance=item.stance,
                    strength=item.strength,
                    reason=item.reason,
                    when=when,
                )
                existing[pkey] = position
                report.positions += 1
            else:
                report.existing_positions += 1
            self._import_replies(item, position, pkey, existing_replies, report, source)
        report.skipped.sort()
        return report

    def _import_replies(
        self,
        item: ImportedPosition,
        position: Position,
        pkey: str,
        existing: dict,
        report: ImportReport,
        source: str,
    ) -> None:
        """Create the replies of one imported position that are not in the database yet;
        `existing` maps (position id, import key) to replies imported earlier."""
        saved: list[tuple[Reply, str]] = []  # parallel to item.replies, for parent lookups
        seen: dict[str, int] = {}
        for reply in item.replies:
            parent_reply, parent_key = (
                saved[reply.parent] if reply.parent is not None else (None, pkey)
            )
            rkey = import_key(parent_key, reply.author, _iso(reply.timestamp), reply.body)
            found = existing.get((position.pk, rkey))
            if rkey in seen:
                report.skipped.append((reply.line, f"duplicate of the reply on line {seen[rkey]}"))
                saved.append((found, rkey))
                continue
            seen[rkey] = reply.line
            if found is not None:
                report.existing_replies += 1
                saved.append((found, rkey))
                continue
            # Without a timestamp, a reply is dated like the message it answers.
            when = reply.timestamp or (parent_reply or position).created_at
            created = services.import_reply(
                position=position,
                parent=parent_reply,
                author=reply.author,
                source=source,
                import_key=rkey,
                body=reply.body,
                when=when,
            )
            existing[(position.pk, rkey)] = created
            saved.append((created, rkey))
            report.replies += 1

    # --- output -----------------------------------------------------------------------------

    def _print(self, report: ImportReport, *, dry_run: bool) -> None:
        verb = "Would import" if dry_run else "Imported"
        count = len(report.skipped)
        self.stdout.write(
            f"{verb} {report.positions} positions and {report.replies} replies; "
            f"skipped {count}{':' if count else '.'}"
        )
        for line, why in report.skipped:
            self.stdout.write(f"  line {line}: {why}")
        if report.existing_positions or report.existing_replies:
            self.stdout.write(
                f"Already imported earlier (left unchanged): {report.existing_positions} "
                f"positions and {report.existing_replies} replies."
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _detect_format(text: str, path: Path) -> str:
    if path.suffix.lower() in _WIKITEXT_SUFFIXES:
        return "wikitext"
    lines = [line.strip() for line in text.splitlines()]
    if any(re.match(r"^==+[^=].*==+$", line) for line in lines):
        return "wikitext"
    if any(re.search(r"\[\s*edit(?:\s*\|\s*edit source)?\s*\]$", line) for line in lines):
        return "rendered"
    return "wikitext"
