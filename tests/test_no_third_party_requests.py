"""The settings that keep the site from asking other sites for anything (the browser test
tests/browser/test_no_third_party_requests.py checks the pages themselves): no Wagtail update
check, no Gravatar, Swagger UI from our own static files with its online validator off."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from wagtail.admin.templatetags.wagtailadmin_tags import avatar_url

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_checks_for_no_update():
    assert settings.WAGTAIL_ENABLE_UPDATE_CHECK is False


def test_avatars_come_from_no_other_site():
    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None
    user = UserFactory(username="avery", email="avery@example.org")
    assert avatar_url(user).startswith(settings.STATIC_URL)
    assert "gravatar" not in avatar_url(user, size=160)


def test_swagger_ui_and_redoc_are_our_static_files():
    spectacular = settings.SPECTACULAR_SETTINGS
    assert "drf_spectacular_sidecar" in settings.INSTALLED_APPS
    assert spectacular["SWAGGER_UI_DIST"] == "SIDECAR"
    assert spectacular["SWAGGER_UI_FAVICON_HREF"] == "SIDECAR"
    assert spectacular["REDOC_DIST"] == "SIDECAR"
    # Swagger UI would otherwise send the schema's address to validator.swagger.io for a badge.
    assert spectacular["SWAGGER_UI_SETTINGS"]["validatorUrl"] is None


def test_the_docs_page_names_no_other_site():
    client = Client()
    html = client.get("/api/docs/").content.decode()
    script = client.get("/api/docs/?script=").content.decode()
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert '"validatorUrl": null' in script
    named = re.findall(r"(?:src|href)=\"/static/([^\"]+)\"", html)
    assert len(named) == 4  # icon, style sheet, two scripts: each one of our static files
    assert all(finders.find(path) for path in named), named
