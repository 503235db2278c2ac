"""Settings for the gunicorn server started by benchmarks/bench_ballots.py: the production
settings, with one override.

Production stores static files with ManifestStaticFilesStorage, whose `{% static %}` raises
unless `collectstatic` has written its manifest into STATIC_ROOT. Running collectstatic (every
Wagtail admin file) for a benchmark of one POST is slow and writes into the checkout, so the
benchmark serves pages with plain StaticFilesStorage: the same tags render, without the hash in
the file names, at the same cost (a dictionary look-up per tag in production).
Everything else (middleware, sessions in the database, CSRF, security headers, ATOMIC_REQUESTS,
templates) is production's, read from the same environment variables."""

from policysite.settings.production import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
