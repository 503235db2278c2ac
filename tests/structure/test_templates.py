"""`policies` templates write no URL by hand: their own pages go through {% url %} or the page's
URL, and links to later apps' pages come from those apps through policies.links. Neither do the
`search` app's."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from policies import links
from tests.factories import make_policy

ROOT = Path(__file__).resolve().parents[2]
POLICY_TEMPLATES = ROOT / "policies" / "templates"
SEARCH_TEMPLATES = ROOT / "search" / "templates"
ROOT_RELATIVE = re.compile(r"""(?:href|action)\s*=\s*["']/""")


def _hand_written_urls(directory: Path) -> list[str]:
    return [
        f"{path.relative_to(directory)}:{number}: {line.strip()}"
        for path in sorted(directory.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ROOT_RELATIVE.search(line)
    ]


def test_policies_templates_write_no_root_relative_url():
    assert POLICY_TEMPLATES.is_dir()
    assert _hand_written_urls(POLICY_TEMPLATES) == []


def test_search_templates_write_no_root_relative_url():
    """The search app's page reverses its own form's address ({% url 'search' %}); the links
    of its hits come from its selectors."""
    assert SEARCH_TEMPLATES.is_dir()
    assert _hand_written_urls(SEARCH_TEMPLATES) == []


def test_the_check_catches_a_hand_written_url(tmp_path):
    (tmp_path / "page.html").write_text(
        '<a href="{{ page.url }}">ok</a>\n<a href="/votes/">Votes</a>\n'
        "<form action='/search/'></form>\n",
        encoding="utf-8",
    )
    assert _hand_written_urls(tmp_path) == [
        'page.html:2: <a href="/votes/">Votes</a>',
        "page.html:3: <form action='/search/'></form>",
    ]


@pytest.fixture
def policy(editor):
    return make_policy(editor=editor, slug="baseline", n_versions=2)


def test_later_apps_register_their_links_on_the_policy_page(policy):
    version = policy.versions.get(number=2)
    found = links.links_for(policy, version, place="policy")
    assert [(link.text, link.url) for link in found] == [
        ("Consultations", reverse("consultations:list", args=["baseline"])),
        ("Ratification", reverse("ratification:status_version", args=["baseline", 2])),
    ]


def test_policy_page_and_history_show_the_registered_links(client, policy):
    page = client.get(policy.url).content.decode()
    assert '<a href="/baseline/consultations/">Consultations</a>' in page
    assert '<a href="/baseline/ratification/2/">Ratification</a>' in page
    assert page.index(">Consultations<") < page.index(">Ratification<")

    history = client.get(policy.url + "versions/").content.decode()
    assert '<a href="/baseline/ratification/1/">Ratification of version 1</a>' in history
    assert '<a href="/baseline/ratification/2/">Ratification of version 2</a>' in history


def test_a_provider_registered_later_adds_its_link(client, policy):
    def extra(page, *, version, place):
        return [links.Link("Extra", f"#extra-{version.number}")] if place == "policy" else []

    links.register(extra)
    try:
        page = client.get(policy.url).content.decode()
    finally:
        links._providers.remove(extra)
    assert '<a href="#extra-2">Extra</a>' in page
    assert page.index(">Ratification<") < page.index(">Extra<")
