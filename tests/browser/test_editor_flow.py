"""An editor creates a policy in the Wagtail admin, publishes v1, edits, publishes v2, and a
reader sees the change on the public compare page."""

import re

import pytest
from playwright.sync_api import expect

from policies.models import PolicyIndexPage, PolicyPage
from tests.factories import EditorFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _publish(page, summary):
    page.locator("#id_edit_summary").fill(summary)
    page.locator("footer .dropdown-toggle, [data-w-dropdown-target='toggle']").last.click()
    page.get_by_role("button", name=re.compile("^Publish")).click()


def test_editor_publishes_two_versions_and_reader_compares(live_server, page, shot):
    EditorFactory(username="edith")
    index = PolicyIndexPage.objects.get()

    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("edith")
    page.get_by_label("Password").fill("pw-for-tests-only")
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.wait_for_url(re.compile(r"/admin/$"))

    page.goto(f"{live_server.url}/admin/pages/add/policies/policypage/{index.pk}/")
    page.locator("#id_title").fill("Browser Code")
    for i, (heading, body) in enumerate(
        [("Be kind", "Treat everyone with respect."), ("Reporting", "Write to the team.")]
    ):
        page.get_by_role("button", name=re.compile("Add section", re.I)).last.click()
        page.locator(f"#id_sections-{i}-heading").fill(heading)
        page.locator(f"#id_sections-{i}-body").fill(body)
    _publish(page, "First version")
    expect(page.get_by_text("Published version 1")).to_be_visible()
    shot("admin-published-v1")

    policy = PolicyPage.objects.get(title="Browser Code")
    page.goto(f"{live_server.url}/admin/pages/{policy.pk}/edit/")
    page.locator("#id_sections-0-body").fill("Treat everyone with patience and respect.")
    _publish(page, "Ask for patience too")
    expect(page.get_by_text("Published version 2")).to_be_visible()

    page.goto(f"{live_server.url}{policy.url}compare/1/2/")
    expect(page.locator(".diff-text ins").first).to_contain_text("patience")
    expect(page.get_by_text("Ask for patience too")).to_be_visible()
    shot("compare-v1-v2")

    page.goto(f"{live_server.url}{policy.url}versions/")
    expect(page.get_by_text("Published by", exact=False).first).to_be_visible()
    shot("history")
