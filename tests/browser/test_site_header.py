"""The site header on a 360 px phone: the navigation, search and language sit in a menu that
opens without JavaScript; signing in and out stays in the bar. Every part is reachable and the
page never scrolls sideways, menu open or closed. On a wide screen the menu is always open."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.sessions import PASSWORD
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NAV = {
    "Policies": "/",
    "Communities": "/communities/",
    "Adoption": "/adoption/",
    "Votes": "/votes/",
}


def _scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_phone_reaches_every_part_of_the_header_through_its_menu(live_server, browser):
    UserFactory(username="wren", is_staff=True)
    base = live_server.url
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    page.goto(base + "/communities/")
    nav = page.get_by_role("navigation", name="Site")
    menu = page.locator("summary.site-menu__toggle")
    expect(nav).to_be_hidden()
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    assert _scroll_width(page) <= 360

    for name, path in NAV.items():
        menu.click()
        link = nav.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        assert _scroll_width(page) <= 360, name
        link.click()
        expect(page).to_have_url(base + path)

    menu.click()
    page.locator("header").get_by_label("Search", exact=True).fill("conduct")
    page.locator("header").get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"/search/\?q=conduct"))

    menu.click()
    page.locator("header").get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.locator("summary.site-menu__toggle").click()
    page.locator("#language-switcher-select").select_option("en")
    page.locator("form.language-switcher button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("link", name="Sign in", exact=True).click()
    page.locator("#id_username").fill("wren")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out wren")).to_be_visible()
    assert _scroll_width(page) <= 360
    menu.click()
    expect(nav.get_by_role("link", name="Profile")).to_be_visible()
    expect(nav.get_by_role("link", name="Admin")).to_be_visible()
    assert _scroll_width(page) <= 360
    page.get_by_role("button", name="Sign out wren").click()
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    context.close()


def test_a_wide_screen_shows_the_whole_header_with_no_menu_to_open(live_server, page):
    page.goto(live_server.url + "/")
    expect(page.locator("summary.site-menu__toggle")).to_be_hidden()
    nav = page.get_by_role("navigation", name="Site")
    for name in NAV:
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.get_by_label("Language")).to_be_visible()
    expect(page.get_by_role("button", name="Search", exact=True)).to_be_visible()
