#!/usr/bin/env python3
"""Check an Accord site's transparency log from its public URLs alone.

    python verify/accord_verify.py --site https://accord.example.org [--checkpoint SEQ:HASH]

Reads /log.jsonl (every entry, oldest first), the head shown in the footer of /log/, and the
public API's text of each object an entry hashes. Checks that:
  - every entry's hash is SHA-256 of the canonical JSON of its fields (keys sorted, no
    whitespace, UTF-8), previous hash included, and entries are numbered 1, 2, 3, ... with each
    one's prev_hash equal to the hash before it (the first: 64 zeros);
  - the log reaches the head the site shows (a truncated export fails);
  - a checkpoint SEQ:HASH saved earlier (from a page footer or an Atom entry) is still entry
    SEQ with that hash, so the log you saved is a prefix of today's;
  - each published version's text, fetched by the id its entry names from /api/v1/versions/<id>/
    (so a policy renamed since is still found), is the version number the log recorded and
    still hashes to the content hash the log recorded when it was published;
  - each moderation entry's record is still listed, with the same action, item and reason, at
    /api/v1/consultations/<id>/moderation/, and every record listed there has its entry (a
    moderation record deleted or changed in the database fails);
  - each opened vote's terms (`terms` of /api/v1/votes/<id>/) still hash to the content hash the
    log recorded when the vote opened (a frozen term changed in the database fails);
  - each closed vote (its "ratification.closed" entry) recounts: from /votes/<id>/ballots.json
    (one row per counted ballot, struck ones apart) and /votes/<id>/voters.json (communities
    represented), the counts, threshold (for >= numerator/denominator of for + against, with at
    least one of them), quorums (counted ballots; communities among the voters not struck) and
    outcome ("no quorum", else "passed" or "failed") must equal /votes/<id>/results.json, and
    the list's terms must be the ones the log vouched for.
  - each imported translation revision's text, fetched by the id its entry names from
    /api/v1/translations/<id>/ (older revisions too, which the policy's pages no longer show),
    is the language, revision and version the log recorded and still hashes, title and
    sections in order like a version, to the content hash the log recorded;
  - each published summary's text at /api/v1/summaries/<id>/ (intro, then each section's key,
    outcome and text in the order listed) still hashes to the content hash of its latest
    "summary.published" entry (a summary edited in the database, or edited on the site without
    being published again, fails).
A summary published more than once shows only its latest text, so its earlier entries cannot be
checked against text: the script says so on a "note:" line, which is not a failure.
A vote opened before the log recorded terms hashes (its "ratification.opened" entry has an empty
content hash) cannot have its terms checked against the log: the script says so on a line
starting "note:", which is not a failure, and still recounts it.
With --receipt VOTE:RECEIPT it also finds your own row: the fingerprint of your receipt,
SHA-256 of "accord-ballot-fingerprint:" + receipt, must be in that vote's ballot list.
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
from collections import Counter
from collections.abc import Callable, Iterable
from fractions import Fraction

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


def parse_receipt(text: str) -> tuple[int, str]:
    vote, _, receipt = text.partition(":")
    if not vote.isdigit() or not receipt.strip():
        raise ValueError(f"receipt {text!r}: expected VOTE:RECEIPT, e.g. 12:Xy3...")
    return int(vote), receipt.strip()


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


def _object_id(entry: dict, kind: str) -> int | None:
    """The id in an entry's object reference ("policies.version:12" -> 12)."""
    prefix, _, number = str(entry["object"]).partition(":")
    return int(number) if prefix == kind and number.isdigit() else None


