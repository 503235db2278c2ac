"""The design system (Wikimedia Codex) is an npm dependency at exact versions, served from
node_modules/ through staticfiles: only the files the pages use, no copies in the repository."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

ROOT = Path(settings.BASE_DIR)
pytestmark = pytest.mark.django_db


def test_codex_is_pinned_to_exact_versions_with_no_lock_file():
    dependencies = json.loads((ROOT / "package.json").read_text())["dependencies"]
    assert set(dependencies) == {"@wikimedia/codex", "@wikimedia/codex-design-tokens"}
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", version) for version in dependencies.values()), (
        dependencies
    )
    # A lock file would record where each package was downloaded from.
    assert "package-lock=false" in (ROOT / ".npmrc").read_text().splitlines()


def test_every_page_loads_codex_from_our_own_static_files():
    html = Client().get("/").content.decode()
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert sheets == [
        "/static/codex/theme-wikimedia-ui.css",
        "/static/codex/codex.style.css",
        "/static/accord/site.css",
    ]
    for sheet in sheets:
        assert finders.find(sheet.removeprefix(settings.STATIC_URL)), sheet
    installed = json.loads((ROOT / "node_modules/@wikimedia/codex/package.json").read_text())[
        "version"
    ]
    assert (
        installed
        == json.loads((ROOT / "package.json").read_text())["dependencies"]["@wikimedia/codex"]
    )


def test_collectstatic_takes_only_the_named_files_of_the_packages():
    finder = finders.get_finder("core.static_files.NodePackageFinder")
    collected = sorted(f"{storage.prefix}/{path}" for path, storage in finder.list([]))
    assert collected == ["codex/codex.style.css", "codex/theme-wikimedia-ui.css"]
    assert finder.check() == []
