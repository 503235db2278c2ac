"""Word-level diffs of policy texts.

The diff engines we use (Google's diff-match-patch, as the C++ ``fast_diff_match_patch``
extension and as the pure-Python ``diff_match_patch`` package) compare *characters*.  A
character diff of prose is hard to read ("c" -> "d" inside a word, edits that start in the
middle of one word and end in the middle of another), and on long documents it is slow: once
the engine's time limit runs out it gives up and reports the rest of the text as one big
replacement, which is useless for reviewing a policy change.

So we diff *word tokens* instead.  Each text is split into tokens (words, single punctuation
characters and whitespace runs), every distinct token is given its own stand-in character, and
the engine diffs the two stand-in strings, where one character is one token.  The edit
lengths it reports are therefore token counts, which we map back onto the original tokens.
Texts are typically a few thousand distinct tokens long, so the engine's search space shrinks
by the average token length and its result reads in whole words.

Tokens are compared by a *comparison key* rather than by their exact text.  Words and
punctuation compare exactly; any whitespace run containing two or more line breaks (a
paragraph break) has the key ``"\\n\\n"`` and every other whitespace run (spaces, or a single
line break left by re-wrapping a Markdown paragraph) has the key ``" "``.  Re-wrapping a
paragraph therefore produces no edits at all; such whitespace appears in ``equal`` ops whose
old and new text differ only in whitespace.

The two whitespace keys are given real whitespace stand-ins (``" "`` and ``"\\n"``), so the
engine's semantic clean-up, which prefers to put edit boundaries next to whitespace and line
breaks, aligns edits with word boundaries.  Every other key gets a code point from U+0100
upwards, skipping the surrogate range.

This module is pure Python (plus the optional C++ engine): no Django imports.
"""

from __future__ import annotations

import functools
import html
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby

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

_SPACE_KEY = " "
_PARAGRAPH_KEY = "\n\n"


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
    """Summary numbers of a diff: word tokens added and removed, and change hunks."""

    words_added: int
    words_removed: int
    edits: int


# --------------------------------------------------------------------------------------
# Tokenising


def _word_joiner_class() -> str:
    """Characters that continue a word: combining marks and zero-width (non-)joiners.

    Python's ``re`` has no ``\\p{M}``, and ``\\w`` does not match combining marks, so the
    class is built from ``unicodedata`` (the same Unicode version ``re`` uses).
    """
    ranges: list[tuple[int, int]] = []
    candidates = list(range(0x300, 0x20000)) + list(range(0xE0100, 0xE01F0))
    for cp in candidates:
        if unicodedata.category(chr(cp))[0] == "M":
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    parts = [re.escape(chr(lo)) + ("-" + re.escape(chr(hi)) if hi > lo else "") for lo, hi in ranges]
    return "".join(parts) + "\u200c\u200d"


@functools.cache
def _token_re() -> re.Pattern[str]:
    joiners = _word_joiner_class()
    letter = rf"(?:[^\W_]|[{joiners}])"
    # A word: letters/digits (with combining marks), optionally with inner apostrophes
    # ("don't", "l'homme").  Underscores and hyphens are punctuation, so Markdown emphasis
    # markers and hyphenated compounds split into separate tokens.
    word = rf"[^\W_]{letter}*(?:['\u2019]{letter}+)*"
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


def _line_breaks(whitespace: str) -> int:
    # Counts "\n", "\r\n", "\r" and the other separators str.splitlines() knows.
    return len((whitespace + "x").splitlines()) - 1


def _key(token: str) -> str:
    """The comparison key of a token (see the module docstring)."""
    if token[0].isspace():
        return _PARAGRAPH_KEY if _line_breaks(token) >= 2 else _SPACE_KEY
    return token


# --------------------------------------------------------------------------------------
# Encoding tokens as characters

# The C++ engine stores strings as wchar_t; where that is 16 bits it rejects characters
# outside the Basic Multilingual Plane.
_MAX_CODE_POINT = sys.maxunicode if fast_diff_match_patch.CHAR_WIDTH >= 4 else 0xFFFF
_FIRST_CODE_POINT = 0x100
_SURROGATES = range(0xD800, 0xE000)
_WHITESPACE_CHARS = " \n"  # the stand-ins of the two whitespace keys


class _AlphabetExhausted(Exception):
    pass


