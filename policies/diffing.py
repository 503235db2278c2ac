r"""Word-level diffs of policy texts.

The diff engines we use, Google's diff-match-patch as the C++ ``fast_diff_match_patch``
extension and as the pure-Python ``diff_match_patch`` package, compare *characters*.  A
character diff of prose is hard to read (``c`` -> ``d`` inside a word, edits that start in the
middle of one word and end in the middle of another), and on long documents it is slow: once
the engine's time limit runs out it stops looking and reports the rest of the text as one big
replacement, which is useless for reviewing a policy change.

So we diff *words* instead.  The engine still compares characters, so every distinct
word-sized unit of text is given its own stand-in character and the engine diffs the two
strings of stand-ins: one character is one unit, and the edit lengths it reports are unit
counts that map straight back onto the text.  A policy has a few thousand distinct words,
which fit easily into Unicode; the engine's input gets shorter by the average word length,
and its result reads in whole words.

Units are compared by a *comparison key* rather than by their exact text.  Words and
punctuation compare exactly; a whitespace run containing two or more line breaks (a paragraph
break) has the key ``"\n\n"`` and every other whitespace run (spaces, or a single line break
left by re-wrapping a Markdown paragraph) has the key ``" "``.  Re-wrapping a paragraph
therefore produces no edits at all: its whitespace sits in ``equal`` ops whose old and new
text differ only in whitespace.

How :func:`diff_words` works:

1. Both texts are cut into *chunks*: a run of non-whitespace plus the whitespace after it
   (``"brown "``, ``"fox.\n"``).  These are the units: half as many as words, spaces and
   punctuation counted separately, and two chunks have equal keys exactly when all their
   tokens (see :func:`tokenize`) do.
2. Each distinct chunk key gets a stand-in character from U+0100 upwards (skipping the
   surrogates).
3. Long texts are cut into pieces of about a hundred chunks at *anchors*, short runs of
   chunks that occur exactly once near there in each text, in the same order.  The engine's
   cost grows with length times edits, so this keeps large, heavily edited documents fast.
   The C++ engine diffs each piece with semantic clean-up, which groups nearby edits into
   readable hunks.  Its time limit (two seconds per piece) is only a safety net for
   pathological input such as two long unrelated documents; ordinary texts never reach it.
4. Each changed hunk is refined to :func:`tokenize` tokens: tokens both sides share at its
   ends move out into equal ops, so a substituted word shows as ``brown`` -> ``red`` with the
   spaces around it unchanged, and ``"fox."`` -> ``"cat."`` keeps the full stop.  A hunk
   whose sides share words inside differing chunks (a URL, a version number, a hyphenated
   compound) is diffed again token by token.

:func:`diff_words_reference` does the same with the pure-Python engine on the whole text at
once (no anchors, no time limit); it is slow and exists to cross-check :func:`diff_words`.

This module is pure Python (plus the C++ extension): no Django imports.
"""

from __future__ import annotations

import functools
import html
import re
import sys
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain

import fast_diff_match_patch
from diff_match_patch import diff_match_patch

__all__ = [
    "DiffStats",
    "Op",
    "apply_ops",
    "diff_stats",
    "diff_words",
    "diff_words_reference",
    "render_inline",
    "render_side_by_side",
    "similarity",
    "tokenize",
]

EQUAL = "equal"
INSERT = "insert"
DELETE = "delete"

SPACE_KEY = " "
PARAGRAPH_KEY = "\n\n"


@dataclass(frozen=True)
class Op:
    """One piece of a diff.

    ``kind`` is ``"equal"``, ``"insert"`` or ``"delete"``.  ``old`` is the text on the old
    side (``""`` for an insert), ``new`` the text on the new side (``""`` for a delete).  For
    an equal op the two differ at most in whitespace (for example a re-wrapped line).
    """

    kind: str
    old: str
    new: str


@dataclass(frozen=True)
class DiffStats:
    """Summary of a diff: word tokens added and removed, and change hunks."""

    words_added: int
    words_removed: int
    edits: int


# --------------------------------------------------------------------------------------
# Tokens and comparison keys


