"""Per-section fragments of the consultation page's first view, rendered once and served again
until something in that section changes.

The first view of a consultation (no section picked, no form error to show) shows each section
as a digest: its heading and tally, and its most relevant positions (selectors.RELEVANCE) with
their reasons shortened and their replies counted, linking to the section's own page for the
rest. A digest holds nothing that depends on the reader but two things, both in its key: the
interface language, and whether the reader is a facilitator (who alone sees hidden text in
it). Forms, the reader's own position and CSRF tokens are rendered around it on every request;
the text of a hidden position is never in a digest kept for anyone but facilitators, not even
for its author (who finds it on the section's page). A participant's blank position form (no
position of theirs on that section, no error) is the same for everyone but its token: it is
kept too, with the token put in per request (`Digests.blank_forms`).

For a reader who is not signed in the whole first view is kept by core.page_cache, served again
while `first_view_version` (the consultation's row, its tokens, what later apps add, the
time within FRAGMENT_SECONDS) and the page cache's own state hold.

A digest is filed under generation tokens kept in the cache: one per section, one per
consultation and one for everyone's names. Services replace a token when they write and again
after their transaction commits (`section_changed`, `consultation_changed`, `names_changed`);
a digest filed under an old token is never read again. The view reads the tokens before it
reads anything the digest shows, so a digest is never filed under a token newer than its
content. Tokens and digests
live in the same cache: a token that was evicted is replaced by a new one, never reused. With a
cache per process (LocMemCache and several workers) a write is seen at once only by its own
process, as for the tallies: deployments with more than one process use Redis."""

from __future__ import annotations

import hashlib
import re
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from policies.models import SectionVersion

from . import extensions
from .models import WHOLE_TEXT, Consultation

# How many positions the first view shows in all, spread over the sections, and how many each
# section shows at least and at most: a 30-section consultation shows 2 per section and fits in
# 60 KB, a short one 5 (the section's page shows them all).
FIRST_VIEW_POSITIONS = 64
FIRST_VIEW_PER_SECTION = (2, 5)
# Characters of a reason shown on the first view (the section's page shows all of it).
FIRST_VIEW_REASON_CHARS = 140
# A digest whose tokens nobody moves (a quiet consultation) is still re-rendered this often,
# which bounds how long a renamed home community or a new translation takes to show.
FRAGMENT_SECONDS = 60 * 10
TOKEN_SECONDS = 60 * 60 * 24 * 7
_PREFIX = "accord:cfrag:v1"
# Stands for the reader's CSRF token in a kept blank form; replaced on every request.
_TOKEN_MARK = "csrf-token-of-this-reader"  # noqa: S105  (a placeholder, not a secret)
_BETWEEN_TAGS = re.compile(r">\s*\n\s*<")


