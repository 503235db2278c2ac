"""Importing a wiki consultation discussion: the parser on both formats, then the command."""

import json
from collections import Counter
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from consultations.discussion_import import (
    DiscussionFormatError,
    parse_rendered,
    parse_wikitext,
)

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "discussions"
WIKITEXT = SAMPLES / "sample-consultation.wikitext"
RENDERED = SAMPLES / "sample-consultation.rendered.txt"

needs_samples = pytest.mark.skipif(not SAMPLES.exists(), reason="shared corpus not available")

NOW = datetime(2025, 3, 3, 9, 12, tzinfo=UTC)
SIG = "[[User:Ann|Ann]] ([[User talk:Ann|talk]]) 09:12, 3 March 2025 (UTC)"
HEAD = "= Title =\nIntro {{Support}} text.\n\n== Our pledge ==\n"


def _one(line: str):
    parsed = parse_wikitext(HEAD + line)
    assert len(parsed.positions) == 1, parsed
    return parsed.positions[0]


def _by_section(parsed):
    sections: dict[str, list] = {}
    for p in parsed.positions:
        sections.setdefault(p.section_heading, []).append(p)
    return sections


def _comparable(parsed):
    """Everything except line numbers, which differ between the two formats."""
    out = []
    for p in parsed.positions:
        data = asdict(p)
        data.pop("line")
        for reply in data["replies"]:
            reply.pop("line")
        out.append(data)
    return out


# --- the samples ---------------------------------------------------------------------------


@needs_samples
@pytest.mark.parametrize(
    "path,parse", [(WIKITEXT, parse_wikitext), (RENDERED, parse_rendered)], ids=["wiki", "html"]
)
def test_sample_gives_the_readme_result(path, parse):
    parsed = parse(path.read_text(encoding="utf-8"))
    assert [h for _, h in parsed.headings] == ["Our pledge", "Enforcement", "Scope"]
    sections = _by_section(parsed)
    assert set(sections) == {"Our pledge", "Enforcement"}  # Scope: nothing

    pledge = {p.author: p for p in sections["Our pledge"]}
    assert Counter(p.stance for p in pledge.values()) == {"support": 1, "oppose": 1, "neutral": 1}
    assert pledge["Lindqvist"].stance == "support"
    assert pledge["Okonkwo-Adaeze"].stance == "oppose"
    assert pledge["Pražák"].stance == "neutral"
    assert all(p.strength == "" for p in pledge.values())
    assert pledge["Lindqvist"].reason == (
        "Clear and short. The pledge reads well in translation too."
    )
    assert pledge["Lindqvist"].timestamp == datetime(2025, 3, 3, 9, 12, tzinfo=UTC)
    (reply,) = pledge["Okonkwo-Adaeze"].replies
    assert reply.author == "Marta (facilitator)"
    assert reply.body == "Good point, we will look at the 2.1 wording, which adds caste."
    assert reply.timestamp == datetime(2025, 3, 4, 14, 2, tzinfo=UTC)
    assert (reply.depth, reply.parent) == (1, None)
    assert not pledge["Lindqvist"].replies and not pledge["Pražák"].replies

    enforcement = {p.author: p for p in sections["Enforcement"]}
    assert len(sections["Enforcement"]) == 4
    assert Counter(p.stance for p in enforcement.values()) == {"oppose": 2, "support": 1, "": 1}
    assert (enforcement["Ferreira.Luis"].stance, enforcement["Ferreira.Luis"].strength) == (
        "oppose",
        "",
    )
    assert (enforcement["Nakamura Ren"].stance, enforcement["Nakamura Ren"].strength) == (
        "oppose",
        "weak",
    )
    # A later stance word stays in the text.
    assert enforcement["Nakamura Ren"].reason.startswith("Support the idea, oppose the appeal")
    assert (enforcement["Haddad"].stance, enforcement["Haddad"].strength) == ("support", "strong")
    comment = enforcement["Lindqvist"]
    assert comment.stance == "" and comment.strength == ""
    assert comment.reason.startswith("Comment without a template: could the reporting address")
    for p in parsed.positions:
        assert p.timestamp is not None and p.timestamp.tzinfo is not None
        assert p.timestamp.utcoffset() == timedelta(0)
        assert "[[" not in p.reason and "{{" not in p.reason and "(talk)" not in p.reason

    # The ".." bullet under Scope is a placeholder, reported with its line.
    assert len(parsed.skipped) == 1
    line, why = parsed.skipped[0]
    assert "placeholder" in why
    assert path.read_text(encoding="utf-8").splitlines()[line - 1].strip().endswith("..")


