"""Tests for policies.diffing: the word-level diff, its rendering and statistics."""

from __future__ import annotations

import random
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from policies import diffing
from policies.diffing import (
    DiffStats,
    Op,
    apply_ops,
    diff_stats,
    diff_words,
    diff_words_reference,
    render_inline,
    render_side_by_side,
    similarity,
    tokenize,
)

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"

DIFFS = pytest.mark.parametrize("diff", [diff_words, diff_words_reference], ids=["fast", "ref"])


# --------------------------------------------------------------------------------------
# An independent statement of the contract


def comparison_keys(text: str) -> list[str]:
    """Token keys, written out again here rather than borrowed from the module."""
    keys = []
    for token in tokenize(text):
        if token.isspace():
            breaks = len((token + "x").splitlines()) - 1
            keys.append("\n\n" if breaks >= 2 else " ")
        else:
            keys.append(token)
    return keys


def changes(ops: list[Op]) -> list[Op]:
    return [op for op in ops if op.kind != "equal"]


def check_contract(old: str, new: str, ops: list[Op]) -> None:
    assert "".join(op.old for op in ops) == old
    assert "".join(op.new for op in ops) == new
    assert apply_ops(old, ops) == new
    for op in ops:
        assert op.kind in ("equal", "insert", "delete")
        if op.kind == "equal":
            assert op.old and op.new
            assert comparison_keys(op.old) == comparison_keys(op.new), op
        elif op.kind == "insert":
            assert op.old == "" and op.new
        else:
            assert op.new == "" and op.old
    for before, after in zip(ops, ops[1:], strict=False):
        assert before.kind != after.kind, (before, after)
        assert not (before.kind == "insert" and after.kind == "delete"), (before, after)
    # Equal keys <=> nothing to report.
    assert (not changes(ops)) == (comparison_keys(old) == comparison_keys(new))


@contextmanager
def small_pieces(size: int = 4):
    """Make diff_words cut even short texts into pieces, to exercise the anchors."""
    saved = diffing._PIECE
    diffing._PIECE = size
    try:
        yield
    finally:
        diffing._PIECE = saved


# --------------------------------------------------------------------------------------
# Strategies

PIECES = [
    "the", "code", "of", "conduct", "we", "pledge", "don't", "café", "naïve", "e\u0301t\u00e9",
    "über", "straße", "日本", "😀", "12", "3.5", "x_y", "co-operate", "l'homme", "it’s",
    ".", ",", ";", "—", "-", "_", "(", ")", "[", "]", "<", ">", "&", "'", '"', "#", "*", "/",
    " ", " ", " ", " ", "  ", "\n", "\n", "\n\n", "\n\n\n", " \n ", "\r\n", "\r\n\r\n", "\t",
    "\u00a0", "\u2028", "\u2029", "\x0c", "\x85",
]  # fmt: skip

token_lists = st.lists(st.sampled_from(PIECES), max_size=40)
texts = st.one_of(token_lists.map("".join), st.text(max_size=30))


@st.composite
def related_pairs(draw):
    """A token list and an edited copy: substitutions, insertions, deletions, moves."""
    old = draw(st.lists(st.sampled_from(PIECES), max_size=60))
    new = list(old)
    for _ in range(draw(st.integers(0, 6))):
        action = draw(st.sampled_from(["replace", "insert", "delete", "move"]))
        if action == "insert" or not new:
            new.insert(draw(st.integers(0, len(new))), draw(st.sampled_from(PIECES)))
        elif action == "replace":
            new[draw(st.integers(0, len(new) - 1))] = draw(st.sampled_from(PIECES))
        elif action == "delete":
            del new[draw(st.integers(0, len(new) - 1))]
        else:
            piece = new.pop(draw(st.integers(0, len(new) - 1)))
            new.insert(draw(st.integers(0, len(new))), piece)
    return "".join(old), "".join(new)


WORDS = ["respect", "everyone", "report", "harassment", "community", "the", "a", "is", "and"]


