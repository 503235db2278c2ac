#!/usr/bin/env python3
"""Check an Accord site's transparency log from its public URLs alone.

    python verify/accord_verify.py --site https://accord.example.org [--checkpoint SEQ:HASH]

Reads /log.jsonl (every entry, oldest first), the head shown in the footer of /log/, and the
public API's text of each published version. Checks that:
  - every entry's hash is SHA-256 of the canonical JSON of its fields (keys sorted, no
    whitespace, UTF-8), previous hash included, and entries are numbered 1, 2, 3, ... with each
    one's prev_hash equal to the hash before it (the first: 64 zeros);
  - the log reaches the head the site shows (a truncated export fails);
  - a checkpoint SEQ:HASH saved earlier (from a page footer or an Atom entry) is still entry
    SEQ with that hash, so the log you saved is a prefix of today's;
  - each published version's text, fetched from /api/v1/policies/<slug>/versions/<n>/, still
    hashes to the content hash the log recorded when it was published.
Prints one line per failure, naming the entry, and exits 0 only when everything matches.

Standard library only, and nothing from Accord: anyone can read and run it. `verify(fetch)`
takes any callable path -> (status, body bytes), so tests pass Django's test client.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable

GENESIS_HASH = "0" * 64
FIELDS = ("seq", "kind", "object", "payload", "content_hash", "prev_hash", "hash", "created_at")
HEAD = re.compile(r'<span class="log-head" data-seq="(\d+)" data-hash="([0-9a-f]{64})"')
Fetch = Callable[[str], tuple[int, bytes]]


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_hash(entry: dict) -> str:
    return sha256_hex(canonical_json({k: entry[k] for k in FIELDS if k != "hash"}))


def version_content_hash(version: dict) -> str:
    """What Accord records as a version's content hash: SHA-256 of the canonical JSON of its
    title and its sections' key, heading and body, in order."""
    sections = sorted(version["sections"], key=lambda s: s["position"])
    return sha256_hex(
        canonical_json(
            {
                "title": version["title"],
                "sections": [
                    {"key": s["key"], "heading": s["heading"], "body": s["body"]} for s in sections
                ],
            }
        )
    )


def parse_checkpoint(text: str) -> tuple[int, str]:
    seq, _, digest = text.partition(":")
    if not seq.isdigit() or not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise ValueError(f"checkpoint {text!r}: expected SEQ:HASH, e.g. 42:{'ab' * 32}")
    return int(seq), digest


def check_chain(lines: Iterable[bytes]) -> tuple[list[dict], list[str]]:
    """Parse the export and check numbering, every hash and every link.
    Returns (entries, failures)."""
    entries: list[dict] = []
    failures: list[str] = []
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            entry = json.loads(raw)
            if not isinstance(entry, dict) or set(entry) != set(FIELDS):
                raise ValueError
            if not isinstance(entry["seq"], int) or isinstance(entry["seq"], bool):
                raise ValueError
        except ValueError:
            after = entries[-1]["seq"] if entries else 0
            failures.append(
                f"entry {after + 1}: line {number} of the export is not a complete log entry "
                "(truncated or damaged export)"
            )
            break
        entries.append(entry)

    seqs = [e["seq"] for e in entries]
    present = set(seqs)
    in_order = sorted(present)
    for seq in range(1, (in_order[-1] if in_order else 0) + 1):
        if seq not in present:
            failures.append(f"entry {seq}: missing from the log")
    seen: set[int] = set()
    for position, seq in enumerate(seqs):
        if seq in seen:
            failures.append(f"entry {seq}: appears more than once")
        elif position < len(in_order) and seq != in_order[position] and seq in present:
            failures.append(
                f"entry {seq}: out of order (found where entry {in_order[position]} belongs)"
            )
        seen.add(seq)

    prev_hash = GENESIS_HASH
    for entry in entries:
        seq = entry["seq"]
        if entry_hash(entry) != entry["hash"]:
            failures.append(f"entry {seq}: its hash does not match its content (entry changed)")
        if entry["prev_hash"] != prev_hash:
            failures.append(
                f"entry {seq}: prev_hash is not the hash of the entry before it (chain broken)"
            )
        prev_hash = entry["hash"]
    return entries, failures


