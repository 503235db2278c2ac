"""The standalone verifier, run as anyone would (standard library only, a running server),
against a freshly seeded demo: every entry, version, moderation record and closed vote of the
demo checks out, and the script exits 0. CI runs this with the rest of the suite."""

import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command

from transparency.models import LogEntry

from .test_verifier import SCRIPT


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_verifier_passes_on_a_freshly_seeded_demo(live_server):
    call_command("seed_demo", stdout=StringIO())
    kinds = set(LogEntry.objects.values_list("kind", flat=True))
    # What the run below is worth: the demo's log holds each kind the verifier checks.
    assert {
        "version.published",
        "moderation.hide",
        "ratification.opened",
        "ratification.closed",
    } <= kinds
    result = subprocess.run(
        [sys.executable, "-I", "-S", str(SCRIPT), "--site", live_server.url],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        f"OK: {LogEntry.objects.count()} entries, head {LogEntry.objects.last().seq}:"
        f"{LogEntry.objects.last().hash}"
    ]
