"""One journey of JOURNEYS.md per file, each walked at 1280 px and at 390 px.

`journey` opens pages as named people at the test's width and photographs each key step, full
page, under test-artifacts/journeys/<persona>-<width>/NN-<step>.png for a reviewer to look at
(the persona is the test file's name without its `test_`)."""

import contextlib
import re
import shutil
from pathlib import Path

import pytest

from tests.browser.sessions import PASSWORD, posted_once

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "journeys"
WIDTHS = (1280, 390)


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def width(request):
    return request.param


class Journey:
    def __init__(self, browser, base, width, folder):
        self.browser, self.base, self.width, self.folder = browser, base, width, folder
        self.contexts = []
        self.step = 0

    def page(self, username=None, *, password=PASSWORD, admin=False):
        """A new page at this journey's width: anonymous, or signed in as `username` through
        the site's sign-in page (or Wagtail's admin)."""
        context = self.browser.new_context(viewport={"width": self.width, "height": 900})
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if username and admin:
            page.goto(f"{self.base}/admin/login/")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
            page.wait_for_url(re.compile(r"/admin/$"))
        elif username:
            page.goto(f"{self.base}/accounts/login/")
            page.locator("#id_username").fill(username)
            page.locator("#id_password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    def shot(self, page, name):
        """Photograph the whole page as the next numbered step."""
        self.step += 1
        page.screenshot(path=str(self.folder / f"{self.step:02d}-{name}.png"), full_page=True)

    @contextlib.contextmanager
    def posting(self, page, count):
        """Around a successful form submission: nothing is posted twice (sessions.posted_once).
        Checked at the widest width only, where it costs least."""
        if self.width != max(WIDTHS):
            yield
            return
        with posted_once(page, count):
            yield

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def journey(request, browser, live_server, width):
    persona = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    folder = ARTIFACTS / f"{persona}-{width}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    walk = Journey(browser, live_server.url, width, folder)
    yield walk
    walk.close()