def _word_continuation_class() -> str:
    """Regex class body for characters that continue a word after a letter.

    Python's ``re`` has no ``\\p{M}`` and ``\\w`` does not match combining marks, so the
    class lists the combining marks (taken from ``unicodedata``, the Unicode version ``re``
    uses) plus the zero-width (non-)joiners.  Marks only occur in planes 0 and 1 and in the
    variation selectors supplement.
    """
    ranges: list[list[int]] = []
    for cp in chain(range(0x300, 0x20000), range(0xE0100, 0xE01F0)):
        if unicodedata.category(chr(cp))[0] == "M":
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    parts = [
        re.escape(chr(lo)) + ("-" + re.escape(chr(hi)) if hi > lo else "") for lo, hi in ranges
    ]
    return "".join(parts) + "\u200c\u200d"


@functools.cache
def _token_re() -> re.Pattern[str]:
    """The token pattern, compiled on first use (building the mark class takes ~40 ms)."""
    marks = _word_continuation_class()
    # A word: letters/digits, with combining marks, and with apostrophes between letters
    # ("don't", "l'homme").  Underscores and hyphens are punctuation, so Markdown emphasis
    # markers and hyphenated compounds split into separate tokens.
    word = rf"[^\W_]+(?:[{marks}]+[^\W_]*|['\u2019][^\W_]+)*"
    return re.compile(rf"{word}|\s+|.", re.DOTALL)


_WORD_START = re.compile(r"[^\W_]")


def tokenize(text: str) -> list[str]:
    """Split ``text`` into word, whitespace-run and single-character punctuation tokens.

    Words are runs of Unicode letters and digits (combining accents included) and may
    contain apostrophes between letters (``don't``).  Hyphens and underscores are
    punctuation.  ``"".join(tokenize(text)) == text`` for every string.
    """
    return _token_re().findall(text)


def _is_word(token: str) -> bool:
    return _WORD_START.match(token) is not None


def whitespace_key(whitespace: str) -> str:
    """Comparison key of a whitespace run: ``"\\n\\n"`` for a paragraph break, else ``" "``.

    A paragraph break is a run with two or more line breaks, counted the way
    :meth:`str.splitlines` sees them (``"\\r\\n"`` is one).  The empty string gets ``""``.
    """
    if whitespace == " " or whitespace == "\n":
        return SPACE_KEY
    if not whitespace:
        return ""
    breaks = len((whitespace + "x").splitlines()) - 1
    return PARAGRAPH_KEY if breaks >= 2 else SPACE_KEY


def _same_key(token: str, other: str) -> bool:
    """Whether two tokens have the same comparison key."""
    if token == other:
        return True
    return (
        token[0].isspace() and other[0].isspace() and whitespace_key(token) == whitespace_key(other)
    )


# --------------------------------------------------------------------------------------
# Chunks: what the engine compares

# A chunk is a run of non-whitespace plus the whitespace after it (or, at the very start of
# a text, a leading whitespace run).  Chunk keys are equal exactly when their token keys are.
_CHUNK_RE = re.compile(r"\S+\s*|\s+")


def _chunk_key(chunk: str) -> str:
    core = chunk.rstrip()
    return core + whitespace_key(chunk[len(core) :])


# The C++ engine stores strings as wchar_t; where that is 16 bits it rejects characters
# outside the Basic Multilingual Plane.
_FAST_MAX_CODE_POINT = sys.maxunicode if fast_diff_match_patch.CHAR_WIDTH >= 4 else 0xFFFF
_FIRST_CODE_POINT = 0x100
_SURROGATES = range(0xD800, 0xE000)


class _AlphabetExhausted(Exception):
    pass


