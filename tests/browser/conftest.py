import os
import shutil
from pathlib import Path

import pytest

from tests.db_template import start_from_migrated_template

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"

# Playwright's sync API runs an event loop in this thread; the live server's database work
# happens in its own thread, and the test's ORM calls are plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail("Debian's chromium is missing: `make test` installs it with apt-get")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def shot(page):
    SHOTS.mkdir(exist_ok=True)

    def take(name, target=None):
        (target or page).screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, django_db_blocker):
    """Browser tests get a database of their own, so `make test` can run them alongside the
    main session (whose workers use test_<name>_gw0, _gw1…).

    On SQLite that is a database file, not Django's shared in-memory database: with the
    in-memory one every live-server thread shares one connection, so two simultaneous requests
    could never meet as they do on a real site (tests/browser/test_concurrent_writes)."""
    import tempfile

    from django.conf import settings

    db = settings.DATABASES["default"]
    test = db.setdefault("TEST", {})
    if db["ENGINE"] == "django.db.backends.sqlite3":
        test["NAME"] = str(
            Path(tempfile.gettempdir()) / f"accord-browser-tests-{os.getpid()}.sqlite3"
        )
    else:
        test["NAME"] = f"{test.get('NAME') or 'test_' + db['NAME']}_browser"
    start_from_migrated_template(django_db_blocker)
