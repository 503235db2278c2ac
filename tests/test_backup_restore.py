"""README, Backup and restore: `pg_dump -Fc` of a seeded deployment restored with `pg_restore`
into an empty database gives the same public pages, exports and content hashes, byte for byte.

PostgreSQL only. The demo is seeded into a copy of the migrated template the test databases
are copied from (tests/db_template.py), kept for later runs as that one is. A copy of it is
dumped and restored into a new, empty database, and every page below is rendered from each
through a connection of their own (the test's own database and transaction are left alone);
both copies are dropped afterwards."""

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import uuid

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client

from consultations.models import Consultation
from policies.models import PolicyVersion
from ratification.models import Vote
from tests.db_template import ROOT, _lock, fingerprint
from transparency.models import LogEntry

SEED_DEMO = ROOT / "policysite" / "management" / "commands" / "seed_demo.py"

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not shutil.which("pg_dump"),
        reason="pg_dump and pg_restore back up PostgreSQL only (run with DATABASE_URL=postgres://...)",
    ),
    pytest.mark.django_db,
]

# Pages carry a fresh CSRF token per answer: the one part that is not the database's.
_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+(")|("csrfToken": ")[^"]+(")')


def _public_copies() -> dict[str, bytes]:
    """What anyone can read or download, rendered afresh (nothing served from the cache)."""
    cache.clear()
    client = Client()
    closed, current = Vote.objects.get(state="closed"), Vote.objects.get(state="open")
    summarised = Consultation.objects.get(state="summarised")
    base = f"/shared-conduct-baseline/consultations/{summarised.pk}"
    urls = [
        "/",
        "/shared-conduct-baseline/",
        "/shared-conduct-baseline/compare/1/3/",
        "/shared-conduct-baseline/translations/de/",
        "/communities/",
        "/adoption/",
        f"{base}/summary/",
        f"{base}/export.csv",
        f"{base}/export.json",
        f"/votes/{closed.pk}/results/",
        f"/votes/{closed.pk}/results.json",
        f"/votes/{closed.pk}/ballots.csv",
        f"/votes/{current.pk}/voters.json",
        "/log/",
        "/log.jsonl",
        "/feeds/versions/",
        "/api/v1/policies/shared-conduct-baseline/versions/",
    ]
    copies = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        content = b"".join(response) if response.streaming else response.content
        copies[url] = _TOKEN.sub(rb"\1\3-\2\4", content)
    copies["content hashes"] = repr(
        [
            list(PolicyVersion.objects.order_by("pk").values_list("pk", "content_hash")),
            list(LogEntry.objects.order_by("pk").values_list("pk", "content_hash", "hash")),
        ]
    ).encode()
    return copies


def _environment(settings_dict) -> dict[str, str]:
    env = dict(os.environ)
    for name, key in [("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")]:
        if settings_dict.get(key):
            env[name] = str(settings_dict[key])
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return env


@contextlib.contextmanager
def _reading(name: str):
    """Pages and queries go to database `name` for the block."""
    own = connections["default"]
    other = type(own)({**own.settings_dict, "NAME": name}, "default")
    connections["default"] = other
    try:
        yield
    finally:
        connections["default"] = own
        other.close()


SEEDED_PREFIX = "accord_test_seeded_"


def _seeded_template() -> str:
    """A database holding the migrated template plus seed_demo, built once per fingerprint of
    the migrations and the seed (seeding costs most of this test), kept like the migrated one."""
    key = hashlib.sha256((fingerprint() + SEED_DEMO.read_text()).encode()).hexdigest()[:16]
    name = SEEDED_PREFIX + key
    quote = connection.ops.quote_name
    with _lock(SEEDED_PREFIX.rstrip("_")), connection._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", [SEEDED_PREFIX + "%"]
        )
        existing = {row[0] for row in cursor.fetchall()}
        if name in existing:
            return name
        for stale in existing:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(stale)} WITH (FORCE)")
        building = name + "_building"
        template = connection.settings_dict["TEST"]["TEMPLATE"]
        cursor.execute(f"CREATE DATABASE {quote(building)} TEMPLATE {quote(template)}")
        with _reading(building):
            call_command("seed_demo", verbosity=0)
        cursor.execute(f"ALTER DATABASE {quote(building)} RENAME TO {quote(name)}")
    return name


def test_a_dump_restored_into_an_empty_database_serves_the_same_bytes(tmp_path):
    template = _seeded_template()
    suffix = uuid.uuid4().hex[:8]
    seeded, restored = f"accord_backup_{suffix}", f"accord_restored_{suffix}"
    quote = connection.ops.quote_name
    env = _environment(connection.settings_dict)
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {quote(seeded)} TEMPLATE {quote(template)}")
        cursor.execute(f"CREATE DATABASE {quote(restored)} TEMPLATE template0")
    try:
        with _reading(seeded):
            before = _public_copies()
        dump = tmp_path / "accord.dump"
        subprocess.run(
            ["pg_dump", "-Fc", "--no-owner", f"--file={dump}", seeded], env=env, check=True
        )
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "--jobs=2",
                f"--dbname={restored}",
                dump,
            ],
            env=env,
            check=True,
        )
        with _reading(restored):
            after = _public_copies()
    finally:
        with connection._nodb_cursor() as cursor:
            for name in (seeded, restored):
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)")
        cache.clear()
    assert list(after) == list(before)
    for name, content in before.items():
        assert after[name] == content, name
