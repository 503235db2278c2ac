"""Rows written without a post_save (bulk_create, bulk imports) still reach the index."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from .conftest import results_text


def test_published_sections_are_searchable_at_once(client, new_policy, publish):
    page = new_policy()
    publish(page, [(None, "Scope", "Spaces include the wiki and the forum.")])
    text = results_text(client.get("/search/", {"q": "forum"}))
    assert "Scope Baseline Code · version 1 (current)" in text


def test_imported_communities_are_searchable(client, facilitator, community, tmp_path):
    path = tmp_path / "communities.csv"
    path.write_text("name,slug,language\nOak Forum,oak,en\nPine Forum,pine,fr\nElm Hall,elm,en\n")
    call_command("import_communities", str(path), "--as-user", "fran", stdout=StringIO())
    community("Ash Forum", "ash")  # after the import, saves index one by one again
    text = results_text(client.get("/search/", {"q": "forum"}))
    assert "Oak Forum" in text and "Pine Forum" in text and "Ash Forum" in text
    assert "Elm" not in text


def test_failed_import_indexes_nothing_and_restores_indexing(
    client, facilitator, community, tmp_path
):
    path = tmp_path / "communities.csv"
    path.write_text("name,slug\nOak Forum,oak\nPine Forum,not a slug\n")
    with pytest.raises(CommandError):
        call_command("import_communities", str(path), "--as-user", "fran", stdout=StringIO())
    community("Ash Forum", "ash")  # saved one by one again, as before the import
    text = results_text(client.get("/search/", {"q": "forum"}))
    assert "Ash Forum" in text and "Oak" not in text
