"""Declarations, overrides, staleness, upgrades, notification emails and the effective text, as
the services store them and as the pages then show them."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from communities import selectors, services
from communities.models import Adoption, SectionOverride
from communities.tasks import notify_new_baseline_version
from tests.factories import UserFactory, make_policy

from .conftest import db_state, page_text, tables

pytestmark = pytest.mark.django_db

Status = Adoption.Status
CONTACT = "[CONTACT METHOD]"

# What each status needs besides the status itself.
EXTRAS = {
    Status.ADOPTED: {},
    Status.OVERRIDES: {},
    Status.EQUIVALENT: {
        "equivalent_title": "Alder Friendly Space Policy",
        "equivalent_url": "https://alder.example.org/wiki/Friendly_space",
    },
    Status.OPTED_OUT: {"rationale": "We follow our host's policy."},
    Status.DISCUSSING: {"evidence_url": "https://alder.example.org/wiki/Talk:Conduct"},
    Status.UNDECLARED: {},
}


def community_card(client, community, policy) -> str:
    """The text of one policy's card on the community page."""
    html = client.get(f"/communities/{community.slug}/").content.decode()
    match = re.search(rf'<section class="adoption-card" id="policy-{policy.slug}">(.*?)</section>',
                      html, re.S)  # fmt: skip
    assert match, html
    return page_text(match[1])


def dashboard_rows(client, policy) -> dict[str, list[str]]:
    """Dashboard table: community name -> [status, pinned, behind, stale]."""
    rows = tables(client.get(f"/adoption/?policy={policy.slug}"))["Every community"]
    return {r[0]: r[1:] for r in rows}


def dashboard_counts(client, policy) -> dict[str, int]:
    rows = tables(client.get(f"/adoption/?policy={policy.slug}"))["Communities per status"]
    return {r[0]: int(r[1]) for r in rows}


# --- declaring -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", Status.values)
def test_each_status_can_be_declared(status, community, delegate, policy, v1, declare, client):
    adoption = declare(community, policy, status, user=delegate, **EXTRAS[status])
    adoption.refresh_from_db()
    assert (adoption.status, adoption.version, adoption.declared_by) == (status, v1, delegate)
    assert adoption.declared_at is not None
    label = Status(status).label
    assert f"Baseline Code: {label}" in community_card(client, community, policy)
    row = dashboard_rows(client, policy)["Alder Wiki"]
    assert row[:2] == [label, "1"]
    badge = client.get(f"/adoption/badge/alder-wiki/{policy.slug}.svg").content.decode()
    assert f">{label}" in badge


def test_the_latest_version_is_pinned_unless_one_is_chosen(
    community, policy, v1, declare, publish, keys
):
    v2 = publish(policy, {keys[0]: "Changed."})
    assert declare(community, policy).version == v2
    assert declare(community, policy, version=v1).version == v1


def test_opting_out_needs_a_rationale_and_never_counts_as_adopting(
    community, other_community, policy, v1, declare, client, facilitator, keys, publish
):
    before = db_state()
    with pytest.raises(ValidationError) as exc:
        declare(community, policy, "opted_out", rationale="   ")
    assert exc.value.message_dict == {"rationale": ["Say briefly why the community opts out."]}
    assert db_state() == before

    declare(community, policy, "opted_out", rationale="Our host's policy covers us.")
    declare(other_community, policy, "adopted")
    publish(policy, {keys[0]: "A newer first section."})
    counts = dashboard_counts(client, policy)
    assert counts["Opted out"] == 1
    assert counts["Adopted"] == 1  # only Birch
    assert counts["Adopted with local overrides"] == 0
    rows = dashboard_rows(client, policy)
    assert rows["Alder Wiki"] == ["Opted out", "1", "0", "0"]  # never "behind" either
    assert rows["Birch Project"] == ["Adopted", "1", "1", "0"]
    listed = tables(client.get("/communities/?status=adopted"))["table0"]
    assert [r[0] for r in listed] == ["Birch Project"]
    assert "Our host's policy covers us." in community_card(client, community, policy)


def test_an_opted_out_community_is_not_told_to_upgrade(
    community, policy, keys, declare, publish, client
):
    declare(community, policy, "opted_out", rationale="Our host's policy covers us.")
    publish(policy, {keys[0]: "A newer first section."})
    card = community_card(client, community, policy)
    assert "Opted out" in card
    assert "Version 2 is out" not in card and "Adopt version 2" not in card