@st.composite
def rewrapped_pairs(draw):
    """A Markdown-like text and a copy with its paragraphs re-wrapped differently."""
    words = st.sampled_from([*WORDS, "1.", "don't", "—"])
    paragraphs = draw(st.lists(st.lists(words, min_size=1, max_size=15), min_size=1, max_size=4))
    soft = st.sampled_from([" ", " ", "\n", "  ", " \n", "\n  ", "\t"])
    hard = st.sampled_from(["\n\n", "\n\n\n", "\n \n", "\r\n\r\n"])

    def render():
        parts = []
        for number, words in enumerate(paragraphs):
            if number:
                parts.append(draw(hard))
            for index, word in enumerate(words):
                if index:
                    parts.append(draw(soft))
                parts.append(word)
        return "".join(parts)

    return render(), render()


# --------------------------------------------------------------------------------------
# Properties


@given(texts)
@example("")
@example("don't stop—e\u0301 x_y\r\n\r\n")
def test_tokenize_round_trips(text):
    assert "".join(tokenize(text)) == text
    assert all(tokenize(text))


@DIFFS
@settings(max_examples=300)
@given(old=texts, new=texts)
@example(old="", new="")
@example(old="a b", new="a\n\nb")
@example(old="a\n\n\nc", new="a\n\nc")
@example(old="  lead", new="lead")
@example(old="x.", new="x. y")
@example(old="a\u2028b", new="a b")
def test_contract_on_unrelated_texts(diff, old, new):
    check_contract(old, new, diff(old, new))


@DIFFS
@settings(max_examples=300)
@given(related_pairs())
def test_contract_on_edited_texts(diff, pair):
    old, new = pair
    check_contract(old, new, diff(old, new))


@settings(max_examples=200)
@given(related_pairs())
def test_contract_when_cut_into_pieces(pair):
    old, new = pair
    with small_pieces():
        ops = diff_words(old, new)
    check_contract(old, new, ops)


@DIFFS
@given(texts)
def test_identical_texts_have_no_changes(diff, text):
    ops = diff(text, text)
    assert not changes(ops)
    assert ops == ([Op("equal", text, text)] if text else [])


@DIFFS
@settings(max_examples=200)
@given(rewrapped_pairs())
def test_rewrapping_is_not_a_change(diff, pair):
    old, new = pair
    ops = diff(old, new)
    assert not changes(ops)
    check_contract(old, new, ops)


@settings(max_examples=100)
@given(rewrapped_pairs(), st.sampled_from(WORDS))
def test_rewrapping_plus_an_insertion_shows_only_the_insertion(pair, word):
    old, new = pair
    new = f"{word} {new}"
    ops = diff_words(old, new)
    check_contract(old, new, ops)
    assert diff_stats(ops).words_added == 1
    assert diff_stats(ops).words_removed == 0


@given(texts, texts)
def test_apply_ops_rejects_ops_for_another_text(old, new):
    ops = diff_words(old, new)
    with pytest.raises(ValueError):
        apply_ops(old + "!", ops)


# --------------------------------------------------------------------------------------
# Concrete diffs


@DIFFS
def test_one_word_replaced(diff):
    ops = diff("The quick brown fox", "The quick red fox")
    assert ops == [
        Op("equal", "The quick ", "The quick "),
        Op("delete", "brown", ""),
        Op("insert", "", "red"),
        Op("equal", " fox", " fox"),
    ]
    assert diff_stats(ops) == DiffStats(words_added=1, words_removed=1, edits=1)


@DIFFS
@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("a b", "a new b", [("equal", "a "), ("insert", "new "), ("equal", "b")]),
        ("a b c", "a c", [("equal", "a "), ("delete", "b "), ("equal", "c")]),
        ("a b", "new a b", [("insert", "new "), ("equal", "a b")]),
        ("x", "x y", [("equal", "x"), ("insert", " y")]),
        ("It ends.", "It ends here.", [("equal", "It ends"), ("insert", " here"), ("equal", ".")]),
        ("fox.", "cat.", [("delete", "fox"), ("insert", "cat"), ("equal", ".")]),
    ],
)
def test_insertions_and_deletions_take_whole_words(diff, old, new, expected):
    ops = diff(old, new)
    assert [(op.kind, op.old or op.new) for op in ops] == expected


