import os

from .base import *

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-accord"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Links in emails follow the address the site was opened at, unless WAGTAILADMIN_BASE_URL names
# one (core.site_url).
ACCORD_LINKS_FROM_REQUEST = "WAGTAILADMIN_BASE_URL" not in os.environ
# The browsable API is handy while developing; production serves JSON only.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
