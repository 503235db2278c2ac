"""The community pages as people use them: the adoption dashboard (counts, sorting, a constant
number of SQL queries however many communities), CSV and JSON exports of the same rows, the
badge, the list's search and filters, script-free output whatever anyone types, and bad input
answered with a message beside the form (never a 500) that writes nothing."""

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils.html import escape

from communities import services
from communities.models import Adoption, Community, SectionOverride
from tests.html_safety import script_problems

from .conftest import db_state, page_text, tables

pytestmark = pytest.mark.django_db

Status = Adoption.Status
CONTACT = "[CONTACT METHOD]"


@pytest.fixture
def make_community(facilitator):
    def make(name, slug, kind="wiki", language="en"):
        community, _ = services.save_community(
            user=facilitator, name=name, slug=slug, kind=kind, language=language,
            url=f"https://{slug}.example.org/",
        )  # fmt: skip
        return community

    return make


@pytest.fixture
def varied(make_community, policy, keys, declare, override, publish, community, other_community):
    """Six communities on the baseline, then version 2 changes its first section:
    Alder Wiki adopted v1 with overrides on sections 1 (now stale) and 2; Birch Project opted
    out; Cedar Chapter adopted v2; Dogwood Wiki under discussion; Elm Camp has its own policy;
    Fir Wiki never declared."""
    alder = declare(community, policy, "adopted", parameters={CONTACT: "conduct@alder.example"})
    override(alder, keys[0], "Alder's first section.")
    override(alder, keys[1], action="omit", rationale="Not for us.")
    declare(other_community, policy, "opted_out", rationale="Our host's policy covers us.")
    cedar = make_community("Cedar Chapter", "cedar-chapter", "chapter", "fr")
    dogwood = make_community("Dogwood Wiki", "dogwood-wiki", "wiki", "pt-br")
    elm = make_community("Elm Camp", "elm-camp", "event", "en")
    make_community("Fir Wiki", "fir-wiki", "wiki", "de")
    declare(dogwood, policy, "under_discussion", evidence_url="https://dogwood.example.org/talk")
    declare(elm, policy, "own_equivalent", equivalent_title="Elm rules",
            equivalent_url="https://elm.example.org/rules")  # fmt: skip
    publish(policy, {keys[0]: "The first section, reworded by the baseline."})
    declare(cedar, policy, "adopted")
    return policy


# --- dashboard ----------------------------------------------------------------------------------


def test_the_dashboard_counts_each_status(varied, make_community, declare, client):
    declare(make_community("Gum Wiki", "gum-wiki"), varied, "adopted")
    r = client.get("/adoption/")
    assert r.status_code == 200
    counts = {row[0]: row[1:] for row in tables(r)["Communities per status"]}
    assert counts == {
        "Adopted": ["2", "29%"],
        "Adopted with local overrides": ["1", "14%"],
        "Own equivalent policy": ["1", "14%"],
        "Opted out": ["1", "14%"],
        "Under discussion": ["1", "14%"],
        "Undeclared": ["1", "14%"],
    }
    html = r.content.decode()
    assert (
        'aria-label="Adopted 2, Adopted with local overrides 1, Own equivalent policy 1, ' in html
    )
    assert "7 communities; the latest version of Baseline Code is 2." in page_text(r)
    rows = {row[0]: row[1:] for row in tables(r)["Every community"]}
    assert rows == {
        "Alder Wiki": ["Adopted with local overrides", "1", "1", "1 of 2"],
        "Birch Project": ["Opted out", "1", "0", "0"],
        "Cedar Chapter": ["Adopted", "2", "0", "0"],
        "Dogwood Wiki": ["Under discussion", "1", "0", "0"],
        "Elm Camp": ["Own equivalent policy", "1", "0", "0"],
        "Fir Wiki": ["Undeclared", "—", "0", "0"],
        "Gum Wiki": ["Adopted", "2", "0", "0"],
    }