def check_versions(entries: list[dict], fetch: Fetch) -> list[str]:
    failures = []
    for entry in entries:
        if entry["kind"] != "version.published":
            continue
        payload = entry["payload"]
        policy, number = payload.get("policy"), payload.get("number")
        pk = _object_id(entry, "policies.version")
        # By the id the entry names, so a policy whose slug changed since is still found.
        path = (
            f"/api/v1/versions/{pk}/"
            if pk is not None
            else f"/api/v1/policies/{urllib.parse.quote(str(policy))}/versions/{number}/"
        )
        status, body = fetch(path)
        if status != 200:
            failures.append(
                f"entry {entry['seq']}: version {number} of {policy} is not public ({path} "
                f"answered {status})"
            )
            continue
        try:
            version = json.loads(body)
            found = version_content_hash(version)
        except (ValueError, KeyError, TypeError):
            failures.append(f"entry {entry['seq']}: {path} is not a version's text")
            continue
        if version.get("number") != number:
            failures.append(
                f"entry {entry['seq']}: {path} is version {version.get('number')}, the log "
                f"recorded version {number} of {policy}"
            )
        elif found != entry["content_hash"]:
            failures.append(
                f"entry {entry['seq']}: version {number} of {policy} now hashes to {found}, the "
                f"log recorded {entry['content_hash']} (the published text changed)"
            )
    return failures


def summary_content_hash(summary: dict) -> str:
    """What Accord records as a published summary's content hash: SHA-256 of the canonical JSON
    of its intro and each section's [key, outcome, text], in the order the site lists them
    (by section key)."""
    rows = [[s["section_key"], s["outcome"], s["text"]] for s in summary["sections"]]
    return sha256_hex(canonical_json({"intro": summary["intro"], "sections": rows}))


def check_translations(entries: list[dict], fetch: Fetch) -> list[str]:
    """Every imported translation revision, fetched by the id its entry names from
    /api/v1/translations/<id>/, is the policy, version, language and revision the log recorded
    and still hashes (title and sections, like a version) to the recorded content hash."""
    failures = []
    for entry in entries:
        pk = _object_id(entry, "policies.translation")
        if entry["kind"] != "translation.imported" or pk is None:
            continue
        payload = entry["payload"]
        name = (
            f"entry {entry['seq']}: translation {pk} ({payload.get('language')} revision "
            f"{payload.get('revision')} of version {payload.get('version')} of "
            f"{payload.get('policy')})"
        )
        path = f"/api/v1/translations/{pk}/"
        translation, problem = _fetch_json(fetch, path)
        if problem:
            failures.append(f"{name} is not public ({problem})")
            continue
        try:
            found = version_content_hash(translation)
            shown = {
                "policy": translation["policy"],
                "version": translation["source_version"],
                "language": translation["locale"],
                "revision": translation["revision"],
            }
        except (KeyError, TypeError, ValueError):
            failures.append(f"{name}: {path} is not a translation's text")
            continue
        moved = [k for k, v in shown.items() if k != "policy" and payload.get(k) != v]
        if moved:
            failures.append(
                f"{name}: {path} is {shown['language']} revision {shown['revision']} of version "
                f"{shown['version']}, not what the log recorded"
            )
        elif found != entry["content_hash"]:
            failures.append(
                f"{name} now hashes to {found}, the log recorded {entry['content_hash']} (the "
                "translated text changed)"
            )
    return failures


def check_summaries(entries: list[dict], fetch: Fetch, notes: list[str] | None = None) -> list[str]:
    """Each summary's latest publication against its text at /api/v1/summaries/<id>/. A summary
    published again replaces its earlier text on the site, so an earlier publication's entry is
    in the chain but has no public text left to check: said in `notes`, not a failure."""
    failures = []
    notes = notes if notes is not None else []
    latest: dict[int, dict] = {}
    for entry in entries:
        pk = _object_id(entry, "consultations.summary")
        if entry["kind"] != "summary.published" or pk is None:
            continue
        if pk in latest:
            notes.append(
                f"entry {latest[pk]['seq']}: summary {pk} was published again (entry "
                f"{entry['seq']}), so the text it recorded is no longer public to check"
            )
        latest[pk] = entry
    for pk, entry in sorted(latest.items()):
        consultation = entry["payload"].get("consultation")
        name = f"entry {entry['seq']}: summary {pk} of consultation {consultation}"
        path = f"/api/v1/summaries/{pk}/"
        summary, problem = _fetch_json(fetch, path)
        if problem:
            failures.append(f"{name} is not public ({problem})")
            continue
        try:
            found = summary_content_hash(summary)
        except (KeyError, TypeError, ValueError):
            failures.append(f"{name}: {path} is not a summary's text")
            continue
        if summary.get("consultation") != consultation:
            failures.append(
                f"{name}: {path} is the summary of consultation {summary.get('consultation')}"
            )
        elif found != entry["content_hash"]:
            failures.append(
                f"{name} now hashes to {found}, the log recorded {entry['content_hash']} when "
                "it was last published (the published text changed)"
            )
    return failures