def test_an_own_equivalent_needs_a_title_and_an_address(community, policy, declare):
    before = db_state()
    for fields in (
        {},
        {"equivalent_title": "Our policy"},
        {"equivalent_url": "https://alder.example.org/policy"},
        {"equivalent_title": "  ", "equivalent_url": "https://alder.example.org/policy"},
    ):
        with pytest.raises(ValidationError) as exc:
            declare(community, policy, "own_equivalent", **fields)
        assert "equivalent_url" in exc.value.message_dict
        assert db_state() == before
    adoption = declare(community, policy, "own_equivalent", **EXTRAS[Status.EQUIVALENT])
    assert adoption.equivalent_title == "Alder Friendly Space Policy"


@pytest.fixture
def other_policy(editor):
    return make_policy(editor=editor, slug="events", title="Events Code", n_sections=2)


@pytest.fixture
def adopted(community, policy, declare):
    """Alder Wiki adopted version 1 (contact filled in)."""
    return declare(community, policy, "adopted", parameters={CONTACT: "conduct@alder.example"})


def _refusals(community, policy, other_policy, adopted, keys, declare, delegate, other_delegate):
    """(what was tried, the refusal it must meet, words the message must contain)."""
    other_version = other_policy.versions.get()
    return [
        (
            lambda: declare(community, policy, version=other_version),
            ValidationError,
            "another policy",
        ),
        (
            lambda: services.upgrade_adoption(
                adoption=adopted, user=delegate, version=other_version
            ),
            ValidationError,
            "another policy",
        ),
        (
            lambda: declare(community, policy, evidence_url="alder.example.org/vote"),
            ValidationError,
            "Enter a full web address",
        ),
        (
            lambda: declare(community, policy, evidence_url="javascript:alert(1)"),
            ValidationError,
            "Enter a full web address",
        ),
        (
            lambda: declare(
                community,
                policy,
                "own_equivalent",
                equivalent_title="Ours",
                equivalent_url="not a url",
            ),
            ValidationError,
            "Enter a full web address",
        ),  # fmt: skip
        (
            lambda: declare(community, policy, parameters={"[GOVERNING BODY]": "The council"}),
            ValidationError,
            "not a placeholder",
        ),
        (
            lambda: declare(community, policy, parameters={CONTACT: "x" * 201}),
            ValidationError,
            "too long",
        ),
        (lambda: declare(community, policy, "maybe"), ValidationError, "Choose one"),
        (
            lambda: declare(community, policy, "opted_out", rationale="x" * 20_001),
            ValidationError,
            "too long",
        ),
        (
            lambda: services.set_override(
                adoption=adopted,
                section_key="no-such-section",
                user=delegate,
                action="replace",
                text="Ours.",
                rationale="Because.",
            ),
            ValidationError,
            "no section",
        ),  # fmt: skip
        (
            lambda: services.set_override(
                adoption=adopted,
                section_key=keys[0],
                user=delegate,
                action="replace",
                text="",
                rationale="Because.",
            ),
            ValidationError,
            "replacement text",
        ),  # fmt: skip
        (
            lambda: services.set_override(
                adoption=adopted,
                section_key=keys[0],
                user=delegate,
                action="shout",
                text="Ours.",
                rationale="Because.",
            ),
            ValidationError,
            "Replace the text or omit",
        ),  # fmt: skip
        (
            lambda: services.set_override(
                adoption=adopted,
                section_key=keys[0],
                user=delegate,
                action="omit",
                rationale=" ",
            ),
            ValidationError,
            "Say why",
        ),  # fmt: skip
        (
            lambda: services.set_mappings(
                adoption=adopted,
                user=delegate,
                mappings=[{"section_key": "no-such-section", "coverage": "covered"}],
            ),
            ValidationError,
            "Unknown section",
        ),  # fmt: skip
        (
            lambda: services.set_mappings(
                adoption=adopted,
                user=delegate,
                mappings=[{"section_key": keys[0], "coverage": "mostly"}],
            ),
            ValidationError,
            "Covered, partly",
        ),  # fmt: skip
        (
            lambda: declare(community, policy, "opted_out", user=other_delegate, rationale="x"),
            PermissionDenied,
            "delegates or a facilitator",
        ),
        (
            lambda: services.set_override(
                adoption=adopted,
                section_key=keys[0],
                user=other_delegate,
                action="omit",
                rationale="Because.",
            ),
            PermissionDenied,
            "delegates or a facilitator",
        ),  # fmt: skip
        (
            lambda: services.save_community(
                user=delegate, name="Cedar", slug="cedar", url="https://cedar.example.org/"
            ),
            PermissionDenied,
            "facilitators",
        ),
    ]