@pytest.mark.parametrize(
    "sort,names",
    [
        ("name", ["Birch", "Cedar", "Dogwood", "Elm", "Fir", "Zelkova"]),
        ("<evil>", ["Birch", "Cedar", "Dogwood", "Elm", "Fir", "Zelkova"]),
        ("status", ["Cedar", "Zelkova", "Elm", "Birch", "Dogwood", "Fir"]),
        ("behind", ["Zelkova", "Birch", "Cedar", "Dogwood", "Elm", "Fir"]),
        ("stale", ["Zelkova", "Birch", "Cedar", "Dogwood", "Elm", "Fir"]),
    ],
)
def test_the_dashboard_sorts(sort, names, varied, client, community):
    # Rename Alder so that sorting by name and by what is behind or stale disagree.
    Community.objects.filter(pk=community.pk).update(name="Zelkova Wiki")
    r = client.get("/adoption/", {"sort": sort})
    assert r.status_code == 200
    assert [row[0].split()[0] for row in tables(r)["Every community"]] == names


def _bulk(policies, start, n):
    """n more communities, declared directly in bulk: statuses in turn, every third adopter
    with a (stale) override on the first section of version 1."""
    communities = Community.objects.bulk_create(
        Community(name=f"Community {i:04d}", slug=f"community-{i:04d}", kind="wiki",
                  language=["en", "de", "fr"][i % 3])
        for i in range(start, start + n)
    )  # fmt: skip
    statuses = Status.values
    adoptions = []
    for policy in policies:
        v1 = policy.versions.get(number=1)
        for i, c in enumerate(communities):
            adoptions.append(
                Adoption(community=c, policy=policy, status=statuses[i % len(statuses)], version=v1)
            )
    adoptions = Adoption.objects.bulk_create(adoptions)
    first_sections = {p.pk: p.versions.get(number=1).sections.first() for p in policies}
    SectionOverride.objects.bulk_create(
        SectionOverride(adoption=a, section_key=first_sections[a.policy_id].key, text="Ours.",
                        rationale="Because.", based_on=first_sections[a.policy_id])
        for i, a in enumerate(adoptions)
        if a.status == Status.OVERRIDES and i % 3 == 0
    )  # fmt: skip


@pytest.fixture
def two_policies(policy, editor, keys, publish):
    from tests.factories import make_policy

    second = make_policy(editor=editor, slug="events", title="Events Code", n_sections=2)
    publish(policy, {keys[0]: "Reworded first section."})
    return [policy, second]


PAGES = [
    "/adoption/?policy=baseline",
    "/adoption/?policy=events&sort=stale",
    "/adoption/export.csv?policy=baseline",
    "/adoption/export.json?policy=baseline",
    "/communities/?status=adopted",
]


def test_the_dashboard_and_exports_take_the_same_few_queries_at_any_size(
    two_policies, client, django_assert_max_num_queries
):
    counts = {}
    for size in (20, 200):
        _bulk(two_policies, Community.objects.count(), size - Community.objects.count())
        assert Community.objects.count() == size
        for path in PAGES:
            assert client.get(path).status_code == 200  # warm
            with django_assert_max_num_queries(10) as ctx:
                r = client.get(path)
            counts[(path, size)] = len(ctx.captured_queries)
        r = client.get("/adoption/?policy=baseline")
        assert len(tables(r)["Every community"]) == size
        assert len(json.loads(client.get("/adoption/export.json").content)["communities"]) == size
    for path in PAGES:
        assert counts[(path, 20)] == counts[(path, 200)], (path, counts)


# --- exports -------------------------------------------------------------------------------------


def _csv(client, query=""):
    r = client.get(f"/adoption/export.csv{query}")
    assert r.status_code == 200
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"] == 'attachment; filename="adoption.csv"'
    return list(csv.DictReader(io.StringIO(r.content.decode())))


def _json(client, query=""):
    r = client.get(f"/adoption/export.json{query}")
    assert r.status_code == 200
    return r.json()


