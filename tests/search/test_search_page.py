"""/search/: what a reader finds, and what they never find."""

import pytest
from django.core.management import call_command
from wagtail.search.backends import get_search_backend

from consultations import services
from consultations.models import Position
from policies.models import PolicyPage
from tests.factories import PositionFactory, ReplyFactory, UserFactory
from tests.html_safety import script_problems

from .conftest import page_text, results_text

SCOPE = "This code applies to every space the community runs."
REPORTING_1 = "Report incidents to the moderators by email."
REPORTING_2 = "Report incidents to the conduct team through the private form."
ENFORCEMENT_1 = "Moderators may warn or ban participants."
ENFORCEMENT_3 = "The conduct team may warn, suspend or ban participants."


@pytest.fixture
def world(db, new_policy, publish, consult, facilitator, participant, community):
    """Baseline Code in three versions; an open consultation on version 1 with positions and
    replies; a summarised one on version 2; two communities."""
    page = new_policy()
    v1 = publish(
        page,
        [
            (None, "Scope", SCOPE),
            (None, "Reporting", REPORTING_1),
            (None, "Enforcement", ENFORCEMENT_1),
        ],
        summary="First",
    )
    keys = {s.heading: s.key for s in v1.sections.all()}
    v2 = publish(
        page,
        [
            (keys["Scope"], "Scope", SCOPE),
            (keys["Reporting"], "Reporting", REPORTING_2),
            (keys["Enforcement"], "Enforcement", ENFORCEMENT_1),
        ],
        summary="Private reporting",
        label="1.1",
    )
    v3 = publish(
        page,
        [
            (keys["Scope"], "Scope", SCOPE),
            (keys["Reporting"], "Reporting", REPORTING_2),
            (keys["Enforcement"], "Enforcement", ENFORCEMENT_3),
        ],
        summary="Suspensions",
    )
    quinn, rey = UserFactory(username="quinn"), UserFactory(username="rey")
    open_c = consult(v1, title="Spring round")
    pat_position = PositionFactory(
        consultation=open_c,
        section_key=keys["Reporting"],
        user=participant,
        stance="oppose",
        reason="Email is not private enough for harassment reports.",
    )
    quinn_position = PositionFactory(
        consultation=open_c,
        section_key=keys["Scope"],
        user=quinn,
        reason="Clear scope: it covers the chat rooms too.",
    )
    reply = ReplyFactory(
        position=pat_position, user=rey, body="The chat rooms need a private channel as well."
    )
    summarised = consult(v2, title="Summer round", state="closed")
    services.save_summary(
        consultation=summarised,
        user=facilitator,
        intro="Thanks to everyone who took part.",
        sections=[
            {
                "section_key": keys["Reporting"],
                "outcome": "accepted",
                "text": "Reporting now goes through a private form, after the harassment concerns.",
            }
        ],
    )
    services.publish_summary(consultation=summarised, user=facilitator)
    alder = community("Alder Wiki", "alder-wiki", language="en")
    birch = community("Birch Chapter", "birch", language="de")
    return {
        "page": page,
        "versions": [v1, v2, v3],
        "keys": keys,
        "open": open_c,
        "summarised": summarised,
        "pat_position": pat_position,
        "quinn_position": quinn_position,
        "reply": reply,
        "quinn": quinn,
        "rey": rey,
        "alder": alder,
        "birch": birch,
    }


def search(client, **params):
    return client.get("/search/", params)


# --- the page --------------------------------------------------------------------------------


def test_search_box_on_every_page(client, world):
    for url in ["/", "/baseline/", "/communities/", f"/baseline/consultations/{world['open'].pk}/"]:
        html = client.get(url).content.decode()
        assert 'action="/search/"' in html, url
        assert 'name="q"' in html and 'for="site-search-q"' in html, url


def test_empty_query_shows_the_form_and_no_results(client, world):
    for params in [{}, {"q": ""}, {"q": "   "}]:
        response = search(client, **params)
        assert response.status_code == 200
        assert 'id="search-q"' in response.content.decode()
        assert "Results for" not in page_text(response)


def test_results_page_is_plain_html(client, world):
    response = search(client, q="harassment")
    html = response.content.decode()
    assert response.status_code == 200
    assert script_problems(html) == []
    assert '<form method="get" action="/search/"' in html  # works without JavaScript


# --- matching in each kind -------------------------------------------------------------------


def test_policy_text_names_section_and_versions(client, world):
    text = results_text(search(client, q="moderators"))
    assert "Policy text" in text
    # Enforcement's text is identical in versions 1 and 2: one hit naming both.
    assert "Enforcement" in text and "Baseline Code · versions 1–2 (1.1)" in text
    assert "Reporting" in text and "Baseline Code · version 1" in text
    assert text.count("Moderators may warn or ban participants.") == 1


