"""What the read endpoints serve: status codes, the JSON a client sees, pagination, filters."""

import pytest

from consultations.models import WHOLE_TEXT
from tests.api.conftest import body, results

pytestmark = pytest.mark.django_db


def test_root_links_every_collection(api):
    data = api.get("/api/v1/").json()
    assert data["policies"].endswith("/api/v1/policies/")
    assert data["external_tallies"].endswith("/api/v1/external-tallies/")
    for url in data.values():
        assert api.get(url).status_code == 200


# --- policies ---------------------------------------------------------------------------------


def test_policy_list_and_detail_give_the_latest_version(api, world):
    [policy] = results(api.get("/api/v1/policies/"))
    assert policy["slug"] == "baseline"
    assert policy["latest_version"] == 2
    assert policy["latest_content_hash"] == world.v2.content_hash
    assert policy["html_url"] == "http://testserver/baseline/"
    detail = api.get("/api/v1/policies/baseline/").json()
    assert detail == policy


def test_unknown_policy_is_404(api, world):
    assert api.get("/api/v1/policies/nope/").status_code == 404
    assert api.get("/api/v1/policies/nope/versions/").status_code == 404


def test_versions_newest_first_with_hash(api, world):
    versions = results(api.get("/api/v1/policies/baseline/versions/"))
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[0]["content_hash"] == world.v2.content_hash
    assert versions[0]["summary"] == "Version 2"
    assert versions[0]["author"] == "ana"
    assert versions[0]["url"] == "http://testserver/api/v1/policies/baseline/versions/2/"


def test_version_detail_has_sections(api, world):
    data = api.get("/api/v1/policies/baseline/versions/1/").json()
    assert data["content_hash"] == world.v1.content_hash
    assert [s["key"] for s in data["sections"]] == world.keys
    first = data["sections"][0]
    assert first["body"].startswith("word")
    assert "<p>" in first["html"]
    assert first["placeholders"] == ["[CONTACT METHOD]"]
    assert len(first["body_hash"]) == 64
    assert api.get("/api/v1/policies/baseline/versions/9/").status_code == 404


def test_section_detail(api, world):
    key = world.keys[1]
    data = api.get(f"/api/v1/policies/baseline/versions/2/sections/{key}/").json()
    assert data["key"] == key
    assert data["heading"] == "Section 2"
    assert api.get("/api/v1/policies/baseline/versions/2/sections/nope/").status_code == 404


def test_compare_reports_changed_sections_with_word_diffs(api, world):
    data = api.get("/api/v1/policies/baseline/compare/1/2/").json()
    assert data["old"]["number"] == 1 and data["new"]["number"] == 2
    assert {s["status"] for s in data["sections"]} == {"changed"}
    row = data["sections"][0]
    assert "<ins" in row["inline_html"] and "<del" in row["inline_html"]
    assert row["words_added"] == row["words_removed"] == 1
    assert row["ops"] is None
    with_ops = api.get("/api/v1/policies/baseline/compare/1/2/?ops=true").json()
    kinds = {op["kind"] for op in with_ops["sections"][0]["ops"]}
    assert kinds == {"equal", "insert", "delete"}


def test_compare_needs_two_existing_versions(api, world):
    assert api.get("/api/v1/policies/baseline/compare/1/7/").status_code == 404
    assert api.get("/api/v1/policies/baseline/compare/7/7/").status_code == 404


def test_a_version_compared_with_itself_is_unchanged(api, world):
    same = api.get("/api/v1/policies/baseline/compare/2/2/")
    assert same.status_code == 200
    data = same.json()
    assert data["old"] == data["new"] and data["old"]["number"] == 2
    assert data["words_added"] == data["words_removed"] == 0
    assert [s["status"] for s in data["sections"]] == ["unchanged"] * len(world.keys)


# --- consultations --------------------------------------------------------------------------