def _encode(old_chunks: list[str], new_chunks: list[str], max_code_point: int) -> tuple[str, str]:
    """Give every distinct comparison key one character; return the two encoded strings."""
    distinct = dict.fromkeys(chain(old_chunks, new_chunks))
    code_points = chain(
        range(_FIRST_CODE_POINT, min(_SURROGATES.start, max_code_point + 1)),
        range(_SURROGATES.stop, max_code_point + 1),
    )
    table = dict(zip(distinct, map(chr, code_points), strict=False))  # stops at the last chunk
    if len(table) < len(distinct):
        raise _AlphabetExhausted
    # Most chunks are their own key: no trailing whitespace, or a single space.  The others
    # take the character of their key (which is a chunk's own character the first time).
    for chunk in distinct:
        last = chunk[-1]
        if last.isspace() and (last != " " or chunk[-2:-1].isspace()):
            table[chunk] = table.setdefault(_chunk_key(chunk), table[chunk])
    lookup = table.__getitem__
    return "".join(map(lookup, old_chunks)), "".join(map(lookup, new_chunks))


# --------------------------------------------------------------------------------------
# Engines: each takes two encoded strings and returns runs [(kind, length), ...], where kind
# is "=" (equal), "-" (delete) or "+" (insert): the C++ engine's own output format.

Runs = list[tuple[str, int]]
_REFERENCE_KINDS = {0: "=", -1: "-", 1: "+"}

# Long texts are cut into pieces of about this many chunks at shared anchors (below) before
# the C++ engine runs; the engine's cost grows with length times edits.
_PIECE = 128
# How many positions to try when looking for an anchor near each cut.
_ANCHOR_TRIES = 12
# An anchor is a run of this many chunks that occurs exactly once in each text.
_ANCHOR_LENGTH = 3
# Safety net for pathological inputs (say, two unrelated 50,000-word documents).  With it
# the engine returns a coarser, still valid diff instead of running for minutes.
_TIME_LIMIT_SECONDS = 2.0


def _fast_engine(a: str, b: str) -> Runs:
    # checklines=False: the line-mode speed-up is meaningless here (no real lines).
    return fast_diff_match_patch.diff(
        a, b, counts_only=True, checklines=False, cleanup="Semantic", timelimit=_TIME_LIMIT_SECONDS
    )


def _find_anchor(a: str, b: str, start: int, offset: int, window: int) -> tuple[int, int] | None:
    """Look for an anchor near ``a[start]``: a run of chunks found once in ``b``.

    Only ``window`` positions either side of where the run is expected (``i + offset``) are
    searched, in both texts; a ``window`` of zero means the whole texts.
    """
    length = _ANCHOR_LENGTH
    for i in range(start, min(start + _ANCHOR_TRIES, len(a) - length + 1)):
        run = a[i : i + length]
        if window:
            low = max(0, i + offset - window)
            high = i + offset + window + length
            a_low, a_high = max(0, i - window), i + window + length
        else:
            low, high, a_low, a_high = 0, len(b), 0, len(a)
        j = b.find(run, low, high)
        if j < 0 or b.find(run, j + 1, high) >= 0:
            continue
        if a.find(run, a_low, i + length - 1) < 0 and a.find(run, i + 1, a_high) < 0:
            return i, j
    return None


