"""Browser sessions of named people, each in its own context (its own cookies)."""

import contextlib
import re

PASSWORD = "pw-for-tests-only"  # tests.factories gives every account this password


def signed_in(browser, base, username, *, admin=False, timeout=15_000):
    """A page signed in as `username`: through the site's sign-in page, or Wagtail's admin."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(timeout)
    if admin:
        page.goto(f"{base}/admin/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
        page.wait_for_url(re.compile(r"/admin/$"))
    else:
        page.goto(f"{base}/accounts/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
    return page


@contextlib.contextmanager
def posted_once(page, count):
    """Around a successful form submission: once its result is shown, reloading the page, going
    back and going forward post nothing again (post/redirect/get), and `count()` (what the form
    writes) moved once."""
    before = count()
    yield
    page.wait_for_load_state()
    after = count()
    assert after != before, "the form wrote nothing"
    posted = []

    def record(request):
        if request.method == "POST" and request.is_navigation_request():
            posted.append(request.url)

    page.on("request", record)
    page.reload()
    page.go_back()
    page.go_forward()
    page.remove_listener("request", record)
    assert posted == [], f"posted again: {posted}"
    assert count() == after
