"""`manage.py import_communities --sitematrix`: the registry from a wiki farm's sitematrix,
served by the fake MediaWiki API (tests/fake_wiki.py); closed and private wikis skipped and
reported, all or nothing, the same progress output as the CSV import."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from communities.models import Community
from core import mediawiki_api
from tests.fake_wiki import FakeWiki

pytestmark = pytest.mark.django_db


@pytest.fixture
def farm(settings, monkeypatch):
    settings.ACCORD_MEDIAWIKI_RETRIES = 2
    wiki = FakeWiki.serve()
    monkeypatch.setattr(mediawiki_api, "_sleep", lambda seconds: None)
    wiki.add_wiki(lang="de", localname="German", dbname="dewiki", url="https://de.wikipedia.org")
    wiki.add_wiki(
        lang="de",
        localname="German",
        dbname="dewiktionary",
        url="https://de.wiktionary.org",
        code="wiktionary",
        sitename="Wiktionary",
    )
    wiki.add_wiki(lang="en", localname="English", dbname="enwiki", url="https://en.wikipedia.org")
    wiki.add_wiki(
        lang="aa", localname="Afar", dbname="aawiki", url="https://aa.wikipedia.org", closed=True
    )
    wiki.add_wiki(
        lang="pt-br", localname="Brazilian Portuguese", dbname="ptbrwikimedia",
        url="https://br.wikimedia.org", code="ptbrwikimedia", sitename="Wikimedia Brasil",
        fishbowl=True,
    )  # fmt: skip
    wiki.add_special(
        dbname="metawiki", url="https://meta.wikimedia.org", code="meta", sitename="Meta-Wiki"
    )
    wiki.add_special(
        dbname="boardwiki", url="https://board.wikimedia.org", code="board", sitename="Board",
        private=True,
    )  # fmt: skip
    yield wiki
    wiki.stop()


def run(farm, *args):
    out, err = StringIO(), StringIO()
    call_command("import_communities", "--sitematrix", farm.api_url, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_open_public_wikis_become_communities(superuser, farm):
    out, _err = run(farm)
    communities = {c.slug: c for c in Community.objects.all()}
    assert set(communities) == {"dewiki", "dewiktionary", "enwiki", "ptbrwikimedia", "metawiki"}
    de = communities["dewiki"]
    assert (de.name, de.kind, de.language, de.url) == (
        "Wikipedia (German)",
        "wiki",
        "de",
        "https://de.wikipedia.org",
    )
    assert communities["dewiktionary"].name == "Wiktionary (German)"
    assert communities["ptbrwikimedia"].language == "pt-br"
    assert (communities["metawiki"].name, communities["metawiki"].language) == ("Meta-Wiki", "en")
    assert "7 wikis in the sitematrix (1 request)" in out
    assert "Skipped 2 closed or private: aawiki (closed), boardwiki (private)." in out
    assert "Imported 5 communities: 5 created, 0 updated." in out
    assert farm.requests == [{"action": "sitematrix", "format": "json", "maxlag": "5"}]


def test_a_second_run_updates_by_database_name(superuser, farm):
    run(farm)
    Community.objects.filter(slug="enwiki").update(name="Old name", url="https://old.example")
    delegate = superuser
    Community.objects.get(slug="enwiki").delegates.add(delegate)
    out, _err = run(farm)
    assert "Imported 5 communities: 0 created, 5 updated." in out
    enwiki = Community.objects.get(slug="enwiki")
    assert (enwiki.name, enwiki.url) == ("Wikipedia (English)", "https://en.wikipedia.org")
    assert list(enwiki.delegates.all()) == [delegate]  # delegates are not the farm's business
    assert Community.objects.count() == 5


def test_continuation_is_followed(superuser, farm):
    farm.sitematrix_page_size = 1
    out, _err = run(farm)
    assert Community.objects.count() == 5
    assert [r.get("smcontinue") for r in farm.requests] == [None, "1", "2", "3"]
    assert "(4 requests)" in out


def test_a_bad_site_writes_nothing(superuser, farm):
    farm.add_wiki(lang="xx", localname="X", dbname="bad name!", url="https://xx.example.org")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 invalid row; nothing was imported."):
        call_command("import_communities", "--sitematrix", farm.api_url, stdout=out, stderr=err)
    assert "site 6: slug “bad name!” is not valid" in err.getvalue()
    assert Community.objects.count() == 0


@pytest.mark.parametrize(
    "faults,message",
    [
        (["html"], "answered with an HTML page instead of JSON"),
        (["maxlag"] * 3, "is busy"),
        (["429"] * 3, "HTTP 429"),
    ],
)
def test_wiki_errors_write_nothing(superuser, farm, faults, message):
    farm.faults.extend(faults)
    with pytest.raises(CommandError) as caught:
        run(farm)
    assert message in str(caught.value) and "Nothing was imported." in str(caught.value)
    assert Community.objects.count() == 0


def test_a_large_farm_shows_progress(superuser, farm):
    for i in range(120):
        farm.add_wiki(
            lang=f"l{i}", localname=f"L{i}", dbname=f"l{i}wiki", url=f"https://l{i}.example.org"
        )
    out, err = run(farm)
    assert Community.objects.count() == 125
    assert "Importing 125/125" in err


def test_dry_run_and_a_file_together_are_refused(superuser, farm, tmp_path):
    out, _err = run(farm, "--dry-run")
    assert "Dry run: 5 rows valid; 5 would be created, 0 updated. Nothing was written." in out
    assert Community.objects.count() == 0
    with pytest.raises(CommandError, match="either a CSV file or --sitematrix"):
        call_command("import_communities", str(tmp_path / "x.csv"), "--sitematrix", farm.api_url)
