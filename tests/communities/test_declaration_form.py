"""The declaration form asks for what the chosen status needs, once, with sensible defaults; the
override form starts from the baseline's text."""

import re

import pytest
from django.utils import timezone
from django.utils.html import escape

from communities.models import Adoption
from communities.placeholders import declaration_field_for, fill_from_declaration

from .conftest import db_state

pytestmark = pytest.mark.django_db

CONTACT = "[CONTACT METHOD]"
DECLARE = "/communities/alder-wiki/baseline/declare/"
OVERRIDE = "/communities/alder-wiki/baseline/override/"


@pytest.fixture
def signed_in(client, delegate, policy):
    client.force_login(delegate)
    return client


def _selected_version(html: str) -> str:
    select = html.split('name="version"', 1)[1].split("</select>", 1)[0]
    return re.search(r'<option value="(\d+)" selected>', select)[1]


def _textarea(html: str, name: str) -> str:
    return html.split(f'name="{name}"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]


@pytest.mark.parametrize(
    "placeholder,field",
    [
        ("[CONTACT METHOD]", "report_contact"),
        ("[INSERT CONTACT METHOD]", "report_contact"),
        ("[INSERTAR MÉTODO DE CONTACTO]", "report_contact"),
        ("[GOVERNING BODY]", "enforcement_body"),
        ("[GOVERNING_BODY]", "enforcement_body"),
        ("[ENFORCEMENT BODY]", "enforcement_body"),
        ("[PROJECT NAME]", None),
    ],
)
def test_placeholders_the_declaration_answers(placeholder, field):
    assert declaration_field_for(placeholder) == field


def test_an_explicit_placeholder_value_wins_over_the_declaration():
    filled = fill_from_declaration(
        ["[CONTACT METHOD]", "[GOVERNING BODY]", "[PROJECT NAME]"],
        {"[CONTACT METHOD]": "explicit"},
        {"report_contact": "ignored", "enforcement_body": " Arbitration committee "},
    )
    assert filled == {"[CONTACT METHOD]": "explicit", "[GOVERNING BODY]": "Arbitration committee"}


def test_a_first_declaration_defaults_to_the_latest_version_and_today(
    signed_in, policy, keys, publish
):
    publish(policy, {keys[0]: "Reworded first section."})
    html = signed_in.get(DECLARE).content.decode()
    assert _selected_version(html) == "2"
    assert f'value="{timezone.localdate().isoformat()}"' in html.split('name="decided_on"')[1][:120]
    assert 'data-latest-version="2"' in html


def test_a_recorded_declaration_shows_its_own_pin_and_date(
    signed_in, community, policy, v1, keys, publish, declare
):
    declare(community, policy, "adopted", version=v1, decided_on=timezone.datetime(2024, 5, 1))
    publish(policy, {keys[0]: "Reworded first section."})
    html = signed_in.get(DECLARE).content.decode()
    assert _selected_version(html) == "1"
    assert 'value="2024-05-01"' in html
    # The script moves both to these when the status changes: a new decision.
    assert 'data-latest-version="2"' in html
    assert f'data-today="{timezone.localdate().isoformat()}"' in html


def test_an_undeclared_community_gets_the_defaults_too(signed_in, community, policy, declare):
    declare(community, policy, "undeclared")
    html = signed_in.get(DECLARE).content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in html.split('name="decided_on"')[1][:120]
    assert re.search(r'value="adopted"[^>]*checked', html)


def test_fields_are_grouped_by_the_statuses_that_ask_for_them(signed_in):
    html = signed_in.get(DECLARE).content.decode()
    groups = re.findall(r'<fieldset class="status-fields"( data-statuses="([^"]*)")?>', html)
    assert [statuses for _, statuses in groups] == [
        "",
        "adopted adopted_with_overrides",
        "own_equivalent",
        "adopted adopted_with_overrides own_equivalent",
    ]
    # Labelled for people without the script, which shows only the chosen status's groups.
    assert "(for: Own equivalent policy)" in html
    assert 'src="/static/communities/declaration.js"' in html


def test_contact_and_governing_body_are_asked_once(signed_in, community, policy, v1):
    html = signed_in.get(DECLARE).content.decode()
    assert "How to report" in html and "Who enforces it locally" in html
    assert f"Value for {escape(CONTACT)}" not in html
    r = signed_in.post(
        DECLARE,
        {
            "status": "adopted",
            "version": "1",
            "report_contact": "conduct@alder.example",
            "enforcement_body": "Alder arbitration committee",
        },
    )
    assert r.status_code == 302
    adoption = Adoption.objects.get(community=community, policy=policy)
    assert adoption.report_contact == "conduct@alder.example"
    assert adoption.parameters == {CONTACT: "conduct@alder.example"}


def test_a_declaration_made_before_is_prefilled_from_its_placeholder(
    signed_in, community, policy, declare
):
    declare(community, policy, "adopted", parameters={CONTACT: "old@alder.example"})
    html = signed_in.get(DECLARE).content.decode()
    assert 'name="report_contact" value="old@alder.example"' in html


def test_fields_of_another_status_are_ignored(signed_in, community, policy):
    """Without the script every field is on the page; what was typed under another status is
    neither checked nor saved."""
    r = signed_in.post(
        DECLARE,
        {
            "status": "opted_out",
            "version": "1",
            "rationale": "We have our own process.",
            "report_contact": "x" * 500,  # too long, but not asked for an opt-out
            "enforcement_body": "Committee",
            "equivalent_title": "Ours",
        },
    )
    assert r.status_code == 302
    adoption = Adoption.objects.get(community=community, policy=policy)
    assert adoption.status == "opted_out"
    assert (adoption.report_contact, adoption.enforcement_body, adoption.equivalent_title) == (
        "",
        "",
        "",
    )
    assert adoption.parameters == {}


def test_a_failed_declaration_keeps_what_was_typed(signed_in, community, policy):
    before = db_state()
    data = {
        "status": "own_equivalent",
        "version": "1",
        "decided_on": "2025-03-04",
        "rationale": "Ours predates the baseline.",
        "equivalent_title": "Alder's code",
        "equivalent_url": "",
        "report_contact": "typed under another status",
    }
    r = signed_in.post(DECLARE, data)
    assert r.status_code == 400
    html = r.content.decode()
    assert "Name your own policy and give its address." in html
    assert re.search(r'value="own_equivalent"[^>]*checked', html)
    assert 'value="2025-03-04"' in html
    assert "Ours predates the baseline." in _textarea(html, "rationale")
    assert 'value="Alder&#x27;s code"' in html
    assert 'value="typed under another status"' in html
    assert db_state() == before


def test_the_override_page_first_asks_which_section(
    signed_in, community, policy, v1, keys, declare, override
):
    adoption = declare(community, policy, "adopted")
    override(adoption, keys[1], "Ours.")
    html = signed_in.get(OVERRIDE).content.decode()
    assert 'name="text"' not in html
    for section in v1.sections.all():
        assert f'href="?section={section.key}"' in html
    assert "(overridden)" in html


def test_a_replacement_starts_from_the_pinned_baseline_section(
    signed_in, community, policy, v1, keys, publish, declare
):
    declare(community, policy, "adopted", version=v1)
    publish(policy, {keys[0]: "The newer baseline wording."})
    html = signed_in.get(OVERRIDE, {"section": keys[0]}).content.decode()
    pinned = v1.sections.get(key=keys[0]).body
    assert _textarea(html, "text").strip() == escape(pinned).strip()
    assert "The newer baseline wording." not in _textarea(html, "text")
    # The script swaps in another section's text when the section changes.
    assert '<template id="baseline-sections">' in html
    assert 'src="/static/communities/declaration.js"' in html


def test_an_existing_override_starts_from_its_own_text(
    signed_in, community, policy, keys, declare, override
):
    adoption = declare(community, policy, "adopted")
    override(adoption, keys[0], "Alder's words.")
    html = signed_in.get(OVERRIDE, {"section": keys[0]}).content.decode()
    assert _textarea(html, "text").strip() == escape("Alder's words.")


def test_a_failed_override_keeps_what_was_typed(signed_in, community, policy, keys, declare):
    declare(community, policy, "adopted")
    r = signed_in.post(
        OVERRIDE,
        {"section_key": keys[1], "action": "replace", "text": "My new text.", "rationale": ""},
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert _textarea(html, "text").strip() == "My new text."
    assert re.search(rf'<option value="{keys[1]}" selected>', html)
