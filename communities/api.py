"""The communities part of the public API: the registry, adoption declarations, and declaring
adoption (delegates of the community and facilitators, as on the declaration page)."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response

from core.api import WriteThrottleMixin, absolute
from policies.models import PolicyPage, PolicyVersion

from . import rules, services
from .models import Adoption, Community


def get_community(slug: str) -> Community:
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise Http404("No such community.")
    return community


# --- serializers -----------------------------------------------------------------------------


class CommunitySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Community.Kind.choices)
    language = serializers.CharField()
    url = serializers.CharField(help_text="The community's home page.")
    delegates = serializers.SerializerMethodField(help_text="Usernames of its delegates.")
    adoptions_url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()

    def get_delegates(self, community) -> list[str]:
        return [user.get_username() for user in community.delegates.all()]

    def get_adoptions_url(self, community) -> str:
        path = f"/api/v1/communities/{community.slug}/adoptions/"
        return absolute(self.context.get("request"), path)

    def get_html_url(self, community) -> str:
        return absolute(self.context.get("request"), f"/communities/{community.slug}/")


class AdoptionSerializer(serializers.Serializer):
    community = serializers.CharField(source="community.slug")
    community_name = serializers.CharField(source="community.name")
    policy = serializers.CharField(source="policy.slug")
    status = serializers.ChoiceField(choices=Adoption.Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    version = serializers.SerializerMethodField(help_text="The pinned baseline version.")
    decided_on = serializers.DateField(allow_null=True)
    evidence_url = serializers.CharField()
    rationale = serializers.CharField()
    enforcement_body = serializers.CharField()
    report_contact = serializers.CharField(help_text="How to report locally (public).")
    appeal_process = serializers.CharField()
    parameters = serializers.DictField(
        child=serializers.CharField(), help_text="Values for the baseline's placeholders."
    )
    equivalent_title = serializers.CharField()
    equivalent_url = serializers.CharField()
    overrides = serializers.IntegerField(
        source="override_count", help_text="Sections replaced or omitted locally."
    )
    declared_by = serializers.SerializerMethodField()
    declared_at = serializers.DateTimeField(allow_null=True)

    def get_version(self, adoption) -> int | None:
        return adoption.version.number if adoption.version_id else None

    def get_declared_by(self, adoption) -> str | None:
        return adoption.declared_by.get_username() if adoption.declared_by_id else None


class DeclareSerializer(serializers.Serializer):
    """What the declaration page's form takes, as JSON."""

    policy = serializers.SlugField(max_length=255, help_text="Slug of the policy.")
    status = serializers.ChoiceField(choices=Adoption.Status.choices)
    version = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="Default: the newest version."
    )
    decided_on = serializers.DateField(required=False, allow_null=True)
    evidence_url = serializers.CharField(required=False, allow_blank=True, max_length=500)
    rationale = serializers.CharField(
        required=False, allow_blank=True, max_length=services.MAX_TEXT
    )
    enforcement_body = serializers.CharField(required=False, allow_blank=True, max_length=200)
    report_contact = serializers.CharField(required=False, allow_blank=True, max_length=200)
    appeal_process = serializers.CharField(
        required=False, allow_blank=True, max_length=services.MAX_TEXT
    )
    parameters = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=200),
        required=False,
        help_text='Placeholder values, e.g. {"[CONTACT METHOD]": "conduct@wiki.example"}.',
    )
    equivalent_title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    equivalent_url = serializers.CharField(required=False, allow_blank=True, max_length=500)


# --- filters -----------------------------------------------------------------------------------


class CommunityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", max_length=100, help_text="Part of the name or slug."
    )
    kind = django_filters.ChoiceFilter(choices=Community.Kind.choices)
    language = django_filters.CharFilter(lookup_expr="iexact", max_length=20)

    class Meta:
        model = Community
        fields = ["q", "kind", "language"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(slug__icontains=value))


class AdoptionFilter(django_filters.FilterSet):
    policy = django_filters.CharFilter(field_name="policy__slug", help_text="Policy slug.")
    community = django_filters.CharFilter(field_name="community__slug", help_text="Community slug.")
    status = django_filters.ChoiceFilter(choices=Adoption.Status.choices)

    class Meta:
        model = Adoption
        fields = ["policy", "community", "status"]


# --- views -------------------------------------------------------------------------------------


def adoptions():
    return (
        Adoption.objects.select_related("community", "policy", "version", "declared_by")
        .annotate(override_count=Count("overrides"))
        .order_by("community__name", "policy__title", "pk")
    )


def communities():
    return Community.objects.prefetch_related(
        Prefetch("delegates", queryset=get_user_model().objects.order_by("username"))
    ).order_by("name", "pk")


@extend_schema(tags=["communities"])
class CommunityList(generics.ListAPIView):
    """The community registry, by name."""

    serializer_class = CommunitySerializer
    filterset_class = CommunityFilter

    def get_queryset(self):
        return communities()


@extend_schema(tags=["communities"])
class CommunityDetail(generics.RetrieveAPIView):
    """One community."""

    serializer_class = CommunitySerializer
    lookup_field = "slug"

    def get_queryset(self):
        return communities()


@extend_schema(tags=["communities"])
class AdoptionList(generics.ListAPIView):
    """Adoption declarations, by community. A community with no declaration for a policy is
    undeclared and has no row here."""

    serializer_class = AdoptionSerializer
    filterset_class = AdoptionFilter

    def get_queryset(self):
        return adoptions()


@extend_schema(tags=["communities"])
class CommunityAdoptions(WriteThrottleMixin, generics.ListCreateAPIView):
    """One community's declarations; POST declares (or changes) where it stands on a policy."""

    serializer_class = AdoptionSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filter_backends = []

    def community(self) -> Community:
        if not hasattr(self, "_community"):
            self._community = get_community(self.kwargs["slug"])
        return self._community

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Adoption.objects.none()
        return adoptions().filter(community=self.community())

    @extend_schema(
        request=DeclareSerializer,
        responses={
            200: OpenApiResponse(AdoptionSerializer, description="The declaration was changed."),
            201: OpenApiResponse(AdoptionSerializer, description="The first declaration."),
        },
    )
    def post(self, request, *args, **kwargs):
        """Declare the community's status on a policy, pinned to a version: the same rules
        and messages as the declaration page (delegates of the community and facilitators)."""
        community = self.community()
        # As on the declaration page, who may declare is checked before the form is read.
        if not rules.can_declare(request.user, community):
            raise PermissionDenied(
                f"Only {community.name}'s delegates or a facilitator may declare for it."
            )
        data = DeclareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        policy = PolicyPage.objects.filter(slug=fields.pop("policy")).first()
        if policy is None:
            raise serializers.ValidationError({"policy": ["No such policy."]})
        number = fields.pop("version", None)
        version = None
        if number is not None:
            version = PolicyVersion.objects.filter(policy=policy, number=number).first()
            if version is None:
                raise serializers.ValidationError(
                    {"version": [f"This policy has no version {number}."]}
                )
        existed = Adoption.objects.filter(community=community, policy=policy).exists()
        adoption = services.declare_adoption(
            community=community, policy=policy, user=request.user, version=version, **fields
        )
        adoption = adoptions().get(pk=adoption.pk)
        return Response(
            AdoptionSerializer(adoption, context=self.get_serializer_context()).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )
