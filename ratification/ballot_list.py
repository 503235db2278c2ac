"""The published ballot list of a closed vote, and the hash of a vote's frozen terms: pure
functions, no ORM (the selectors gather the rows, the services store what these compute).

Ballot fingerprints. The list shows one row per counted ballot: a fingerprint and the option.
Only the voter can recognise their row, because the fingerprint is derived from the receipt
they were shown once:

    fingerprint = SHA-256("accord-ballot-fingerprint:" + receipt), in hex

It is deliberately not the receipt's digest the database stores (SHA-256 of the receipt,
which the receipt check looks up): publishing that would let anyone holding a copy of the
database join a public row to its stored choice, and would turn a leaked digest list into a
map of who holds which row. The site never keeps the receipt, so the fingerprint is worked out
when the ballot is cast (and again when it is replaced) and stored beside the choice.

Choices cast before fingerprints existed have none stored. Their row shows
SHA-256("accord-ballot-fingerprint-digest:" + digest), where digest is the stored SHA-256 of
the receipt: the voter can still compute it from their receipt, the public cannot, and the
receipt page shows whichever of the two applies.

Order. Rows are sorted by fingerprint. A fingerprint is the hash of a random receipt, so this
order is a uniformly random permutation with no relation to when anyone voted (nor to how the
database stores rows), and it is the same on every download, so two copies of the list can be
compared line by line. A shuffle at each request would add nothing but make copies differ.

Struck ballots are listed apart, with the scrutineer's public reason and without the option:
the voter roll already names whose ballot was struck and why, so an option there would reveal
that voter's choice.

Terms hash. When a vote opens, the transparency log entry carries the SHA-256 of the canonical
JSON (keys sorted, no whitespace, UTF-8) of its frozen terms, as the public API shows them
(`terms` of /api/v1/votes/<id>/) and the ballot list repeats them; the standalone verifier
recomputes it. The include and exclude lists, which name people, are left out of the public
terms and so of the hash."""

from __future__ import annotations

from transparency.chain import canonical_json, sha256_hex

FINGERPRINT_PREFIX = "accord-ballot-fingerprint:"
LEGACY_FINGERPRINT_PREFIX = "accord-ballot-fingerprint-digest:"


def fingerprint(receipt: str) -> str:
    """The public fingerprint of a ballot, from the receipt its voter holds."""
    return sha256_hex(FINGERPRINT_PREFIX + receipt.strip())


def legacy_fingerprint(digest: str) -> str:
    """The fingerprint of a choice cast before fingerprints were stored, from its receipt
    digest (SHA-256 of the receipt)."""
    return sha256_hex(LEGACY_FINGERPRINT_PREFIX + digest)


def shown_fingerprint(stored: str, digest: str) -> str:
    return stored or legacy_fingerprint(digest)


def terms_hash(terms: dict) -> str:
    """SHA-256 of the canonical JSON of a vote's public terms."""
    return sha256_hex(canonical_json(terms))


def in_published_order(rows: list[dict]) -> list[dict]:
    """Rows sorted by fingerprint (see the module docstring for why)."""
    return sorted(rows, key=lambda row: row["fingerprint"])
