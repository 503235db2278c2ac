"""Bulk-load the community registry from a CSV file.

Every row is checked before anything is written; one bad row means nothing is imported, and
the report names each bad row by its line in the file. Rows are written through
`communities.services.save_community` (the same path as the admin) in a single transaction, so
a re-import updates communities by slug and never duplicates them."""

from __future__ import annotations

import contextlib
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator, validate_slug
from django.db import transaction
from simple_history.models import HistoricalRecords

from communities import rules, services
from communities.models import Community
from core.indexing import indexing_deferred
from core.mediawiki_api import MediaWikiClient, WikiApiError
from core.text import strip_control_characters

REQUIRED_COLUMNS = ("name", "slug")
OPTIONAL_COLUMNS = ("kind", "language", "url", "delegates")
DELEGATE_SEPARATORS = re.compile(r"[\s;]+")
PROGRESS_MIN_ROWS = 50
PROGRESS_WIDTH = 30

_check_url = URLValidator(schemes=["http", "https"])


def _max_length(field_name: str) -> int:
    return Community._meta.get_field(field_name).max_length


@dataclass
class Row:
    line: int
    values: dict[str, str]
    width: int = 0  # number of fields on the line
    delegates: list[str] = field(default_factory=list)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class Command(BaseCommand):
    help = (
        "Import communities from a UTF-8 CSV file with a header row, or from a wiki farm's "
        "sitematrix (--sitematrix API_URL). Columns: name, slug "
        "(required); kind, language, url, delegates (optional; delegates are usernames separated "
        "by spaces or semicolons). Existing communities are updated by slug; a column left out of "
        "the file (or an empty kind) leaves that field of existing communities unchanged; an "
        "empty delegates cell clears the delegates. Every row is validated "
        "first: if any row is invalid, nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", type=Path, nargs="?", help="The CSV file to import (or use --sitematrix)."
        )
        parser.add_argument(
            "--sitematrix",
            metavar="API_URL",
            default="",
            help=(
                "Read the registry from a wiki farm instead of a file: the action API of any of "
                "its wikis, e.g. https://meta.wikimedia.org/w/api.php (action=sitematrix). Each "
                "wiki becomes a community (kind wiki) whose slug is its database name, with its "
                "language, project name and URL; closed and private wikis are skipped and "
                "listed; delegates are left as they are."
            ),
        )
        parser.add_argument(
            "--as-user",
            dest="as_user",
            default=None,
            metavar="USERNAME",
            help="The facilitator recorded in the history (default: the first active superuser).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Validate the file and report what would change, without writing anything.",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show the progress bar."
        )

    # ----------------------------------------------------------------------------------------
    def handle(self, *args, **options):
        user = self._resolve_user(options["as_user"])
        path: Path = options["file"]
        if options["sitematrix"]:
            if path is not None:
                raise CommandError("Give either a CSV file or --sitematrix, not both.")
            columns, rows = self._read_sitematrix(options["sitematrix"])
            where, unit = options["sitematrix"], "site"
        elif path is None:
            raise CommandError("Give a CSV file to import, or --sitematrix API_URL.")
        else:
            columns, rows = self._read(path)
            where, unit = path, "line"
        errors = self._validate(columns, rows)
        if errors:
            bad_lines = sorted({line for line, _ in errors})
            self.stderr.write(f"{where}: {_plural(len(bad_lines), 'invalid row')}:")
            for line, message in sorted(errors, key=lambda e: e[0]):
                self.stderr.write(f"{unit} {line}: {message}")
            raise CommandError(f"{_plural(len(bad_lines), 'invalid row')}; nothing was imported.")

        if options["dry_run"]:
            existing = self._existing(rows)
            created = sum(1 for row in rows if row.values["slug"] not in existing)
            self.stdout.write(
                f"Dry run: {_plural(len(rows), 'row')} valid; {created} would be created, "
                f"{len(rows) - created} updated. Nothing was written."
            )
            return

        show_progress = not options["no_progress"] and len(rows) > PROGRESS_MIN_ROWS
        created, updated = self._write(user, columns, rows, show_progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {created + updated} "
                f"{'community' if created + updated == 1 else 'communities'}: "
                f"{created} created, {updated} updated."
            )
        )

    # ----------------------------------------------------------------------------------------
    def _resolve_user(self, username: str | None):
        User = get_user_model()
        if username:
            user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
            if user is None:
                raise CommandError(f"No user named “{username}”.")
        else:
            user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
            if user is None:
                raise CommandError(
                    "No active superuser exists; pass --as-user USERNAME (a facilitator)."
                )
        if not rules.can_manage_registry(user):
            raise CommandError(
                f"{user.get_username()} is not a facilitator; only facilitators manage the "
                "community registry."
            )
        return user

    def _read_sitematrix(self, api_url: str) -> tuple[set[str], list[Row]]:
        """The farm's open, public wikis as rows (numbered in sitematrix order, so errors name
        "site N"); closed and private ones are reported on stdout and left out."""
        client = MediaWikiClient.from_settings(api_url)
        try:
            sites = client.sitematrix()
        except WikiApiError as exc:
            raise CommandError(f"{exc} Nothing was imported.") from exc
        columns = {"name", "slug", "kind", "language", "url"}
        self._header_width = len(columns)
        rows: list[Row] = []
        left_out: list[str] = []
        for number, site in enumerate(sites, start=1):
            if site.closed or site.private:
                why = " and ".join(
                    w for w, f in (("closed", site.closed), ("private", site.private)) if f
                )
                left_out.append(f"{site.dbname or site.url} ({why})")
                continue
            if site.special or not site.language_name:
                name = site.sitename or site.dbname
            else:
                name = f"{site.sitename} ({site.language_name})"
            values = {
                "name": strip_control_characters(name)[: _max_length("name")].strip(),
                "slug": site.dbname,
                "kind": Community.Kind.WIKI,
                "language": site.language,
                "url": site.url,
            }
            rows.append(Row(line=number, values=values, width=len(columns)))
        self.stdout.write(
            f"{api_url}: {_plural(len(sites), 'wiki')} in the sitematrix "
            f"({client.requests_made} {'request' if client.requests_made == 1 else 'requests'})."
        )
        if left_out:
            self.stdout.write(f"Skipped {len(left_out)} closed or private: {', '.join(left_out)}.")
        return columns, rows

    def _read(self, path: Path) -> tuple[set[str], list[Row]]:
        """Decode and parse the file; return the columns present and the non-empty rows."""
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise CommandError(f"{path}: no such file.") from exc
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise CommandError(
                f"{path} is not UTF-8 text (invalid byte on line {line}); save it as UTF-8 CSV "
                "and try again."
            ) from exc

        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(reader, None)
            while header is not None and not any(cell.strip() for cell in header):
                header = next(reader, None)
            if header is None:
                raise CommandError(f"{path} is empty; expected a header row naming the columns.")
            header_line = reader.line_num
            names = [cell.strip().lower() for cell in header]
            duplicates = sorted({n for n in names if n and names.count(n) > 1})
            if duplicates:
                raise CommandError(
                    f"Line {header_line}: column(s) {', '.join(duplicates)} appear more than once "
                    "in the header."
                )
            missing = [c for c in REQUIRED_COLUMNS if c not in names]
            if missing:
                raise CommandError(
                    f"{path} is missing required column(s): {', '.join(missing)}. "
                    f"The header must name {', '.join(REQUIRED_COLUMNS)}; optional columns are "
                    f"{', '.join(OPTIONAL_COLUMNS)}. Nothing was imported."
                )
            known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
            ignored = [n for n in names if n and n not in known]
            if ignored:
                self.stderr.write(f"Ignoring unknown column(s): {', '.join(ignored)}.")

            rows: list[Row] = []
            start = reader.line_num + 1
            for cells in reader:
                line, start = start, reader.line_num + 1
                if not any(cell.strip() for cell in cells):
                    continue  # blank line
                row = Row(line=line, values={}, width=len(cells))
                for name, cell in zip(names, cells, strict=False):
                    if name in known:
                        # Invisible control characters go, as from a form; NUL stays, to be
                        # refused with the row's line in _validate.
                        row.values[name] = strip_control_characters(cell).strip()
                rows.append(row)
        except csv.Error as exc:
            raise CommandError(f"{path}, line {reader.line_num}: not valid CSV ({exc}).") from exc
        self._header_width = len(names)
        return {n for n in names if n in known}, rows

    def _validate(self, columns: set[str], rows: list[Row]) -> list[tuple[int, str]]:
        errors: list[tuple[int, str]] = []
        first_line_of_slug: dict[str, int] = {}
        wanted_usernames: set[str] = set()
        kinds = Community.Kind.values

        for row in rows:
            v = row.values
            if row.width != self._header_width:
                errors.append(
                    (
                        row.line,
                        f"has {row.width} fields but the header has {self._header_width}.",
                    )
                )
                continue
            with_nul = [column for column, value in v.items() if "\x00" in value]
            if with_nul:
                errors.append(
                    (
                        row.line,
                        f"{', '.join(with_nul)} contains a NUL character (\\x00); the file looks "
                        "binary or is not saved as UTF-8 text.",
                    )
                )
                continue
            name, slug = v.get("name", ""), v.get("slug", "")

            if not name:
                errors.append((row.line, "name is empty."))
            elif len(name) > _max_length("name"):
                errors.append((row.line, f"name is longer than {_max_length('name')} characters."))

            if not slug:
                errors.append((row.line, "slug is empty."))
            else:
                slug_ok = True
                if len(slug) > _max_length("slug"):
                    slug_ok = False
                    errors.append(
                        (row.line, f"slug is longer than {_max_length('slug')} characters.")
                    )
                try:
                    validate_slug(slug)
                except ValidationError:
                    slug_ok = False
                    errors.append(
                        (
                            row.line,
                            f"slug “{slug}” is not valid: use only letters, numbers, "
                            "underscores and hyphens.",
                        )
                    )
                if slug_ok:
                    if slug in first_line_of_slug:
                        errors.append(
                            (
                                row.line,
                                f"slug “{slug}” is duplicated: it is also on line "
                                f"{first_line_of_slug[slug]}.",
                            )
                        )
                    else:
                        first_line_of_slug[slug] = row.line

            if "kind" in columns:
                kind = v.get("kind", "").lower()
                v["kind"] = kind
                if kind and kind not in kinds:
                    errors.append(
                        (
                            row.line,
                            f"kind “{v['kind']}” is not one of: {', '.join(kinds)}.",
                        )
                    )

            if "language" in columns and len(v.get("language", "")) > _max_length("language"):
                errors.append(
                    (
                        row.line,
                        f"language is longer than {_max_length('language')} characters.",
                    )
                )

            if "url" in columns and v.get("url"):
                url = v["url"]
                if len(url) > _max_length("url"):
                    errors.append(
                        (row.line, f"url is longer than {_max_length('url')} characters.")
                    )
                else:
                    try:
                        _check_url(url)
                    except ValidationError:
                        errors.append(
                            (
                                row.line,
                                f"url “{url}” is not a valid web address (it must start "
                                "with http:// or https://).",
                            )
                        )

            if "delegates" in columns:
                usernames = [u for u in DELEGATE_SEPARATORS.split(v.get("delegates", "")) if u]
                row.delegates = list(dict.fromkeys(usernames))
                wanted_usernames.update(row.delegates)

        if wanted_usernames:
            User = get_user_model()
            field_name = User.USERNAME_FIELD
            users = User.objects.filter(**{f"{field_name}__in": wanted_usernames})
            self._users = {getattr(u, field_name): u for u in users}
            for row in rows:
                unknown = [u for u in row.delegates if u not in self._users]
                if unknown:
                    label = "user" if len(unknown) == 1 else "users"
                    errors.append(
                        (
                            row.line,
                            f"unknown delegate {label}: {', '.join(unknown)}.",
                        )
                    )
        else:
            self._users = {}
        return errors

    def _existing(self, rows: list[Row]) -> dict[str, Community]:
        slugs = [row.values["slug"] for row in rows]
        existing: dict[str, Community] = {}
        # Chunked to stay under database parameter limits on very large files.
        for i in range(0, len(slugs), 500):
            chunk = Community.objects.filter(slug__in=slugs[i : i + 500])
            for community in chunk.prefetch_related("delegates"):
                existing[community.slug] = community
        return existing

    def _delegates_to_set(self, row: Row, current: Community | None):
        """The users to pass to save_community, or None when the delegates stay as they are
        (the column is absent, or the file's list matches what is stored already)."""
        wanted = [self._users[u] for u in row.delegates]
        stored = set(current.delegates.all()) if current else set()
        return None if set(wanted) == stored else wanted

    def _write(self, user, columns, rows, show_progress) -> tuple[int, int]:
        total = len(rows)
        step = max(1, total // 50)  # about every 2%
        created_count = 0
        progress = _Progress(self.stderr, total) if show_progress else None
        previous_request = getattr(HistoricalRecords.context, "request", None)
        # simple_history takes the acting user from the current request; a command has none,
        # so stand one in for the duration of the import.
        HistoricalRecords.context.request = SimpleNamespace(user=user)
        try:
            # One bulk search-index update at the end instead of one per community saved.
            with transaction.atomic(), indexing_deferred(Community):
                existing = self._existing(rows)
                for index, row in enumerate(rows, start=1):
                    v = row.values
                    current = existing.get(v["slug"])
                    kwargs = {
                        "user": user,
                        "name": v["name"],
                        "slug": v["slug"],
                        "kind": v.get("kind") or (current.kind if current else "other"),
                        "language": (
                            v.get("language", "")
                            if "language" in columns
                            else (current.language if current else "")
                        ),
                        "url": (
                            v.get("url", "")
                            if "url" in columns
                            else (current.url if current else "")
                        ),
                        "delegates": (
                            self._delegates_to_set(row, current) if "delegates" in columns else None
                        ),
                    }
                    try:
                        _, created = services.save_community(**kwargs)
                    except ValidationError as exc:
                        raise CommandError(
                            f"line {row.line}: {' '.join(exc.messages)} Nothing was imported."
                        ) from exc
                    except PermissionDenied as exc:
                        raise CommandError(f"{exc} Nothing was imported.") from exc
                    created_count += created
                    if progress and (index % step == 0 or index == total):
                        progress.update(index)
        finally:
            if progress:
                progress.finish()
            if previous_request is None:
                with contextlib.suppress(AttributeError):
                    del HistoricalRecords.context.request
            else:
                HistoricalRecords.context.request = previous_request
        return created_count, total - created_count


class _Progress:
    """A one-line progress bar: redrawn in place on a terminal, a line per 10% otherwise."""

    def __init__(self, out, total: int):
        self.out = out
        self.total = total
        self.tty = out.isatty()
        self.last_decile = 0  # the first line printed is at 10%
        self.drawn = False

    def _write(self, text: str) -> None:
        self.out.write(text, style_func=lambda s: s, ending="")
        self.out.flush()

    def update(self, done: int) -> None:
        filled = PROGRESS_WIDTH * done // self.total
        bar = "#" * filled + "-" * (PROGRESS_WIDTH - filled)
        text = f"Importing {done}/{self.total} [{bar}]"
        if self.tty:
            self._write("\r" + text)
            self.drawn = True
        else:
            decile = 10 * done // self.total
            if decile != self.last_decile:
                self.last_decile = decile
                self._write(text + "\n")

    def finish(self) -> None:
        if self.tty and self.drawn:
            self._write("\n")