def test_changes_inside_one_chunk_are_refined():
    old = "[v2.0]: https://www.contributor-covenant.org/version/2/0 more"
    new = "[v2.1]: https://www.contributor-covenant.org/version/2/1 more"
    ops = diff_words(old, new)
    assert [(op.old, op.new) for op in changes(ops)] == [("0", ""), ("", "1")] * 2


def test_paragraph_break_is_a_change_but_rewrap_is_not():
    assert not changes(diff_words("one two\nthree", "one\ntwo three"))
    ops = diff_words("one two three", "one two\n\nthree")
    assert changes(ops) == [Op("delete", " ", ""), Op("insert", "", "\n\n")]
    assert diff_stats(ops) == DiffStats(words_added=0, words_removed=0, edits=1)


def make_policy(rng: random.Random, words: int = 10_000) -> list[str]:
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    vocabulary = sorted({"".join(rng.choices(syllables, k=rng.randint(1, 3))) for _ in range(3000)})
    return [rng.choice(vocabulary) for _ in range(words)]


def render_policy(words: list[str]) -> str:
    sections = [words[k : k + 500] for k in range(0, len(words), 500)]
    return "\n\n".join(
        "\n".join(" ".join(section[k : k + 12]) for k in range(0, len(section), 12))
        for section in sections
    )


@pytest.mark.parametrize("cut_into_pieces", [False, True])
def test_long_text_with_scattered_substitutions_is_not_one_big_replacement(cut_into_pieces):
    rng = random.Random(7)
    words = make_policy(rng)
    edited = list(words)
    for position in rng.sample(range(len(words)), 500):
        edited[position] = edited[position].upper()  # never equal to the original
    old, new = render_policy(words), render_policy(edited)
    if cut_into_pieces:
        ops = diff_words(old, new)
    else:
        with small_pieces(10**9):
            ops = diff_words(old, new)
    check_contract(old, new, ops)
    stats = diff_stats(ops)
    assert 400 <= stats.edits <= 600
    assert 450 <= stats.words_added <= 600
    assert max(len(op.old) + len(op.new) for op in changes(ops)) < 200


def test_long_text_with_insertions_deletions_and_rewrapping():
    rng = random.Random(11)
    words = make_policy(rng)
    edited = list(words)
    for _ in range(300):
        position = rng.randrange(len(edited))
        if rng.random() < 0.5:
            edited.insert(position, "INSERTED")
        else:
            del edited[position]
    old, new = render_policy(words), render_policy(edited)  # every section is re-wrapped
    ops = diff_words(old, new)
    check_contract(old, new, ops)
    stats = diff_stats(ops)
    assert 200 <= stats.edits <= 320
    assert stats.words_added <= 200
    reference = diff_stats(diff_words_reference(old, new))
    assert abs(reference.edits - stats.edits) <= 30


def test_more_distinct_words_than_fit_below_the_surrogates():
    # 70,000 distinct words: their stand-in characters run past U+D800-U+DFFF.
    words = [f"w{n}" for n in range(70_000)]
    edited = list(words)
    edited[65_000] = "changed"
    old, new = " ".join(words), " ".join(edited)
    ops = diff_words(old, new)
    check_contract(old, new, ops)
    assert changes(ops) == [Op("delete", "w65000", ""), Op("insert", "", "changed")]


def test_falls_back_to_one_replacement_when_out_of_stand_in_characters(monkeypatch):
    monkeypatch.setattr(diffing, "_FAST_MAX_CODE_POINT", diffing._FIRST_CODE_POINT + 3)
    old, new = "one two three four five six", "one two three four five seven"
    ops = diff_words(old, new)
    check_contract(old, new, ops)
    assert changes(ops) == [Op("delete", "six", ""), Op("insert", "", "seven")]


# --------------------------------------------------------------------------------------
# Statistics and rendering


def test_diff_stats_counts_words_not_punctuation_or_space():
    ops = [
        Op("equal", "We ", "We "),
        Op("delete", "all, really ", ""),
        Op("insert", "", "—(everyone) "),
        Op("equal", "agree", "agree"),
        Op("insert", "", "!!"),
    ]
    assert diff_stats(ops) == DiffStats(words_added=1, words_removed=2, edits=2)
    assert diff_stats([]) == DiffStats(words_added=0, words_removed=0, edits=0)


