""" "Which version changed this?": the versions holding a phrase, the one that added it and
the one that removed it, with links to the compare pages."""

import pytest

from search import selectors

from .conftest import history_text

PHRASE = "Retaliation against reporters is itself a violation."


@pytest.fixture
def page(db, new_policy, publish):
    """Versions 1–7 of Baseline Code: the phrase arrives in version 2, leaves in version 4,
    comes back (line-wrapped, in another section) in version 6 and stays in version 7."""
    page = new_policy()
    v1 = publish(page, [(None, "Scope", "Everywhere."), (None, "Reporting", "Email us.")])
    keys = {s.heading: s.key for s in v1.sections.all()}
    scope, reporting = keys["Scope"], keys["Reporting"]
    texts = {
        2: ("Everywhere.", f"Email us. {PHRASE}"),
        3: ("Everywhere, online too.", f"Email us. {PHRASE}"),
        4: ("Everywhere, online too.", "Email us."),
        5: ("Everywhere, online and offline.", "Email us or use the form."),
        6: ("Retaliation against\nreporters is **itself** a\nviolation. Everywhere.", "Email us."),
        7: ("Retaliation against\nreporters is **itself** a\nviolation. Everywhere!", "Email."),
    }
    for number in range(2, 8):
        scope_text, reporting_text = texts[number]
        publish(
            page,
            [(scope, "Scope", scope_text), (reporting, "Reporting", reporting_text)],
            label="2.0" if number == 6 else "",
        )
    return page


def trace(client, **params):
    return client.get("/search/", params)


def test_added_removed_and_added_again(client, page):
    response = trace(client, phrase="retaliation against reporters")
    assert response.status_code == 200
    text = history_text(response)
    assert "Baseline Code First in version 2. Still in the current version." in text
    assert (
        "Added in version 2 (compare with the version before), kept to version 3. "
        "Removed in version 4 (see the change). In Reporting." in text
    )
    assert "Added in version 6 (2.0) (compare with the version before), kept to version 7." in (
        text
    )
    assert "In Scope." in text
    assert "Versions holding it: version 2, version 3, version 6 (2.0), version 7." in text
    html = response.content.decode()
    for href in [
        "/baseline/compare/1/2/",
        "/baseline/compare/3/4/",
        "/baseline/compare/5/6/",
        "/baseline/versions/2/",
        "/baseline/versions/4/",
        "/baseline/versions/7/",
    ]:
        assert f'href="{href}"' in html, href


def test_case_line_breaks_and_markdown_do_not_matter(client, page):
    result = selectors.phrase_history(
        phrase="  REPORTERS is itself\ta   VIOLATION ", options=selectors.search_options()
    )
    [history] = result
    assert [v.text for v in history.versions] == [
        "version 2",
        "version 3",
        "version 6 (2.0)",
        "version 7",
    ]
    assert history.first.text == "version 2"
    assert [r.text for r in history.removed] == ["version 4"]
    assert history.current


def test_phrase_removed_for_good(client, page):
    [history] = selectors.phrase_history(phrase="online too", options=selectors.search_options())
    assert [(r.first.text, r.last.text) for r in history.runs] == [("version 3", "version 4")]
    assert history.removed[0].text == "version 5"
    assert history.runs[0].removed_compare == "/baseline/compare/4/5/"
    assert not history.current
    text = history_text(trace(client, phrase="online too"))
    assert "Not in the current version." in text


def test_phrase_from_the_first_version(client, page):
    [history] = selectors.phrase_history(phrase="Email us", options=selectors.search_options())
    run = history.runs[0]
    assert run.first.text == "version 1" and run.added_compare == ""
    assert run.removed_in.text == "version 7"
    text = history_text(trace(client, phrase="email us"))
    assert "In version 1, the first version, kept to version 6 (2.0). Removed in version 7" in text


def test_phrase_nowhere(client, page):
    text = history_text(trace(client, phrase="no such sentence here"))
    assert "No version of any policy contains “no such sentence here”." in text


def test_policies_are_traced_separately(client, page, new_policy, publish):
    other = new_policy(slug="events", title="Events Code")
    publish(other, [(None, "Venues", f"At venues too. {PHRASE}")])
    text = history_text(trace(client, phrase=PHRASE))
    assert "Baseline Code First in version 2." in text
    assert "Events Code First in version 1. Still in the current version." in text
    only = history_text(trace(client, phrase=PHRASE, policy="events"))
    assert "Events Code" in only and "Baseline Code First" not in only


def test_phrase_and_words_together(client, page):
    response = trace(client, q="retaliation", phrase="retaliation against")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>Retaliation</mark> against" in html
    assert "First in" in history_text(response)


def test_phrase_history_in_constant_queries(client, page, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = trace(client, phrase="retaliation against reporters")
    assert response.status_code == 200
