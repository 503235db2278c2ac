"""verify/accord_verify.py checks imported translations and published summaries against the text
the site publishes by the ids their log entries name: an older translation revision still
verifies, and a translation or summary rewritten directly in the database is named by its
entry, with a non-zero exit."""

from itertools import pairwise

import pytest

from consultations import services as consultation_services
from policies import services as policy_services
from tests.factories import ConsultationFactory
from transparency.models import LogEntry

from .test_verifier import accord_verify, fetcher, run, sql

pytestmark = pytest.mark.django_db


def translate(version, code, editor, *, words=""):
    text = "\n\n".join(
        [f"# {code} {version.title}"]
        + [f"## {code} {s.heading}\n\n{code} {s.body}{words}" for s in version.sections.all()]
    )
    return policy_services.import_translation_markdown(
        data=text,
        slug=version.policy.slug,
        version_number=version.number,
        language_code=code,
        user=editor,
    )


@pytest.fixture
def texts(site):
    """Two German revisions of the current version (the pages show only the second) and a
    summary of a closed consultation on version 1, published twice."""
    editor, facilitator, version = site["editor"], site["facilitator"], site["version"]
    first = translate(version, "de", editor)
    second = translate(version, "de", editor, words=" Korrigiert.")
    consulted = site["page"].versions.get(number=1)
    closed = ConsultationFactory(by=facilitator, version=consulted, title="On version 1")
    consultation_services.close_consultation(consultation=closed, user=facilitator, note="Done.")
    keys = [s.key for s in consulted.sections.all()]

    def write(intro):
        consultation_services.save_summary(
            consultation=closed,
            user=facilitator,
            intro=intro,
            # Saved in reverse key order: the hash and the API both order by key.
            sections=[
                {"section_key": key, "outcome": "no_change", "text": f"About {key}."}
                for key in reversed(keys)
            ],
        )
        return consultation_services.publish_summary(consultation=closed, user=facilitator)

    write("We heard you.")
    summary = write("We heard you, and corrected a typo.")
    return {**site, "first": first, "second": second, "summary": summary, "closed": closed}


def entry_for(ref: str) -> LogEntry:
    return LogEntry.objects.filter(object_ref=ref).order_by("-seq").first()


def test_translations_and_summaries_verify_and_earlier_publications_are_noted(client, texts):
    failures, facts = accord_verify.verify(fetcher(client))
    assert failures == []
    summary = texts["summary"]
    published = LogEntry.objects.filter(object_ref=f"consultations.summary:{summary.pk}")
    # Published; edited while published (saving changes the public page, so it is logged);
    # published again.
    seqs = list(published.order_by("seq").values_list("seq", flat=True))
    assert len(seqs) == 3
    for seq, following in pairwise(seqs):
        assert (
            f"entry {seq}: summary {summary.pk} was published again (entry {following}), so "
            "the text it recorded is no longer public to check"
        ) in facts["notes"]


def test_editing_a_published_summary_is_logged_and_still_verifies(client, texts):
    summary, closed = texts["summary"], texts["closed"]
    before = LogEntry.objects.filter(object_ref=f"consultations.summary:{summary.pk}").count()
    consultation_services.save_summary(
        consultation=closed,
        user=texts["facilitator"],
        intro="We heard you; one more correction.",
        sections=[
            {"section_key": s.section_key, "outcome": s.outcome, "text": s.text}
            for s in summary.sections.all()
        ],
    )
    entries = LogEntry.objects.filter(object_ref=f"consultations.summary:{summary.pk}")
    assert entries.count() == before + 1
    assert run(client) == []


def test_an_older_translation_revision_is_public_by_its_id(client, texts):
    first = texts["first"]
    data = client.get(f"/api/v1/translations/{first.pk}/").json()
    assert (data["locale"], data["revision"], data["source_version"]) == ("de", 1, 2)
    assert data["policy"] == "baseline"
    assert [s["position"] for s in data["sections"]] == list(range(len(data["sections"])))
    entry = entry_for(f"policies.translation:{first.pk}")
    assert accord_verify.version_content_hash(data) == entry.content_hash
    assert client.get("/api/v1/translations/999999/").status_code == 404