MODERATION_KINDS = {"moderation.hide": "hide", "moderation.restore": "restore"}


def _fetch_pages(fetch: Fetch, path: str) -> tuple[list, str]:
    """Every item of a paginated API list: (items, problem)."""
    items: list = []
    nxt: str | None = path + "?page_size=100"
    while nxt:
        data, problem = _fetch_json(fetch, nxt)
        if problem:
            return items, problem
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            return items, f"{nxt} is not a list"
        items += data["results"]
        following = data.get("next")
        if following:
            parts = urllib.parse.urlsplit(following)
            nxt = parts.path + (f"?{parts.query}" if parts.query else "")
        else:
            nxt = None
    return items, ""


def check_moderation(entries: list[dict], fetch: Fetch) -> list[str]:
    """Every moderation entry's record is still public and says what the log says (action,
    item, reason), and every public moderation record of those consultations is in the log.
    The actor is not compared: a forgotten account's name is replaced on the site."""
    failures = []
    logged: dict[int, dict[int, dict]] = {}
    for entry in entries:
        action = MODERATION_KINDS.get(entry["kind"])
        pk = _object_id(entry, "consultations.moderation")
        consultation = entry["payload"].get("consultation")
        if action is None or pk is None or not isinstance(consultation, int):
            continue
        logged.setdefault(consultation, {})[pk] = {**entry, "action": action}
    for consultation, by_id in sorted(logged.items()):
        path = f"/api/v1/consultations/{consultation}/moderation/"
        items, problem = _fetch_pages(fetch, path)
        if problem:
            for pk, entry in sorted(by_id.items()):
                failures.append(
                    f"entry {entry['seq']}: moderation {pk} of consultation {consultation} cannot "
                    f"be checked ({problem})"
                )
            continue
        public = {item.get("id"): item for item in items if isinstance(item, dict)}
        for pk, entry in sorted(by_id.items()):
            name = f"entry {entry['seq']}: moderation {pk} of consultation {consultation}"
            item = public.get(pk)
            if item is None:
                failures.append(f"{name} is missing from {path} (a moderation record was deleted)")
                continue
            recorded = {
                "action": entry["action"],
                "target": entry["payload"].get("target"),
                "reason": entry["payload"].get("reason"),
            }
            for field, value in recorded.items():
                if item.get(field) != value:
                    failures.append(
                        f"{name}: its {field} is now {item.get(field)!r}, the log recorded "
                        f"{value!r} (a moderation record changed)"
                    )
        for pk in sorted(set(public) - set(by_id), key=str):
            failures.append(
                f"consultation {consultation}: moderation {pk} is public but no log entry "
                "records it"
            )
    return failures


FINGERPRINT_PREFIX = "accord-ballot-fingerprint:"


def fingerprint(receipt: str) -> str:
    """Your row's fingerprint in a ballot list, from the receipt you were given."""
    return sha256_hex(FINGERPRINT_PREFIX + receipt.strip())


def _vote_of(entry: dict):
    vote = entry["payload"].get("vote") if isinstance(entry["payload"], dict) else None
    return vote if isinstance(vote, int) and not isinstance(vote, bool) else None


def _fetch_json(fetch: Fetch, path: str):
    """(data, problem): the JSON at `path`, or why there is none."""
    status, body = fetch(path)
    if status != 200:
        return None, f"{path} answered {status}"
    try:
        return json.loads(body), ""
    except ValueError:
        return None, f"{path} is not JSON"


