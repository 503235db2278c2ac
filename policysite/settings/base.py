"""Settings shared by every environment. Environment-specific files import * from here."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
# Links a secret ballot's choice to its voter (see ratification.models). Keep it out of the
# database and its backups; when unset it is derived from SECRET_KEY.
BALLOT_SECRET_KEY = os.environ.get("ACCORD_BALLOT_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h]

INSTALLED_APPS = [
    # Before the apps: text fields drop control characters (core.fields).
    "core",
    "transparency",
    "policies",
    "consultations",
    "amendments",
    "communities",
    "ratification",
    "accounts",
    "search",
    "policysite",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "simple_history",
    "csp",
    "django_tasks_db",
    "rules.apps.AutodiscoverRulesConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The interface language comes from the switcher's cookie, else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # The address this request came in on, for links in emails in development (core.site_url).
    "core.site_url.RequestBaseUrlMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last: serves kept reading pages (core.page_cache) once everything above has run.
    "core.page_cache.PageCacheMiddleware",
]
# Reading pages are kept until the public state changes (core.page_cache); 0 turns that off.
ACCORD_PAGE_CACHE = os.environ.get("ACCORD_PAGE_CACHE", "1") != "0"
# Names the deployed code, so pages kept in a shared cache (Redis) by the previous release
# are not served by the next one; set it per deploy (e.g. the commit hash).
ACCORD_RELEASE = os.environ.get("ACCORD_RELEASE", "")

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "rules.permissions.ObjectPermissionBackend",
]

ROOT_URLCONF = "policysite.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "transparency.context_processors.log_head",
            ],
        },
    },
]

WSGI_APPLICATION = "policysite.wsgi.application"

# SQLite is the embedded default so a fresh checkout runs with no services;
# production points DATABASE_URL at PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "0")),
    )
}
# Every request is one transaction: a publish that fails half-way leaves nothing behind.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database must behave like PostgreSQL when two people write at once: a
    # transaction takes the write lock when it begins (IMMEDIATE), so a second writer waits its
    # turn instead of failing half-way with "database is locked" when it first writes; WAL lets
    # readers carry on meanwhile. Writers then run one after another and see each other's work,
    # so a conflicting publish or a repeated ballot is refused with a message, never a 500.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Several web processes serve one site: they share a cache in Redis when it is configured.
# Redis is optional at run time: while it is away, pages are rendered from the database and
# posting limits are counted per process (core/cache.py). Sessions are written to the database
# and read through the cache, so nobody is signed out when Redis is lost.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "accord",
            # A Redis that stops answering costs a request half a second, once per process
            # every core.cache.RETRY_SECONDS, not a hung worker.
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "accord",
        }
    }

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Languages of the interface (not of policy texts). URLs carry no language prefix: a link to a
# policy is the same for every reader, and each reader sees the interface in their own language.
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
]
# Project-wide strings (templates/, policysite/); each app keeps its own catalogue in <app>/locale.
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates keep the site's own day-month-year style (policysite/formats/en/formats.py).
FORMAT_MODULE_PATH = ["policysite.formats"]
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static"
# The design system, Wikimedia Codex (its CSS-only components and design tokens), is an npm
# dependency (package.json, installed into node_modules/ by `make install`); these files of it
# are served and collected as static files (core/static_files.py), nothing else of the packages.
NODE_MODULES_DIR = BASE_DIR / "node_modules"
NODE_PACKAGE_STATIC_FILES = {
    "codex/codex.style.css": "@wikimedia/codex/dist/codex.style.css",
    "codex/theme-wikimedia-ui.css": "@wikimedia/codex-design-tokens/dist/theme-wikimedia-ui.css",
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "core.static_files.NodePackageFinder",
]
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

WAGTAIL_SITE_NAME = "Accord"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Slugs are ASCII letters, digits, "-" and "_": the app's URLs route by Django's slug converter,
# and policies.models.PolicyPage refuses any other slug. With this the admin suggests
# "uber-uns" for a page titled "Über uns" rather than a slug it would then refuse.
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAILDOCS_EXTENSIONS = ["csv", "md", "pdf", "txt"]
# The admin asks no other site for anything: no check for new Wagtail releases (the admin's
# browser would call releases.wagtail.org), no avatars from Gravatar (which would receive a hash
# of each user's email address). Wagtail shows its default avatar, or an uploaded one.
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# Languages policy texts are written or translated in (policies.translating); the first is the
# source language. Each becomes a wagtailcore.Locale row when a translation is imported. This is
# deliberately not WAGTAIL_CONTENT_LANGUAGES: Wagtail requires that to be a subset of LANGUAGES
# (the interface languages) and raises ImproperlyConfigured otherwise, even when creating a page,
# and a policy may be translated into languages the interface does not speak.
# WAGTAIL_I18N_ENABLED stays off: the page tree itself is not translated.
ACCORD_POLICY_LANGUAGES = ["en", "de", "fr", "es", "ar", "he"]

# Policy import limits: a code of conduct is a few dozen kilobytes; anything far
# larger is a mistake or an attack.
ACCORD_MAX_IMPORT_BYTES = 1_000_000


# Content-Security-Policy: the public site runs no inline script or style, so nothing injected
# into a page can run even if it slipped past escaping. The Wagtail and Django admins rely on
# inline scripts and keep their own protections.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/django-admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Posting limits per person: action → (posts, window in seconds). A person writing by hand
# stays far below them; a script flooding a consultation does not.
ACCORD_RATE_LIMITS = {
    "position": (60, 600),
    "reply": (60, 600),
    "flag": (20, 3600),
    "amendment": (20, 3600),
}


# --- Public REST API (/api/v1/, see core/api.py and each app's api.py) ------------------
INSTALLED_APPS += [
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    # Swagger UI's and Redoc's files, served from our own static files (no CDN).
    "drf_spectacular_sidecar",
]

REST_FRAMEWORK = {
    # Token first, so an anonymous write gets 401 with a WWW-Authenticate header rather than 403.
    # Session auth enforces CSRF, exactly as the pages' forms do.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Reads are public; every write view asks the app's rules (through its service) itself.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["core.api.FilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "120/minute", "user": "300/minute", "write": "30/minute"},
    # JSON only; settings/dev.py adds the browsable API.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.api.LimitedJSONParser"],
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # drf-spectacular's, plus the error responses every operation can give.
    "DEFAULT_SCHEMA_CLASS": "policysite.api_schema.AutoSchema",
}
# A JSON body larger than this is refused with 413 before it is parsed.
ACCORD_API_MAX_BODY_BYTES = 256 * 1024

SPECTACULAR_SETTINGS = {
    "TITLE": "Accord API",
    "DESCRIPTION": "Policies, versions and diffs; consultations; community adoption; votes.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Only the public API: Wagtail's admin API stays out of the schema (and its checks).
    "PREPROCESSING_HOOKS": ["core.api.public_paths_only"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "state", "status" or "outcome": name each set of choices.
    "ENUM_NAME_OVERRIDES": {
        "ConsultationStateEnum": "consultations.models.Consultation.State",
        "AmendmentStateEnum": "amendments.models.Amendment.State",
        "SummaryOutcomeEnum": "consultations.models.SummarySection.Outcome",
        "AdoptionStatusEnum": "communities.models.Adoption.Status",
        "SectionDiffStatusEnum": "policies.api.SECTION_STATUSES",
        "TranslationFreshnessEnum": "policies.translating.TRANSLATION_STATES",
        "TranslationSectionStateEnum": "policies.translating.SECTION_STATES",
        "VoteStateEnum": "ratification.models.Vote.State",
        "BoardOutcomeEnum": "ratification.models.BoardRatification.Outcome",
        "ExternalTallyOutcomeEnum": "ratification.models.ExternalTally.Outcome",
        "VoteOutcomeEnum": "ratification.api.RESULT_OUTCOMES",
    },
    # Ids and version numbers in API paths (policysite.api_urls.NumberConverter), and Django's
    # slugs: anything else in their place matches no route (404).
    "PATH_CONVERTER_OVERRIDES": {
        "num": {"type": "integer", "minimum": 0, "maximum": 999_999_999_999_999_999},
        "slug": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
    },
    # The docs page asks no other site for anything: Swagger UI comes from our own static files
    # (drf-spectacular-sidecar, pinned in pyproject.toml), and its online validator, which would
    # send the schema's address to validator.swagger.io for a badge, is off.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

# Consultation exports with more positions and replies than this are prepared by a background
# task and served from storage (consultations.views.export).
ACCORD_SYNC_EXPORT_LIMIT = 5000


# --- Sign-in: local accounts and linked identities (django-allauth, see accounts/) -----------
INSTALLED_APPS += [
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.mediawiki",
    "allauth.socialaccount.providers.openid_connect",
]
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# The sign-in page stays a sign-in page when someone is signed in: switching accounts is one step.
ACCOUNT_AUTHENTICATED_LOGIN_REDIRECTS = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Accord] "
# A wiki account may have no email address: signing in with it must not ask for one. An email
# a provider vouches for is trusted; one it does not is stored unverified.
SOCIALACCOUNT_EMAIL_REQUIRED = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_QUERY_EMAIL = False
# A delegate publishes their community's text to its wiki as themselves (communities.
# wiki_services.publish_to_wiki): keep the access token a sign-in gives, and use it for nothing
# else. Forgetting an identity or an account deletes its token with it.
SOCIALACCOUNT_STORE_TOKENS = True


def _provider_apps(prefix: str, **extra) -> list[dict]:
    """One provider app from ACCORD_<prefix>_CLIENT_ID / _SECRET, or none. Apps can also be
    added in the Django admin (Social applications)."""
    client_id = os.environ.get(f"ACCORD_{prefix}_CLIENT_ID", "")
    if not client_id:
        return []
    return [
        {"client_id": client_id, "secret": os.environ.get(f"ACCORD_{prefix}_SECRET", ""), **extra}
    ]


ACCORD_MEDIAWIKI_REST_API = os.environ.get(
    "ACCORD_MEDIAWIKI_REST_API", "https://meta.wikimedia.org/w/rest.php"
)
ACCORD_MEDIAWIKI_USER_AGENT = os.environ.get(
    "ACCORD_MEDIAWIKI_USER_AGENT", "Accord/1.0 (code of conduct consultations)"
)
SOCIALACCOUNT_PROVIDERS = {
    "mediawiki": {
        "REST_API": ACCORD_MEDIAWIKI_REST_API,
        "USER_AGENT": ACCORD_MEDIAWIKI_USER_AGENT,
        "USERPAGE_TEMPLATE": os.environ.get(
            "ACCORD_MEDIAWIKI_USERPAGE", "https://meta.wikimedia.org/wiki/User:{username}"
        ),
        "APPS": _provider_apps("MEDIAWIKI"),
    },
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": _provider_apps(
            "OIDC",
            provider_id=os.environ.get("ACCORD_OIDC_PROVIDER_ID", "oidc"),
            name=os.environ.get("ACCORD_OIDC_NAME", "OpenID Connect"),
            settings={"server_url": os.environ.get("ACCORD_OIDC_SERVER_URL", "")},
        ),
    },
}
# The MediaWiki API client (accounts/mediawiki.py): seconds to wait, seconds to cache answers.
ACCORD_MEDIAWIKI_TIMEOUT = float(os.environ.get("ACCORD_MEDIAWIKI_TIMEOUT", "5"))
ACCORD_MEDIAWIKI_CACHE_SECONDS = int(os.environ.get("ACCORD_MEDIAWIKI_CACHE_SECONDS", "600"))
# Every action API request (core.mediawiki_api) asks the wiki to refuse it while its replicas
# lag more than this many seconds (MediaWiki's maxlag etiquette), and is retried up to RETRIES
# times after maxlag, HTTP 429, 5xx or a timeout: waiting Retry-After when the wiki says, else
# BACKOFF × 2^attempt seconds, never more than MAX_WAIT seconds at a time.
ACCORD_MEDIAWIKI_MAXLAG = int(os.environ.get("ACCORD_MEDIAWIKI_MAXLAG", "5"))
ACCORD_MEDIAWIKI_RETRIES = int(os.environ.get("ACCORD_MEDIAWIKI_RETRIES", "3"))
ACCORD_MEDIAWIKI_BACKOFF = float(os.environ.get("ACCORD_MEDIAWIKI_BACKOFF", "1"))
ACCORD_MEDIAWIKI_MAX_WAIT = float(os.environ.get("ACCORD_MEDIAWIKI_MAX_WAIT", "30"))