def test_a_published_summary_is_public_by_its_id_in_key_order(client, texts):
    summary = texts["summary"]
    data = client.get(f"/api/v1/summaries/{summary.pk}/").json()
    keys = [s["section_key"] for s in data["sections"]]
    # The database's order by key (its collation decides), as the log's hash was taken.
    in_order = summary.sections.order_by("section_key").values_list("section_key", flat=True)
    assert keys == list(in_order) and len(keys) >= 2
    assert data["intro"] == "We heard you, and corrected a typo."
    entry = entry_for(f"consultations.summary:{summary.pk}")
    assert accord_verify.summary_content_hash(data) == entry.content_hash


def test_an_unpublished_summary_is_not_public_by_its_id(client, site):
    facilitator = site["facilitator"]
    closed = ConsultationFactory(by=facilitator, version=site["version"], title="Closed")
    consultation_services.close_consultation(consultation=closed, user=facilitator, note="Done.")
    summary = consultation_services.save_summary(
        consultation=closed, user=facilitator, intro="Draft.", sections=[]
    )
    assert client.get(f"/api/v1/summaries/{summary.pk}/").status_code == 404


def test_editing_an_older_translation_revision_is_detected(client, texts, monkeypatch, capsys):
    first = texts["first"]
    seq = entry_for(f"policies.translation:{first.pk}").seq
    sql(
        "UPDATE policies_translatedsection SET body = %s WHERE translation_id = %s "
        "AND position = 0",
        ["Heimlich umgeschrieben.", first.pk],
    )
    monkeypatch.setattr(accord_verify, "http_fetcher", lambda site: fetcher(client))
    code = accord_verify.main(["--site", "http://testserver"])
    printed = capsys.readouterr().out.splitlines()
    assert code == 1
    failures = [line for line in printed if not line.startswith("note:")]
    assert len(failures) == 1
    assert failures[0].startswith(
        f"entry {seq}: translation {first.pk} (de revision 1 of version 2 of baseline) now "
        "hashes to "
    )
    assert failures[0].endswith("(the translated text changed)")


def test_editing_a_translations_title_is_detected(client, texts):
    second = texts["second"]
    seq = entry_for(f"policies.translation:{second.pk}").seq
    sql("UPDATE policies_policytranslation SET title = 'Anders' WHERE id = %s", [second.pk])
    failures = run(client)
    assert len(failures) == 1
    assert failures[0].startswith(f"entry {seq}: translation {second.pk} (de revision 2")


def test_editing_a_published_summarys_text_is_detected(client, texts, monkeypatch, capsys):
    summary, closed = texts["summary"], texts["closed"]
    seq = entry_for(f"consultations.summary:{summary.pk}").seq
    sql(
        "UPDATE consultations_summarysection SET text = %s WHERE summary_id = %s",
        ["We changed nothing.", summary.pk],
    )
    monkeypatch.setattr(accord_verify, "http_fetcher", lambda site: fetcher(client))
    code = accord_verify.main(["--site", "http://testserver"])
    printed = capsys.readouterr().out.splitlines()
    assert code == 1
    failures = [line for line in printed if not line.startswith("note:")]
    assert len(failures) == 1
    assert failures[0].startswith(f"entry {seq}: summary {summary.pk} of consultation {closed.pk}")
    assert failures[0].endswith("when it was last published (the published text changed)")


def test_editing_a_published_summarys_intro_is_detected(client, texts):
    summary = texts["summary"]
    seq = entry_for(f"consultations.summary:{summary.pk}").seq
    sql("UPDATE consultations_summary SET intro = 'Nothing.' WHERE id = %s", [summary.pk])
    failures = run(client)
    assert len(failures) == 1
    assert failures[0].startswith(f"entry {seq}: summary {summary.pk}")


def test_a_translation_that_is_no_longer_public_is_named(client, texts):
    second = texts["second"]
    seq = entry_for(f"policies.translation:{second.pk}").seq
    texts["page"].unpublish()
    failures = run(client)
    assert (
        f"entry {seq}: translation {second.pk} (de revision 2 of version 2 of baseline) is not "
        f"public (/api/v1/translations/{second.pk}/ answered 404)"
    ) in failures
