"""At 390 px (a phone) no public page scrolls sideways: wide tables scroll inside their own
box, long hashes and log lines wrap, and the header's links wrap."""

from io import StringIO

import pytest
from django.core.management import call_command

from consultations.models import Consultation
from consultations.selectors import consultation_url
from policies.models import PolicyPage
from ratification.models import Vote

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTH = 390


def _public_pages() -> list[str]:
    policy = PolicyPage.objects.get(slug="shared-conduct-baseline")
    latest = policy.versions.order_by("-number").first().number
    summarised = Consultation.objects.get(state="summarised")
    open_one = Consultation.objects.filter(state="open").order_by("-pk").first()
    closed = Vote.objects.filter(state="closed").first()
    current = Vote.objects.filter(state="open").first()
    return [
        "/",
        policy.url,
        f"{policy.url}versions/",
        f"{policy.url}compare/{latest - 1}/{latest}/",
        f"{policy.url}compare/{latest - 1}/{latest}/?view=side",
        consultation_url(open_one),
        consultation_url(summarised) + "summary/",
        "/communities/",
        "/communities/alder-wiki/",
        "/adoption/",
        "/votes/",
        f"/votes/{current.pk}/",
        f"/votes/{closed.pk}/",
        f"/votes/{closed.pk}/results/",
        f"/votes/{closed.pk}/voters/",
        "/search/?q=conduct",
        "/log/",
    ]


def test_no_public_page_scrolls_sideways_on_a_phone(browser, live_server):
    call_command("seed_demo", stdout=StringIO())
    context = browser.new_context(viewport={"width": WIDTH, "height": 800})
    page = context.new_page()
    wide = {}
    for path in _public_pages():
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            wide[path] = width
    context.close()
    assert wide == {}