def test_consultation_list_and_filters(api, world):
    everything = results(api.get("/api/v1/consultations/"))
    assert {c["id"] for c in everything} == {world.consultation.pk, world.summarised.pk}
    [open_one] = results(api.get("/api/v1/consultations/?state=open"))
    assert open_one["id"] == world.consultation.pk
    assert open_one["is_open"] is True
    assert open_one["version"] == 2
    [v1] = results(api.get("/api/v1/consultations/?policy=baseline&version=1"))
    assert v1["state"] == "summarised"
    assert results(api.get("/api/v1/consultations/?policy=other")) == []
    bad = api.get("/api/v1/consultations/?state=bogus")
    assert bad.status_code == 400
    assert "state" in bad.json()


def test_draft_consultations_only_for_facilitators(api, world, facilitator):
    from tests.api.conftest import Consultation, consultation_services, timezone

    draft = consultation_services.create_consultation(
        version=world.v2,
        user=facilitator,
        title="Not yet",
        closes_at=timezone.now() + timezone.timedelta(days=3),
    )
    assert draft.state == Consultation.State.DRAFT
    assert api.get(f"/api/v1/consultations/{draft.pk}/").status_code == 404
    assert draft.pk not in {c["id"] for c in results(api.get("/api/v1/consultations/"))}
    api.force_authenticate(facilitator)
    assert api.get(f"/api/v1/consultations/{draft.pk}/").status_code == 200


def test_consultation_detail_tallies_every_section(api, world):
    data = api.get(f"/api/v1/consultations/{world.consultation.pk}/").json()
    keys = [s["key"] for s in data["sections"]]
    assert keys == [*world.keys, WHOLE_TEXT]
    tallies = {s["key"]: s["tally"] for s in data["sections"]}
    assert tallies[world.keys[0]]["support"] == 1
    assert tallies[world.keys[0]]["replies"] == 1  # the hidden reply is not counted
    assert tallies[world.keys[1]]["oppose"] == 0  # the hidden position is not counted
    assert data["overall"]["total"] == 1
    assert data["summary_published"] is False
    assert api.get("/api/v1/consultations/999999/").status_code == 404


def test_positions_hidden_ones_as_notices(api, world):
    rows = results(api.get(f"/api/v1/consultations/{world.consultation.pk}/positions/"))
    by_id = {p["id"]: p for p in rows}
    visible = by_id[world.visible_position.pk]
    assert visible["reason"] == "Clear and kind."
    assert visible["author"] == "pat"
    assert visible["hidden"] is False and visible["hidden_notice"] is None
    assert visible["reply_count"] == 1
    hidden = by_id[world.hidden_position.pk]
    assert hidden["reason"] is None
    assert hidden["hidden"] is True
    assert hidden["hidden_notice"].startswith("Hidden by fran on ")
    assert hidden["hidden_notice"].endswith(": Personal attack")


def test_position_filters(api, world):
    url = f"/api/v1/consultations/{world.consultation.pk}/positions/"
    [row] = results(api.get(f"{url}?stance=support"))
    assert row["id"] == world.visible_position.pk
    [row] = results(api.get(f"{url}?section={world.keys[1]}"))
    assert row["id"] == world.hidden_position.pk
    newest = results(api.get(f"{url}?ordering=-created_at"))
    assert [p["id"] for p in newest] == [world.hidden_position.pk, world.visible_position.pk]
    assert api.get(f"{url}?stance=maybe").status_code == 400


def test_replies_hidden_ones_as_notices(api, world):
    url = f"/api/v1/consultations/{world.consultation.pk}/replies/"
    rows = {r["id"]: r for r in results(api.get(url))}
    assert rows[world.visible_reply.pk]["body"] == "I agree with this."
    assert rows[world.visible_reply.pk]["parent"] is None
    hidden = rows[world.hidden_reply.pk]
    assert hidden["body"] is None
    assert hidden["parent"] == world.visible_reply.pk
    assert hidden["hidden_notice"].endswith(": Off topic")
    filtered = results(api.get(f"{url}?position={world.visible_position.pk}"))
    assert len(filtered) == 2
    assert results(api.get(f"{url}?position={world.hidden_position.pk}")) == []