def _anchors(a: str, b: str) -> list[tuple[int, int]]:
    """Aligned positions ``(i, j)``, increasing in both, about ``_PIECE`` apart in ``a``.

    Near every ``_PIECE``-th position of ``a`` we look for a short run of chunks that occurs
    exactly once near there in ``a`` and once near the matching place in ``b`` (the whole of
    ``b`` if that fails, e.g. after a long insertion).  The runs found are then reduced to
    their longest increasing subsequence in ``b`` (patience sorting), so they never cross.
    """
    found: list[tuple[int, int]] = []
    offset = 0
    for slot in range(_PIECE, len(a) - _PIECE // 2, _PIECE):
        anchor = _find_anchor(a, b, slot, offset, 4 * _PIECE) or _find_anchor(a, b, slot, 0, 0)
        if anchor:
            found.append(anchor)
            offset = anchor[1] - anchor[0]
    if len(found) < 2:
        return found
    tails: list[int] = []  # tails[k]: smallest j that ends an increasing run of length k+1
    tail_index: list[int] = []
    previous = [-1] * len(found)
    for n, (_, j) in enumerate(found):
        k = bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tail_index.append(n)
        else:
            tails[k] = j
            tail_index[k] = n
        previous[n] = tail_index[k - 1] if k else -1
    result: list[tuple[int, int]] = []
    n = tail_index[-1]
    while n >= 0:
        result.append(found[n])
        n = previous[n]
    result.reverse()
    return result


def _fast_pieced(a: str, b: str) -> Runs:
    """Run the C++ engine on pieces of the texts cut at shared anchors."""
    if len(a) < 2 * _PIECE:
        return _fast_engine(a, b)
    runs: Runs = []
    start_i = start_j = 0
    for i, j in chain(_anchors(a, b), [(len(a), len(b))]):
        runs.extend(_fast_engine(a[start_i:i], b[start_j:j]))
        start_i, start_j = i, j
    return runs


def _reference_engine(a: str, b: str) -> Runs:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # never give up
    diffs = dmp.diff_main(a, b, False)
    dmp.diff_cleanupSemantic(diffs)
    return [(_REFERENCE_KINDS[op], len(text)) for op, text in diffs]


# --------------------------------------------------------------------------------------
# From engine runs to ops


# A change hunk whose two sides share words that differing chunks hid from the engine (in a
# URL, a hyphenated compound, a version number) is diffed again token by token, if both sides
# are at most this many tokens long.  Other hunks keep the grouping of the engine's semantic
# clean-up, which may fold a single unchanged word between two changed ones into the change.
_REFINE_MAX_TOKENS = 200


_WORDISH = re.compile(r"[^\W_]+").findall


def _hidden_shared_words(old: str, new: str) -> bool:
    """Whether ``old`` and ``new`` share a word inside chunks that differ (which the engine,
    seeing whole chunks, could not match)."""
    old_chunks = set(old.split())
    new_chunks = set(new.split())
    shared = old_chunks & new_chunks
    old_chunks -= shared
    new_chunks -= shared
    if all(map(str.isalnum, old_chunks)) and all(map(str.isalnum, new_chunks)):
        return False  # different single words
    old_words = set(chain.from_iterable(map(_WORDISH, old_chunks)))
    return any(word in old_words for chunk in new_chunks for word in _WORDISH(chunk))


class _OpList:
    """Builds a well-formed op list: no empty ops, neighbours of one kind merged, and each
    change a delete followed by an insert."""

    def __init__(self) -> None:
        self.ops: list[Op] = []
        self._old = ""  # equal text not yet emitted
        self._new = ""

    def equal(self, old: str, new: str) -> None:
        self._old += old
        self._new += new

    def change(self, deleted: str, inserted: str) -> None:
        if not deleted and not inserted:
            return
        ops = self.ops
        if self._old or self._new:
            ops.append(Op(EQUAL, self._old, self._new))
            self._old = self._new = ""
        else:  # directly after another change (or at the start): merge with it
            if ops and ops[-1].kind == INSERT:
                inserted = ops.pop().new + inserted
            if ops and ops[-1].kind == DELETE:
                deleted = ops.pop().old + deleted
        if deleted:
            ops.append(Op(DELETE, deleted, ""))
        if inserted:
            ops.append(Op(INSERT, "", inserted))

    def finish(self) -> list[Op]:
        if self._old or self._new:
            self.ops.append(Op(EQUAL, self._old, self._new))
            self._old = self._new = ""
        return self.ops


def _add_change(
    out: _OpList, old: str, new: str, engine: Callable[[str, str], Runs] | None
) -> None:
    """Add a change hunk to ``out``, refined to tokens.

    Tokens both sides share at the start and end become equal text.  With an ``engine``, a
    remaining middle whose sides share a word is diffed again token by token (so
    ``v2.0/code.html`` -> ``v2.1/code.html`` changes only the digit).
    """
    if not old or not new:
        out.change(old, new)
        return
    # Common cases first: one word replaced by another, or several by several, with the
    # same kind of whitespace after them.  When the first and the last characters differ, no
    # tokens are shared at the ends; if the two sides share no word at all that the engine
    # could not see, there is nothing to refine.
    old_core = old.rstrip()
    new_core = new.rstrip()
    old_space = old[len(old_core) :]
    new_space = new[len(new_core) :]
    if (
        old_core
        and new_core
        and old_core != new_core
        and (old_space == new_space or whitespace_key(old_space) == whitespace_key(new_space))
        and (
            (old_core.isalnum() and new_core.isalnum())
            or (
                old_core[0] != new_core[0]
                and old_core[-1] != new_core[-1]
                and not old_core[0].isspace()
                and (
                    engine is None
                    # Only whole words, which the engine saw?
                    or (old_core.replace(" ", "").isalnum() and new_core.replace(" ", "").isalnum())
                    or not _hidden_shared_words(old_core, new_core)
                )
            )
        )
    ):
        out.change(old_core, new_core)
        out.equal(old_space, new_space)
        return
    old_tokens = tokenize(old)
    new_tokens = tokenize(new)
    n_old, n_new = len(old_tokens), len(new_tokens)
    p = 0
    while p < n_old and p < n_new and _same_key(old_tokens[p], new_tokens[p]):
        p += 1
    s = 0
    while s < n_old - p and s < n_new - p and _same_key(old_tokens[-1 - s], new_tokens[-1 - s]):
        s += 1
    out.equal("".join(old_tokens[:p]), "".join(new_tokens[:p]))
    old_middle = old_tokens[p : n_old - s]
    new_middle = new_tokens[p : n_new - s]
    deleted = "".join(old_middle)
    inserted = "".join(new_middle)
    if (
        engine is not None
        and 1 < len(old_middle) <= _REFINE_MAX_TOKENS
        and 1 < len(new_middle) <= _REFINE_MAX_TOKENS
        and _hidden_shared_words(deleted, inserted)
    ):
        a, b = _encode(old_middle, new_middle, 0xFFFF)  # a few hundred tokens at most
        _add_runs(out, old_middle, new_middle, engine(a, b), None)
    else:
        out.change(deleted, inserted)
    out.equal("".join(old_tokens[n_old - s :]), "".join(new_tokens[n_new - s :]))


def _add_runs(
    out: _OpList,
    old_pieces: list[str],
    new_pieces: list[str],
    runs: Runs,
    engine: Callable[[str, str], Runs] | None,
) -> None:
    """Add the ops that engine ``runs`` over two lists of chunks (or tokens) describe."""
    i = j = 0
    change_i = change_j = 0  # where the pending change hunk starts
    for kind, n in chain(runs, [("=", 0)]):
        if kind == "-":
            i += n
        elif kind == "+":
            j += n
        else:
            if i > change_i or j > change_j:
                old = "".join(old_pieces[change_i:i])
                new = "".join(new_pieces[change_j:j])
                _add_change(out, old, new, engine)
            if n:
                out.equal("".join(old_pieces[i : i + n]), "".join(new_pieces[j : j + n]))
                i += n
                j += n
            change_i, change_j = i, j
    if i != len(old_pieces) or j != len(new_pieces):  # pragma: no cover - an engine bug
        raise RuntimeError("diff engine output does not cover both texts")


def _diff(old: str, new: str, engine: Callable[[str, str], Runs], max_code_point: int) -> list[Op]:
    if old == new:
        return [Op(EQUAL, old, new)] if old else []
    out = _OpList()
    old_chunks = _CHUNK_RE.findall(old)
    new_chunks = _CHUNK_RE.findall(new)
    try:
        a, b = _encode(old_chunks, new_chunks, max_code_point)
    except _AlphabetExhausted:
        # More distinct chunks than code points: report one replacement (still valid).
        _add_change(out, old, new, None)
        return out.finish()
    runs = [("=", len(a))] if a == b else engine(a, b)
    _add_runs(out, old_chunks, new_chunks, runs, engine)
    return out.finish()


def diff_words(old: str, new: str) -> list[Op]:
    """Word-level diff of ``old`` and ``new`` (C++ diff-match-patch engine).

    The ops' old sides concatenate to ``old`` and their new sides to ``new``.  Equal ops
    differ at most in whitespace, so texts that differ only in re-wrapping give no insert or
    delete ops.  No op is empty, no two neighbours have the same kind, and a replacement is a
    delete followed by an insert.
    """
    return _diff(old, new, _fast_pieced, _FAST_MAX_CODE_POINT)


def diff_words_reference(old: str, new: str) -> list[Op]:
    """The same contract as :func:`diff_words`, computed by the pure-Python engine.

    Much slower, and the whole text is diffed in one go; used to cross-check
    :func:`diff_words` in tests.  The two may place hunks differently.
    """
    return _diff(old, new, _reference_engine, sys.maxunicode)


# --------------------------------------------------------------------------------------
# Using ops


def apply_ops(old: str, ops: Iterable[Op]) -> str:
    """Apply ``ops`` to ``old`` and return the new text.

    Raises ``ValueError`` if the ops' old sides do not reconstruct ``old`` exactly.
    """
    old_parts: list[str] = []
    new_parts: list[str] = []
    for op in ops:
        if op.kind not in (EQUAL, INSERT, DELETE):
            raise ValueError(f"unknown op kind {op.kind!r}")
        old_parts.append(op.old)
        new_parts.append(op.new)
    if "".join(old_parts) != old:
        raise ValueError("the ops do not match the old text")
    return "".join(new_parts)


def _count_words(text: str) -> int:
    return sum(1 for token in tokenize(text) if _is_word(token))


def diff_stats(ops: Iterable[Op]) -> DiffStats:
    """Count words added and removed, and change hunks (a delete+insert pair counts once).

    Only word tokens are counted, not whitespace or punctuation.
    """
    added = removed = edits = 0
    in_change = False
    for op in ops:
        if op.kind == EQUAL:
            in_change = False
            continue
        if not in_change:
            edits += 1
            in_change = True
        if op.kind == INSERT:
            added += _count_words(op.new)
        else:
            removed += _count_words(op.old)
    return DiffStats(words_added=added, words_removed=removed, edits=edits)


def _ins(text: str) -> str:
    return f'<ins><span class="visually-hidden">added: </span>{html.escape(text)}</ins>'


def _del(text: str) -> str:
    return f'<del><span class="visually-hidden">removed: </span>{html.escape(text)}</del>'


def render_inline(ops: Iterable[Op]) -> str:
    """Render ops as one HTML fragment: ``<del>`` for removed and ``<ins>`` for added text.

    Every piece of text is HTML-escaped.  Equal text is shown as it reads in the new version.
    Whitespace is kept as it is (show it with ``white-space: pre-wrap``).
    """
    parts = []
    for op in ops:
        if op.kind == EQUAL:
            parts.append(html.escape(op.new))
        elif op.kind == DELETE:
            parts.append(_del(op.old))
        else:
            parts.append(_ins(op.new))
    return "".join(parts)


def render_side_by_side(ops: Iterable[Op]) -> tuple[str, str]:
    """Render ops as ``(old_html, new_html)``: the old text with its deletions marked, and
    the new text with its insertions marked (markup and escaping as :func:`render_inline`).
    """
    old_parts = []
    new_parts = []
    for op in ops:
        if op.kind == EQUAL:
            old_parts.append(html.escape(op.old))
            new_parts.append(html.escape(op.new))
        elif op.kind == DELETE:
            old_parts.append(_del(op.old))
        else:
            new_parts.append(_ins(op.new))
    return "".join(old_parts), "".join(new_parts)


def similarity(a: str, b: str) -> float:
    """How alike two texts are, from 0.0 (no words in common) to 1.0 (the same words).

    ``2 * matched / (words_in_a + words_in_b)``, where matched words are the words in the
    equal ops of :func:`diff_words`.  Texts without words are compared on their punctuation
    instead; two texts with neither (for example both empty) count as identical.
    """
    ops = diff_words(a, b)
    for counted in (_is_word, lambda token: not token[0].isspace()):
        total = sum(1 for token in chain(tokenize(a), tokenize(b)) if counted(token))
        if total:
            matched = sum(
                1 for op in ops if op.kind == EQUAL for token in tokenize(op.old) if counted(token)
            )
            return 2 * matched / total
    return 1.0
