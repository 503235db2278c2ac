"""The translation catalogues are complete and their compiled .mo files match them, so a German
reader never meets an English string we forgot, nor a stale translation from an old build."""

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {".venv", "node_modules", "static", "media", ".git"}


def _catalogues() -> list[Path]:
    return sorted(
        p
        for p in ROOT.rglob("*.po")
        if not SKIPPED.intersection(p.relative_to(ROOT).parts) and "LC_MESSAGES" in p.parts
    )


CATALOGUES = _catalogues()


def _ids(paths):
    return [str(p.relative_to(ROOT)) for p in paths]


def _translations(entries) -> dict:
    """(context, msgid, msgid_plural) → what the reader gets, for every translated entry."""
    out = {}
    for e in entries:
        if not e.msgid or e.obsolete or "fuzzy" in e.flags:
            continue
        if e.msgid_plural:
            value = tuple(e.msgstr_plural[k] for k in sorted(e.msgstr_plural))
        else:
            value = e.msgstr
        if value and all(value if isinstance(value, tuple) else [value]):
            out[(e.msgctxt, e.msgid, e.msgid_plural)] = value
    return out


def test_the_project_and_the_apps_i_own_have_german_catalogues():
    found = set(_ids(CATALOGUES))
    for expected in ("locale", "policies/locale", "communities/locale"):
        assert f"{expected}/de/LC_MESSAGES/django.po" in found


@pytest.mark.parametrize("po_path", CATALOGUES, ids=_ids(CATALOGUES))
def test_every_entry_is_translated_and_none_is_fuzzy(po_path):
    po = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in po.untranslated_entries() if not e.obsolete]
    fuzzy = [e.msgid for e in po.fuzzy_entries() if not e.obsolete]
    assert untranslated == []
    assert fuzzy == []
    assert len(po.translated_entries()) > 0


@pytest.mark.parametrize("po_path", CATALOGUES, ids=_ids(CATALOGUES))
def test_the_compiled_catalogue_matches_its_source(po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path.relative_to(ROOT)} is missing: run `make messages`"
    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(mo_path))
    assert _translations(mo) == _translations(po), "stale .mo: run `make messages`"
