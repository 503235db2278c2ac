"""The ratification part of the public API: votes and their terms, the voter roll, results once a
vote has closed, board decisions and tallies of votes held elsewhere. Read-only.

No ballot choice is ever served here (not even an open vote's), nor any receipt: only the
counts a closed vote publishes."""

from __future__ import annotations

import django_filters
from django.db.models import Count, Prefetch
from django.http import Http404
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied

from accounts.naming import public_name
from communities.models import Community
from core.api import IdFilter, absolute

from . import rules, selectors, services
from .models import Ballot, BoardRatification, ExternalTally, Vote
from .terms import Kind, Term, shown_in_api

RESULT_OUTCOMES = ["passed", "failed", "no quorum"]


def visible_votes(user):
    """Everything but drafts, which only facilitators see (rules.can_view_vote)."""
    votes = Vote.objects.select_related("version__policy")
    if not rules.is_facilitator(user):
        votes = votes.exclude(state=Vote.State.DRAFT)
    return votes


def get_vote(user, pk) -> Vote:
    vote = visible_votes(user).filter(pk=pk).first()
    if vote is None:
        raise Http404("No such vote.")
    return vote


# --- serializers -----------------------------------------------------------------------------


class OptionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    counts_as = serializers.ChoiceField(choices=list(services.COUNTS_AS))


class SlugsField(serializers.ListField):
    """The slugs of a many-to-many relation to communities."""

    child = serializers.CharField()

    def to_representation(self, related):
        return [community.slug for community in related.all()]


def _term_field(term: Term) -> serializers.Field:
    help_text = {"help_text": term.api_help} if term.api_help else {}
    if term.kind in (Kind.TEXT, Kind.MARKDOWN):
        return serializers.CharField(**help_text)
    if term.kind is Kind.OPTIONS:
        return OptionSerializer(many=True, **help_text)
    if term.kind is Kind.MOMENT:
        return serializers.DateTimeField(allow_null=not term.required, **help_text)
    if term.kind is Kind.FLAG:
        return serializers.BooleanField(**help_text)
    if term.kind is Kind.NUMBER:
        return serializers.IntegerField(**help_text)
    if term.kind is Kind.COMMUNITIES:
        return SlugsField(source=term.name, read_only=True, **help_text)
    raise ValueError(f"The API does not show {term.kind} terms.")


def term_fields(place: str) -> dict[str, serializers.Field]:
    """Fields for the vote terms the API shows at `place` (terms.py), in their order."""
    return {term.api_name or term.name: _term_field(term) for term in shown_in_api(place)}


# (Comments rather than docstrings on serializers: drf-spectacular publishes docstrings.)


class EligibilitySerializer(serializers.Serializer):
    # Who may vote: the terms shown under "eligibility" (terms.py).
    def get_fields(self):
        return term_fields("eligibility")


class VoteSerializer(serializers.Serializer):
    # What the vote is on; its terms (terms.py) come in before `threshold`; then its state.
    id = serializers.IntegerField()
    policy = serializers.CharField(source="version.policy.slug")
    version = serializers.IntegerField(source="version.number")
    content_hash = serializers.CharField(help_text="SHA-256 of the text voted on.")
    threshold = serializers.CharField(
        source="threshold_text", help_text="Share of for + against that must be for."
    )
    eligibility = EligibilitySerializer(source="*")
    terms = serializers.SerializerMethodField(
        help_text="The frozen terms as one object: the transparency log's entry for the vote's "
        "opening holds the SHA-256 of their canonical JSON."
    )
    state = serializers.ChoiceField(choices=Vote.State.choices)
    phase = serializers.SerializerMethodField()
    frozen_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    cancel_reason = serializers.CharField()
    voters = serializers.IntegerField(source="voter_count", help_text="Ballots cast.")
    results_url = serializers.SerializerMethodField(help_text="null until the vote has closed.")
    html_url = serializers.SerializerMethodField()

    def get_fields(self):
        fields = list(super().get_fields().items())
        at = [name for name, _field in fields].index("threshold")
        return dict(fields[:at] + list(term_fields("vote").items()) + fields[at:])

    @staticmethod
    def _phase(vote) -> str:
        return rules.phase(vote)

    def get_phase(self, vote) -> str:
        """draft, scheduled, voting, closed or cancelled: what the clock implies."""
        return self._phase(vote)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_terms(self, vote) -> dict:
        return selectors.frozen_terms(vote)

    def get_results_url(self, vote) -> str | None:
        if self._phase(vote) != "closed":
            return None
        return absolute(self.context.get("request"), f"/api/v1/votes/{vote.pk}/results/")

    def get_html_url(self, vote) -> str:
        return absolute(self.context.get("request"), f"/votes/{vote.pk}/")


