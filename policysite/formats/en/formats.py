"""English date formats for the interface: day, month name, year and a 24-hour clock, as the
site has always shown them (Django's own English formats are American: "Jan. 3, 2025, 9:12 a.m.").
Other languages use Django's formats for their locale."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