def test_text_in_every_version_is_one_hit_marked_current(client, world):
    response = search(client, q="community", kind="sections")
    text = results_text(response)
    assert "Scope Baseline Code · versions 1–3 (current)" in text
    assert text.count("This code applies") == 1
    assert f'href="/baseline/versions/3/#{world["keys"]["Scope"]}"' in response.content.decode()


def test_version_filter_shows_that_version_only(client, world):
    text = results_text(search(client, q="moderators", policy="baseline", version=2))
    assert "Enforcement" in text and "version 2 (1.1)" in text
    assert "Reporting" not in text.split("Policy text", 1)[1]


def test_positions_name_consultation_section_and_stance(client, world):
    response = search(client, q="harassment")
    text = results_text(response)
    assert "Positions" in text
    assert "Oppose Reporting Spring round · Baseline Code, version 1 · by pat" in text
    assert "Email is not private enough for harassment reports." in text
    pk = world["pat_position"].pk
    url = f"/baseline/consultations/{world['open'].pk}/?section={world['keys']['Reporting']}"
    assert f'href="{url}#position-{pk}"' in response.content.decode()


def test_replies_are_found(client, world):
    text = results_text(search(client, q="channel"))
    assert "Replies" in text
    assert "Reply Reporting Spring round · Baseline Code, version 1 · by rey" in text
    assert "The chat rooms need a private channel as well." in text


def test_summaries_are_found_with_their_section(client, world):
    response = search(client, q="concerns")
    text = results_text(response)
    assert "Summaries" in text
    assert "Accepted Summary of “Summer round” on “Reporting” · Summer round" in text
    assert f'href="/baseline/consultations/{world["summarised"].pk}/summary/"' in (
        response.content.decode()
    )


def test_communities_are_found(client, world):
    response = search(client, q="alder")
    text = results_text(response)
    assert "Communities" in text and "Alder Wiki" in text and "language en" in text
    assert "Birch" not in text
    assert 'href="/communities/alder-wiki/"' in response.content.decode()


def test_matches_are_highlighted(client, world):
    html = search(client, q="harassment").content.decode()
    assert "for <mark>harassment</mark> reports." in html


def test_every_word_must_match(client, world):
    text = results_text(search(client, q="chat rooms channel"))
    assert "The chat rooms need a private channel" in text
    assert "Clear scope" not in text  # has "chat rooms" but not "channel"


def test_nothing_matches_says_so(client, world):
    text = results_text(search(client, q="xylophone"))
    assert "Nothing matches “xylophone”." in text


def test_punctuation_alone_is_explained(client, world):
    response = search(client, q="!!! ???")
    assert response.status_code == 200
    assert "punctuation alone matches nothing" in page_text(response)


def test_query_syntax_characters_are_just_text(client, world):
    queries = ['"unbalanced', "harassment AND", "a:b & c | !d", "NEAR(x y)", "col:harassment*"]
    queries += ["'", "___", "the", "AND OR NOT", "中文", "x" * 200]
    for q in queries:
        response = search(client, q=q)
        assert response.status_code == 200, q
    assert "Email is not private enough" in results_text(search(client, q="harassment*"))


def test_user_text_is_escaped_before_highlighting(client, world, participant):
    services.take_position(
        consultation=world["open"],
        section_key=world["keys"]["Enforcement"],
        user=participant,
        stance="neutral",
        reason="<script>alert('x')</script> bans need an appeal <b>process</b>",
    )
    response = search(client, q="appeal")
    html = response.content.decode()
    assert (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; bans need an <mark>appeal</mark>" in html
    )
    assert "&lt;b&gt;process&lt;/b&gt;" in html
    assert script_problems(html) == []


def test_long_text_shows_a_window_around_the_match(client, world, participant):
    words = " ".join(f"filler{i}" for i in range(80))
    services.take_position(
        consultation=world["open"],
        section_key=world["keys"]["Enforcement"],
        user=participant,
        stance="support",
        reason=f"{words} **Suspension** must be reviewed. {words}",
    )
    text = results_text(search(client, q="reviewed"))
    before, after = text.split("Suspension must be reviewed.")
    assert "… filler" in before and "filler0 " not in before  # starts a few words before
    assert after.split("…")[0].split() == [
        f"filler{i}" for i in range(len(after.split("…")[0].split()))
    ]
    assert after.rstrip().endswith("…")


# --- only public things ------------------------------------------------------------------------