class OptionCountSerializer(OptionSerializer):
    count = serializers.IntegerField()
    percent = serializers.IntegerField(help_text="Of the counted ballots, rounded.")


class BreakdownSerializer(serializers.Serializer):
    community = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Option key → n.")
    total = serializers.IntegerField()


class PooledSerializer(serializers.Serializer):
    counts = serializers.DictField(child=serializers.IntegerField())
    total = serializers.IntegerField()


class ResultsSerializer(serializers.Serializer):
    # selectors.results_payload, the payload of the results page's exports too.
    vote = serializers.IntegerField()
    question = serializers.CharField()
    policy = serializers.CharField(help_text="The policy's title.")
    version = serializers.IntegerField(help_text="The number of the version voted on.")
    content_hash = serializers.CharField()
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    secret = serializers.BooleanField()
    threshold = serializers.CharField()
    quorum_ballots = serializers.IntegerField(help_text="Counted ballots the quorum asks for.")
    quorum_communities = serializers.IntegerField(
        help_text="Communities the quorum asks for among the voters."
    )
    breakdown_minimum_group = serializers.IntegerField(
        help_text="Voters a community needs to be shown on its own."
    )
    options = OptionCountSerializer(many=True)
    votes_for = serializers.IntegerField()
    votes_against = serializers.IntegerField()
    votes_abstain = serializers.IntegerField()
    counted = serializers.IntegerField()
    struck = serializers.IntegerField()
    communities_represented = serializers.IntegerField()
    threshold_met = serializers.BooleanField()
    quorum_ballots_met = serializers.BooleanField()
    quorum_communities_met = serializers.BooleanField()
    quorum_met = serializers.BooleanField(help_text="Both quorums met.")
    outcome = serializers.ChoiceField(choices=RESULT_OUTCOMES)
    share_for = serializers.CharField(help_text='Share of for + against, e.g. "71.4%".')
    breakdown = BreakdownSerializer(
        many=True, help_text="Per community, only for groups of at least breakdown_min_group."
    )
    pooled = PooledSerializer(
        allow_null=True, help_text="Voters of the smaller groups, counted together."
    )


class VoterSerializer(serializers.Serializer):
    voter = serializers.SerializerMethodField(help_text="Public name of the voter.")
    community = serializers.SerializerMethodField(help_text="Slug of the community voted as.")
    struck = serializers.BooleanField()
    struck_reason = serializers.CharField()

    def get_community(self, ballot) -> str | None:
        return ballot.community.slug if ballot.community_id else None

    def get_voter(self, ballot) -> str:
        return public_name(ballot.voter)


class BoardRatificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    policy = serializers.CharField(source="version.policy.slug")
    version = serializers.IntegerField(source="version.number")
    body = serializers.CharField(help_text="The governing body.")
    decided_on = serializers.DateField()
    outcome = serializers.ChoiceField(choices=BoardRatification.Outcome.choices)
    minutes_url = serializers.CharField()
    note = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class ExternalTallySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    policy = serializers.CharField(source="version.policy.slug")
    version = serializers.IntegerField(source="version.number")
    community = serializers.SerializerMethodField()
    title = serializers.CharField()
    held_until = serializers.DateField()
    votes_for = serializers.IntegerField()
    votes_against = serializers.IntegerField()
    votes_abstain = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=ExternalTally.Outcome.choices)
    source_url = serializers.CharField()
    note = serializers.CharField()
    recorded_at = serializers.DateTimeField()

    def get_community(self, tally) -> str | None:
        return tally.community.slug if tally.community_id else None