def test_every_refusal_says_why_and_changes_nothing(
    community, policy, other_policy, adopted, keys, declare, delegate, other_delegate
):
    refusals = _refusals(
        community, policy, other_policy, adopted, keys, declare, delegate, other_delegate
    )
    before = db_state()
    for i, (attempt, error, words) in enumerate(refusals):
        with pytest.raises(error) as exc:
            attempt()
        message = " ".join(exc.value.messages) if error is ValidationError else str(exc.value)
        assert words in message, (i, message)
        assert db_state() == before, i
    adopted.refresh_from_db()
    assert (adopted.status, adopted.parameters) == ("adopted", {CONTACT: "conduct@alder.example"})


def test_a_malformed_community_address_is_refused(facilitator, community):
    before = db_state()
    with pytest.raises(ValidationError) as exc:
        services.save_community(
            user=facilitator, name="Alder", slug="alder-wiki", url="alder.example.org"
        )
    assert "url" in exc.value.message_dict
    assert db_state() == before


def test_the_history_is_a_timeline_on_the_community_page(community, delegate, policy, client):
    client.force_login(delegate)
    url = f"/communities/{community.slug}/{policy.slug}/declare/"
    assert client.post(url, {"status": "under_discussion", "version": 1}).status_code == 302
    assert client.post(url, {"status": "adopted", "version": 1}).status_code == 302
    client.logout()
    html = client.get(f"/communities/{community.slug}/").content.decode()
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', html, re.S)[1]
    entries = [page_text(li) for li in re.findall(r"<li>(.*?)</li>", timeline, re.S)]
    assert len(entries) == 2
    assert "Adopted, version 1 — dana (Declared Adopted)" in entries[0]  # newest first
    assert "Under discussion, version 1 — dana (Declared Under discussion)" in entries[1]
    assert "Timeline (2 changes)" in page_text(html)


# --- staleness, rebasing and upgrading -----------------------------------------------------------


@pytest.fixture
def stale_setup(community, policy, v1, keys, adopted, override, publish):
    """Overrides on sections A and B of version 1; version 2 changes A and the untouched C."""
    a, b, c = keys
    override(adopted, a, "Our words for A.")
    override(adopted, b, "Our words for B.")
    v2 = publish(
        policy,
        {
            a: v1.sections.get(key=a).body + " Also: be kind.",
            c: v1.sections.get(key=c).body + " Also: be brief.",
        },
    )
    adopted.refresh_from_db()
    return adopted, v2


def test_only_the_override_whose_section_changed_is_stale(
    stale_setup, community, policy, keys, client
):
    adoption, v2 = stale_setup
    a, b, _ = keys
    assert [o.section_key for o in selectors.stale_overrides(adoption)] == [a]
    card = community_card(client, community, policy)
    assert len(re.findall(r"\bstale\b", card)) == 1
    headings = {s.key: s.heading for s in policy.versions.get(number=1).sections.all()}
    assert f"{headings[a]}: Replace the text stale — the baseline changed this section" in card
    assert f"{headings[b]}: Replace the text Why:" in card
    assert "Version 2 is out. Sections changed since version 1: Section 1, Section 3." in card
    assert dashboard_rows(client, policy)["Alder Wiki"] == [
        "Adopted with local overrides", "1", "1", "1 of 2",
    ]  # fmt: skip
    csv_line = next(
        line for line in client.get("/adoption/export.csv").content.decode().splitlines()
        if line.startswith("alder-wiki,")
    )  # fmt: skip
    assert csv_line.endswith(",adopted_with_overrides,1,2,1,2,1")


def test_rebasing_clears_staleness_and_upgrading_pins_the_new_version(
    stale_setup, community, delegate, policy, keys, client
):
    adoption, v2 = stale_setup
    a, b, _ = keys
    client.force_login(delegate)
    # The rebase page shows what the baseline changed.
    page = client.get(f"/communities/{community.slug}/{policy.slug}/rebase/{a}/")
    assert page.status_code == 200
    assert "<ins>" in page.content.decode() and "kind." in page_text(page)
    r = client.post(
        f"/communities/{community.slug}/{policy.slug}/rebase/{a}/",
        {"action": "replace", "text": "Our words for A, checked against version 2."},
    )
    assert r.status_code == 302
    assert selectors.stale_overrides(adoption) == []
    override_a = SectionOverride.objects.get(adoption=adoption, section_key=a)
    assert override_a.based_on.version == v2
    assert override_a.text == "Our words for A, checked against version 2."
    card = community_card(client, community, policy)
    assert "stale" not in card
    assert "Version 2 is out" in card  # still pinned to version 1
    assert dashboard_rows(client, policy)["Alder Wiki"][1:] == ["1", "1", "0 of 2"]

    r = client.post(f"/communities/{community.slug}/{policy.slug}/upgrade/")
    assert r.status_code == 302
    adoption.refresh_from_db()
    assert adoption.version == v2
    card = community_card(client, community, policy)
    assert "Pinned to version 2." in card
    assert "Version 2 is out" not in card and "behind" not in card
    assert dashboard_rows(client, policy)["Alder Wiki"][1:] == ["2", "0", "0 of 2"]
    assert "Upgraded to version 2" in card  # the timeline says so