def test_csv_and_json_hold_the_same_rows(varied, client):
    rows = _csv(client)
    data = _json(client)
    assert data["policy"] == "baseline"
    as_text = [
        {k: "" if v is None else str(v) for k, v in row.items()} for row in data["communities"]
    ]
    assert rows == as_text
    by_slug = {r["community"]: r for r in rows}
    wanted = ["status", "pinned_version", "latest_version", "versions_behind", "overrides",
              "stale_overrides"]  # fmt: skip
    assert {slug: [r[k] for k in wanted] for slug, r in by_slug.items()} == {
        "alder-wiki": ["adopted_with_overrides", "1", "2", "1", "2", "1"],
        "birch-project": ["opted_out", "1", "2", "0", "0", "0"],
        "cedar-chapter": ["adopted", "2", "2", "0", "0", "0"],
        "dogwood-wiki": ["under_discussion", "1", "2", "0", "0", "0"],
        "elm-camp": ["own_equivalent", "1", "2", "0", "0", "0"],
        "fir-wiki": ["undeclared", "", "2", "0", "0", "0"],
    }
    assert by_slug["cedar-chapter"]["name"] == "Cedar Chapter"
    assert by_slug["cedar-chapter"]["language"] == "fr"


def test_exports_follow_the_chosen_policy(varied, editor, client, community, declare):
    from tests.factories import make_policy

    events = make_policy(editor=editor, slug="events", title="Events Code", n_sections=2)
    declare(community, events, "opted_out", rationale="Not an events community.")
    rows = {r["community"]: r["status"] for r in _csv(client, "?policy=events")}
    assert rows["alder-wiki"] == "opted_out" and rows["cedar-chapter"] == "undeclared"
    data = _json(client, "?policy=events")
    assert data["policy"] == "events"
    assert {r["policy"] for r in data["communities"]} == {"events"}


def test_csv_neutralises_formula_cells(policy, make_community, client):
    for i, name in enumerate(["=HYPERLINK(\"https://evil.example\",\"x\")", "+1+2", "-1-2",
                              "@SUM(A1)", "Plain Name", "\t=1+2", "\r=1+2"]):  # fmt: skip
        make_community(name, f"c{i}")
    names = {r["community"]: r["name"] for r in _csv(client)}
    assert names == {
        "c0": '\'=HYPERLINK("https://evil.example","x")',
        "c1": "'+1+2",
        "c2": "'-1-2",
        "c3": "'@SUM(A1)",
        "c4": "Plain Name",
        "c5": "'\t=1+2",
        "c6": "'\r=1+2",
    }
    # The JSON keeps the names as they are.
    raw = {r["community"]: r["name"] for r in _json(client)["communities"]}
    assert raw["c0"] == '=HYPERLINK("https://evil.example","x")' and raw["c2"] == "-1-2"


def test_csv_leaves_empty_cells_empty(policy, make_community, client):
    make_community("No Language Wiki", "no-language-wiki", language="")
    (row,) = _csv(client)
    assert row["language"] == ""
    assert row == {
        k: "" if v is None else str(v) for k, v in _json(client)["communities"][0].items()
    }


def test_exports_without_any_policy(client, community):
    assert _json(client) == {"policy": None, "policy_title": None, "communities": []}
    assert _csv(client) == []
    assert "No policy has been published yet." in page_text(client.get("/adoption/"))