@needs_samples
def test_both_samples_give_the_same_result():
    wiki = parse_wikitext(WIKITEXT.read_text(encoding="utf-8"))
    html = parse_rendered(RENDERED.read_text(encoding="utf-8"))
    assert _comparable(wiki) == _comparable(html)
    assert len(wiki.positions) == 7


# --- wikitext variants ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "line,stance,strength,reason",
    [
        ("* {{s}} Short.", "support", "", "Short."),
        ("* {{o}} No.", "oppose", "", "No."),
        ("* {{n}} Meh.", "neutral", "", "Meh."),
        ("* {{Support|weak}} Fine.", "support", "weak", "Fine."),
        ("* {{Oppose|strong}} Bad.", "oppose", "strong", "Bad."),
        ("* {{Strong oppose}} Bad.", "oppose", "strong", "Bad."),
        ("* {{weak_support}} Fine.", "support", "weak", "Fine."),
        ("* '''{{Oppose}}''' Too long.", "oppose", "", "Too long."),
        ("* Neutral, partly {{Oppose}} on wording.", "neutral", "", "partly Oppose on wording."),
        ("* {{Support}} but {{Oppose}} the timeline.", "support", "", "but Oppose the timeline."),
        ("* '''Strong support''' the idea.", "support", "strong", "the idea."),
        ("* Support the idea, oppose the rest.", "", "", "Support the idea, oppose the rest."),
        ("* {{Comment}} What about bots?", "", "", "What about bots?"),
        (
            "* {{Support}} See [[Code of conduct|the code]] and '''this''' [https://x.org page].",
            "support",
            "",
            "See the code and this page.",
        ),
    ],
)
def test_stance_variants(line, stance, strength, reason):
    position = _one(f"{line} {SIG}")
    assert (position.stance, position.strength, position.reason) == (stance, strength, reason)
    assert position.author == "Ann"
    assert position.timestamp == datetime(2025, 3, 3, 9, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "signature,author,stamp",
    [
        ("{{unsigned|Bob}}", "Bob", None),
        ("{{unsigned|Bob|10:01, 4 March 2025 (UTC)}}", "Bob", datetime(2025, 3, 4, 10, 1)),
        ("{{Unsigned IP|192.0.2.7}}", "192.0.2.7", None),
        (
            "[[:de:Benutzer:Xaver Huber|Xaver]] ([[:de:Benutzer Diskussion:Xaver Huber|Disk.]]) "
            "23:05, 1 April 2025 (UTC)",
            "Xaver Huber",
            datetime(2025, 4, 1, 23, 5),
        ),
        (
            "[[Special:Contributions/192.0.2.7|192.0.2.7]] 07:00, 2 May 2025 (UTC)",
            "192.0.2.7",
            datetime(2025, 5, 2, 7, 0),
        ),
        ("--[[User:Carl|Carl]] ([[User talk:Carl|talk]])", "Carl", None),
        (
            "<span>[[User:Dee_Dee|<b>Dee</b>]]</span> <sup>[[User talk:Dee Dee|t]]</sup> "
            "12:00, 6 June 2025 (UTC)",
            "Dee Dee",
            datetime(2025, 6, 6, 12, 0),
        ),
        ("12:00, 6 June 2025 (UTC)", "unsigned", datetime(2025, 6, 6, 12, 0)),
        ("", "unsigned", None),
    ],
)
def test_signature_variants(signature, author, stamp):
    position = _one(f"* {{{{Oppose}}}} Too vague. {signature}")
    assert position.author == author
    assert position.timestamp == (stamp.replace(tzinfo=UTC) if stamp else None)
    assert position.reason == "Too vague."