def check_head(entries: list[dict], head: tuple[int, str] | None, what: str) -> list[str]:
    if head is None:
        return []
    seq, digest = head
    by_seq = {e["seq"]: e for e in entries}
    if seq not in by_seq:
        last = entries[-1]["seq"] if entries else 0
        return [f"entry {seq}: {what} {seq}:{digest} is not in the log, which ends at entry {last}"]
    if by_seq[seq]["hash"] != digest:
        return [
            f"entry {seq}: {what} says hash {digest}, today's log has {by_seq[seq]['hash']} "
            "(the log was rewritten)"
        ]
    return []


def check_versions(entries: list[dict], fetch: Fetch) -> list[str]:
    failures = []
    for entry in entries:
        if entry["kind"] != "version.published":
            continue
        payload = entry["payload"]
        policy, number = payload.get("policy"), payload.get("number")
        path = f"/api/v1/policies/{urllib.parse.quote(str(policy))}/versions/{number}/"
        status, body = fetch(path)
        if status != 200:
            failures.append(
                f"entry {entry['seq']}: version {number} of {policy} is not public ({path} "
                f"answered {status})"
            )
            continue
        try:
            found = version_content_hash(json.loads(body))
        except (ValueError, KeyError, TypeError):
            failures.append(f"entry {entry['seq']}: {path} is not a version's text")
            continue
        if found != entry["content_hash"]:
            failures.append(
                f"entry {entry['seq']}: version {number} of {policy} now hashes to {found}, the "
                f"log recorded {entry['content_hash']} (the published text changed)"
            )
    return failures


def verify(fetch: Fetch, *, checkpoint: tuple[int, str] | None = None) -> tuple[list[str], dict]:
    """All checks; returns (failures, facts) where facts has the entry count and head."""
    status, page = fetch("/log/")
    match = HEAD.search(page.decode("utf-8", "replace")) if status == 200 else None
    shown = (int(match.group(1)), match.group(2)) if match else None
    status, body = fetch("/log.jsonl")
    if status != 200:
        return [f"entry 1: /log.jsonl answered {status}"], {}
    entries, failures = check_chain(body.split(b"\n"))
    failures += check_head(entries, shown, "the head the site shows,")
    failures += check_head(entries, checkpoint, "your checkpoint")
    failures += check_versions(entries, fetch)
    last = entries[-1] if entries else {"seq": 0, "hash": GENESIS_HASH}
    return failures, {"entries": len(entries), "head": f"{last['seq']}:{last['hash']}"}


def http_fetcher(site: str, *, timeout: float = 60, max_wait: float = 120) -> Fetch:
    """GET `site` + path; waits and retries when the site's rate limit answers 429."""
    base = site.rstrip("/")

    def fetch(path: str) -> tuple[int, bytes]:
        waited = 0.0
        while True:
            request = urllib.request.Request(  # noqa: S310 - the user names the site
                base + path, headers={"User-Agent": "accord-verify/1"}
            )
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                    return response.status, response.read()
            except urllib.error.HTTPError as error:
                retry = error.headers.get("Retry-After", "")
                if error.code == 429 and waited < max_wait:
                    delay = min(float(retry) if retry.isdigit() else 5.0, max_wait - waited)
                    time.sleep(max(delay, 1.0))
                    waited += max(delay, 1.0)
                    continue
                return error.code, error.read()

    return fetch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", required=True, help="e.g. https://accord.example.org")
    parser.add_argument("--checkpoint", help="SEQ:HASH saved earlier from a page or feed")
    args = parser.parse_args(argv)
    try:
        checkpoint = parse_checkpoint(args.checkpoint) if args.checkpoint else None
    except ValueError as error:
        parser.error(str(error))
    try:
        failures, facts = verify(http_fetcher(args.site), checkpoint=checkpoint)
    except (urllib.error.URLError, OSError) as error:
        print(f"cannot read {args.site}: {error}", file=sys.stderr)
        return 2
    for failure in failures:
        print(failure)
    if failures:
        return 1
    print(f"OK: {facts['entries']} entries, head {facts['head']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