def test_upgrading_without_rebasing_keeps_the_override_stale(stale_setup, keys, delegate):
    adoption, v2 = stale_setup
    services.upgrade_adoption(adoption=adoption, user=delegate)
    assert [o.section_key for o in selectors.stale_overrides(adoption)] == [keys[0]]


def test_an_override_on_a_removed_section_cannot_be_rebased(
    adopted, override, keys, policy, editor, delegate
):
    from policies import services as policy_services

    stale = override(adopted, keys[2], "Ours.")
    latest = policy.versions.get()
    policy_services.publish_policy(
        page=policy, user=editor, summary="Dropped the last section.",
        sections=[(s.key, s.heading, s.body) for s in latest.sections.all()][:2],
    )  # fmt: skip
    assert selectors.stale_overrides(adopted) == [stale]
    before = db_state()
    with pytest.raises(ValidationError, match="remove the override"):
        services.rebase_override(override=stale, user=delegate)
    assert db_state() == before


def test_removing_the_last_override_goes_back_to_adopted(adopted, override, keys, delegate):
    first = override(adopted, keys[0])
    adopted.refresh_from_db()
    assert adopted.status == Status.OVERRIDES
    services.remove_override(override=first, user=delegate)
    adopted.refresh_from_db()
    assert adopted.status == Status.ADOPTED


# --- telling delegates --------------------------------------------------------------------------


def test_a_new_version_emails_the_delegates_of_adopting_communities(
    stale_setup, community, other_community, delegate, policy, keys, v1, declare, editor,
    facilitator, django_capture_on_commit_callbacks,
):  # fmt: skip
    """Publishing goes: new version -> (on commit) version_published -> (on commit) the task.
    Only adopting communities' delegates are written to, each with what changed and which of
    their overrides went stale."""
    adoption, v2 = stale_setup  # v2 was published inside the test transaction: no mail yet
    assert mail.outbox == []
    a, b, c = keys
    declare(other_community, policy, "opted_out", rationale="Not for us.")
    for name, status, extras in [
        ("Cedar Chapter", "own_equivalent", EXTRAS[Status.EQUIVALENT]),
        ("Dogwood Wiki", "under_discussion", {}),
        ("Elm Wiki", "adopted", {}),
    ]:
        c_, _ = services.save_community(
            user=facilitator,
            name=name, slug=name.lower().replace(" ", "-"),
        )  # fmt: skip
        c_.delegates.add(UserFactory(username=name.split()[0].lower()))
        declare(c_, policy, status, version=v1, **extras)
    other_community.delegates.add(UserFactory(username="olga"))
    community.delegates.add(UserFactory(username="noemail", email=""))

    from policies import services as policy_services

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        v3 = policy_services.publish_policy(
            page=policy, user=editor, summary="Tightened B.",
            sections=[(s.key, s.heading, s.body + (" Now stricter." if s.key == b else ""))
                      for s in v2.sections.all()],
        )  # fmt: skip
    assert len(callbacks) >= 2  # the signal, then the task it enqueued
    recipients = sorted(r for m in mail.outbox for r in m.to)
    assert recipients == ["dana@example.org", "elm@example.org"]
    to_alder = next(m for m in mail.outbox if m.to == ["dana@example.org"])
    assert to_alder.subject == "New version of Baseline Code: version 3"
    body = to_alder.body
    assert "Version 3 of “Baseline Code” has been published. Alder Wiki adopted version 1." in body
    assert "Sections changed since then:\n- Section 1\n- Section 2\n- Section 3\n" in body
    # Sections are named by their headings, in plain words: no keys, no "rebase" or "stale".
    replaced = body.split("update your text or confirm it:\n")[1]
    assert replaced.startswith("- Section 1\n- Section 2\n\n")
    assert a not in body and b not in body
    assert "rebase" not in body.lower() and "stale" not in body.lower()
    # Links start with the site's address and lead to the diff and the community's page.
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    assert f"{base}{policy.url}compare/1/3/\n{base}/communities/alder-wiki/\n" in body
    to_elm = next(m for m in mail.outbox if m.to == ["elm@example.org"])
    assert "replaced these sections" not in to_elm.body
    assert v3.number == 3