# --- badge ---------------------------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def _badge(client, community_slug, policy_slug="baseline"):
    r = client.get(f"/adoption/badge/{community_slug}/{policy_slug}.svg")
    assert r.status_code == 200
    assert r["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(r.content)  # noqa: S314  (our own response)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    return root, r.content.decode()


@pytest.mark.parametrize(
    "slug,label",
    [
        ("alder-wiki", "Adopted with local overrides v1"),
        ("cedar-chapter", "Adopted v2"),
        ("birch-project", "Opted out"),
        ("elm-camp", "Own equivalent policy"),
        ("dogwood-wiki", "Under discussion"),
        ("fir-wiki", "Undeclared"),
    ],
)
def test_the_badge_is_an_svg_naming_the_status(slug, label, varied, client):
    root, _ = _badge(client, slug)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["code of conduct", label]
    assert root.find(f"{SVG}title").text == f"code of conduct: {label}"
    assert root.get("aria-label") == f"code of conduct: {label}"


def test_a_hostile_community_still_gets_a_clean_badge(policy, make_community, declare, client):
    hostile = make_community('"><svg onload=alert(1)><script>alert(1)</script>', "hostile")
    declare(hostile, policy, "opted_out", rationale="<script>alert(1)</script>")
    root, text = _badge(client, "hostile")
    assert script_problems(text) == []
    assert "<script" not in text and "onload" not in text
    assert [t.text for t in root.iter(f"{SVG}text")] == ["code of conduct", "Opted out"]


@pytest.mark.parametrize(
    "path", ["/adoption/badge/nobody/baseline.svg", "/adoption/badge/alder-wiki/nothing.svg"]
)
def test_the_badge_of_an_unknown_community_or_policy_is_404(path, policy, community, client):
    assert client.get(path).status_code == 404


# --- list, search and filters ---------------------------------------------------------------------


def _listed(client, query):
    r = client.get(f"/communities/{query}")
    assert r.status_code == 200
    return [row[0] for row in tables(r)["table0"] if len(row) > 1]


@pytest.mark.parametrize(
    "query,names",
    [
        ("", ["Alder Wiki", "Birch Project", "Cedar Chapter", "Dogwood Wiki", "Elm Camp",
              "Fir Wiki"]),
        ("?q=wiki", ["Alder Wiki", "Dogwood Wiki", "Fir Wiki"]),
        ("?q=BIRCH", ["Birch Project"]),
        ("?q=cedar-ch", ["Cedar Chapter"]),  # the slug matches too
        ("?q=nothing+like+it", []),
        ("?status=adopted", ["Cedar Chapter"]),
        ("?status=adopted_with_overrides", ["Alder Wiki"]),
        ("?status=opted_out", ["Birch Project"]),
        ("?status=undeclared", ["Fir Wiki"]),
        ("?language=en", ["Alder Wiki", "Elm Camp"]),
        ("?language=PT-BR", ["Dogwood Wiki"]),
        ("?kind=wiki", ["Alder Wiki", "Dogwood Wiki", "Fir Wiki"]),
        ("?kind=wiki&language=de", ["Fir Wiki"]),
        ("?q=wiki&status=under_discussion", ["Dogwood Wiki"]),
        ("?status=maybe", []),
        ("?kind=%3Cscript%3E", []),
    ],
)  # fmt: skip
def test_the_list_searches_and_filters(query, names, varied, client):
    assert _listed(client, query) == names


def test_the_list_shows_kind_language_and_status(varied, client):
    r = client.get("/communities/?q=alder")
    assert tables(r)["table0"] == [["Alder Wiki", "Wiki", "en", "Adopted with local overrides"]]
    assert "No community matches." in page_text(client.get("/communities/?q=zzz"))
    html = client.get("/communities/?status=opted_out&language=de").content.decode()
    assert '<option value="opted_out" selected>' in html
    assert "<option selected>de</option>" in html


# --- script-free output ---------------------------------------------------------------------------

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    '"><svg onload=alert(1)>',
]


@pytest.fixture(params=PAYLOADS, ids=["script", "img", "js-link", "attr-break"])
def hostile(request, policy, keys, make_community, declare, override, publish, delegate, client):
    """Everything a delegate can type, set to one payload, on two communities (one adopting
    with overrides, one with its own equivalent policy)."""
    x = request.param
    alder = Community.objects.get(slug="alder-wiki")
    Community.objects.filter(pk=alder.pk).update(name=x)
    elm = make_community(f"{x} 2", "elm-camp")
    elm.delegates.add(delegate)
    adoption = declare(
        alder, policy, "adopted", rationale=x, enforcement_body=x, report_contact=x,
        appeal_process=x, parameters={CONTACT: x}, evidence_url="https://alder.example.org/vote",
    )  # fmt: skip
    override(adoption, keys[0], x, rationale=x)
    override(adoption, keys[1], action="omit", rationale=x)
    declare(elm, policy, "own_equivalent", rationale=x, equivalent_title=x,
            equivalent_url="https://elm.example.org/policy")  # fmt: skip
    services.set_mappings(
        adoption=Adoption.objects.get(community=elm), user=delegate,
        mappings=[{"section_key": keys[0], "coverage": "partly", "note": x}],
    )  # fmt: skip
    publish(policy, {keys[0]: "Reworded by the baseline."})
    client.force_login(delegate)
    return x, client


