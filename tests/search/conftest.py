"""People, policies, consultations and communities for the search tests, built through the
services so that indexing follows the same path as the site."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities import services as community_services
from consultations import services as consultation_services
from consultations.models import Consultation
from policies import services as policy_services
from policies.models import PolicyPage
from tests import reading


def results_text(response) -> str:
    """The text of the results part of the page only (not the form, not the header)."""
    html = response.content.decode()
    start = html.find('<section aria-labelledby="results-heading"')
    end = html.find('<section aria-labelledby="phrase-heading"')
    return page_text(html[start:end]) if start != -1 else ""


def history_text(response) -> str:
    html = response.content.decode()
    return page_text(html[html.find('<section aria-labelledby="phrase-heading"') :])


@pytest.fixture
def publish(editor):
    """publish(page, [(key or None, heading, body), ...]) -> the new version."""

    def run(page, sections, *, summary="An edit", label=""):
        return policy_services.publish_policy(
            page=PolicyPage.objects.get(pk=page.pk),
            user=editor,
            summary=summary,
            sections=sections,
            label=label,
        )

    return run


@pytest.fixture
def new_policy(editor):
    def make(slug="baseline", title="Baseline Code"):
        return policy_services.create_policy_page(title=title, slug=slug, user=editor)

    return make


@pytest.fixture
def consult(facilitator):
    """consult(version, state="open", title=...) -> a consultation moved to `state`."""

    def make(version, *, state="open", title="Consultation on the code"):
        consultation = consultation_services.create_consultation(
            version=version,
            user=facilitator,
            title=title,
            closes_at=timezone.now() + timedelta(days=28),
            open_now=state != "draft",
        )
        if state in ("closed", "summarised"):
            consultation_services.close_consultation(
                consultation=consultation, user=facilitator, note="The period ended."
            )
        return Consultation.objects.select_related("version__policy").get(pk=consultation.pk)

    return make


@pytest.fixture
def community(facilitator):
    """community(name, slug, language="", delegates=None) -> a registered community."""

    def make(name, slug, *, language="", delegates=None, kind="wiki"):
        found, _ = community_services.save_community(
            user=facilitator,
            name=name,
            slug=slug,
            kind=kind,
            language=language,
            delegates=delegates,
        )
        return found

    return make


def page_text(html) -> str:
    """As tests.reading.page_text, with search highlights (<mark>) read inline."""
    return reading.page_text(html, extra_inline=("mark",))