def test_a_user_mentioned_in_the_text_is_not_the_author():
    position = _one("* {{Oppose}} As [[User:Carl|Carl]] said, too vague.")
    assert position.author == "unsigned"
    assert position.reason == "As Carl said, too vague."


def test_replies_nest_under_the_bullet_above_and_clamp_at_three():
    text = HEAD + "\n".join(
        [
            f"* {{{{Support}}}} Yes. {SIG}",
            "** {{Oppose}} I disagree. [[User:Bo|Bo]] 10:00, 4 March 2025 (UTC)",
            "*** Why? [[User:Cy|Cy]]",
            "**** Because.",
            "***** Still deeper.",
            "*: Another answer to the position.",
            ": Also a reply.",
            "* {{Neutral}} Second. [[User:Di|Di]]",
        ]
    )
    parsed = parse_wikitext(text)
    first, second = parsed.positions
    assert (first.stance, second.stance) == ("support", "neutral")
    replies = first.replies
    assert [(r.depth, r.parent) for r in replies] == [
        (1, None),
        (2, 0),
        (3, 1),
        (3, 1),
        (1, None),
        (1, None),
    ]
    # A stance template in a reply is not a vote; it stays as a word.
    assert replies[0].body == "Oppose I disagree." and replies[0].author == "Bo"
    assert replies[1].author == "Cy" and replies[1].timestamp is None
    assert replies[2].author == "unsigned"
    assert not second.replies


def test_placeholders_stray_lines_and_orphans_are_skipped():
    text = "\n".join(
        [
            "Intro before any heading is ignored.",
            "* {{Support}} Also ignored.",
            "== Scope ==",
            "* ..",
            "** A reply to nothing.",
            "A paragraph that is not a list item.",
            "*",
            "== Unused ==",
        ]
    )
    parsed = parse_wikitext(text)
    assert parsed.positions == []
    assert [line for line, _ in parsed.skipped] == [4, 5, 6, 7]
    assert [h for _, h in parsed.headings] == ["Scope", "Unused"]


def test_formats_without_headings_are_rejected():
    with pytest.raises(DiscussionFormatError):
        parse_wikitext("* {{Support}} no heading")
    with pytest.raises(DiscussionFormatError):
        parse_rendered("== A ==\n* {{Support}} wikitext, not rendered")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "== Our pledge ==",
                "Scope[edit]",
                "* {{Support}} x",
                "** reply",
                "  • Support Support y",
                "      • reply",
                "* ..",
                "[[User:A|A]] ([[User talk:A|talk]]) 09:12, 3 March 2025 (UTC)",
                "B (talk) 31:99, 40 Smarch 2025 (UTC)[reply]",
                "{{unsigned|}}",
                "'''",
                "[[",
                "{{",
            ]
        )
        | st.text(max_size=40),
        max_size=12,
    )
)
def test_parsers_never_crash(parts):
    text = "\n".join(parts)
    for parse in (parse_wikitext, parse_rendered):
        try:
            parsed = parse(text)
        except DiscussionFormatError:
            continue
        for position in parsed.positions:
            assert position.stance in {"support", "oppose", "neutral", ""}
            assert position.author
            for reply in position.replies:
                assert 1 <= reply.depth <= 3


# --- rendered variants ---------------------------------------------------------------------


