"""verify/accord_verify.py against the site: all well, then every kind of tampering done
directly in the database or to the export, each named by its entry."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from transparency import chain, services
from transparency.models import LogEntry

SCRIPT = Path(__file__).resolve().parents[2] / "verify" / "accord_verify.py"
_spec = importlib.util.spec_from_file_location("accord_verify", SCRIPT)
accord_verify = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(accord_verify)


def fetcher(client, *, rewrite_log=None):
    def fetch(path):
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if rewrite_log and path == "/log.jsonl":
            body = rewrite_log(body)
        return response.status_code, body

    return fetch


def run(client, **kwargs):
    checkpoint = kwargs.pop("checkpoint", None)
    failures, _facts = accord_verify.verify(fetcher(client, **kwargs), checkpoint=checkpoint)
    return failures


def seq_of(kind):
    return LogEntry.objects.filter(kind=kind).values_list("seq", flat=True).first()


def seq_object_id(seq):
    return int(LogEntry.objects.get(seq=seq).object_ref.split(":")[1])


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.mark.django_db
def test_an_untouched_site_verifies(client, site):
    failures, facts = accord_verify.verify(fetcher(client))
    assert failures == []
    assert facts["entries"] == LogEntry.objects.count() >= 4


@pytest.mark.django_db
def test_editing_a_published_version_row_is_detected(client, site):
    version = site["version"]
    seq = LogEntry.objects.get(object_ref=f"policies.version:{version.pk}").seq
    sql(
        "UPDATE policies_sectionversion SET body = %s WHERE version_id = %s AND position = 0",
        ["Quietly rewritten.", version.pk],
    )
    failures = run(client)
    assert len(failures) == 1
    assert failures[0].startswith(f"entry {seq}: version {version.number} of baseline now hashes")


@pytest.mark.django_db
def test_editing_a_version_rows_title_is_detected(client, site):
    version = site["version"]
    seq = LogEntry.objects.get(object_ref=f"policies.version:{version.pk}").seq
    sql("UPDATE policies_policyversion SET title = 'Another code' WHERE id = %s", [version.pk])
    failures = run(client)
    assert len(failures) == 1
    assert failures[0].startswith(f"entry {seq}: version {version.number} of baseline now hashes")
    assert failures[0].endswith("(the published text changed)")


@pytest.mark.django_db
def test_deleting_a_moderation_entry_is_detected(client, site):
    seq = seq_of("moderation.hide")
    sql("DELETE FROM transparency_logentry WHERE seq = %s", [seq])
    failures = run(client)
    assert f"entry {seq}: missing from the log" in failures
    assert any(f.startswith(f"entry {seq + 1}: prev_hash") for f in failures)


@pytest.mark.django_db
def test_changing_an_entry_is_detected(client, site):
    seq = seq_of("moderation.hide")
    sql(
        "UPDATE transparency_logentry SET payload = REPLACE(payload, 'Off topic.', 'Spam.') "
        "WHERE seq = %s",
        [seq],
    )
    failures = run(client)
    consultation, moderation = site["consultation"].pk, seq_object_id(seq)
    assert failures == [
        f"entry {seq}: its hash does not match its content (entry changed)",
        # and the changed entry no longer matches the record it names
        f"entry {seq}: moderation {moderation} of consultation {consultation}: its reason is "
        "now 'Off topic.', the log recorded 'Spam.' (a moderation record changed)",
    ]


@pytest.mark.django_db
def test_a_reordered_export_is_detected(client, site):
    def swap(body):
        lines = body.split(b"\n")
        lines[1], lines[2] = lines[2], lines[1]
        return b"\n".join(lines)

    failures = run(client, rewrite_log=swap)
    assert "entry 3: out of order (found where entry 2 belongs)" in failures
    assert "entry 2: out of order (found where entry 3 belongs)" in failures


@pytest.mark.django_db
def test_a_truncated_export_is_detected(client, site):
    count = LogEntry.objects.count()
    cut_mid_line = run(client, rewrite_log=lambda body: body[: len(body) - 40])
    assert cut_mid_line[0] == (
        f"entry {count}: line {count} of the export is not a complete log entry "
        "(truncated or damaged export)"
    )
    cut_at_line = run(client, rewrite_log=lambda body: b"\n".join(body.split(b"\n")[:2]))
    assert cut_at_line == [
        f"entry {count}: the head the site shows, {count}:{services.head()[1]} is not in the "
        "log, which ends at entry 2"
    ]


@pytest.mark.django_db
def test_a_checkpoint_is_a_prefix_of_the_later_log(client, site):
    checkpoint = services.head()
    services.append("test.event", "tests.thing:1", {"later": True}, "")
    assert run(client, checkpoint=checkpoint) == []


@pytest.mark.django_db
def test_a_consistently_rewritten_log_fails_an_old_checkpoint(client, site):
    """Someone with the database rewrites entry 2 and recomputes every later hash: the chain
    looks intact, but a checkpoint saved before disagrees."""
    checkpoint = services.head()
    prev = None
    for entry in LogEntry.objects.order_by("seq"):
        payload = entry.payload_data
        if entry.seq == 2:
            payload["summary"] = "A different story."
        fields = {
            "seq": entry.seq,
            "kind": entry.kind,
            "object": entry.object_ref,
            "payload": payload,
            "content_hash": entry.content_hash,
            "prev_hash": prev or entry.prev_hash,
            "created_at": chain.timestamp(entry.created_at),
        }
        digest = chain.entry_hash(**fields)
        sql(
            "UPDATE transparency_logentry SET payload = %s, prev_hash = %s, hash = %s "
            "WHERE seq = %s",
            [chain.canonical_json(payload), fields["prev_hash"], digest, entry.seq],
        )
        prev = digest
    failures = run(client, checkpoint=checkpoint)
    seq = checkpoint[0]
    assert len(failures) == 1 and failures[0].startswith(f"entry {seq}: your checkpoint says")


def test_a_malformed_checkpoint_is_refused():
    with pytest.raises(SystemExit) as exit_info:
        accord_verify.main(["--site", "http://127.0.0.1:9", "--checkpoint", "12:nothex"])
    assert exit_info.value.code == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_script_checks_a_running_site_with_the_standard_library_only(live_server, site):
    def verify(*extra):
        return subprocess.run(
            # -I -S: no site-packages at all, so nothing but the standard library imports.
            [sys.executable, "-I", "-S", str(SCRIPT), "--site", live_server.url, *extra],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    seq, digest = services.head()
    good = verify("--checkpoint", f"{seq}:{digest}")
    assert good.returncode == 0, good.stdout + good.stderr
    assert good.stdout.startswith(f"OK: {seq} entries")
    hidden = seq_of("moderation.hide")
    sql("DELETE FROM transparency_logentry WHERE seq = %s", [hidden])
    bad = verify()
    assert bad.returncode == 1
    assert f"entry {hidden}: missing from the log" in bad.stdout.splitlines()


@pytest.mark.django_db
def test_deleting_a_moderation_record_is_detected(client, site):
    """Not the log entry but the moderation row itself: the log still vouches for it, and the
    public moderation list no longer has it."""
    entry = LogEntry.objects.get(kind="moderation.hide")
    pk = int(entry.object_ref.split(":")[1])
    consultation = site["consultation"].pk
    sql("DELETE FROM consultations_moderationaction WHERE id = %s", [pk])
    failures = run(client)
    assert failures == [
        f"entry {entry.seq}: moderation {pk} of consultation {consultation} is missing from "
        f"/api/v1/consultations/{consultation}/moderation/ (a moderation record was deleted)"
    ]


@pytest.mark.django_db
def test_changing_or_slipping_in_a_moderation_record_is_detected(client, site):
    entry = LogEntry.objects.get(kind="moderation.hide")
    pk = int(entry.object_ref.split(":")[1])
    consultation = site["consultation"].pk
    sql("UPDATE consultations_moderationaction SET reason = 'Spam.' WHERE id = %s", [pk])
    sql(
        "INSERT INTO consultations_moderationaction "
        "(consultation_id, position_id, action, reason, actor_id, created_at) "
        "SELECT consultation_id, position_id, 'restore', 'Never logged.', actor_id, created_at "
        "FROM consultations_moderationaction WHERE id = %s",
        [pk],
    )
    failures = run(client)
    assert failures[0] == (
        f"entry {entry.seq}: moderation {pk} of consultation {consultation}: its reason is now "
        "'Spam.', the log recorded 'Off topic.' (a moderation record changed)"
    )
    assert failures[1].startswith(f"consultation {consultation}: moderation ")
    assert failures[1].endswith(" is public but no log entry records it")
    assert len(failures) == 2


@pytest.mark.django_db
def test_a_renamed_policy_still_verifies(client, site):
    """The log recorded the old slug; versions are fetched by the id the entry names."""
    page = site["page"]
    page.slug = "renamed-baseline"
    page.save_revision().publish()
    assert client.get("/api/v1/policies/baseline/versions/1/").status_code == 404
    assert client.get("/api/v1/policies/renamed-baseline/versions/1/").status_code == 200
    assert run(client) == []
    version = site["version"]
    data = client.get(f"/api/v1/versions/{version.pk}/").json()
    assert data["number"] == version.number
    assert data["url"].endswith(f"/api/v1/policies/renamed-baseline/versions/{version.number}/")


@pytest.mark.django_db
def test_bad_input_exits_non_zero_naming_the_entry(client, site, monkeypatch, capsys):
    """The command line on a damaged export: a reordered entry, a truncated export, a cut line."""
    count = LogEntry.objects.count()

    def swap(body):
        lines = body.split(b"\n")
        lines[1], lines[2] = lines[2], lines[1]
        return b"\n".join(lines)

    damages = {
        "reordered": (swap, "entry 3: out of order (found where entry 2 belongs)"),
        "cut at a line": (
            lambda body: b"\n".join(body.split(b"\n")[:2]),
            f"entry {count}: the head the site shows, {count}:{services.head()[1]} is not in "
            "the log, which ends at entry 2",
        ),
        "cut mid-line": (
            lambda body: body[: len(body) - 40],
            f"entry {count}: line {count} of the export is not a complete log entry "
            "(truncated or damaged export)",
        ),
    }
    for damage, expected in damages.values():
        monkeypatch.setattr(
            accord_verify, "http_fetcher", lambda site, d=damage: fetcher(client, rewrite_log=d)
        )
        code = accord_verify.main(["--site", "http://testserver"])
        printed = capsys.readouterr().out.splitlines()
        assert code == 1
        assert expected in printed
        assert not any(line.startswith("OK:") for line in printed)


def test_moderation_records_are_read_across_every_page_of_the_api():
    pages = {
        "/api/v1/consultations/4/moderation/?page_size=100": {
            "results": [{"id": 1}],
            "next": "https://accord.example.org/api/v1/consultations/4/moderation/?page=2&page_size=100",
        },
        "/api/v1/consultations/4/moderation/?page=2&page_size=100": {
            "results": [{"id": 2}],
            "next": None,
        },
    }

    def fetch(path):
        return (200, json.dumps(pages[path]).encode()) if path in pages else (404, b"")

    assert accord_verify._fetch_pages(fetch, "/api/v1/consultations/4/moderation/") == (
        [{"id": 1}, {"id": 2}],
        "",
    )