def test_the_email_names_only_the_stale_overrides(stale_setup, keys, delegate):
    adoption, v2 = stale_setup
    assert notify_new_baseline_version.call(v2.pk) == 1
    (message,) = mail.outbox
    assert message.to == ["dana@example.org"]
    assert "Sections changed since then:\n- Section 1\n- Section 3\n\n" in message.body
    assert "update your text or confirm it:\n- Section 1\n\n" in message.body


def test_a_late_running_task_for_an_older_version_emails_nobody(stale_setup):
    """The task may run after the community has moved on (the demo seed publishes every version
    in one transaction): "version 1 is out" must not reach a community already on version 1."""
    adoption, v2 = stale_setup
    v1_id = adoption.version_id
    Adoption.objects.filter(pk=adoption.pk).update(version=v2)  # the community moved on
    assert notify_new_baseline_version.call(v1_id) == 0
    assert mail.outbox == []


# --- the effective text ---------------------------------------------------------------------------


@pytest.fixture
def localised(adopted, override, keys):
    """Section 1 filled in from the parameter, section 2 replaced, section 3 omitted."""
    override(adopted, keys[1], f"Our own second section. Write to {CONTACT}.")
    override(adopted, keys[2], action="omit", rationale="Covered by our events policy.")
    return adopted


def test_the_effective_page_fills_placeholders_and_shows_overrides(
    localised, community, policy, client
):
    r = client.get(f"/communities/{community.slug}/{policy.slug}/effective/")
    assert r.status_code == 200
    html = r.content.decode()
    sections = dict(
        re.findall(r'<section class="diff-section" id="([^"]+)">(.*?)</section>', html, re.S)
    )
    first, second, third = sections.values()
    # What the community's text reads: the diff without the struck-out baseline words.
    reads = [page_text(re.sub(r"(?s)<del>.*?</del>|<span class=\"visually-hidden\">[^<]*</span>",
                              "", s)) for s in (first, second)]  # fmt: skip
    assert "local details" in reads[0]
    assert reads[0].endswith("word39 Contact conduct@alder.example about part 1.")
    assert "local override" in reads[1]
    assert reads[1].endswith(
        "Why: We say it so. Our own second section. Write to conduct@alder.example."
    )
    assert all(CONTACT not in text for text in reads)
    inserted = re.findall(r"<ins>(.*?)</ins>", second, re.S)
    assert "Our own second section." in page_text(" ".join(inserted))
    assert "<del>" in first and "<ins>" in first  # the filled-in contact shows as a local detail
    assert "omitted here" in page_text(third)
    assert "Why: Covered by our events policy." in page_text(third)


@pytest.mark.parametrize(
    "fmt,heading", [("md", "## {}"), ("wiki", "== {} ==")], ids=["markdown", "wikitext"]
)
def test_downloads_leave_out_omitted_sections(fmt, heading, localised, community, policy, client):
    r = client.get(f"/communities/{community.slug}/{policy.slug}/effective.{fmt}")
    assert r.status_code == 200
    assert r["Content-Disposition"] == f'inline; filename="alder-wiki-baseline.{fmt}"'
    text = r.content.decode()
    assert heading.format("Section 1") in text and heading.format("Section 2") in text
    assert "Section 3" not in text and "part 3" not in text
    assert "Contact conduct@alder.example about part 1." in text
    assert "Our own second section. Write to conduct@alder.example." in text
    assert CONTACT not in text
    if fmt == "md":
        assert "baseline_version: 1" in text and "community: alder-wiki" in text


def test_an_unknown_download_format_is_404(localised, community, policy, client):
    assert (
        client.get(f"/communities/{community.slug}/{policy.slug}/effective.pdf").status_code == 404
    )


def test_unfilled_placeholders_mark_the_declaration_incomplete(
    community, policy, keys, declare, override, client
):
    adoption = declare(community, policy, "adopted")
    card = community_card(client, community, policy)
    assert f"Incomplete: placeholders not filled in yet: {CONTACT}." in card
    effective = page_text(client.get(f"/communities/{community.slug}/{policy.slug}/effective/"))
    assert CONTACT in effective  # left visible, unfilled

    # Omitting or replacing every section that has the placeholder completes it...
    for key in keys:
        override(adoption, key, action="omit", rationale="Ours.")
    assert "Incomplete" not in community_card(client, community, policy)
    # ...and so does filling it in.
    for o in list(adoption.overrides.all()):
        services.remove_override(override=o, user=adoption.declared_by)
    declare(community, policy, "adopted", parameters={CONTACT: "conduct@alder.example"})
    assert "Incomplete" not in community_card(client, community, policy)