def _encode(
    old_tokens: Sequence[str], new_tokens: Sequence[str], max_code_point: int
) -> tuple[str, str]:
    """Map each token's comparison key to one character; return the two encoded strings."""
    chars: dict[str, str] = {_SPACE_KEY: " ", _PARAGRAPH_KEY: "\n"}
    next_cp = _FIRST_CODE_POINT

    def encode(tokens: Sequence[str]) -> str:
        nonlocal next_cp
        out = []
        append = out.append
        for token in tokens:
            if token[0].isspace():
                append("\n" if _line_breaks(token) >= 2 else " ")
                continue
            char = chars.get(token)
            if char is None:
                if next_cp in _SURROGATES:
                    next_cp = _SURROGATES.stop
                if next_cp > max_code_point:
                    raise _AlphabetExhausted
                char = chars[token] = chr(next_cp)
                next_cp += 1
            append(char)
        return "".join(out)

    return encode(old_tokens), encode(new_tokens)


# --------------------------------------------------------------------------------------
# Engines: each takes two encoded strings and returns [(kind, length), ...]

Runs = list[tuple[str, int]]
_KINDS = {"=": EQUAL, "+": INSERT, "-": DELETE, 0: EQUAL, 1: INSERT, -1: DELETE}


def _fast_engine(a: str, b: str) -> Runs:
    # checklines=False: the line-mode speed-up is meaningless on one-character tokens.
    # timelimit=0: never give up (a time-out would degrade to coarse replacements).
    runs = fast_diff_match_patch.diff(
        a, b, counts_only=True, checklines=False, cleanup="Semantic", timelimit=0
    )
    return [(_KINDS[op], n) for op, n in runs]


def _reference_engine(a: str, b: str) -> Runs:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # never give up
    diffs = dmp.diff_main(a, b, False)
    dmp.diff_cleanupSemantic(diffs)
    return [(_KINDS[op], len(text)) for op, text in diffs]


# --------------------------------------------------------------------------------------
# From engine output to ops

# A token-level op: [kind, old_start, old_end, new_start, new_end].
_Span = list


def _spans_from_runs(runs: Runs, n_old: int, n_new: int) -> list[_Span]:
    spans: list[_Span] = []
    i = j = 0
    for kind, n in runs:
        if n <= 0:
            continue
        if kind == EQUAL:
            spans.append([EQUAL, i, i + n, j, j + n])
            i += n
            j += n
        elif kind == DELETE:
            spans.append([DELETE, i, i + n, j, j])
            i += n
        else:
            spans.append([INSERT, i, i, j, j + n])
            j += n
    if i != n_old or j != n_new:  # pragma: no cover - would be an engine bug
        raise RuntimeError("diff engine output does not cover both texts")
    return spans


def _normalise(spans: list[_Span]) -> list[_Span]:
    """Merge neighbouring equals, and turn each run of changes into one delete + one insert."""
    out: list[_Span] = []
    non_empty = (span for span in spans if span[1] != span[2] or span[3] != span[4])
    for is_equal, group in groupby(non_empty, key=lambda span: span[0] == EQUAL):
        group = list(group)
        i0, j0 = group[0][1], group[0][3]
        i1, j1 = group[-1][2], group[-1][4]
        if is_equal:
            out.append([EQUAL, i0, i1, j0, j1])
            continue
        if i1 > i0:
            out.append([DELETE, i0, i1, j0, j0])
        if j1 > j0:
            out.append([INSERT, i1, i1, j0, j1])
    return out


def _trim_replacements(spans: list[_Span], a: str, b: str) -> list[_Span]:
    """Move tokens common to both sides of a delete+insert pair out into equal ops.

    ``a`` and ``b`` are the encoded texts: equal characters mean equal comparison keys.
    """
    result: list[_Span] = []
    idx = 0
    while idx < len(spans):
        span = spans[idx]
        idx += 1
        if span[0] != DELETE or idx >= len(spans) or spans[idx][0] != INSERT:
            result.append(span)
            continue
        _, i0, i1, j0, _ = span
        j1 = spans[idx][4]
        idx += 1
        p = 0
        while i0 + p < i1 and j0 + p < j1 and a[i0 + p] == b[j0 + p]:
            p += 1
        s = 0
        while i1 - s > i0 + p and j1 - s > j0 + p and a[i1 - s - 1] == b[j1 - s - 1]:
            s += 1
        result.append([EQUAL, i0, i0 + p, j0, j0 + p])
        result.append([DELETE, i0 + p, i1 - s, j0 + p, j0 + p])
        result.append([INSERT, i1 - s, i1 - s, j0 + p, j1 - s])
        result.append([EQUAL, i1 - s, i1, j1 - s, j1])
    return _normalise(result)


