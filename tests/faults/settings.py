"""Settings of the gunicorn server the fault tests run (tests/faults/): production's, with
what a loopback test over plain HTTP needs, and tight posting limits to test.

Like benchmarks/ballot_server_settings.py: plain StaticFilesStorage (no collectstatic), and
cookies without the Secure flag so a test client on http://127.0.0.1 sends them back."""

from policysite.settings.production import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
# Few enough that a test reaches the position limit in a handful of posts.
ACCORD_RATE_LIMITS = {**ACCORD_RATE_LIMITS, "position": (3, 600)}  # noqa: F405
