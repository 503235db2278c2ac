"""Public pages: what a reader sees, and that it costs a fixed number of queries."""

import pytest

from policies import services
from tests.factories import make_policy
from tests.html_safety import script_problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(editor):
    return make_policy(editor=editor, n_sections=3, n_versions=2)


def test_policy_page_shows_current_version_attribution_and_toc(client, policy):
    response = client.get(policy.url)
    html = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert "Version 2</strong>, published by ana" in html
    assert "Version 2" in html and "<q>Version 2</q>" in html
    key = policy.versions.last().sections.first().key
    assert f'id="{key}"' in html and f'href="#{key}"' in html


def test_placeholders_are_highlighted_and_listed(client, policy):
    html = client.get(policy.url).content.decode()
    assert "To fill in" in html
    assert '<mark class="placeholder"' in html
    assert "[CONTACT METHOD]" in html


def test_history_lists_every_version_with_author_summary_and_stats(client, policy):
    html = " ".join(client.get(policy.url + "versions/").content.decode().split())
    assert "Version 2" in html and "Version 1" in html
    assert html.count("Published by <strong>ana</strong>") == 2
    assert "3 changed" in html
    assert "+3 words" in html and "−3 words" in html


def test_old_version_says_it_is_not_current(client, policy):
    html = client.get(policy.url + "versions/1/").content.decode()
    assert "Older version." in html
    assert f"{policy.url}compare/1/2/" in html


def test_missing_version_is_404(client, policy):
    assert client.get(policy.url + "versions/9/").status_code == 404
    assert client.get(policy.url + "compare/1/9/").status_code == 404


def test_compare_shows_word_level_changes(client, policy):
    html = client.get(policy.url + "compare/1/2/").content.decode()
    assert '<del><span class="visually-hidden">removed: </span>' in html
    assert '<ins><span class="visually-hidden">added: </span>' in html
    assert "w1x" in html  # the edited word
    side = client.get(policy.url + "compare/1/2/?view=side").content.decode()
    assert "side-by-side" in side


def test_compare_labels_added_removed_moved_renamed(client, editor):
    page = make_policy(editor=editor, n_sections=4)
    v1 = list(page.versions.get().sections.all())
    services.publish_policy(
        page=page,
        user=editor,
        summary="Restructure",
        sections=[
            (v1[2].key, v1[2].heading, v1[2].body),  # moved to the top
            (v1[0].key, "A new name", v1[0].body),  # renamed
            (v1[1].key, v1[1].heading, v1[1].body),
            (None, "Appeals", "Ask for a review within thirty days."),  # added
        ],  # v1[3] removed
    )
    html = client.get(page.url + "compare/1/2/").content.decode()
    for label in ("badge-moved", "badge-renamed", "badge-added", "badge-removed"):
        assert label in html
    assert "Renamed from “Section 1”" in html
    assert "Removed in version 2." in html
    # Unchanged text in a moved section is not shown as deleted and re-added.
    assert html.count("removed: </span>") == 2  # the removed section once, the old heading once


def test_compare_picker_redirects_to_stable_url(client, policy):
    response = client.get(policy.url + "compare/?a=2&b=1")
    assert response.status_code == 302
    assert response["Location"].endswith("/compare/1/2/")


def test_markdown_and_wikitext_downloads(client, policy):
    md = client.get(policy.url + "versions/1/markdown/")
    assert md.status_code == 200
    assert md["Content-Type"].startswith("text/markdown")
    text = md.content.decode()
    assert "## Section 1" in text and "sha256:" in text
    wiki = client.get(policy.url + "versions/2/wikitext/").content.decode()
    assert "== Section 1 ==" in wiki
    assert "## " not in wiki


XSS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<svg onload="alert(1)"></svg>',
    '<a href="jav&#x61;script:alert(1)">x</a>',
]


@pytest.mark.parametrize("payload", XSS)
def test_section_text_and_headings_cannot_inject_script(client, editor, payload):
    page = make_policy(editor=editor, n_sections=1)
    key = page.versions.get().sections.get().key
    services.publish_policy(
        page=page,
        user=editor,
        summary=payload,
        sections=[(key, f"Heading {payload}", f"Body {payload}")],
    )
    for url in ("", "versions/", "versions/2/", "compare/1/2/", "compare/1/2/?view=side"):
        html = client.get(page.url + url).content.decode()
        assert script_problems(html) == [], url


def _policy_with(editor, slug, n_sections, n_versions):
    return make_policy(
        editor=editor, slug=slug, title=slug, n_sections=n_sections, n_versions=n_versions
    )


@pytest.mark.parametrize(
    "url,max_queries",
    [("", 12), ("versions/", 12), ("versions/1/", 12), ("compare/1/2/", 12)],
)
def test_query_count_does_not_grow_with_sections_or_versions(
    client, editor, django_assert_max_num_queries, url, max_queries
):
    small = _policy_with(editor, "small", n_sections=2, n_versions=2)
    large = _policy_with(editor, "large", n_sections=30, n_versions=6)
    client.get("/")  # warm Wagtail's site cache
    counts = []
    for page in (small, large):
        with django_assert_max_num_queries(max_queries) as ctx:
            assert client.get(page.url + url).status_code == 200
        counts.append(len(ctx.captured_queries))
        # Served again from core.page_cache (reading pages): the state, and nothing else.
        with django_assert_max_num_queries(1 if url != "versions/" else max_queries):
            assert client.get(page.url + url).status_code == 200
    assert counts[0] == counts[1], counts


def test_index_lists_policies_with_current_version(client, editor):
    make_policy(editor=editor, slug="one", title="One", n_versions=2)
    make_policy(editor=editor, slug="two", title="Two")
    html = client.get("/").content.decode()
    assert "One" in html and "Two" in html
    assert "Version 2" in html
