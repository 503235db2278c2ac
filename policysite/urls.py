from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts.views import allow_provider_forms
from communities.feeds import AdoptionFeed
from consultations.feeds import SummaryFeed
from policies.feeds import TranslationFeed, VersionFeed
from ratification.feeds import VoteFeed

from . import api_urls, views

urlpatterns = [
    # The public REST API and its OpenAPI schema and docs (policysite/api_urls.py).
    path("api/v1/", include("policysite.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_urls.docs_view, name="api-docs"),
    # /search/, named "search" (search/urls.py).
    path("", include("search.urls")),
    # set_language: the language switcher posts here (no i18n_patterns: URLs stay unprefixed).
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz/", views.health, name="health"),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Sign-in, sign-up, email, password and linked identities (django-allauth); the names
    # "login" and "logout" stay for settings.LOGIN_URL and older templates.
    path("accounts/login/", allow_provider_forms(allauth_views.login), name="login"),
    path("accounts/logout/", allauth_views.logout, name="logout"),
    path("", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("feeds/versions/", VersionFeed(), name="feed_versions"),
    path("feeds/policies/<slug:slug>/versions/", VersionFeed(), name="feed_policy_versions"),
    path(
        "feeds/policies/<slug:slug>/translations/",
        TranslationFeed(),
        name="feed_policy_translations",
    ),
    path("feeds/summaries/", SummaryFeed(), name="feed_summaries"),
    path("feeds/adoption/", AdoptionFeed(), name="feed_adoption"),
    path("feeds/votes/", VoteFeed(), name="feed_votes"),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

# Wagtail's catch-all comes last.
urlpatterns += [
    path("", include("transparency.urls")),
    path("", include("consultations.urls")),
    path("", include("amendments.urls")),
    path("", include("communities.urls")),
    path("", include("ratification.urls")),
    path("", include(wagtail_urls)),
]

# A database that cannot be reached gives a 503 with Retry-After, not a 500 (core/outages.py).
handler500 = "core.outages.server_error"
