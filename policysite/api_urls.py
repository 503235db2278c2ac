"""Routes of the public REST API, mounted at /api/v1/ (see policysite/urls.py). Each app's api.py
holds its views; core/api.py what they share."""

from django.urls import path, re_path, register_converter
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.reverse import reverse

from amendments import api as amendments
from communities import api as communities
from consultations import api as consultations
from policies import api as policies
from ratification import api as ratification

app_name = "api"


class NumberConverter:
    """A non-negative integer that fits the database's 64-bit columns. With Django's <int:>, a
    40-digit id reaches the database and fails there (SQLite: OverflowError, a 500); here it
    matches no route (404). SPECTACULAR_SETTINGS["PATH_CONVERTER_OVERRIDES"] documents it."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(NumberConverter, "num")


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI under the site's own Content-Security-Policy, which allows scripts and styles
    from our origin only, none inline. The split view serves Swagger UI's start-up code as a
    separate script from this same URL (?script=); Swagger UI's own files are our static files
    (drf-spectacular-sidecar); the template drops the stock inline <style>."""

    template_name = "api/docs.html"


docs_view = ApiDocsView.as_view(url_name="api-schema")

ROOT_LINKS = [
    "policies",
    "consultations",
    "summaries",
    "communities",
    "adoptions",
    "votes",
    "board-ratifications",
    "external-tallies",
]


@extend_schema(
    tags=["api"],
    responses=inline_serializer(
        "ApiRoot", {name.replace("-", "_"): serializers.URLField() for name in ROOT_LINKS}
    ),
)
@api_view(["GET"])
def root(request):
    """Where each collection lives."""
    return Response(
        {name.replace("-", "_"): reverse(f"api:{name}", request=request) for name in ROOT_LINKS}
    )


@extend_schema(exclude=True)
@api_view(["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"])
def not_found(request):
    """Anything else under /api/v1/ ending in a slash: a JSON 404, not the site's HTML page.
    (Paths without the slash still get CommonMiddleware's redirect first.)"""
    raise NotFound(_("No such API endpoint."))


urlpatterns = [
    path("", root, name="root"),
    # policies
    path("policies/", policies.PolicyList.as_view(), name="policies"),
    path("policies/<slug:slug>/", policies.PolicyDetail.as_view(), name="policy"),
    path("policies/<slug:slug>/versions/", policies.VersionList.as_view(), name="versions"),
    path(
        "policies/<slug:slug>/versions/<num:number>/",
        policies.VersionDetail.as_view(),
        name="version",
    ),
    path("versions/<num:pk>/", policies.VersionById.as_view(), name="version-by-id"),
    path("translations/<num:pk>/", policies.TranslationById.as_view(), name="translation-by-id"),
    path(
        "policies/<slug:slug>/versions/<num:number>/sections/<slug:key>/",
        policies.SectionDetail.as_view(),
        name="section",
    ),
    path(
        "policies/<slug:slug>/compare/<num:a>/<num:b>/",
        policies.Compare.as_view(),
        name="compare",
    ),
    path(
        "policies/<slug:slug>/translations/",
        policies.TranslationList.as_view(),
        name="translations",
    ),
    path(
        "policies/<slug:slug>/translations/<slug:code>/",
        policies.TranslationDetail.as_view(),
        name="translation",
    ),
    # consultations
    path("consultations/", consultations.ConsultationList.as_view(), name="consultations"),
    path(
        "consultations/<num:pk>/",
        consultations.ConsultationDetail.as_view(),
        name="consultation",
    ),
    path(
        "consultations/<num:pk>/positions/",
        consultations.PositionList.as_view(),
        name="positions",
    ),
    path("consultations/<num:pk>/replies/", consultations.ReplyList.as_view(), name="replies"),
    path(
        "consultations/<num:pk>/moderation/",
        consultations.ModerationList.as_view(),
        name="moderation",
    ),
    path(
        "consultations/<num:pk>/amendments/",
        amendments.AmendmentList.as_view(),
        name="amendments",
    ),
    path("consultations/<num:pk>/summary/", consultations.SummaryDetail.as_view(), name="summary"),
    path("summaries/", consultations.SummaryList.as_view(), name="summaries"),
    path("summaries/<num:pk>/", consultations.SummaryById.as_view(), name="summary-by-id"),
    # communities
    path("communities/", communities.CommunityList.as_view(), name="communities"),
    path("communities/<slug:slug>/", communities.CommunityDetail.as_view(), name="community"),
    path(
        "communities/<slug:slug>/adoptions/",
        communities.CommunityAdoptions.as_view(),
        name="community-adoptions",
    ),
    path("adoptions/", communities.AdoptionList.as_view(), name="adoptions"),
    # ratification
    path("votes/", ratification.VoteList.as_view(), name="votes"),
    path("votes/<num:pk>/", ratification.VoteDetail.as_view(), name="vote"),
    path("votes/<num:pk>/results/", ratification.VoteResults.as_view(), name="vote-results"),
    path("votes/<num:pk>/voters/", ratification.VoterList.as_view(), name="vote-voters"),
    path(
        "board-ratifications/",
        ratification.BoardRatificationList.as_view(),
        name="board-ratifications",
    ),
    path(
        "external-tallies/",
        ratification.ExternalTallyList.as_view(),
        name="external-tallies",
    ),
    # [\s\S], not ".": a path parameter may hold a newline, which "." does not match.
    re_path(r"^[\s\S]*/$", not_found),
]