def positions_per_section(n_sections: int) -> int:
    """How many positions each of `n_sections` sections shows on the first view."""
    low, high = FIRST_VIEW_PER_SECTION
    return max(low, min(high, FIRST_VIEW_POSITIONS // max(n_sections, 1)))


def _token_key(*parts) -> str:
    return ":".join([_PREFIX, "token", *map(str, parts)])


def section_changed(consultation_id: int, section_keys) -> None:
    """Positions, replies or moderation in these sections (or pseudo-sections, such as an
    amendment's) changed: their digests, and the kept whole page, are stale."""
    tokens = {_token_key(consultation_id, key): uuid.uuid4().hex for key in section_keys}
    tokens[_token_key(consultation_id, "*page")] = uuid.uuid4().hex
    cache.set_many(tokens, TOKEN_SECONDS)


def consultation_changed(consultation_id: int) -> None:
    """Something in any section may have changed (an import, a bulk change)."""
    cache.set(_token_key(consultation_id), uuid.uuid4().hex, TOKEN_SECONDS)


def names_changed(**_ignored) -> None:
    """A person's public name changes (they are being forgotten): every digest may name them,
    so all are rendered afresh once that commits. Registered with core.forgetting."""
    transaction.on_commit(lambda: cache.set(_token_key("names"), uuid.uuid4().hex, TOKEN_SECONDS))


def section_keys(version) -> list[str]:
    """The section keys of a published version in order (fixed once published), kept."""
    key = f"{_PREFIX}:keys:{version.pk}"
    keys = cache.get(key)
    if keys is None:
        keys = list(
            SectionVersion.objects.filter(version=version)
            .order_by("position")
            .values_list("key", flat=True)
        )
        cache.set(key, keys, TOKEN_SECONDS)
    return [*keys, WHOLE_TEXT]


def _tokens(keys: list[str]) -> dict[str, str]:
    """The tokens at `keys`, a new one made for each missing (one cache round trip when none
    is missing)."""
    tokens = cache.get_many(keys)
    missing = [k for k in keys if k not in tokens]
    if missing:
        # add(), not set(): a token another process set meanwhile stays.
        for k in missing:
            cache.add(k, uuid.uuid4().hex, TOKEN_SECONDS)
        tokens.update(cache.get_many(missing))
    return tokens


class Digests:
    """The digests of one consultation's first view for one kind of reader: which are kept
    (`kept`), and `keep` for the ones rendered now. Reads the tokens when made."""

    def __init__(self, consultation, *, facilitator: bool, language: str, stance: str):
        self.consultation = consultation
        self.facilitator = facilitator
        cid = consultation.pk
        keys = section_keys(consultation.version)
        token_keys = [_token_key(cid), _token_key("names"), *(_token_key(cid, k) for k in keys)]
        tokens = _tokens(token_keys)
        self.per_section = positions_per_section(len(keys))
        reader = "facilitator" if facilitator else "public"
        common = f"{tokens.get(token_keys[0], '-')}:{tokens.get(token_keys[1], '-')}"
        self._keys = {
            k: f"{_PREFIX}:{getattr(settings, 'ACCORD_RELEASE', '')}:{cid}:{k}:{common}:"
            f"{tokens.get(_token_key(cid, k), '-')}:"
            f"{language}:{reader}:{stance}:{self.per_section}"
            for k in keys
        }
        self.kept: dict[str, dict] = {}
        self._release = getattr(settings, "ACCORD_RELEASE", "")
        self._language = language

    def blank_forms(self, sections, context: dict, token: str) -> dict[str, str]:
        """The position form of each of `sections` for a reader who holds no position on it
        and has no error to see: the same for every participant but its CSRF token, so kept
        (by consultation, address, section and language) with `token` put in per request."""
        cid, base = self.consultation.pk, context["base_url"]
        keys = {
            s.key: f"{_PREFIX}:{self._release}:form:{cid}:{base}:{s.key}:{self._language}"
            for s in sections
        }
        found = cache.get_many(list(keys.values()))
        forms = {}
        for section in sections:
            html = found.get(keys[section.key])
            if html is None:
                html = render_to_string(
                    "consultations/_position_form.html",
                    {**context, "s": section, "errors": {}, "csrf_token": _TOKEN_MARK},
                )
                cache.set(keys[section.key], html, TOKEN_SECONDS)
            # The template escaped what it shows; the token is letters and digits.
            forms[section.key] = mark_safe(html.replace(_TOKEN_MARK, token))  # noqa: S308
        return forms

    def load(self) -> set[str]:
        """Fetch the kept digests (one cache round trip); returns their section keys."""
        found = cache.get_many(list(self._keys.values()))
        by_cache_key = {v: k for k, v in self._keys.items()}
        self.kept = {by_cache_key[ck]: value for ck, value in found.items()}
        return set(self.kept)

    def render(self, section, context: dict) -> dict:
        """The digest of one section (a selectors.SectionView with its first-view positions),
        as its head (heading, tally) and its positions; kept when the section has a token."""
        parts = self.kept.get(section.key)
        if parts is None:
            context = {**context, "s": section, "can_moderate": self.facilitator}
            parts = {
                name: _BETWEEN_TAGS.sub(">\n<", render_to_string(template, context).strip())
                for name, template in [
                    ("head", "consultations/_digest_head.html"),
                    ("positions", "consultations/_digest_positions.html"),
                ]
            }
            if section.key in self._keys:
                cache.set(self._keys[section.key], parts, FRAGMENT_SECONDS)
        # Rendered by templates that escape what they show; only whitespace was taken out.
        return {name: mark_safe(html) for name, html in parts.items()}  # noqa: S308


# What else an anonymous reader's first view shows, beyond its digests and what core.page_cache
# follows itself (the transparency log, published pages): the consultation's own row (state,
# dates, title, description), what later apps add (their export fingerprints) and how long ago
# (so what nothing announces, such as a renamed home community, shows within FRAGMENT_SECONDS).
_ROW = [f.attname for f in Consultation._meta.concrete_fields]


def first_view_version(consultation_id: int) -> str:
    """For core.page_cache's validator "consultations.first_view": changes whenever the first
    view of this consultation may, for a reader who is not signed in. One query for the row,
    one per extension fingerprint, one cache round trip."""
    row = Consultation.objects.filter(pk=consultation_id).values_list(*_ROW).first()
    if row is None:
        return "gone"
    names = [_token_key(consultation_id), _token_key(consultation_id, "*page"), _token_key("names")]
    tokens = _tokens(names)
    consultation = Consultation(pk=consultation_id)
    fingerprints = [e.fingerprint(consultation) for e in extensions.registered() if e.fingerprint]
    text = repr(
        (row, [tokens.get(n) for n in names], fingerprints, time.time() // FRAGMENT_SECONDS)
    )
    return hashlib.sha256(text.encode()).hexdigest()[:24]
