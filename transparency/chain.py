"""The log's hash chain: pure functions, no Django, no ORM.

Each entry is hashed as SHA-256 over the canonical JSON of its fields (keys sorted, no
whitespace, UTF-8, non-ASCII kept as is) including the previous entry's hash; the first
entry's previous hash is 64 zeros. The migration that back-filled the log and the standalone
verifier (verify/accord_verify.py) compute exactly this; changing it would break every
checkpoint anybody saved, so it never changes.

A plain chain rather than Certificate Transparency's Merkle tree (RFC 6962): the verifier
downloads the whole log (/log.jsonl), and then a chain gives the same tamper evidence (a
changed, removed, inserted or reordered entry changes every later hash; a saved head must be
an entry of today's log with the same hash) with far less code. What a Merkle tree adds is
logarithmic inclusion and consistency proofs for clients that do not download everything, as
Sigstore's Rekor offers; that is a later step, and the chain's entries can become its leaves.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64
# The fields an entry's hash covers, besides prev_hash and seq (which sort after them all).
BODY_FIELDS = ("content_hash", "created_at", "kind", "object", "payload")


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def timestamp(moment: datetime) -> str:
    """The one text form of an entry's time: UTC, microseconds, 'Z'."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    *,
    seq: int,
    kind: str,
    object: str,  # noqa: A002 - the field's public name
    payload: dict,
    content_hash: str,
    prev_hash: str,
    created_at: str,
) -> str:
    return sha256_hex(
        canonical_json(
            {
                "seq": seq,
                "kind": kind,
                "object": object,
                "payload": payload,
                "content_hash": content_hash,
                "prev_hash": prev_hash,
                "created_at": created_at,
            }
        )
    )


def hash_prefix(*, kind: str, object: str, payload: dict, content_hash: str, created_at: str):  # noqa: A002
    """The canonical text of an entry up to its previous hash. With the keys sorted,
    "prev_hash" and "seq" come last, so the full text is
    prefix + prev_hash + '","seq":' + seq + '}': the database appends an entry in one
    statement by completing it with the head it reads (transparency.services)."""
    body = canonical_json(
        {
            "content_hash": content_hash,
            "created_at": created_at,
            "kind": kind,
            "object": object,
            "payload": payload,
        }
    )
    return body[:-1] + ',"prev_hash":"'


def complete(prefix: str, prev_hash: str, seq: int) -> str:
    return f'{prefix}{prev_hash}","seq":{seq}}}'
