"""Security headers a user never sees but always relies on."""

import pytest

from tests.factories import EditorFactory, make_policy

pytestmark = pytest.mark.django_db


def test_public_pages_forbid_inline_script_and_foreign_sources(client, editor):
    make_policy(editor=editor)
    for url in ("/", "/baseline/", "/votes/", "/communities/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "object-src 'none'" in policy, url
        assert "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy


def test_the_admin_keeps_its_inline_scripts_working(client):
    client.force_login(EditorFactory(username="edna"))
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response
