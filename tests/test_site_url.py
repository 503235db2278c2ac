"""Links that leave the site (emails, wiki edit summaries) start with its real address."""

from django.http import HttpResponse
from django.test import RequestFactory

from core.site_url import RequestBaseUrlMiddleware, absolute, site_base_url


def _seen_while_serving(host: str) -> str:
    seen = {}

    def view(request):
        seen["url"] = absolute("/communities/alder/")
        return HttpResponse()

    RequestBaseUrlMiddleware(view)(RequestFactory().get("/", HTTP_HOST=host))
    return seen["url"]


def test_in_development_links_follow_the_address_the_site_was_opened_at(settings):
    settings.ACCORD_LINKS_FROM_REQUEST = True
    settings.ALLOWED_HOSTS = ["*"]
    settings.WAGTAILADMIN_BASE_URL = "http://localhost:8000"
    assert _seen_while_serving("127.0.0.1:8000") == "http://127.0.0.1:8000/communities/alder/"
    # Outside a request (a worker, a command) the configured address is used.
    assert site_base_url() == "http://localhost:8000"


def test_a_configured_address_wins_over_the_request(settings):
    settings.ACCORD_LINKS_FROM_REQUEST = False
    settings.ALLOWED_HOSTS = ["*"]
    settings.WAGTAILADMIN_BASE_URL = "https://conduct.example.org/"
    assert _seen_while_serving("10.0.0.5") == "https://conduct.example.org/communities/alder/"
    assert absolute("/x/", base="https://other.example") == "https://other.example/x/"
