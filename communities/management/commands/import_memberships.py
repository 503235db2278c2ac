"""Load community memberships (edit counts, registration dates, blocks) from a CSV file, for
vote eligibility. All rows are checked first; one bad row means nothing is written."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from communities import services
from communities.models import Community
from core.text import NulCharacterError, imported_text, strip_control_characters

COLUMNS = ("community", "username")
TRUE = {"1", "yes", "true", "blocked"}
FALSE = {"", "0", "no", "false"}


class Command(BaseCommand):
    help = (
        "Import memberships from a UTF-8 CSV file with a header row. Columns: community (slug) "
        "and username (required); edit_count, registered_on (YYYY-MM-DD), blocked (yes/no) "
        "(optional). Existing memberships are updated. If any row is invalid, nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--as", dest="actor", required=True, help="A facilitator's username.")
        parser.add_argument("--source", default="", help="Where the figures come from.")

    def handle(self, *args, path: Path, actor: str, source: str, **options):
        User = get_user_model()
        acting = User.objects.filter(username=actor).first()
        if acting is None:
            raise CommandError(f"No account is called {actor!r}.")
        try:
            text = imported_text(path.read_text(encoding="utf-8-sig"))
        except NulCharacterError as exc:
            raise CommandError(f"{path}: {exc} Nothing imported.") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        source = strip_control_characters(source)
        reader = csv.DictReader(text.splitlines())
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise CommandError("The header lacks the column(s): " + ", ".join(missing) + ".")
        rows = list(reader)
        communities = {
            c.slug: c
            for c in Community.objects.filter(
                slug__in={r.get("community", "").strip() for r in rows}
            )
        }
        users = {
            u.get_username(): u
            for u in User.objects.filter(username__in={r.get("username", "").strip() for r in rows})
        }
        problems, parsed = [], []
        for line, row in enumerate(rows, start=2):
            try:
                parsed.append(self._parse(row, communities, users))
            except ValueError as exc:
                problems.append(f"line {line}: {exc}")
        if problems:
            raise CommandError("Nothing imported.\n" + "\n".join(problems[:50]))
        try:
            with transaction.atomic():
                for values in parsed:
                    services.save_membership(user=acting, source=source or str(path.name), **values)
        except (PermissionDenied, ValidationError) as exc:
            message = " ".join(getattr(exc, "messages", [str(exc)]))
            raise CommandError(f"Nothing imported: {message}") from exc
        self.stdout.write(self.style.SUCCESS(f"Imported {len(parsed)} memberships."))

    @staticmethod
    def _parse(row, communities, users) -> dict:
        slug, username = (row.get("community") or "").strip(), (row.get("username") or "").strip()
        if slug not in communities:
            raise ValueError(f"no community with the slug {slug!r}")
        if username not in users:
            raise ValueError(f"no account called {username!r}")
        edits = (row.get("edit_count") or "").strip()
        if edits and not edits.isdigit():
            raise ValueError(f"edit_count {edits!r} is not a whole number")
        registered = (row.get("registered_on") or "").strip()
        try:
            registered_on = dt.date.fromisoformat(registered) if registered else None
        except ValueError:
            raise ValueError(f"registered_on {registered!r} is not a YYYY-MM-DD date") from None
        blocked = (row.get("blocked") or "").strip().lower()
        if blocked not in TRUE | FALSE:
            raise ValueError(f"blocked {blocked!r} should be yes or no")
        return {
            "community": communities[slug],
            "member": users[username],
            "edit_count": int(edits) if edits else None,
            "registered_on": registered_on,
            "blocked": blocked in TRUE,
        }