def test_hidden_position_is_not_found_even_by_its_author(client, world, facilitator, participant):
    services.moderate(
        item=world["pat_position"], user=facilitator, hide=True, reason="Personal details."
    )
    for user in [None, participant, facilitator]:
        client.logout()
        if user:
            client.force_login(user)
        text = results_text(search(client, q="harassment"))
        assert "Email is not private enough" not in text, user
    # The reply under it is not hidden: it is on the public page, so it is found.
    assert "private channel" in results_text(search(client, q="channel"))


def test_restored_position_is_found_again(client, world, facilitator):
    position = world["pat_position"]
    services.moderate(item=position, user=facilitator, hide=True, reason="Checking.")
    position.refresh_from_db()
    services.moderate(item=position, user=facilitator, hide=False, reason="It was fine.")
    assert "Email is not private enough" in results_text(search(client, q="harassment"))


def test_hidden_reply_is_not_found(client, world, facilitator):
    services.moderate(item=world["reply"], user=facilitator, hide=True, reason="Off topic.")
    client.force_login(world["rey"])
    assert "private channel" not in results_text(search(client, q="channel"))
    client.force_login(facilitator)
    assert "private channel" not in results_text(search(client, q="channel"))


def test_hidden_items_stay_out_even_if_the_index_holds_them(client, world, facilitator):
    """Query-time filtering does not rely on the index being in step."""
    position = world["pat_position"]
    services.moderate(item=position, user=facilitator, hide=True, reason="Personal details.")
    get_search_backend().add(Position.objects.get(pk=position.pk))  # force it back in
    assert "Email is not private enough" not in results_text(search(client, q="harassment"))


def test_private_feedback_is_never_found(client, world, participant, facilitator):
    services.give_private_feedback(
        consultation=world["open"], user=participant, body="Confidential: zebracorn incident."
    )
    for user in [participant, facilitator]:
        client.force_login(user)
        response = search(client, q="zebracorn")
        assert "zebracorn incident" not in page_text(response)
        assert "Nothing matches" in results_text(response)


def test_draft_consultations_are_not_searched(client, world, consult, facilitator, participant):
    draft = consult(world["versions"][2], state="draft", title="Quiet draft")
    # Positions cannot be taken in a draft; imported ones can exist. Save one directly.
    from django.utils import timezone

    Position.objects.create(
        consultation=draft,
        section_key=world["keys"]["Scope"],
        imported_author="wiki-user",
        stance="oppose",
        reason="Draft-only remark about quokkas.",
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    client.force_login(facilitator)
    response = search(client, q="quokkas")
    assert "Draft-only remark" not in page_text(response)
    assert "Nothing matches" in results_text(response)


def test_unpublished_summaries_are_not_searched(client, world, consult, facilitator):
    closed = consult(world["versions"][2], state="closed", title="Autumn round")
    services.save_summary(
        consultation=closed,
        user=facilitator,
        intro="Draft summary mentioning platypus.",
        sections=[{"section_key": "__whole__", "outcome": "no_change", "text": "Nothing yet."}],
    )
    client.force_login(facilitator)
    assert "Draft summary mentioning" not in page_text(search(client, q="platypus"))
    services.publish_summary(consultation=closed, user=facilitator)
    assert "Draft summary mentioning platypus." in results_text(search(client, q="platypus"))


def test_edited_published_summary_is_searched_as_it_is_now(client, world, facilitator):
    keys = world["keys"]
    services.save_summary(
        consultation=world["summarised"],
        user=facilitator,
        intro="Thanks to everyone who took part.",
        sections=[
            {
                "section_key": keys["Reporting"],
                "outcome": "partly",
                "text": "Reporting moves to a form; the wombat question stays open.",
            }
        ],
    )
    assert "wombat question" in results_text(search(client, q="wombat"))
    assert "Summer round" not in results_text(search(client, q="concerns"))


def test_unpublished_policies_are_not_searched(client, world, publish, new_policy):
    draft = new_policy(slug="secret", title="Secret Code")
    publish(draft, [(None, "Hush", "Unannounced text about narwhals.")])
    PolicyPage.objects.get(pk=draft.pk).unpublish()
    response = search(client, q="narwhals")
    assert "Unannounced text" not in page_text(response)
    assert "Nothing matches" in results_text(response)


def test_update_index_rebuilds_without_hidden_items(client, world, facilitator):
    services.moderate(
        item=world["pat_position"], user=facilitator, hide=True, reason="Personal details."
    )
    call_command("update_index", verbosity=0)
    text = results_text(search(client, q="harassment"))
    assert "Email is not private enough" not in text
    assert "harassment concerns" in text  # the summary
    assert "Enforcement" in results_text(search(client, q="moderators"))
