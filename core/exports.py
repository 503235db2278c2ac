"""Helpers every app's CSV exports share."""


def spreadsheet_safe(value):
    """A cell that a spreadsheet would run as a formula (= + - @, tab, carriage return) gets a
    leading apostrophe; empty cells and non-strings pass through."""
    if isinstance(value, str) and value and value[0] in "=+-@\t\r":
        return f"'{value}"
    return value
