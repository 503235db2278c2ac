"""/search/ filters: policy, version, consultation, stance, community, language and kind; and
what happens with values that make no sense."""

import pytest

from consultations import services
from tests.factories import MembershipFactory, PositionFactory, ReplyFactory, UserFactory

from .conftest import page_text, results_text


@pytest.fixture
def world(db, new_policy, publish, consult, facilitator, participant, community):
    """Two policies, each with two versions and a consultation on each version; people who
    belong to communities. Every text mentions "respect"."""
    alder_member = UserFactory(username="ash")
    birch_delegate = UserFactory(username="bea")
    outsider = UserFactory(username="cy")
    alder = community("Respect Alder Wiki", "alder-wiki", language="en")
    birch = community("Respect Birch Chapter", "birch", language="de", delegates=[birch_delegate])
    MembershipFactory(by=facilitator, community=alder, user=alder_member)
    out = {"alder": alder, "birch": birch, "consultations": {}}
    for slug, title in [("baseline", "Baseline Code"), ("events", "Events Code")]:
        page = new_policy(slug=slug, title=title)
        v1 = publish(page, [(None, "Respect", f"{title}: respect one another.")])
        key = v1.sections.get().key
        v2 = publish(page, [(key, "Respect", f"{title}: respect one another, always.")])
        for version in (v1, v2):
            c = consult(version, title=f"{title} round {version.number}")
            out["consultations"][(slug, version.number)] = c
            for user, stance in [
                (alder_member, "support"),
                (birch_delegate, "oppose"),
                (outsider, "neutral"),
            ]:
                position = PositionFactory(
                    consultation=c,
                    section_key=key,
                    user=user,
                    stance=stance,
                    reason=f"{user.username} on {slug} v{version.number}: respect matters.",
                )
            ReplyFactory(
                position=position,
                user=alder_member,
                body=f"ash replies on {slug} v{version.number}: respect indeed.",
            )
    return out


@pytest.fixture
def small_world(db, new_policy, publish):
    page = new_policy()
    key = publish(page, [(None, "Respect", "Respect one another.")]).sections.get().key
    publish(page, [(key, "Respect", "Respect one another, always.")])


def search(client, **params):
    return client.get("/search/", params)


def test_no_filter_finds_every_kind(client, world):
    text = results_text(search(client, q="respect"))
    for label in ["Policy text", "Positions", "Replies", "Communities"]:
        assert f"{label} (" in text, label
    assert "Baseline Code: respect" in text and "Events Code: respect" in text


def test_policy_filter(client, world):
    response = search(client, q="respect", policy="events")
    text = results_text(response)
    assert "Filtered by policy “Events Code”." in text
    assert "Events Code: respect" in text and "Baseline Code: respect" not in text
    assert "on events v1" in text and "on baseline" not in text
    assert "Communities (" not in text  # communities are not policy-bound
    assert "With the policy filter: policy text, positions, replies, summaries only." in text


def test_version_filter(client, world):
    text = results_text(search(client, q="respect", policy="baseline", version=1))
    assert "Baseline Code: respect one another." in text
    assert "always" not in text
    assert "on baseline v1" in text and "v2" not in text


def test_consultation_filter(client, world):
    c = world["consultations"][("events", 2)]
    text = results_text(search(client, q="respect", consultation=c.pk))
    assert "on events v2" in text
    assert "on events v1" not in text and "on baseline" not in text
    assert "Events Code: respect one another, always." in text  # the consulted version's text
    assert "Events Code: respect one another." not in text


def test_stance_filter_shows_positions_only(client, world):
    text = results_text(search(client, q="respect", stance="oppose"))
    assert "bea on baseline v1" in text and "bea on events v2" in text
    assert "ash on" not in text and "cy on" not in text
    assert "Policy text (" not in text and "Replies (" not in text
    assert "With the stance filter: positions only." in text


def test_community_filter_members_and_delegates(client, world):
    alder = results_text(search(client, q="respect", community="alder-wiki"))
    assert "ash on baseline v1" in alder and "ash replies on events v2" in alder
    assert "bea on" not in alder and "cy on" not in alder
    assert "Respect Alder Wiki" in alder and "Birch" not in alder
    birch = results_text(search(client, q="respect", community="birch"))
    assert "bea on events v1" in birch  # a delegate
    assert "ash on" not in birch and "Respect Birch Chapter" in birch