def test_nothing_anyone_types_can_run_script(hostile, keys):
    x, client = hostile
    q = {"q": x}
    pages = [
        ("/communities/", {}),
        ("/communities/", q),
        ("/communities/alder-wiki/", {}),
        ("/communities/elm-camp/", {}),
        ("/adoption/", {}),
        ("/communities/alder-wiki/baseline/effective/", {}),
        ("/communities/alder-wiki/baseline/declare/", {}),
        ("/communities/elm-camp/baseline/declare/", {}),
        ("/communities/alder-wiki/baseline/override/", {"section": keys[0]}),
        (f"/communities/alder-wiki/baseline/rebase/{keys[0]}/", {}),
        ("/communities/elm-camp/baseline/mapping/", {}),
    ]
    for path, params in pages:
        r = client.get(path, params)
        assert r.status_code == 200, path
        assert script_problems(r.content.decode()) == [], path
    # Forms sent back with errors echo what was typed, still inert.
    for path, data in [
        ("/communities/alder-wiki/baseline/declare/",
         {"status": "maybe", "version": 1, "rationale": x, "enforcement_body": x,
          "equivalent_title": x, "report_contact": x}),
        ("/communities/alder-wiki/baseline/override/",
         {"section_key": keys[2], "action": "replace", "text": x, "rationale": ""}),
    ]:  # fmt: skip
        r = client.post(path, data)
        assert r.status_code == 400, path
        assert script_problems(r.content.decode()) == [], path


def test_hostile_text_is_still_readable_as_text(hostile):
    x, client = hostile
    page = page_text(client.get("/communities/alder-wiki/"))
    assert f"<h1>{escape(x)}</h1>" in client.get("/communities/alder-wiki/").content.decode()
    assert x in page  # the name, the enforcement details and the override's reason
    assert f"Enforced by {x} To report {x} To appeal {x}" in page
    elm = page_text(client.get("/communities/elm-camp/"))
    assert f"Own policy: {x}" in elm
    effective = page_text(client.get("/communities/alder-wiki/baseline/effective/"))
    assert f"Why: {x}" in effective
    assert x in page_text(client.get("/communities/"))
    assert x in page_text(client.get("/adoption/"))


# --- bad input --------------------------------------------------------------------------------


def _field_chunk(html: str, field: str) -> str:
    """The part of the form that belongs to one field: its label, its error and its input."""
    form = re.search(r'(?s)<form method="post" class="stacked"[^>]*>(.*?)</form>', html)[1]
    chunks = re.split(r'<div class="field[ "]', form)
    if field is None:
        return chunks[0]  # the errors that belong to no one field, above them all
    (chunk,) = [c for c in chunks[1:] if f'name="{field}"' in c]
    return chunk


DECLARE_OK = {"status": "adopted", "version": "1", "report_contact": "conduct@alder.example"}
DECLARE_BAD = [
    ({"status": "maybe"}, "status", "Select a valid choice. maybe is not one of the available"),
    ({"status": ""}, "status", "This field is required."),
    ({"version": "999"}, "version", "Select a valid choice. 999 is not one of the available"),
    ({"version": "one"}, "version", "Select a valid choice."),
    ({"decided_on": "not-a-date"}, "decided_on", "Enter a valid date."),
    ({"decided_on": "2024-02-31"}, "decided_on", "Enter a valid date."),
    ({"rationale": "x" * 100_000}, "rationale", "That text is too long."),
    ({"evidence_url": "alder.example.org/vote"}, "evidence_url", "Enter a full web address"),
    ({"evidence_url": "javascript:alert(1)"}, "evidence_url", "Enter a full web address"),
    ({"status": "own_equivalent", "equivalent_title": "Ours"}, "equivalent_url",
     "Name your own policy and give its address."),
    ({"status": "own_equivalent", "equivalent_title": "Ours", "equivalent_url": "ours"},
     "equivalent_url", "Enter a full web address"),
    ({"status": "opted_out"}, "rationale", "Say briefly why the community opts out."),
    ({"enforcement_body": "x" * 201}, "enforcement_body", "at most 200 characters"),
    ({"report_contact": "x" * 201}, "report_contact", "at most 200 characters"),
    pytest.param({"appeal_process": "x" * 100_000}, "appeal_process", "too long"),
]  # fmt: skip


@pytest.fixture
def declared(community, policy, delegate, declare, client):
    """Alder Wiki adopted version 1; its delegate signed in."""
    adoption = declare(community, policy, "adopted", parameters={CONTACT: "c@alder.example"})
    client.force_login(delegate)
    return adoption


