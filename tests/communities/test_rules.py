"""Who may do what for a community: role × action, asked of the rules and tried over HTTP.

Reading is public. Declaring, overriding, rebasing, upgrading and mapping coverage are for
the community's own delegates and for facilitators; managing the registry is for
facilitators only."""

import pytest

from communities import rules
from communities.models import Adoption, Community, EquivalentMapping, SectionOverride

from .conftest import ROLES

pytestmark = pytest.mark.django_db

ACTIONS = ("view", "declare", "override", "rebase", "upgrade", "map", "manage_registry")

# The expected answer for every role, written out in full, in the order of ACTIONS.
EXPECTED = {
    "anonymous":         (1, 0, 0, 0, 0, 0, 0),
    "participant":       (1, 0, 0, 0, 0, 0, 0),
    "delegate":          (1, 1, 1, 1, 1, 1, 0),
    "other_delegate":    (1, 0, 0, 0, 0, 0, 0),
    "inactive_delegate": (1, 0, 0, 0, 0, 0, 0),
    "facilitator":       (1, 1, 1, 1, 1, 1, 1),
    "superuser":         (1, 1, 1, 1, 1, 1, 1),
}  # fmt: skip

# Every declaring action is one rule: may this person declare for this community?
DECLARING = ("declare", "override", "rebase", "upgrade", "map")


def expected(role) -> dict[str, bool]:
    return dict(zip(ACTIONS, map(bool, EXPECTED[role]), strict=True))


def test_the_table_covers_every_role():
    assert set(EXPECTED) == set(ROLES)
    assert [r for r in ROLES if expected(r)["declare"]] == ["delegate", "facilitator", "superuser"]
    assert [r for r in ROLES if expected(r)["manage_registry"]] == ["facilitator", "superuser"]
    assert all(expected(r)["view"] for r in ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_rules_match_the_table(role, role_user, community):
    user = role_user[role]
    want = expected(role)
    got = {a: bool(rules.can_declare(user, community)) for a in DECLARING}
    got["manage_registry"] = bool(rules.can_manage_registry(user))
    assert got == {a: want[a] for a in got}
    if role != "superuser":  # Django answers True to everything an active superuser asks
        assert user.has_perm("communities.declare", community) == want["declare"]
        assert user.has_perm("communities.manage_registry") == want["manage_registry"]


def test_being_a_delegate_is_per_community(delegate, community, other_community):
    assert rules.can_declare(delegate, community)
    assert not rules.can_declare(delegate, other_community)
    assert not rules.can_declare(delegate, None)


def _as(client, user):
    if user.is_authenticated:
        client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_http_matches_the_table(
    role, role_user, client, community, policy, v1, keys, declare, override, publish
):
    """Each action tried over HTTP as each role: what succeeds is exactly what the table allows
    (a redirect back to the community page, and the change is stored); what is refused is a
    403 and writes nothing."""
    user = role_user[role]
    client = _as(client, user)
    want = expected(role)
    got, refused = {}, {}
    home = f"/communities/{community.slug}/"
    base = f"{home}{policy.slug}"

    # Declare: no declaration exists yet.
    r = client.post(
        f"{base}/declare/",
        {"status": "adopted", "version": 1, "report_contact": "conduct@alder.example.org"},
    )
    row = Adoption.objects.filter(community=community, policy=policy).first()
    got["declare"] = r.status_code == 302 and r["Location"] == home and row is not None
    refused["declare"] = r.status_code == 403 and row is None
    if got["declare"]:
        assert (row.status, row.version, row.declared_by) == ("adopted", v1, user)
        # Asked once: the reporting contact fills the text's [CONTACT METHOD].
        assert row.report_contact == "conduct@alder.example.org"
        assert row.parameters == {"[CONTACT METHOD]": "conduct@alder.example.org"}
    else:
        row = declare(community, policy, "adopted")

    # Override the second section: the first already has one, written by a facilitator.
    override(row, keys[0], "Our own words for part one.")
    r = client.post(
        f"{base}/override/",
        {"section_key": keys[1], "action": "omit", "text": "", "rationale": "Covered elsewhere."},
    )
    made = SectionOverride.objects.filter(adoption=row, section_key=keys[1])
    got["override"] = r.status_code == 302 and r["Location"] == home and made.exists()
    refused["override"] = r.status_code == 403 and not made.exists()

    # A new baseline version changes the first section: its override is stale.
    v2 = publish(policy, {keys[0]: "The first section, rewritten by the baseline."})
    first = SectionOverride.objects.get(adoption=row, section_key=keys[0])
    assert first.based_on.version_id == v1.pk

    r = client.post(f"{base}/rebase/{keys[0]}/", {"action": "replace", "text": "Rebased words."})
    first.refresh_from_db()
    got["rebase"] = r.status_code == 302 and first.based_on.version_id == v2.pk
    refused["rebase"] = r.status_code == 403 and first.based_on.version_id == v1.pk
    if got["rebase"]:
        assert first.text == "Rebased words."

    r = client.post(f"{base}/upgrade/")
    row.refresh_from_db()
    got["upgrade"] = r.status_code == 302 and row.version_id == v2.pk
    refused["upgrade"] = r.status_code == 403 and row.version_id == v1.pk

    form = {f"m-{k}-coverage": "covered" for k in keys}
    r = client.post(f"{base}/mapping/", form)
    mapped = EquivalentMapping.objects.filter(adoption=row)
    got["map"] = r.status_code == 302 and mapped.count() == len(keys)
    refused["map"] = r.status_code == 403 and not mapped.exists()

    # Reading is public, and the page offers the declaring actions only to those allowed.
    pages = [
        "/communities/",
        home,
        f"{base}/effective/",
        f"{base}/effective.md",
        "/adoption/",
        "/adoption/export.csv",
        f"/adoption/badge/{community.slug}/{policy.slug}.svg",
    ]
    statuses = {path: client.get(path).status_code for path in pages}
    got["view"] = set(statuses.values()) == {200}
    refused["view"] = not got["view"]
    page = client.get(home).content.decode()
    assert (f"{base}/declare/" in page) == want["declare"]
    assert (f"{base}/override/" in page) == want["override"]

    checked = {a: want[a] for a in got}
    assert got == checked, statuses
    assert refused == {a: not want[a] for a in got}


# The registry is managed in the Wagtail admin (a snippet viewset). The rules say facilitators
# manage it; the admin must let them, and nobody else but superusers.
REGISTRY_ROLES = list(ROLES)


@pytest.mark.parametrize("role", REGISTRY_ROLES)
def test_registry_admin_matches_the_table(role, role_user, client):
    user = role_user[role]
    client = _as(client, user)
    r = client.post(
        "/admin/snippets/communities/community/add/",
        {"name": "Cedar Chapter", "slug": "cedar-chapter", "kind": "chapter", "language": "fr",
         "url": "https://cedar.example.org/"},
    )  # fmt: skip
    created = Community.objects.filter(slug="cedar-chapter").exists()
    if expected(role)["manage_registry"]:
        assert (r.status_code, created) == (302, True), r.content.decode()[:2000]
        assert "/login/" not in r["Location"]
    else:
        refused = 400 <= r.status_code < 500 or (
            r.status_code == 302 and "/login/" in r["Location"]
        )
        assert refused and not created
