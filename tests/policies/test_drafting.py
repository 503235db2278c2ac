"""The three-way merge that carries a set-aside draft onto the current text (pure)."""

from hypothesis import given
from hypothesis import strategies as st

from policies.drafting import Section, three_way

KEYS = ["a", "b", "c", "d", "e"]


@st.composite
def texts(draw):
    """A base text and two independent edits of it (changed, removed and added sections)."""
    keys = draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=5))
    base = [Section(k, k.upper(), draw(st.sampled_from(["x", "y"]))) for k in keys]

    def edit():
        out = []
        for s in base:
            action = draw(st.sampled_from(["keep", "keep", "change", "remove"]))
            if action == "keep":
                out.append(s)
            elif action == "change":
                out.append(Section(s.key, s.heading, draw(st.sampled_from(["p", "q"]))))
        for k in draw(st.lists(st.sampled_from(["n1", "n2"]), unique=True, max_size=2)):
            out.insert(draw(st.integers(0, len(out))), Section(k, k, draw(st.sampled_from("mn"))))
        return out

    return base, edit(), edit()


def _by_key(sections):
    return {s.key: (s.heading, s.body) for s in sections}


@given(texts())
def test_an_untouched_draft_changes_nothing(t):
    base, _mine, theirs = t
    merge = three_way(base, base, theirs)
    assert merge.sections == theirs and not merge.carried and not merge.conflicts


@given(texts())
def test_onto_unchanged_text_the_draft_comes_through_whole(t):
    base, mine, _theirs = t
    merge = three_way(base, mine, base)
    assert _by_key(merge.sections) == _by_key(mine) and not merge.conflicts


@given(texts())
def test_the_current_text_is_never_overwritten_where_it_changed(t):
    base, mine, theirs = t
    merge = three_way(base, mine, theirs)
    merged, old, draft = _by_key(merge.sections), _by_key(base), _by_key(mine)
    conflicted = {c.key for c in merge.conflicts}
    for key, value in _by_key(theirs).items():
        if old.get(key) != value:  # the current text changed (or added) this section
            assert merged.get(key) == value or draft.get(key) == value
    for key in merged:
        assert key in draft or key in _by_key(theirs)
    # Every section where both sides disagree is reported, never silently settled.
    for key in set(old) | set(draft) | set(_by_key(theirs)):
        mine_changed = draft.get(key) != old.get(key)
        theirs_changed = _by_key(theirs).get(key) != old.get(key)
        if mine_changed and theirs_changed and draft.get(key) != _by_key(theirs).get(key):
            assert key in conflicted


def test_a_section_the_draft_added_keeps_its_place():
    base = [Section("a", "A", "x"), Section("b", "B", "x")]
    mine = [Section("a", "A", "x"), Section("new", "New", "n"), Section("b", "B", "x")]
    theirs = [Section("a", "A", "y"), Section("b", "B", "x")]
    merge = three_way(base, mine, theirs)
    assert [s.key for s in merge.sections] == ["a", "new", "b"]
    assert merge.sections[0].body == "y" and merge.carried == ["new"]