def test_summaries_published_only(api, world):
    [summary] = results(api.get("/api/v1/summaries/"))
    assert summary["consultation"] == world.summarised.pk
    assert summary["sections"][0]["outcome"] == "accepted"
    assert summary["sections"][0]["cited_positions"]
    detail = api.get(f"/api/v1/consultations/{world.summarised.pk}/summary/").json()
    assert detail["intro"] == "What we heard."
    assert detail["next_version"] == 2
    [row] = detail["sections"]
    assert row["status"] == "changed"
    assert "<ins" in row["diff_html"]
    assert detail["published_by"] == "fran"
    # The open consultation has no summary yet.
    missing = api.get(f"/api/v1/consultations/{world.consultation.pk}/summary/")
    assert missing.status_code == 404


def test_amendments_with_state_and_tally(api, world, participant):
    from amendments import services as amendment_services
    from consultations import services

    amendment = amendment_services.propose_amendment(
        consultation=world.consultation,
        section_key=world.keys[0],
        user=participant,
        kind="replace",
        text="Better words.",
        rationale="Clearer.",
    )
    services.take_position(
        consultation=world.consultation,
        section_key=amendment.key,
        user=participant,
        stance="support",
    )
    url = f"/api/v1/consultations/{world.consultation.pk}/amendments/"
    [row] = results(api.get(url))
    assert row["id"] == amendment.pk
    assert row["state"] == "proposed"
    assert row["support"] == 1
    assert row["author"] == "pat"
    assert results(api.get(f"{url}?state=accepted")) == []
    assert len(results(api.get(f"{url}?section={world.keys[0]}"))) == 1
    assert api.get(f"{url}?state=nonsense").status_code == 400


# --- communities -------------------------------------------------------------------------------


def test_communities_and_filters(api, world):
    rows = results(api.get("/api/v1/communities/"))
    assert [c["slug"] for c in rows] == ["alder-wiki", "birch-project"]
    assert rows[0]["delegates"] == ["dana"]
    assert [c["slug"] for c in results(api.get("/api/v1/communities/?kind=wiki"))] == ["alder-wiki"]
    assert [c["slug"] for c in results(api.get("/api/v1/communities/?q=birch"))] == [
        "birch-project"
    ]
    assert results(api.get("/api/v1/communities/?language=EN"))[0]["slug"] == "alder-wiki"
    detail = api.get("/api/v1/communities/alder-wiki/").json()
    assert detail["name"] == "Alder Wiki"
    assert api.get("/api/v1/communities/nope/").status_code == 404
    assert api.get("/api/v1/communities/?kind=planet").status_code == 400


def test_adoptions_and_filters(api, world):
    [row] = results(api.get("/api/v1/adoptions/"))
    assert row["community"] == "alder-wiki"
    assert row["policy"] == "baseline"
    assert row["status"] == "adopted"
    assert row["version"] == 2
    assert row["declared_by"] == "dana"
    assert row["parameters"] == {"[CONTACT METHOD]": "the conduct team"}
    assert results(api.get("/api/v1/adoptions/?status=opted_out")) == []
    assert len(results(api.get("/api/v1/adoptions/?policy=baseline&community=alder-wiki"))) == 1
    assert results(api.get("/api/v1/adoptions/?community=birch-project")) == []
    assert len(results(api.get("/api/v1/communities/alder-wiki/adoptions/"))) == 1
    assert api.get("/api/v1/communities/nope/adoptions/").status_code == 404


# --- ratification ------------------------------------------------------------------------------


def test_votes_list_and_detail(api, world):
    rows = results(api.get("/api/v1/votes/"))
    assert {v["id"] for v in rows} == {
        world.open_vote.pk,
        world.closed_vote.pk,
        world.open_public_vote.pk,
    }
    data = api.get(f"/api/v1/votes/{world.open_vote.pk}/").json()
    assert data["phase"] == "voting"
    assert data["voters"] == 2
    assert data["content_hash"] == world.v2.content_hash
    assert data["threshold"] == "2/3"
    assert [o["key"] for o in data["options"]] == ["yes", "no", "abstain"]
    assert data["results_url"] is None
    closed = api.get(f"/api/v1/votes/{world.closed_vote.pk}/").json()
    assert closed["phase"] == "closed"
    assert closed["results_url"].endswith(f"/api/v1/votes/{world.closed_vote.pk}/results/")
    [only] = results(api.get("/api/v1/votes/?state=closed"))
    assert only["id"] == world.closed_vote.pk
    assert api.get("/api/v1/votes/424242/").status_code == 404


