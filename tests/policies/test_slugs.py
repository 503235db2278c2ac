"""One slug rule everywhere (issue 21): a policy's pages, consultations, ratification, feeds and
API all route by Django's slug converter (ASCII letters, digits, "-" and "_"), so a policy or
community whose slug it cannot match is refused wherever slugs are entered, with nothing
written. `import_policy --policy Ünïcode-slug` used to create a page whose consultations 404."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import override_settings
from wagtail.models import Page

from communities import services as community_services
from communities.models import Community
from policies import services
from policies.models import PolicyIndexPage, PolicyPage

from .test_admin_editing import _form

pytestmark = pytest.mark.django_db

UNICODE_SLUGS = ["Ünïcode-slug", "código", "правила", "slug with spaces", "a/b"]
MARKDOWN = "# Team Code\n\n## Be kind\n\nBe kind to each other.\n"


@pytest.fixture
def markdown_file(tmp_path):
    path = tmp_path / "policy.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    return path


@pytest.mark.parametrize("slug", UNICODE_SLUGS)
def test_import_policy_refuses_a_slug_the_addresses_cannot_hold(markdown_file, editor, slug):
    pages_before = Page.objects.count()
    with pytest.raises(CommandError) as refused:
        call_command(
            "import_policy", str(markdown_file), f"--policy={slug}", "--summary=First",
            "--author=ana", stdout=StringIO(),
        )  # fmt: skip
    assert "letters" in str(refused.value) and slug in str(refused.value)
    assert Page.objects.count() == pages_before
    assert not PolicyPage.objects.exists()


def test_import_policy_with_an_ascii_slug_gives_working_addresses(markdown_file, editor, client):
    call_command(
        "import_policy", str(markdown_file), "--policy=Team_Code-2", "--summary=First",
        "--author=ana", stdout=StringIO(),
    )  # fmt: skip
    page = PolicyPage.objects.get(slug="Team_Code-2")
    assert client.get(page.url).status_code == 200
    assert client.get(page.url + "consultations/").status_code == 200
    assert client.get(page.url + "ratification/").status_code == 200


@pytest.mark.parametrize("slug", UNICODE_SLUGS[:3])
def test_the_service_refuses_the_same_slugs(editor, slug):
    with pytest.raises(ValidationError) as refused:
        services.create_policy_page(title="Team Code", slug=slug, user=editor)
    assert "slug" in refused.value.message_dict
    assert not PolicyPage.objects.exists()


def test_the_admin_refuses_the_same_slugs(client, editor):
    client.force_login(editor)
    index = PolicyIndexPage.objects.get()
    data = _form("Team Code", "Ünïcode-slug", [("", "", "Be kind", "Be kind.")], summary="v1")
    response = client.post(f"/admin/pages/add/policies/policypage/{index.pk}/", data)
    assert response.status_code == 200
    assert "letters" in response.content.decode()
    assert not PolicyPage.objects.exists()


def test_the_admin_suggests_ascii_slugs_from_titles(client, editor):
    client.force_login(editor)
    index = PolicyIndexPage.objects.get()
    html = client.get(f"/admin/pages/add/policies/policypage/{index.pk}/").content.decode()
    # The slug input transliterates ("Über uns" → "uber-uns") unless told it may keep Unicode.
    assert 'name="slug" data-controller="w-slug"' in html
    assert "data-w-slug-allow-unicode-value" not in html


# --- communities: the same rule ---------------------------------------------------------------


@pytest.mark.parametrize("slug", UNICODE_SLUGS)
def test_communities_refuse_the_same_slugs(facilitator, slug, tmp_path):
    with pytest.raises(ValidationError):
        community_services.save_community(user=facilitator, name="Alder", slug=slug)
    csv_file = tmp_path / "communities.csv"
    csv_file.write_text(f'name,slug\nAlder,"{slug}"\n', encoding="utf-8")
    with pytest.raises(CommandError):
        call_command(
            "import_communities", str(csv_file), "--as-user=fran",
            stdout=StringIO(), stderr=StringIO(),
        )  # fmt: skip
    assert not Community.objects.exists()


@override_settings(WAGTAIL_ALLOW_UNICODE_SLUGS=True)
def test_the_rule_holds_whatever_wagtail_is_told(editor):
    with pytest.raises(ValidationError):
        services.create_policy_page(title="Team Code", slug="código", user=editor)
