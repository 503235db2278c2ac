"""A receipt's way from the ballot POST to the page that shows it (post/redirect/get).

The receipt and the option chosen travel in a short-lived cookie the server encrypts and only
it can read, scoped to the one confirmation address and bound to the vote and the voter: the
server never keeps either readable, not even for the moment between the two requests, and the
ballot costs no session write. The confirmation page shows them once and deletes the cookie;
a reload finds no cookie and says the receipt was shown already."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

# Long enough for a slow redirect, short enough that a forgotten cookie expires quickly.
MAX_AGE = 300


def cookie_name(vote_id: int) -> str:
    return f"accord_receipt_{vote_id}"


@functools.lru_cache(maxsize=4)
def _cipher(secret: str) -> AESGCM:
    return AESGCM(hmac.new(secret.encode(), b"accord:receipt-handover", hashlib.sha256).digest())


def _bound_to(vote_id: int, user_id: int) -> bytes:
    return f"{vote_id}:{user_id}".encode()


def seal(*, vote_id: int, user_id: int, ballot_id: int, times_changed: int, receipt, option):
    """The cookie's value: the receipt and option, readable only by this server, for this
    vote's voter and this state of their ballot."""
    payload = json.dumps([ballot_id, times_changed, receipt, option]).encode()
    nonce = secrets.token_bytes(12)
    sealed = _cipher(settings.SECRET_KEY).encrypt(nonce, payload, _bound_to(vote_id, user_id))
    # Unpadded: a cookie value with "=" would be sent quoted.
    return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def unseal(value: str, *, vote_id: int, user_id: int, ballot) -> tuple[str, str] | None:
    """(receipt, option) from a cookie sealed for this voter and the ballot as it now stands,
    or None (no cookie, someone else's, tampered with, or an earlier state of the ballot)."""
    if not value:
        return None
    try:
        raw = base64.urlsafe_b64decode(value.encode() + b"=" * (-len(value) % 4))
        payload = _cipher(settings.SECRET_KEY).decrypt(
            raw[:12], raw[12:], _bound_to(vote_id, user_id)
        )
        ballot_id, times_changed, receipt, option = json.loads(payload)
    except (InvalidTag, ValueError, TypeError):
        return None
    if ballot_id != ballot.pk or times_changed != ballot.times_changed:
        return None
    return receipt, option
