"""Per-section fragments of the consultation page's first view, rendered once and served again
until something in that section changes.

The first view of a consultation (no section picked, no form error to show) shows each section
as a digest: its heading and tally, and its most relevant positions (selectors.RELEVANCE) with
their reasons shortened and their replies counted, linking to the section's own page for the
rest. A digest holds nothing that depends on the reader but two things, both in its key: the
interface language, and whether the reader is a facilitator (who alone sees hidden text in
it). The first view holds no form: the reader's own stance on each section (one query) is put
beside the kept digest with links to the section's page, where the forms are
(`section_actions`), so a signed-in first view costs about what an anonymous one does. The
text of a hidden position is never in a digest kept for anyone but facilitators, not even for
its author (who finds it on the section's page).

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
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from policies.models import SectionVersion

from . import extensions
from .models import WHOLE_TEXT, Consultation

# How many positions the first view shows in all, spread over the sections, and how many each
# section shows at least and at most: a 30-section consultation shows its most relevant one per
# section and fits in 60 KB signed in, a 20-section one 2, a short one 5 (the section's page
# shows them all, and the navigator at the top counts them).
FIRST_VIEW_POSITIONS = 48
FIRST_VIEW_PER_SECTION = (1, 5)
# Characters of a reason shown on the first view (the section's page shows all of it).
FIRST_VIEW_REASON_CHARS = 140
# A digest whose tokens nobody moves (a quiet consultation) is still re-rendered this often,
# which bounds how long a renamed home community or a new translation takes to show.
FRAGMENT_SECONDS = 60 * 10
TOKEN_SECONDS = 60 * 60 * 24 * 7
_PREFIX = "accord:cfrag:v1"
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


def section_actions(sections, *, may_take: bool, links) -> dict[str, str]:
    """What a reader may do with each section on the first view, beside its kept digest (by
    section key): take a position or change their own (naming its stance), on the section's
    page where the forms are (a form in every section would triple the page). `links` are (label,
    address with "{key}") pairs that later apps add (consultations.extensions), shown on text
    sections. Built with the labels translated once: this runs for every section, every time
    a participant opens the page."""
    if not may_take:
        return {}
    take = escape(_("Take a position"))
    change = {}
    extra = [(escape(str(label)), address) for label, address in links]
    out = {}
    for s in sections:
        if not s.accepts_positions:
            continue
        key = escape(s.key)
        url = f"sections/{key}/positions/#take-{key}"
        if s.own is None:
            parts = [f'<a href="{url}">{take}</a>']
        else:
            if s.own.stance not in change:
                change[s.own.stance] = escape(
                    _("Change your position (now: %(stance)s)")
                    % {"stance": s.own.get_stance_display()}
                )
            parts = [f'<a class="own-stance" href="{url}">{change[s.own.stance]}</a>']
        if s.key != WHOLE_TEXT:
            parts.extend(f'<a href="{a.format(key=key)}">{label}</a>' for label, a in extra)
        # Labels and keys escaped above; the rest is this function's own markup.
        out[s.key] = mark_safe(f'<p class="section-actions">{" ".join(parts)}</p>')  # noqa: S308
    return out


def navigator(sections) -> str:
    """The first view's list of sections, each linking to its place on the page with how many
    positions it holds and how many oppose: built here rather than in a template loop, as it
    is on every first view and changes with every position."""
    plural: dict[int, str] = {}
    items = []
    for s in sections:
        n = s.tally.total + s.tally.comments
        if n not in plural:
            plural[n] = escape(ngettext("%(n)s position", "%(n)s positions", n) % {"n": n})
        counts = plural[n]
        if s.tally.oppose:
            counts += ", " + escape(_("%(n)s oppose") % {"n": s.tally.oppose})
        number = f"{s.number}. " if s.number else ""
        items.append(
            f'<li><a href="#section-{escape(s.key)}">{number}{escape(s.heading)}</a> '
            f'<span class="meta">{counts}</span></li>'
        )
    # Every piece of text escaped above.
    return mark_safe("".join(items))  # noqa: S308


def first_view_sections(sections, section_end) -> str:
    """The first view's sections joined: each kept digest with the reader's own actions put in
    (`section_actions`), and `section_end(section)` (what later apps show with it, rendered)
    for the few sections they show something with. Joined here rather than in a template loop,
    which cost a participant's page more than all its kept parts."""
    return mark_safe(  # noqa: S308  (kept digests and actions are safe; the key is escaped)
        "".join(
            f'<section id="section-{escape(s.key)}" class="consult-section">\n'
            f"{s.digest['head']}\n{s.actions}\n{s.digest['positions']}\n"
            f"{section_end(s) if s.has_extras else ''}</section>\n"
            for s in sections
        )
    )
