"""Steps several journeys share, written against what a reader sees (labels, roles, text)."""

import re


def position_form(page, key):
    """Section `key`'s position form, unfolded: found on the page, or on the section's own
    page that the section's "Take a position" link leads to."""
    form = page.locator(f"#take-{key}")
    if not form.count():
        page.locator(f"#section-{key} a[href*='sections/{key}/positions/']").first.click()
        form = page.locator(f"#take-{key}")
    if form.get_attribute("open") is None:
        form.locator("summary").first.click()
    return form


def take_position(page, key, stance, reason=""):
    """Choose `stance` (with `reason`, if any) on section `key` and submit."""
    form = position_form(page, key)
    form.get_by_role("radio", name=stance, exact=True).check()
    if reason:
        form.get_by_role("textbox", name=re.compile("Your reason")).fill(reason)
    form.get_by_role("button", name=re.compile("Record my position|Update my position")).click()
