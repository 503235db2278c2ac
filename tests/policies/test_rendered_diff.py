"""The compare page's rendered view (formatted Markdown with the changes marked where they
stand) beside its source views, and source diffs that flow a wrapped paragraph as one."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies import markdown_diff, services
from policies.markdown_io.rendering import _ALLOWED_TAGS
from tests.factories import make_policy

pytestmark = pytest.mark.django_db

ADDED = '<ins><span class="visually-hidden">added: </span>'
REMOVED = '<del><span class="visually-hidden">removed: </span>'

OLD = """Members of this community agree to treat each other
with respect, and to assume good faith
in every discussion.

- be kind to newcomers
- say what you mean
- report harm to the team

## Contact

Write to **the team**."""

NEW = """Members of this community agree to treat each other
with respect, and to assume good faith
in every discussion and review.

- be patient with newcomers
- say what you mean
- report harm to the team

## Who to contact

Write to **the board**."""


@pytest.fixture
def policy(editor):
    page = make_policy(editor=editor, slug="wrapped", n_sections=1)
    key = page.versions.get().sections.get().key
    services.publish_policy(
        page=page, user=editor, summary="Set the text", sections=[(key, "Conduct", OLD)]
    )
    services.publish_policy(
        page=page, user=editor, summary="Kinder", sections=[(key, "Conduct", NEW)]
    )
    return page


def _diff_box(html: str, css_class: str) -> str:
    return html.split(f'<div class="{css_class}', 1)[1].split("</div>", 1)[0]


def test_the_rendered_view_marks_changes_inside_the_formatted_text(client, policy):
    html = client.get(policy.url + "compare/2/3/?view=rendered").content.decode()
    box = _diff_box(html, "diff-rendered")
    # A changed word inside a list item is marked within that item, the list kept.
    assert f"<li>be {REMOVED}kind to</del>{ADDED}patient with</ins> newcomers</li>" in box
    assert "<li>say what you mean</li>" in box
    # Inside a heading and inside bold text, formatted as published.
    assert f"<h3>{REMOVED}Contact</del>{ADDED}Who to contact</ins></h3>" in box
    assert f"<strong>the {REMOVED}team</del>{ADDED}board</ins></strong>" in box
    # The wrapped paragraph is one paragraph; no Markdown source is left showing.
    assert box.count("<p>") == 2 and "**" not in box and "## " not in box
    assert f"in every discussion{ADDED} and review</ins>.</p>" in box
    assert '<strong aria-current="page">Rendered</strong>' in html
    assert 'href="?view=inline"' in html and 'href="?view=side"' in html


def test_the_source_view_does_not_break_lines_where_the_file_wrapped_them(client, policy):
    for view in ("inline", "side"):
        html = client.get(f"{policy.url}compare/2/3/?view={view}").content.decode()
        box = _diff_box(html, "diff-text")
        assert "treat each other with respect, and to assume good faith in every" in box
        assert "each other\nwith" not in box
        # Breaks that mean something stay: list items, paragraphs, headings.
        assert "newcomers\n- say what you mean\n- report" in box
        assert "\n\n## " in box


def test_each_view_is_kept_apart_by_the_page_cache(client, policy):
    views = {
        view: client.get(f"{policy.url}compare/2/3/?view={view}").content.decode()
        for view in ("rendered", "inline", "side")
    }
    again = {
        view: client.get(f"{policy.url}compare/2/3/?view={view}").content.decode() for view in views
    }
    assert {v: _diff_box(html, "diff-") for v, html in again.items()} == {
        v: _diff_box(html, "diff-") for v, html in views.items()
    }
    assert "diff-rendered" in views["rendered"] and "diff-rendered" not in views["inline"]
    assert "side-by-side" in views["side"] and "side-by-side" not in views["rendered"]


def test_user_text_never_becomes_markup_in_the_rendered_view(client, editor):
    page = make_policy(editor=editor, slug="hostile", n_sections=1)
    key = page.versions.get().sections.get().key
    services.publish_policy(
        page=page,
        user=editor,
        summary="Hostile",
        sections=[
            (
                key,
                "Conduct",
                'Be <img src=x onerror="alert(1)"> kind [here](javascript:alert(2)) '
                "<script>alert(3)</script> &lt;b&gt;",
            )
        ],
    )
    html = client.get(page.url + "compare/1/2/?view=rendered").content.decode()
    box = _diff_box(html, "diff-rendered")
    assert "onerror" not in box and "javascript:" not in box and "<script" not in box
    assert "<img" not in box and "&lt;b&gt;" in box


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet="ab *_#->`\n[]()<>&\"'\ue000\ue002", max_size=60),
    st.text(alphabet="ab *_#->`\n[]()<>&\"'\ue001\ue003", max_size=60),
)
def test_rendered_diffs_hold_no_markers_and_only_the_allowed_tags(old, new):
    rendered = markdown_diff.render_rendered(old, new)
    assert not re.search("[\ue000-\ue003]", rendered)
    tags = set(re.findall(r"</?([a-z0-9]+)", rendered))
    assert tags <= _ALLOWED_TAGS | {"ins", "del", "span"}, rendered
    assert not re.search(r"<[^>]*\son\w+=|javascript:", rendered), rendered