# --- filters -----------------------------------------------------------------------------------


class VoteFilter(django_filters.FilterSet):
    policy = django_filters.CharFilter(field_name="version__policy__slug", help_text="Policy slug.")
    version = IdFilter(field_name="version__number")
    state = django_filters.ChoiceFilter(choices=Vote.State.choices)

    class Meta:
        model = Vote
        fields = ["policy", "version", "state"]


class RecordFilter(django_filters.FilterSet):
    policy = django_filters.CharFilter(field_name="version__policy__slug", help_text="Policy slug.")
    version = IdFilter(field_name="version__number")


class BoardFilter(RecordFilter):
    class Meta:
        model = BoardRatification
        fields = ["policy", "version"]


class ExternalFilter(RecordFilter):
    community = django_filters.CharFilter(field_name="community__slug", help_text="Community slug.")

    class Meta:
        model = ExternalTally
        fields = ["policy", "version", "community"]


# --- views -------------------------------------------------------------------------------------


class VoteQuerysetMixin:
    serializer_class = VoteSerializer

    def get_queryset(self):
        return (
            visible_votes(self.request.user)
            .annotate(voter_count=Count("ballots"))
            .prefetch_related(
                Prefetch("eligible_communities", queryset=Community.objects.order_by("slug"))
            )
            .order_by("-opens_at", "-pk")
        )


@extend_schema(tags=["ratification"])
class VoteList(VoteQuerysetMixin, generics.ListAPIView):
    """Votes, newest first, with their terms (fixed when they open); drafts only for
    facilitators. Never a ballot's choice."""

    filterset_class = VoteFilter


@extend_schema(tags=["ratification"])
class VoteDetail(VoteQuerysetMixin, generics.RetrieveAPIView):
    """One vote and its terms."""


@extend_schema(
    tags=["ratification"],
    responses={
        200: ResultsSerializer,
        403: OpenApiResponse(description="The vote has not closed: results are hidden."),
    },
)
class VoteResults(generics.RetrieveAPIView):
    """Counts, threshold, quorum and outcome of a closed vote. Hidden (403) until it closes,
    for everyone, as on the results page."""

    serializer_class = ResultsSerializer
    queryset = Vote.objects.none()

    def get_object(self):
        vote = services.close_if_due(vote=get_vote(self.request.user, self.kwargs["pk"]))
        if not rules.can_see_results(self.request.user, vote):
            raise PermissionDenied(gettext("Results are hidden until the vote closes."))
        return selectors.results_payload(vote)


@extend_schema(tags=["ratification"])
class VoterList(generics.ListAPIView):
    """Who voted, as which community, and struck ballots with their public reason. Never what
    anyone chose."""

    serializer_class = VoterSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Ballot.objects.none()
        vote = get_vote(self.request.user, self.kwargs["pk"])
        return (
            Ballot.objects.filter(vote=vote)
            .select_related("voter", "community")
            .order_by("voter__username", "pk")
        )


@extend_schema(tags=["ratification"])
class BoardRatificationList(generics.ListAPIView):
    """Decisions of governing bodies on policy versions, newest first."""

    serializer_class = BoardRatificationSerializer
    filterset_class = BoardFilter

    def get_queryset(self):
        return BoardRatification.objects.select_related("version__policy").order_by(
            "-decided_on", "-pk"
        )


@extend_schema(tags=["ratification"])
class ExternalTallyList(generics.ListAPIView):
    """Results of votes held elsewhere (a community's own vote, a meeting), newest first."""

    serializer_class = ExternalTallySerializer
    filterset_class = ExternalFilter

    def get_queryset(self):
        return ExternalTally.objects.select_related("version__policy", "community").order_by(
            "-held_until", "-pk"
        )