def _tidy(spans: list[_Span], a: str, b: str) -> list[_Span]:
    """Tidy pure insertions and deletions at whitespace boundaries.

    An inserted (or deleted) run that starts with whitespace, ends with a word or
    punctuation, and is followed by the same whitespace is slid one token to the right:
    inserting a word then reads ``"new "`` after the preceding space, not ``" new"``.
    """
    out: list[_Span] = []
    for idx, span in enumerate(spans):
        kind = span[0]
        nxt = spans[idx + 1] if idx + 1 < len(spans) else None
        prev = out[-1] if out else None
        if (
            kind == EQUAL
            or nxt is None
            or nxt[0] != EQUAL
            or (prev is not None and prev[0] != EQUAL)  # part of a replacement
        ):
            out.append(span)
            continue
        text, start, end = (b, 3, 4) if kind == INSERT else (a, 1, 2)
        first = text[span[start]]
        if first not in _WHITESPACE_CHARS or text[span[end] - 1] in _WHITESPACE_CHARS:
            out.append(span)
            continue
        if text[nxt[start]] != first:
            out.append(span)
            continue
        # Slide: the hunk's first token pairs up with the next equal's first token.
        if prev is None:
            prev = [EQUAL, span[1], span[1], span[3], span[3]]
            out.append(prev)
        prev[2] += 1
        prev[4] += 1
        out.append([kind, span[1] + 1, span[2] + 1, span[3] + 1, span[4] + 1])
        nxt[1] += 1
        nxt[3] += 1
    return _normalise(out)


def _diff_tokens(
    old: str, new: str, engine: Callable[[str, str], Runs], max_code_point: int
) -> list[Op]:
    if old == new:
        return [Op(EQUAL, old, new)] if old else []
    old_tokens = tokenize(old)
    new_tokens = tokenize(new)
    try:
        a, b = _encode(old_tokens, new_tokens, max_code_point)
    except _AlphabetExhausted:
        # More distinct tokens than code points: report a whole replacement (still valid).
        return [op for op in (Op(DELETE, old, ""), Op(INSERT, "", new)) if op.old or op.new]
    if a == b:
        spans = [[EQUAL, 0, len(old_tokens), 0, len(new_tokens)]]
    else:
        spans = _normalise(_spans_from_runs(engine(a, b), len(old_tokens), len(new_tokens)))
        spans = _tidy(_trim_replacements(spans, a, b), a, b)
    ops = []
    for kind, i0, i1, j0, j1 in spans:
        ops.append(Op(kind, "".join(old_tokens[i0:i1]), "".join(new_tokens[j0:j1])))
    return ops


def diff_words(old: str, new: str) -> list[Op]:
    """Word-level diff of ``old`` and ``new`` using the C++ diff-match-patch engine.

    Returns ops whose old sides concatenate to ``old`` and new sides to ``new``; equal ops
    differ at most in whitespace; texts that differ only in re-wrapping give no insert or
    delete ops; there are no empty ops, no two neighbours of the same kind, and a change is a
    delete followed by an insert.
    """
    return _diff_tokens(old, new, _fast_engine, _MAX_CODE_POINT)


def diff_words_reference(old: str, new: str) -> list[Op]:
    """The same contract as :func:`diff_words`, computed by the pure-Python engine.

    Slower; used to cross-check the C++ engine in tests.  Outputs may differ in detail.
    """
    return _diff_tokens(old, new, _reference_engine, sys.maxunicode)


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
        raise ValueError("ops do not match the old text")
    return "".join(new_parts)


def _count_words(text: str) -> int:
    return sum(1 for token in tokenize(text) if _is_word(token))


def diff_stats(ops: Iterable[Op]) -> DiffStats:
    """Count words added and removed and change hunks (a delete+insert pair counts once).

    Only word tokens count; whitespace and punctuation do not.
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

    Every text piece is HTML-escaped.  Equal text is shown as it reads in the new version.
    Whitespace is kept verbatim (display it with ``white-space: pre-wrap``).
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
    """Render ops as ``(old_html, new_html)``: old text with deletions, new with insertions."""
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
    """How alike two texts are, from 0.0 (nothing in common) to 1.0 (the same words).

    ``2 * matched / (total_a + total_b)`` over word tokens, where matched words are those in
    equal ops of :func:`diff_words`.  Texts without any words are compared on their
    punctuation instead; two texts with neither (e.g. both empty) count as identical.
    """
    ops = diff_words(a, b)
    for counts in (_is_word, lambda token: not token[0].isspace()):
        total_a = sum(1 for token in tokenize(a) if counts(token))
        total_b = sum(1 for token in tokenize(b) if counts(token))
        if total_a or total_b:
            matched = sum(
                1 for op in ops if op.kind == EQUAL for token in tokenize(op.old) if counts(token)
            )
            return 2 * matched / (total_a + total_b)
    return 1.0