def recount(ballots: dict, results: dict, roll: list[dict]) -> list[str]:
    """What in `results` (results.json) the ballot list (ballots.json) and the voter roll
    (voters.json) do not bear out: one problem per line, empty when the recount agrees."""
    terms = ballots["terms"]
    options = {o["key"]: o["counts_as"] for o in terms["options"]}
    counted_rows, struck_rows = ballots["ballots"], ballots["struck"]
    problems = []
    prints = [row["fingerprint"] for row in counted_rows + struck_rows]
    if len(set(prints)) != len(prints):
        problems.append("the ballot list holds the same fingerprint twice")
    tally = Counter(row["option"] for row in counted_rows)
    for key in sorted(set(tally) - set(options)):
        problems.append(f"{tally[key]} ballot(s) hold {key!r}, which is not an option of the vote")
    totals = {"for": 0, "against": 0, "abstain": 0}
    for key, counts_as in options.items():
        totals[counts_as] += tally.get(key, 0)
    counted, struck = len(counted_rows), len(struck_rows)
    decisive = totals["for"] + totals["against"]
    threshold = Fraction(terms["threshold_numerator"], terms["threshold_denominator"])
    threshold_met = decisive > 0 and Fraction(totals["for"], decisive) >= threshold
    standing = [voter for voter in roll if not voter["struck"]]
    represented = len({voter["community"] for voter in standing if voter["community"]})
    quorum_ballots_met = counted >= terms["quorum_ballots"]
    quorum_communities_met = represented >= terms["quorum_communities"]
    if not (quorum_ballots_met and quorum_communities_met):
        outcome = "no quorum"
    else:
        outcome = "passed" if threshold_met else "failed"
    if len(standing) != counted:
        problems.append(f"the voter roll lists {len(standing)} counted voters, the list {counted}")
    if len(roll) - len(standing) != struck:
        problems.append(
            f"the voter roll lists {len(roll) - len(standing)} struck, the list {struck}"
        )
    published = {o.get("key"): o.get("count") for o in results.get("options", [])}
    for key in options:
        if published.get(key) != tally.get(key, 0):
            problems.append(
                f"option {key!r}: the ballot list counts {tally.get(key, 0)}, results.json says "
                f"{published.get(key)}"
            )
    expected = {
        "threshold": f"{terms['threshold_numerator']}/{terms['threshold_denominator']}",
        "quorum_ballots": terms["quorum_ballots"],
        "quorum_communities": terms["quorum_communities"],
        "votes_for": totals["for"],
        "votes_against": totals["against"],
        "votes_abstain": totals["abstain"],
        "counted": counted,
        "struck": struck,
        "communities_represented": represented,
        "threshold_met": threshold_met,
        "quorum_ballots_met": quorum_ballots_met,
        "quorum_communities_met": quorum_communities_met,
        "outcome": outcome,
    }
    for name, value in expected.items():
        if results.get(name) != value:
            problems.append(
                f"{name}: the recount gives {value!r}, results.json says {results.get(name)!r}"
            )
    return problems


def check_votes(entries: list[dict], fetch: Fetch, notes: list[str] | None = None) -> list[str]:
    """Every opened vote's terms against the log, and every closed vote's recount. A vote
    opened before the log recorded terms hashes (its entry has no content hash) has nothing to
    check its terms against: that is said in `notes`, not counted as a failure, and its recount
    still runs on the terms its ballot list shows."""
    failures = []
    notes = notes if notes is not None else []
    vouched: dict[int, str] = {}
    for entry in entries:
        vote = _vote_of(entry)
        if entry["kind"] != "ratification.opened" or vote is None:
            continue
        if not entry["content_hash"]:
            notes.append(
                f"entry {entry['seq']}: vote {vote} was opened before the log recorded the hash "
                "of a vote's terms, so its terms cannot be checked against the log (they are "
                "taken as the site shows them now)"
            )
            continue
        vouched[vote] = entry["content_hash"]
        detail, problem = _fetch_json(fetch, f"/api/v1/votes/{vote}/")
        if problem or not isinstance(detail, dict) or "terms" not in detail:
            failures.append(f"entry {entry['seq']}: vote {vote}'s terms are not public ({problem})")
            continue
        found = sha256_hex(canonical_json(detail["terms"]))
        if found != entry["content_hash"]:
            failures.append(
                f"entry {entry['seq']}: vote {vote}'s terms now hash to {found}, the log recorded "
                f"{entry['content_hash']} (a frozen term changed)"
            )
    for entry in entries:
        vote = _vote_of(entry)
        if entry["kind"] != "ratification.closed" or vote is None:
            continue
        name = f"entry {entry['seq']}: vote {vote}"
        fetched = {}
        for what, path in (
            ("ballots", f"/votes/{vote}/ballots.json"),
            ("results", f"/votes/{vote}/results.json"),
            ("roll", f"/votes/{vote}/voters.json"),
        ):
            fetched[what], problem = _fetch_json(fetch, path)
            if problem:
                failures.append(f"{name}: {problem}")
        if len([v for v in fetched.values() if v is not None]) < 3:
            continue
        try:
            ballots, roll = fetched["ballots"], fetched["roll"]["voters"]
            terms_digest = sha256_hex(canonical_json(ballots["terms"]))
            if vote in vouched and terms_digest != vouched[vote]:
                failures.append(
                    f"{name}: the ballot list's terms hash to {terms_digest}, the log recorded "
                    f"{vouched[vote]} when the vote opened"
                )
            failures += [f"{name}: {p}" for p in recount(ballots, fetched["results"], roll)]
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            failures.append(f"{name}: the ballot list, results or voter roll is malformed")
    return failures


