"""People, policies, consultations and communities for the search tests, built through the
services so that indexing follows the same path as the site."""

import pytest

from policies import services as policy_services
from policies.models import PolicyPage
from tests import reading
from tests.factories import CommunityFactory, ConsultationFactory


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
    """consult(version, state="draft"|"open"|"closed", title=...) -> a consultation in `state`."""

    def make(version, *, state="open", title="Consultation on the code"):
        return ConsultationFactory(by=facilitator, version=version, state=state, title=title)

    return make


@pytest.fixture
def community(facilitator):
    """community(name, slug, language="", delegates=None) -> a registered community."""

    def make(name, slug, *, language="", delegates=None, kind="wiki"):
        return CommunityFactory(
            by=facilitator, name=name, slug=slug, kind=kind, language=language, delegates=delegates
        )

    return make


def page_text(html) -> str:
    """As tests.reading.page_text, with search highlights (<mark>) read inline."""
    return reading.page_text(html, extra_inline=("mark",))
