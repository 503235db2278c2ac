"""Migrate the test database once per run, then copy it for every pytest process.

Applying the ~250 migrations (ours and Wagtail's) costs about 15 s of CPU, almost all of it
Django rendering model states. `make test` starts three processes per database backend (two
xdist workers and the browser session), and each used to migrate its own database. Now the
first process to arrive builds a migrated template under a file lock and the others wait for
it, then each copies it: PostgreSQL clones with `CREATE DATABASE … TEMPLATE` (a fraction of a
second) and SQLite restores the template file into the process's database with SQLite's backup
API. `migrate` still runs on the copy, finds nothing to apply and sends `post_migrate` as usual.

The template is named after a fingerprint of what migrating runs: the project's migrations and
settings and the installed package versions. Any change builds a new one, and older templates
are removed then.
"""

import contextlib
import fcntl
import hashlib
import os
import sqlite3
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "accord_test_tpl_"
# Another checkout's test run may be copying its own template right now: only templates left
# alone this long are removed.
STALE_AFTER = 3600


def fingerprint():
    """What a freshly migrated database depends on: our migrations (they import nothing else
    from the project that shapes the data), the settings (installed apps) and the installed
    packages, whose migrations come with their versions."""
    digest = hashlib.sha256()
    sources = sorted(ROOT.glob("*/migrations/*.py")) + sorted(ROOT.glob("policysite/settings/*.py"))
    for path in sources:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    packages = sorted(
        f"{dist.metadata['Name']}=={dist.version}" for dist in metadata.distributions()
    )
    digest.update("\n".join(packages).encode())
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def _lock(name):
    path = Path(tempfile.gettempdir()) / f"{name}.lock"
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _build(connection, test_name):
    """Migrate a database named `test_name` with Django's own test-database machinery and
    leave the connection as it found it."""
    from django.conf import settings

    alias = connection.alias
    saved_name = settings.DATABASES[alias]["NAME"]
    test_settings = connection.settings_dict.setdefault("TEST", {})
    saved_test = dict(test_settings)
    test_settings["NAME"] = test_name
    test_settings.pop("TEMPLATE", None)
    try:
        connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False, keepdb=False
        )
    finally:
        connection.close()
        settings.DATABASES[alias]["NAME"] = saved_name
        connection.settings_dict["NAME"] = saved_name
        test_settings.clear()
        test_settings.update(saved_test)


class _SQLiteTemplate:
    def __init__(self, connection, key):
        self.connection = connection
        self.directory = Path(tempfile.gettempdir())
        self.path = self.directory / f"{PREFIX}{key}.sqlite3"

    def ensure(self):
        if self.path.exists():
            return
        partial = self.path.with_suffix(f".{os.getpid()}.partial")
        _build(self.connection, str(partial))
        # Fold the write-ahead log into the file so one file holds the whole template.
        with contextlib.closing(sqlite3.connect(partial)) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            db.execute("PRAGMA journal_mode=DELETE")
        for stale in self.directory.glob(f"{PREFIX}*.sqlite3"):
            if time.time() - stale.stat().st_mtime > STALE_AFTER:
                stale.unlink(missing_ok=True)
        os.replace(partial, self.path)

    def prepare(self):
        """Restore the template into the test database just before `migrate` runs on it."""
        self.path.touch()  # in use, so not stale
        from django.core import management

        template = self.path
        connection = self.connection
        original = management.call_command

        def call_command(name, *args, **options):
            # Only the first migrate of this database, the one create_test_db runs.
            if name == "migrate" and options.get("database", "default") == connection.alias:
                management.call_command = original
                connection.ensure_connection()
                with contextlib.closing(sqlite3.connect(template)) as source:
                    source.backup(connection.connection)
            return original(name, *args, **options)

        management.call_command = call_command


class _PostgresTemplate:
    def __init__(self, connection, key):
        self.connection = connection
        self.name = f"{PREFIX}{key}"

    def _databases(self):
        with self.connection._nodb_cursor() as cursor:
            cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [PREFIX + "%"])
            return {row[0] for row in cursor.fetchall()}

    def ensure(self):
        existing = self._databases()
        if self.name in existing:
            return
        building = f"{self.name}_building"
        _build(self.connection, building)
        quote = self.connection.ops.quote_name
        with self.connection._nodb_cursor() as cursor:
            for stale in existing:
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(stale)}")
            cursor.execute(f"ALTER DATABASE {quote(building)} RENAME TO {quote(self.name)}")

    def prepare(self):
        test_settings = self.connection.settings_dict.setdefault("TEST", {})
        test_settings["TEMPLATE"] = self.name


def start_from_migrated_template(django_db_blocker):
    """Make the coming `create_test_db` of the default database start from the shared migrated
    template. Other backends are migrated as usual. Called from `django_db_modify_db_settings`,
    after the test database's name is settled and before pytest-django creates it."""
    from django.db import connection

    kind = {"sqlite": _SQLiteTemplate, "postgresql": _PostgresTemplate}.get(connection.vendor)
    if kind is None:
        return
    template = kind(connection, fingerprint())
    with django_db_blocker.unblock(), _lock(f"{PREFIX}{connection.vendor}"):
        template.ensure()
    template.prepare()