def test_render_inline_escapes_and_labels():
    ops = diff_words("Say hi & bye", "Say <script>alert(1)</script> hi & 'bye'")
    assert Op("insert", "", "<script>alert(1)</script> ") in ops
    html = render_inline(ops)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp;" in html
    assert "&#x27;bye&#x27;" in html
    assert '<ins><span class="visually-hidden">added: </span>' in html
    assert '<del><span class="visually-hidden">removed: </span>' in html


def test_render_inline_shows_equal_text_as_in_the_new_version():
    ops = diff_words("one\ntwo three", "one two\nfour")
    assert render_inline(ops) == (
        "one two\n"
        '<del><span class="visually-hidden">removed: </span>three</del>'
        '<ins><span class="visually-hidden">added: </span>four</ins>'
    )


def test_render_side_by_side():
    ops = [
        Op("equal", "a\n<", "a <"),
        Op("delete", "b", ""),
        Op("insert", "", "i"),
        Op("equal", "> c", "> c"),
        Op("insert", "", " & d"),
    ]
    old_html, new_html = render_side_by_side(ops)
    assert old_html == 'a\n&lt;<del><span class="visually-hidden">removed: </span>b</del>&gt; c'
    assert new_html == (
        'a &lt;<ins><span class="visually-hidden">added: </span>i</ins>&gt; c'
        '<ins><span class="visually-hidden">added: </span> &amp; d</ins>'
    )


@given(texts, texts)
def test_rendering_never_leaks_markup(old, new):
    ops = diff_words(old, new)
    for html in (render_inline(ops), *render_side_by_side(ops)):
        stripped = re.sub(r'</?(?:ins|del)>|<span class="visually-hidden">|</span>', "", html)
        assert "<" not in stripped and ">" not in stripped


# --------------------------------------------------------------------------------------
# Similarity


def test_similarity_sanity():
    assert similarity("", "") == 1.0
    assert similarity("Be kind to everyone.", "Be kind to everyone.") == 1.0
    assert similarity("Be kind\nto everyone.", "Be  kind to everyone.") == 1.0
    assert similarity("alpha beta gamma", "delta epsilon") == 0.0
    assert similarity("alpha beta", "") == 0.0
    assert similarity("...", "...") == 1.0
    assert similarity("...", "!!!") == 0.0
    partly = similarity("be kind to everyone here", "be kind to all people")
    assert 0.4 < partly < 0.8
    renamed_section = similarity(
        "We expect participants to respect each other and to report problems promptly.",
        "We expect participants to respect one another and to report problems promptly.",
    )
    assert renamed_section > 0.8


@given(texts, texts)
def test_similarity_is_between_zero_and_one(a, b):
    assert 0.0 <= similarity(a, b) <= 1.0
    assert similarity(a, a) == 1.0


# --------------------------------------------------------------------------------------
# Real policies


def policy_body(path: Path) -> str:
    """The Markdown after the +++ front matter."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fences = [n for n, line in enumerate(lines) if line.strip() == "+++"]
    return "".join(lines[fences[1] + 1 :]) if len(fences) >= 2 else "".join(lines)


def test_contributor_covenant_2_0_to_2_1():
    old_path = CORPUS / "policies" / "contributor-covenant-2.0.en.md"
    new_path = CORPUS / "policies" / "contributor-covenant-2.1.en.md"
    if not (old_path.exists() and new_path.exists()):
        pytest.skip("corpus not available")
    old, new = policy_body(old_path), policy_body(new_path)
    for diff in (diff_words, diff_words_reference):
        ops = diff(old, new)
        check_contract(old, new, ops)
        stats = diff_stats(ops)
        assert stats.words_added < 60
        assert stats.words_removed < 60
        added = "".join(op.new for op in ops if op.kind == "insert")
        assert "caste, color," in added
        # "religion, or sexual\nidentity" was re-wrapped in 2.1: not a change.
        assert "identity" not in added
    assert similarity(old, new) > 0.95