def test_language_filter_is_about_communities(client, world):
    text = results_text(search(client, q="respect", language="DE"))
    assert "Respect Birch Chapter" in text and "Alder" not in text
    assert "Positions (" not in text
    assert "With the language filter: communities only." in text


def test_kind_filter(client, world):
    response = search(client, q="respect", kind="replies")
    text = results_text(response)
    assert "Replies (" in text and "Positions (" not in text and "Policy text (" not in text
    assert "ash replies on baseline v1" in text


def test_more_link_keeps_the_filters(client, world):
    # Twelve positions on baseline: more than fit on the overview.
    c = world["consultations"][("baseline", 2)]
    key = c.version.sections.get().key
    for i in range(10):
        services.take_position(
            consultation=c,
            section_key=key,
            user=UserFactory(username=f"p{i}"),
            stance="support",
            reason=f"Respect, says p{i}.",
        )
    html = search(client, q="respect", policy="baseline").content.decode()
    assert 'href="?q=respect&amp;policy=baseline&amp;kind=positions"' in html
    focused = search(client, q="respect", policy="baseline", kind="positions")
    assert results_text(focused).count("Support") + results_text(focused).count("Oppose") >= 12


def test_filters_that_do_not_go_together(client, world):
    response = search(client, q="respect", stance="oppose", language="en")
    assert response.status_code == 200
    text = results_text(response)
    assert "Nothing takes the language and stance filters together" in text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"version": "two", "policy": "baseline"}, "A version is a number, such as 3."),
        ({"version": "0", "policy": "baseline"}, "Versions are numbered from 1."),
        ({"version": "9", "policy": "baseline"}, "Baseline Code has versions 1 to 2, not 9."),
        ({"version": "1"}, "Choose a policy to filter by version"),
        ({"policy": "nope"}, "There is no published policy “nope”."),
        ({"policy": "../etc"}, "A policy is given by its slug"),
        ({"consultation": "x"}, "A consultation is given by its number."),
        ({"consultation": "99999"}, "There is no public consultation number 99999."),
        ({"consultation": "-1"}, "A consultation is given by its number."),
        ({"stance": "hate"}, "Stance is support, oppose or neutral."),
        ({"community": "nowhere"}, "There is no community “nowhere”."),
        ({"language": "<script>"}, "A language is a code such as en, de or pt-br."),
        (
            {"kind": "users"},
            "Kind is one of: sections, positions, replies, summaries, communities.",
        ),
        ({"q": "x" * 201}, "Your search is 201 characters long; keep it under 200."),
        ({"phrase": "ab"}, "Give a phrase of at least 3 characters."),
        ({"phrase": "y" * 300}, "The phrase is 300 characters long; keep it under 200."),
    ],
)
def test_bad_values_are_refused_with_a_message(client, small_world, params, message):
    response = search(client, **{"q": "respect", **params})
    assert response.status_code == 400
    assert message in page_text(response)
    assert "Results for" not in page_text(response)
    assert 'id="search-q"' in response.content.decode()  # the form is there to try again


def test_draft_consultation_is_not_a_valid_filter(client, world, consult):
    draft = consult(world["consultations"][("baseline", 1)].version, state="draft", title="Hush")
    response = search(client, q="respect", consultation=draft.pk)
    assert response.status_code == 400
    assert f"There is no public consultation number {draft.pk}." in page_text(response)
    assert "Hush" not in page_text(response)  # nor offered in the form


def test_too_many_words_are_trimmed_with_a_notice(client, world):
    q = "respect " + " ".join(f"w{i}" for i in range(20))
    response = search(client, q=q)
    assert response.status_code == 200
    assert "Only the first 10 words were searched for." in page_text(response)


def test_results_are_the_same_for_everyone(client, world, facilitator, participant):
    anonymous = results_text(search(client, q="respect"))
    for user in [participant, facilitator]:
        client.force_login(user)
        assert results_text(search(client, q="respect")) == anonymous