@pytest.mark.parametrize("change,field,message", DECLARE_BAD)
def test_bad_declarations_are_answered_beside_the_form_and_write_nothing(
    change, field, message, declared, client
):
    before = db_state()
    r = client.post("/communities/alder-wiki/baseline/declare/", {**DECLARE_OK, **change})
    assert r.status_code == 400
    html = r.content.decode()
    chunk = _field_chunk(html, field)
    # The error sits beside its field, and the summary above the form links to it.
    assert 'class="error field-error"' in chunk or field is None
    assert message in page_text(chunk)
    summary = html.split('<div class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'role="alert"' in summary and message in page_text(summary)
    assert db_state() == before


OVERRIDE_OK = {"action": "replace", "text": "Our words.", "rationale": "Because."}
OVERRIDE_BAD = [
    ({"rationale": ""}, "rationale", "This field is required."),
    ({"rationale": None}, "rationale", "This field is required."),
    ({"section_key": "no-such-section"}, "section_key", "Select a valid choice."),
    ({"action": "shout"}, "action", "Select a valid choice."),
    ({"text": ""}, "text", "Give the replacement text, or choose to omit the section."),
    ({"text": "x" * 100_000}, "text", "The replacement is too long."),
]


@pytest.mark.parametrize("change,field,message", OVERRIDE_BAD)
def test_bad_overrides_are_answered_beside_the_form_and_write_nothing(
    change, field, message, declared, keys, client
):
    data = {"section_key": keys[0], **OVERRIDE_OK, **change}
    data = {k: v for k, v in data.items() if v is not None}
    before = db_state()
    r = client.post("/communities/alder-wiki/baseline/override/", data)
    assert r.status_code == 400
    chunk = _field_chunk(r.content.decode(), field)
    assert 'class="error field-error"' in chunk
    assert message in page_text(chunk)
    assert 'class="error-summary"' in r.content.decode()
    assert db_state() == before


def test_bad_rebases_and_mappings_write_nothing(declared, keys, override, publish, policy, client):
    override(declared, keys[0], "Ours.")
    publish(policy, {keys[0]: "Reworded."})
    before = db_state()
    url = f"/communities/alder-wiki/baseline/rebase/{keys[0]}/"
    r = client.post(url, {"action": "replace", "text": ""})
    assert r.status_code == 400
    assert "Give the replacement text" in page_text(_field_chunk(r.content.decode(), "text"))
    r = client.post(url, {"action": "shout", "text": "x"})
    assert r.status_code == 400
    r = client.post("/communities/alder-wiki/baseline/mapping/", {f"m-{keys[0]}-coverage": "lots"})
    assert r.status_code == 400
    assert "Select a valid choice." in page_text(r)
    assert db_state() == before


@pytest.mark.parametrize(
    "method,path,status",
    [
        ("get", "/communities/nobody/", 404),
        ("get", "/communities/alder-wiki/nothing/declare/", 404),
        ("get", "/communities/nobody/baseline/declare/", 404),
        ("get", "/communities/birch-project/baseline/effective/", 404),  # nothing declared
        ("get", "/communities/alder-wiki/baseline/rebase/no-such-section/", 404),
        ("get", "/communities/alder-wiki/baseline/upgrade/", 405),
        ("get", "/communities/alder-wiki/baseline/effective.pdf", 404),
        ("post", "/communities/alder-wiki/baseline/override/", 400),
        ("post", "/communities/alder-wiki/baseline/declare/", 400),
        # Nothing chosen: either "nothing to save" or a plain redirect, never an error page.
        ("post", "/communities/alder-wiki/baseline/mapping/", (302, 400)),
        ("get", "/adoption/?policy=nothing&sort=%00", 200),
        ("get", "/adoption/export.csv?policy=%3Cx%3E", 200),
        ("get", "/communities/?q=" + "x" * 5000, 200),
    ],
)
def test_odd_requests_are_answered_without_a_500(
    method, path, status, declared, other_community, client
):
    before = db_state()
    code = getattr(client, method)(path).status_code
    assert code in status if isinstance(status, tuple) else code == status
    assert db_state() == before
