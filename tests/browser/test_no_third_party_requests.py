"""Every page the site serves asks only its own origin for anything: the public pages, sign-in,
the API docs (Swagger UI, which must still render) and the Wagtail admin (no update check with
releases.wagtail.org, no Gravatar avatars that would give away a hash of each email address).

Requests to another origin are recorded and refused before they leave the browser, so the test
is the same with or without a network."""

import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from consultations.models import Consultation
from consultations.selectors import consultation_url
from policies.models import PolicyPage
from ratification.models import Vote

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LOCAL_SCHEMES = ("data:", "blob:", "about:")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def elsewhere(page, live_server):
    """URLs of the requests that went to another origin, page by page; each is refused."""
    ours = _origin(live_server.url)
    asked: dict[str, list[str]] = {}

    def refuse_other_origins(route):
        url = route.request.url
        if url.startswith(LOCAL_SCHEMES) or _origin(url) == ours:
            route.continue_()
            return
        asked.setdefault(urlsplit(page.url).path or "(start)", []).append(url)
        route.abort()

    page.context.route("**/*", refuse_other_origins)
    return asked


@pytest.fixture
def csp_violations(page):
    """What the browser refused under the Content-Security-Policy, as reported on the console."""
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return refused


def _public_pages() -> list[str]:
    policy = PolicyPage.objects.get(slug="shared-conduct-baseline")
    latest = policy.versions.order_by("-number").first().number
    open_one = Consultation.objects.filter(state="open").order_by("-pk").first()
    summarised = Consultation.objects.get(state="summarised")
    closed_vote = Vote.objects.filter(state="closed").first()
    return [
        "/",
        policy.url,
        f"{policy.url}versions/",
        f"{policy.url}compare/{latest - 1}/{latest}/",
        consultation_url(open_one),
        consultation_url(summarised) + "summary/",
        "/communities/alder-wiki/",
        "/adoption/",
        f"/votes/{closed_vote.pk}/results/",
        "/search/?q=report",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
    ]


# Resources the page names, fetched or not yet (avatars load lazily, below the fold).
NAMED_RESOURCES = """() => [
  ...document.querySelectorAll('img[src], script[src], iframe[src], source[src]'),
  ...document.querySelectorAll('link[href]:not([rel~="alternate"]):not([rel~="canonical"])'),
].map((el) => el.src || el.href)"""


def _visit(page, url: str, elsewhere: dict) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    ours = _origin(url)
    named = [u for u in page.evaluate(NAMED_RESOURCES) if not u.startswith(LOCAL_SCHEMES)]
    for resource in named:
        if _origin(resource) != ours:
            elsewhere.setdefault(urlsplit(url).path, []).append(resource)


def test_no_page_asks_another_site_for_anything(live_server, page, elsewhere, csp_violations):
    call_command("seed_demo", stdout=StringIO())
    base = live_server.url

    for path in _public_pages():
        _visit(page, base + path, elsewhere)

    # The API docs: Swagger UI loads from our static files and lists the operations.
    _visit(page, f"{base}/api/docs/", elsewhere)
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() >= 25
    expect(
        page.locator(".opblock-summary-path", has_text="/api/v1/policies/").first
    ).to_be_visible()

    # The Wagtail admin, signed in as a superuser (who would be shown the update notice).
    _visit(page, f"{base}/admin/login/", elsewhere)
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("accord-demo")
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.wait_for_url(re.compile(r"/admin/$"))
    page.wait_for_load_state("networkidle")
    policy = PolicyPage.objects.get(slug="shared-conduct-baseline")
    admin_pages = ["/django-admin/", "/admin/pages/", f"/admin/pages/{policy.pk}/edit/"]
    admin_pages += ["/admin/snippets/", "/admin/account/", "/admin/users/"]
    for path in admin_pages:
        _visit(page, base + path, elsewhere)
    # The user listing shows everyone's avatar: ours, not Gravatar's.
    expect(page.locator(".avatar img").first).to_be_attached()

    assert elsewhere == {}
    assert csp_violations == []
