from .base import *

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-accord"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
