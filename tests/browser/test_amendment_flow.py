"""A participant proposes better wording, another supports it, a facilitator accepts it,
merges it into the next draft and publishes; the version history credits the author."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from amendments.models import AmendmentMerge
from consultations import services
from policies.models import PolicyVersion
from tests.browser.sessions import posted_once, signed_in
from tests.factories import EditorFactory, UserFactory, make_policy

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_propose_support_accept_merge_publish_credit(live_server, browser, shot):
    editor = EditorFactory(username="edna")
    fran = UserFactory(username="fran", is_staff=True)
    fran.groups.add(*Group.objects.filter(name__in=["Facilitators", "Editors", "Moderators"]))
    UserFactory(username="pat")
    UserFactory(username="quinn")
    policy = make_policy(editor=editor, slug="baseline", n_sections=2)
    version = policy.versions.get()
    first = version.sections.first()
    consultation = services.create_consultation(
        version=version,
        user=fran,
        title="Consultation on version 1",
        closes_at=timezone.now() + dt.timedelta(days=14),
        open_now=True,
    )
    base = live_server.url
    url = f"{base}/baseline/consultations/{consultation.pk}/"

    pat = signed_in(browser, base, "pat")
    pat.goto(url)
    pat.locator(f"#section-{first.key}").get_by_role(
        "link", name="Propose a change to this section"
    ).click()
    section = pat.locator(f"#section-{first.key}")
    text = section.get_by_label("Your wording")
    text.fill(first.body.replace("word0", "kindness", 1))
    section.get_by_label("Why this is better").fill("Say what we mean.")
    section.get_by_role("button", name="Propose the amendment").click()
    expect(pat.get_by_text("Your amendment is proposed")).to_be_visible()
    expect(pat.locator(".amendment-detail ins").first).to_contain_text("kindness")
    amendment_url = pat.url
    pat.context.close()

    quinn = signed_in(browser, base, "quinn")
    quinn.goto(amendment_url)
    quinn.get_by_text("Take a position on “Amendment #").click()
    quinn.get_by_role("radio", name="Support", exact=True).check()
    quinn.get_by_role("button", name="Record my position").click()
    expect(quinn.get_by_text("Your position is recorded.")).to_be_visible()
    expect(quinn.locator("[id^=section-amendment-] .tally-text").first).to_contain_text(
        "Support: 1 (100%)"
    )
    quinn.context.close()

    page = signed_in(browser, base, "fran")
    page.goto(amendment_url)
    page.get_by_text("Decide on this amendment").click()
    page.get_by_role("radio", name="Accept", exact=True).check()
    page.locator(".amendment-detail").get_by_label("Public reason").fill(
        "Clearer, and widely supported."
    )
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Accepted by fran")).to_be_visible()
    page.goto(url)
    page.get_by_role("link", name="Merge accepted amendments into the next draft").click()
    with posted_once(page, count=AmendmentMerge.objects.count):
        page.get_by_role("button", name="Apply amendment").click()
        expect(page.get_by_text("is in the draft")).to_be_visible()
    summary = page.get_by_label("Edit summary of the new version")
    expect(summary).to_have_value(
        re.compile(r"^Merged amendments from the consultation: #\d+ by pat\.$")
    )
    shot("amendment-1-merge", page)
    with posted_once(page, count=PolicyVersion.objects.count):
        page.get_by_role("button", name="Publish the next version").click()
        expect(page.get_by_text("Version 2 is published.")).to_be_visible()
    expect(page.locator(".credits").first).to_contain_text("Wording from: amendment #")
    expect(page.locator(".credits").first).to_contain_text("by pat")
    shot("amendment-2-history", page)
    new = PolicyVersion.objects.get(policy=policy, number=2)
    assert new.sections.get(key=first.key).body == first.body.replace("word0", "kindness", 1)
    page.goto(amendment_url)
    expect(page.get_by_text("Merged into version 2")).to_be_visible()
    page.context.close()