def check_receipt(fetch: Fetch, vote: int, receipt: str) -> tuple[list[str], dict | None]:
    """Your own row in a closed vote's ballot list: (failures, the row)."""
    mine = fingerprint(receipt)
    ballots, problem = _fetch_json(fetch, f"/votes/{vote}/ballots.json")
    if problem:
        return [f"vote {vote}: {problem}"], None
    for row in ballots.get("ballots", []) + ballots.get("struck", []):
        if row.get("fingerprint") == mine:
            return [], row
    return [
        f"vote {vote}: no row of the ballot list has your receipt's fingerprint {mine} (not a "
        "receipt of this vote, a replaced one, or your ballot was left out)"
    ], None


def verify(
    fetch: Fetch,
    *,
    checkpoint: tuple[int, str] | None = None,
    receipts: Iterable[tuple[int, str]] = (),
) -> tuple[list[str], dict]:
    """All checks; returns (failures, facts) where facts has the entry count, the head, your
    rows and notes (what could not be checked, and why; not failures)."""
    status, page = fetch("/log/")
    match = HEAD.search(page.decode("utf-8", "replace")) if status == 200 else None
    shown = (int(match.group(1)), match.group(2)) if match else None
    status, body = fetch("/log.jsonl")
    if status != 200:
        return [f"entry 1: /log.jsonl answered {status}"], {}
    entries, failures = check_chain(body.split(b"\n"))
    failures += check_head(entries, shown, "the head the site shows,")
    failures += check_head(entries, checkpoint, "your checkpoint")
    notes: list[str] = []
    failures += check_versions(entries, fetch)
    failures += check_translations(entries, fetch)
    failures += check_summaries(entries, fetch, notes)
    failures += check_moderation(entries, fetch)
    failures += check_votes(entries, fetch, notes)
    rows = []
    for vote, receipt in receipts:
        problems, row = check_receipt(fetch, vote, receipt)
        failures += problems
        if row is not None:
            rows.append((vote, row))
    last = entries[-1] if entries else {"seq": 0, "hash": GENESIS_HASH}
    return failures, {
        "entries": len(entries),
        "head": f"{last['seq']}:{last['hash']}",
        "rows": rows,
        "notes": notes,
    }


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
    parser.add_argument(
        "--receipt",
        action="append",
        default=[],
        help="VOTE:RECEIPT: find your own row in that closed vote's ballot list",
    )
    args = parser.parse_args(argv)
    try:
        checkpoint = parse_checkpoint(args.checkpoint) if args.checkpoint else None
        receipts = [parse_receipt(text) for text in args.receipt]
    except ValueError as error:
        parser.error(str(error))
    try:
        failures, facts = verify(http_fetcher(args.site), checkpoint=checkpoint, receipts=receipts)
    except (urllib.error.URLError, OSError) as error:
        print(f"cannot read {args.site}: {error}", file=sys.stderr)
        return 2
    for failure in failures:
        print(failure)
    for note in facts.get("notes", []):
        print(f"note: {note}")
    if failures:
        return 1
    for vote, row in facts["rows"]:
        found = f"counts for {row['option']}" if "option" in row else f"struck: {row['reason']}"
        print(f"vote {vote}: your row {row['fingerprint']} {found}")
    print(f"OK: {facts['entries']} entries, head {facts['head']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