def test_rendered_variants():
    text = "\n".join(
        [
            "Title",
            "Our pledge[edit]",
            "",
            "  • Weak support Weak support Fine. Ann (talk) 09:12, 3 March 2025 (UTC)[reply]",
            "      • Why only weak? --Bo (talk) 10:00, 3 March 2025 (UTC)[reply]",
            "          Because. Ann (talk)",
            "  • Neutral, partly Oppose Oppose on wording. 192.0.2.7 (talk) 11:00, 3 March 2025 "
            "(UTC)[reply]",
            "  • Oppose Oppose No. — Preceding unsigned comment added by Cy (talk • contribs) "
            "12:00, 3 March 2025 (UTC)",
            "  • I agree with this Di Ann (talk) 13:00, 3 March 2025 (UTC)[reply]",
        ]
    )
    first, second, third, fourth = parse_rendered(text).positions
    assert (first.stance, first.strength, first.reason, first.author) == (
        "support",
        "weak",
        "Fine.",
        "Ann",
    )
    assert [(r.author, r.body, r.depth, r.parent) for r in first.replies] == [
        ("Bo", "Why only weak?", 1, None),
        ("Ann", "Because.", 2, 0),
    ]
    assert (second.stance, second.reason, second.author) == (
        "neutral",
        "partly Oppose on wording.",
        "192.0.2.7",
    )
    assert (third.stance, third.author, third.reason) == ("oppose", "Cy", "No.")
    # Without link boundaries, a name signed elsewhere on the page splits the guess.
    assert (fourth.stance, fourth.author, fourth.reason) == ("", "Ann", "I agree with this Di")


# --- the command ---------------------------------------------------------------------------


@pytest.fixture
def consultation(db):
    return _consultation()


def _consultation(slug="baseline", state="open"):
    from consultations.models import Consultation
    from policies import services as policy_services
    from tests.factories import EditorFactory

    editor = EditorFactory(username="ed")
    page = policy_services.create_policy_page(title="Baseline", slug=slug, user=editor)
    version = policy_services.publish_policy(
        page=page,
        user=editor,
        summary="v1",
        sections=[
            (None, "Our pledge", "We pledge..."),
            (None, "Enforcement", "..."),
            (None, "Scope", "..."),
        ],
    )
    return Consultation.objects.create(
        version=version,
        title="Consult",
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=27),
        state=state,
    )


def _run(path, consultation_id, *args):
    out = StringIO()
    call_command(
        "import_discussion", str(path), "--consultation", str(consultation_id), *args, stdout=out
    )
    return out.getvalue()


def _keys(consultation):
    return {s.heading: s.key for s in consultation.version.sections.all()}


@needs_samples
@pytest.mark.django_db
def test_command_imports_the_wikitext_sample_once(consultation):
    from consultations.models import Position, Reply

    out = _run(WIKITEXT, consultation.pk, "--source-wiki", "meta.wikimedia.org")
    assert out.startswith("Imported 7 positions and 1 replies; skipped 1:")
    assert "line 18: placeholder" in out

    keys = _keys(consultation)
    positions = Position.objects.filter(consultation=consultation)
    assert positions.count() == 7
    tally = Counter((p.section_key, p.stance) for p in positions)
    assert tally == {
        (keys["Our pledge"], "support"): 1,
        (keys["Our pledge"], "oppose"): 1,
        (keys["Our pledge"], "neutral"): 1,
        (keys["Enforcement"], "oppose"): 2,
        (keys["Enforcement"], "support"): 1,
        (keys["Enforcement"], ""): 1,
    }
    assert not positions.filter(section_key=keys["Scope"]).exists()
    assert all(p.user_id is None and p.imported_from == "meta.wikimedia.org" for p in positions)
    assert all(len(p.import_key) == 64 for p in positions)
    haddad = positions.get(imported_author="Haddad")
    assert (haddad.stance, haddad.strength) == ("support", "strong")
    assert haddad.created_at == haddad.updated_at == datetime(2025, 3, 6, 12, 30, tzinfo=UTC)
    assert positions.get(imported_author="Nakamura Ren").strength == "weak"
    assert haddad.history.count() == 1

    reply = Reply.objects.get()
    assert reply.position.imported_author == "Okonkwo-Adaeze"
    assert (reply.parent, reply.depth, reply.user) == (None, 1, None)
    assert reply.imported_author == "Marta (facilitator)"
    assert reply.body.startswith("Good point")
    assert reply.created_at == datetime(2025, 3, 4, 14, 2, tzinfo=UTC)

    again = _run(WIKITEXT, consultation.pk)
    assert again.startswith("Imported 0 positions and 0 replies; skipped 1:")
    assert "Already imported earlier (left unchanged): 7 positions and 1 replies." in again
    assert Position.objects.count() == 7 and Reply.objects.count() == 1


