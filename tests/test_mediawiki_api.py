"""core.mediawiki_api against the fake wiki: back-off, batching, redirects, unreachable hosts."""

import socket

import pytest

from core import mediawiki_api
from core.mediawiki_api import MediaWikiClient
from tests.fake_wiki import FakeWiki


@pytest.fixture
def wiki(monkeypatch):
    fake = FakeWiki.serve()
    fake.waits = []
    monkeypatch.setattr(mediawiki_api, "_sleep", fake.waits.append)
    yield fake
    fake.stop()


def _client(url, **kwargs):
    return MediaWikiClient(url, user_agent="Accord-test/1.0", timeout=0.5, **kwargs)


def test_back_off_doubles_without_retry_after_and_is_capped(wiki):
    wiki.retry_after = ""
    wiki.faults.extend(["500", "500", "500", "maxlag"])
    wiki.set_page("Talk:A", "text")
    page = _client(wiki.api_url, retries=4, backoff=1.0, max_wait=3.0).fetch_page("Talk:A")
    assert page.content == "text"
    assert wiki.waits == [1.0, 2.0, 3.0, 3.0]


def test_batches_report_each_title(wiki):
    wiki.set_page("Talk:A", "a")
    wiki.set_page("Talk:B", "b")
    wiki.move_page("Talk:B", "Talk:C")
    client = _client(wiki.api_url)
    found = client.fetch_pages(["Talk:A", "Talk:B", "Talk:Nope", "talk:A"])
    assert client.requests_made == 1
    assert found["Talk:A"].content == "a" and found["talk:A"].title == "Talk:A"
    assert (found["Talk:B"].title, found["Talk:B"].redirected_from) == ("Talk:C", "Talk:B")
    assert isinstance(found["Talk:Nope"], mediawiki_api.WikiPageMissing)
    with pytest.raises(ValueError):
        client.fetch_pages([f"T{i}" for i in range(51)])


def test_a_redirect_not_followed_names_the_new_title(wiki):
    wiki.set_page("Talk:B", "b")
    wiki.move_page("Talk:B", "Talk:C")
    with pytest.raises(mediawiki_api.WikiPageRedirected) as caught:
        _client(wiki.api_url).fetch_page("Talk:B", follow_redirects=False)
    assert caught.value.target == "Talk:C"
    assert "now redirects to “Talk:C”" in str(caught.value)


def test_an_api_error_code_is_kept(wiki):
    client = _client(wiki.api_url)
    with pytest.raises(mediawiki_api.WikiApiCodeError) as caught:
        client.get({"action": "nonsense", "format": "json"})
    assert caught.value.code == "badvalue"


def test_an_unreachable_wiki_is_said_after_retries(wiki):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = _client(f"http://127.0.0.1:{port}/w/api.php", retries=1)
    with pytest.raises(mediawiki_api.WikiUnreachable, match="could not be reached"):
        client.fetch_page("Talk:A")
    assert client.requests_made == 2