def test_results_hidden_until_close(api, world):
    hidden = api.get(f"/api/v1/votes/{world.open_vote.pk}/results/")
    assert hidden.status_code == 403
    assert hidden.json()["detail"] == "Results are hidden until the vote closes."
    data = api.get(f"/api/v1/votes/{world.closed_vote.pk}/results/").json()
    counts = {o["key"]: o["count"] for o in data["options"]}
    assert counts == {"yes": 2, "no": 1, "abstain": 0}
    assert data["outcome"] == "passed"
    assert data["share_for"] == "66.7%"


def test_results_of_a_vote_past_its_closing_time_close_it_on_sight(api, world):
    from django.utils import timezone

    from ratification.models import Vote

    Vote.objects.filter(pk=world.open_vote.pk).update(
        opens_at=timezone.now() - timezone.timedelta(days=2),
        closes_at=timezone.now() - timezone.timedelta(seconds=1),
    )
    data = api.get(f"/api/v1/votes/{world.open_vote.pk}/results/").json()
    assert data["counted"] == 2
    assert Vote.objects.get(pk=world.open_vote.pk).state == "closed"


def test_draft_votes_only_for_facilitators(api, world, facilitator):
    from tests.api.conftest import make_vote

    draft = make_vote(world.v2, facilitator, open_it=False)
    assert api.get(f"/api/v1/votes/{draft.pk}/").status_code == 404
    assert api.get(f"/api/v1/votes/{draft.pk}/voters/").status_code == 404
    api.force_authenticate(facilitator)
    assert api.get(f"/api/v1/votes/{draft.pk}/").json()["phase"] == "draft"
    assert api.get(f"/api/v1/votes/{draft.pk}/results/").status_code == 403


def test_voter_roll_names_only(api, world):
    rows = results(api.get(f"/api/v1/votes/{world.closed_vote.pk}/voters/"))
    assert [r["voter"] for r in rows] == ["closed0", "closed1", "closed2"]
    assert set(rows[0]) == {"voter", "community", "struck", "struck_reason"}


def test_board_and_external_records(api, world):
    [board] = results(api.get("/api/v1/board-ratifications/"))
    assert board["outcome"] == "ratified" and board["version"] == 1
    assert results(api.get("/api/v1/board-ratifications/?version=2")) == []
    [tally] = results(api.get("/api/v1/external-tallies/?community=alder-wiki"))
    assert tally["votes_for"] == 12 and tally["community"] == "alder-wiki"
    assert results(api.get("/api/v1/external-tallies/?policy=other")) == []


# --- pagination, docs -----------------------------------------------------------------------


def test_pagination(api, world, facilitator):
    from communities import services

    for i in range(25):
        services.save_community(user=facilitator, name=f"Extra {i:02}", slug=f"extra-{i:02}")
    first = api.get("/api/v1/communities/").json()
    assert first["count"] == 27
    assert len(first["results"]) == 20
    assert first["next"].endswith("/api/v1/communities/?page=2")
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 7 and second["next"] is None
    small = api.get("/api/v1/communities/?page_size=5&page=3").json()
    assert len(small["results"]) == 5
    largest = api.get("/api/v1/communities/?page_size=100").json()
    assert len(largest["results"]) == 27
    assert api.get("/api/v1/communities/?page_size=101").status_code == 400  # at most 100
    assert api.get("/api/v1/communities/?page=99").status_code == 404
    assert api.get("/api/v1/communities/?page=abc").status_code == 400


def test_schema_and_docs(api, world):
    schema = api.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert all(path.startswith("/api/v1/") for path in paths)
    assert "/api/v1/consultations/{id}/positions/" in paths
    docs = api.get("/api/docs/")
    assert docs.status_code == 200
    html = body(docs)
    assert "<script>" not in html and "<style>" not in html  # nothing inline
    assert "?script=" in html
    assert "https://" not in html  # Swagger UI is served from our own static files
    csp = docs["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ")}
    assert directives["script-src"] == directives["style-src"] == ["'self'"]
    script = api.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in body(script)