@needs_samples
@pytest.mark.django_db
def test_rendered_sample_imports_the_same_into_a_fresh_consultation(consultation):
    from consultations.models import Position, Reply

    _run(WIKITEXT, consultation.pk)
    fresh = _consultation(slug="other", state="closed")
    out = _run(RENDERED, fresh.pk)  # format detected from the "[edit]" headings
    assert out.startswith("Imported 7 positions and 1 replies; skipped 1:")

    def rows(c):
        keys = {v: k for k, v in _keys(c).items()}
        return sorted(
            (keys[p.section_key], p.stance, p.strength, p.imported_author, p.reason, p.created_at)
            for p in Position.objects.filter(consultation=c)
        )

    assert rows(fresh) == rows(consultation)
    assert Reply.objects.filter(position__consultation=fresh).count() == 1


@pytest.mark.django_db
def test_timestamps_fall_back_to_the_opening_and_replies_to_their_parent(consultation, tmp_path):
    from consultations.models import Position

    path = tmp_path / "d.wikitext"
    path.write_text(
        "== Scope ==\n* {{Oppose}} Unsigned and undated.\n** Undated reply.\n", encoding="utf-8"
    )
    _run(path, consultation.pk)
    position = Position.objects.get()
    assert position.imported_author == "unsigned"
    assert position.created_at == consultation.opens_at
    assert position.replies.get().created_at == consultation.opens_at


@pytest.mark.django_db
def test_mapping_file_and_unmapped_headings(consultation, tmp_path):
    from consultations.models import WHOLE_TEXT, Position

    path = tmp_path / "d.wikitext"
    path.write_text(
        "\n".join(
            [
                "== 1. OUR PLEDGE ==",  # numbering and case are ignored
                f"* {{{{Support}}}} Yes. {SIG}",
                "== General ==",
                f"* {{{{Oppose}}}} Overall no. {SIG}",
                "== Something else ==",
                f"* {{{{Neutral}}}} Hm. {SIG}",
                "** A reply that goes with it.",
            ]
        ),
        encoding="utf-8",
    )
    out = _run(path, consultation.pk)
    assert out.startswith("Imported 1 positions and 0 replies; skipped 3:")
    assert "line 4: section “General” matches no section" in out
    assert "line 7: reply under a position that was not imported" in out

    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"General": WHOLE_TEXT, "something else": None}))
    out = _run(path, consultation.pk, "--mapping", str(mapping))
    assert out.startswith("Imported 1 positions and 0 replies; skipped 2:")
    assert "line 6: section “Something else” is mapped to nothing" in out
    assert Position.objects.filter(section_key=WHOLE_TEXT).count() == 1
    assert Position.objects.count() == 2

    mapping.write_text(json.dumps({"General": "no-such-key"}))
    with pytest.raises(CommandError, match="not a section key"):
        _run(path, consultation.pk, "--mapping", str(mapping))


@pytest.mark.django_db
def test_broken_input_writes_nothing(consultation, tmp_path):
    from consultations.models import Position, Reply

    latin1 = tmp_path / "latin1.wikitext"
    latin1.write_bytes("== Our pledge ==\n* {{Support}} Café\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        _run(latin1, consultation.pk)

    good = tmp_path / "good.wikitext"
    good.write_text(f"== Our pledge ==\n* {{{{Support}}}} Yes. {SIG}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="No consultation with id 999999"):
        _run(good, 999999)
    with pytest.raises(CommandError, match="Cannot read"):
        _run(tmp_path / "missing.wikitext", consultation.pk)
    with pytest.raises(CommandError, match="cannot be read as rendered"):
        _run(good, consultation.pk, "--format", "rendered")

    consultation.state = "summarised"
    consultation.save()
    with pytest.raises(CommandError, match="summarised"):
        _run(good, consultation.pk)
    assert Position.objects.count() == 0 and Reply.objects.count() == 0


@pytest.mark.django_db
def test_dry_run_writes_nothing(consultation, tmp_path):
    from consultations.models import Position

    good = tmp_path / "good.wikitext"
    good.write_text(f"== Our pledge ==\n* {{{{Support}}}} Yes. {SIG}\n", encoding="utf-8")
    out = _run(good, consultation.pk, "--dry-run")
    assert out.startswith("Would import 1 positions and 0 replies; skipped 0.")
    assert Position.objects.count() == 0


@pytest.mark.django_db
def test_a_refused_item_midway_writes_nothing(consultation, tmp_path, monkeypatch):
    """The command writes through the services; when one refuses an item after others were
    written, the whole import is rolled back and the refusal is reported."""
    from django.core.exceptions import ValidationError

    from consultations import services
    from consultations.models import Position, Reply

    discussion = tmp_path / "thread.wikitext"
    discussion.write_text(
        f"== Our pledge ==\n* {{{{Support}}}} Yes. {SIG}\n** I agree. {SIG}\n"
        f"* {{{{Oppose}}}} No. {SIG}\n",
        encoding="utf-8",
    )
    real = services.import_reply

    def refuse(**kwargs):
        real(**kwargs)
        raise ValidationError("Threads go 3 levels deep; reply to an earlier message instead.")

    monkeypatch.setattr(services, "import_reply", refuse)
    with pytest.raises(CommandError, match="Threads go 3 levels deep.*Nothing was written"):
        _run(discussion, consultation.pk)
    assert Position.objects.count() == 0 and Reply.objects.count() == 0


@pytest.mark.django_db
def test_import_services_refuse_what_the_page_would_not_show(consultation):
    from django.core.exceptions import ValidationError

    from consultations import services

    fields = dict(
        author="Ann", source="meta", stance="support", strength="", reason="Yes.", when=NOW
    )
    with pytest.raises(ValidationError, match="not part of the consulted version"):
        services.import_position(
            consultation=consultation, section_key="no-such-section", import_key="a", **fields
        )
    with pytest.raises(ValidationError, match="Choose Support"):
        services.import_position(
            consultation=consultation,
            section_key=_keys(consultation)["Our pledge"],
            import_key="b",
            **{**fields, "stance": "maybe"},
        )
    position = services.import_position(
        consultation=consultation, section_key="__whole__", import_key="c", **fields
    )
    parent = None
    for depth in (1, 2, 3):
        parent = services.import_reply(
            position=position, parent=parent, author="Bo", source="meta", import_key=f"r{depth}",
            body="Indeed.", when=NOW,
        )  # fmt: skip
        assert parent.depth == depth
    with pytest.raises(ValidationError, match="Threads go 3 levels deep"):
        services.import_reply(
            position=position, parent=parent, author="Bo", source="meta", import_key="r4",
            body="Deeper.", when=NOW,
        )  # fmt: skip


@pytest.mark.django_db
def test_imported_positions_count_in_the_tally_at_once(
    client, consultation, tmp_path, django_capture_on_commit_callbacks
):
    """The tally is cached; an import refreshes it when it commits."""
    from consultations.selectors import consultation_url, tallies

    key = _keys(consultation)["Our pledge"]
    assert tallies(consultation).get(key) is None  # cached before the import
    discussion = tmp_path / "one.wikitext"
    discussion.write_text(f"== Our pledge ==\n* {{{{Oppose}}}} No. {SIG}\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        _run(discussion, consultation.pk)
    assert tallies(consultation)[key].oppose == 1
    assert "Ann" in client.get(consultation_url(consultation)).content.decode()
