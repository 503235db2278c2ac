"""The consultations part of the public API: consultations with their tallies, public positions
and replies, published summaries; and taking a position. Amendments have their own (amendments.api).

Private feedback never appears here, and neither does the text of a hidden position or reply:
they are listed with the moderation notice the pages show instead."""

from __future__ import annotations

import django_filters
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response

from accounts import selectors as account_selectors
from core.api import IdFilter, WriteThrottleMixin, absolute

from . import selectors, services
from .models import (
    WHOLE_TEXT,
    Consultation,
    ModerationAction,
    Position,
    Reply,
    Summary,
    SummarySection,
)


def get_consultation(user, pk) -> Consultation:
    consultation = (
        selectors.visible_consultations(user)
        .select_related("version__policy")
        .filter(pk=pk)
        .first()
    )
    if consultation is None:
        raise Http404("No such consultation.")
    return consultation


def hidden_notice(item) -> str:
    """The notice that stands in for hidden text, worded as on the pages."""
    who = item.hidden_by.get_username() if item.hidden_by_id else "a facilitator"
    when = f" on {item.hidden_at.day} {item.hidden_at:%B %Y}" if item.hidden_at else ""
    return f"Hidden by {who}{when}: {item.hidden_reason}"


# --- serializers -----------------------------------------------------------------------------


class ConsultationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(help_text="Markdown.")
    policy = serializers.CharField(source="version.policy.slug")
    policy_title = serializers.CharField(source="version.policy.title")
    version = serializers.IntegerField(source="version.number")
    content_hash = serializers.CharField(source="version.content_hash")
    state = serializers.ChoiceField(choices=Consultation.State.choices)
    state_note = serializers.CharField(source="state_note_text")
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    is_open = serializers.BooleanField(help_text="Open and before its closing time.")
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()

    def get_url(self, consultation) -> str:
        return absolute(self.context.get("request"), f"/api/v1/consultations/{consultation.pk}/")

    def get_html_url(self, consultation) -> str:
        return absolute(self.context.get("request"), selectors.consultation_url(consultation))


class TallySerializer(serializers.Serializer):
    support = serializers.IntegerField()
    oppose = serializers.IntegerField()
    neutral = serializers.IntegerField()
    comments = serializers.IntegerField(help_text="Imported comments without a stance.")
    replies = serializers.IntegerField()
    total = serializers.IntegerField(help_text="support + oppose + neutral")


class SectionTallySerializer(serializers.Serializer):
    key = serializers.CharField(help_text=f'A section key, or "{WHOLE_TEXT}" for the whole text.')
    heading = serializers.CharField()
    tally = TallySerializer()


class ConsultationDetailSerializer(ConsultationSerializer):
    sections = SectionTallySerializer(many=True)
    overall = TallySerializer()
    summary_published = serializers.BooleanField()


class PositionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    section_key = serializers.CharField()
    author = serializers.CharField(source="author_name")
    home_community = serializers.CharField(
        source="author_home",
        allow_null=True,
        default=None,
        help_text="The author's home community (from a linked identity), if any.",
    )
    imported_from = serializers.CharField()
    stance = serializers.CharField(help_text='support, oppose, neutral, or "" for a comment.')
    strength = serializers.CharField()
    reason = serializers.SerializerMethodField(help_text="Markdown; null when hidden.")
    hidden = serializers.BooleanField()
    hidden_notice = serializers.SerializerMethodField()
    reply_count = serializers.IntegerField(help_text="Replies that are not hidden.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_reason(self, position) -> str | None:
        return None if position.hidden else position.reason

    def get_hidden_notice(self, position) -> str | None:
        return hidden_notice(position) if position.hidden else None


class TakePositionSerializer(serializers.Serializer):
    section_key = serializers.CharField(
        max_length=60, help_text=f'A section key of the consulted version, or "{WHOLE_TEXT}".'
    )
    stance = serializers.ChoiceField(choices=Position.Stance.choices)
    strength = serializers.ChoiceField(
        choices=[("", "None"), ("strong", "Strongly"), ("weak", "Weakly")],
        required=False,
        allow_blank=True,
        default="",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=services.MAX_TEXT,
        help_text="Markdown. Required when you oppose.",
    )


class ReplySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField(source="position_id")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    depth = serializers.IntegerField()
    section_key = serializers.CharField(source="position.section_key")
    author = serializers.CharField(source="author_name")
    home_community = serializers.CharField(
        source="author_home",
        allow_null=True,
        default=None,
        help_text="The author's home community (from a linked identity), if any.",
    )
    body = serializers.SerializerMethodField(help_text="Markdown; null when hidden.")
    hidden = serializers.BooleanField()
    hidden_notice = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_body(self, reply) -> str | None:
        return None if reply.hidden else reply.body

    def get_hidden_notice(self, reply) -> str | None:
        return hidden_notice(reply) if reply.hidden else None


class ModerationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField(help_text="hide or restore.")
    target = serializers.SerializerMethodField(help_text='"position:<id>" or "reply:<id>".')
    actor = serializers.CharField(source="actor.get_username")
    reason = serializers.CharField(help_text="The public reason; never the hidden text.")
    created_at = serializers.DateTimeField()

    def get_target(self, action) -> str:
        return (
            f"position:{action.position_id}" if action.position_id else f"reply:{action.reply_id}"
        )


class SummarySectionSerializer(serializers.Serializer):
    section_key = serializers.CharField()
    outcome = serializers.ChoiceField(choices=SummarySection.Outcome.choices)
    text = serializers.CharField(help_text="Markdown.")
    cited_positions = serializers.SerializerMethodField(help_text="Ids of cited positions.")

    def get_cited_positions(self, row) -> list[int]:
        # Prefetched without hidden positions (SummaryList), or filtered by summary_view.
        return [p.pk for p in row.cited_positions.all() if not p.hidden]


class SummaryListSerializer(serializers.Serializer):
    consultation = serializers.IntegerField(source="consultation_id")
    consultation_title = serializers.CharField(source="consultation.title")
    policy = serializers.CharField(source="consultation.version.policy.slug")
    version = serializers.IntegerField(source="consultation.version.number")
    intro = serializers.CharField(help_text="Markdown.")
    published_at = serializers.DateTimeField()
    sections = SummarySectionSerializer(many=True, source="sections.all")
    url = serializers.SerializerMethodField()

    def get_url(self, summary) -> str:
        path = f"/api/v1/consultations/{summary.consultation_id}/summary/"
        return absolute(self.context.get("request"), path)


class SummaryRowSerializer(serializers.Serializer):
    section_key = serializers.CharField(source="row.section_key")
    heading = serializers.CharField()
    renamed_to = serializers.CharField(help_text="The heading in the next version, if renamed.")
    outcome = serializers.ChoiceField(choices=SummarySection.Outcome.choices, source="row.outcome")
    text = serializers.CharField(source="row.text", help_text="Markdown.")
    cited_positions = serializers.SerializerMethodField()
    status = serializers.CharField(
        allow_null=True,
        help_text="What the next version did to the section: changed, unchanged, renamed, "
        "removed, whole; null while there is no next version.",
    )
    diff_html = serializers.SerializerMethodField(help_text="Consulted → next version.")

    def get_cited_positions(self, row) -> list[int]:
        return [p.pk for p in row["cited"]]

    def get_diff_html(self, row) -> str | None:
        return row["diff"]["inline"] if row["diff"] else None


class SummaryDetailSerializer(serializers.Serializer):
    consultation = serializers.IntegerField(source="summary.consultation_id")
    intro = serializers.CharField(source="summary.intro", help_text="Markdown.")
    published_at = serializers.DateTimeField(source="summary.published_at")
    published_by = serializers.SerializerMethodField()
    next_version = serializers.SerializerMethodField(
        help_text="The version published after the consultation, if any."
    )
    sections = SummaryRowSerializer(many=True, source="rows")

    def get_published_by(self, data) -> str | None:
        user = data["summary"].published_by
        return user.get_username() if user else None

    def get_next_version(self, data) -> int | None:
        return data["next_version"].number if data["next_version"] else None


class PublishedSummarySectionSerializer(serializers.Serializer):
    section_key = serializers.CharField()
    outcome = serializers.ChoiceField(choices=SummarySection.Outcome.choices)
    text = serializers.CharField(allow_blank=True, help_text="Markdown.")


class PublishedSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    consultation = serializers.IntegerField(source="consultation_id")
    intro = serializers.CharField(allow_blank=True, help_text="Markdown.")
    published_at = serializers.DateTimeField()
    sections = PublishedSummarySectionSerializer(
        many=True,
        source="sections.all",
        help_text="Ordered by section_key, the order in which the log hashed them.",
    )
    html_url = serializers.SerializerMethodField()

    def get_html_url(self, summary) -> str:
        return absolute(
            self.context.get("request"),
            selectors.consultation_url(summary.consultation) + "summary/",
        )


# --- filters -----------------------------------------------------------------------------------


class ConsultationFilter(django_filters.FilterSet):
    policy = django_filters.CharFilter(field_name="version__policy__slug", help_text="Policy slug.")
    version = IdFilter(field_name="version__number")
    state = django_filters.ChoiceFilter(choices=Consultation.State.choices)

    class Meta:
        model = Consultation
        fields = ["policy", "version", "state"]


class PositionFilter(django_filters.FilterSet):
    section = django_filters.CharFilter(field_name="section_key", help_text="A section key.")
    stance = django_filters.ChoiceFilter(choices=Position.Stance.choices)
    ordering = django_filters.OrderingFilter(fields=["created_at", "updated_at"])

    class Meta:
        model = Position
        fields = ["section", "stance"]


class ReplyFilter(django_filters.FilterSet):
    position = IdFilter(field_name="position_id")

    class Meta:
        model = Reply
        fields = ["position"]


class SummaryFilter(django_filters.FilterSet):
    policy = django_filters.CharFilter(
        field_name="consultation__version__policy__slug", help_text="Policy slug."
    )

    class Meta:
        model = Summary
        fields = ["policy"]


# --- views -------------------------------------------------------------------------------------


class ConsultationScopedMixin:
    """Views under /consultations/<pk>/: 404 when the consultation is not visible to the user."""

    def consultation(self) -> Consultation:
        if not hasattr(self, "_consultation"):
            self._consultation = get_consultation(self.request.user, self.kwargs["pk"])
        return self._consultation


@extend_schema(tags=["consultations"])
class ConsultationList(generics.ListAPIView):
    """Consultations, newest first; drafts only for facilitators."""

    serializer_class = ConsultationSerializer
    filterset_class = ConsultationFilter

    def get_queryset(self):
        return (
            selectors.visible_consultations(self.request.user)
            .select_related("version__policy", "state_changed_by")
            .order_by("-opens_at", "-pk")
        )


@extend_schema(tags=["consultations"])
class ConsultationDetail(ConsultationScopedMixin, generics.RetrieveAPIView):
    """One consultation with the tally of every section (and of the whole text)."""

    serializer_class = ConsultationDetailSerializer
    queryset = Consultation.objects.none()

    def get_object(self):
        consultation = self.consultation()
        counts = selectors.tallies(consultation)
        keyed = [(s.key, s.heading) for s in consultation.version.sections.all()]
        keyed.append((WHOLE_TEXT, selectors.WHOLE_TEXT_HEADING))
        consultation.sections = [
            {"key": key, "heading": heading, "tally": counts.get(key, selectors.Tally())}
            for key, heading in keyed
        ]
        overall = selectors.Tally()
        for key, _ in keyed:
            tally = counts.get(key, selectors.Tally())
            for field in ("support", "oppose", "neutral", "comments", "replies"):
                setattr(overall, field, getattr(overall, field) + getattr(tally, field))
        consultation.overall = overall
        consultation.summary_published = (
            selectors.visible_summaries(self.request.user)
            .filter(consultation=consultation)
            .exists()
        )
        return consultation


@extend_schema(tags=["consultations"])
class PositionList(WriteThrottleMixin, ConsultationScopedMixin, generics.ListCreateAPIView):
    """Public positions in a consultation. Hidden ones are listed with the moderation notice
    instead of their text."""

    serializer_class = PositionSerializer
    filterset_class = PositionFilter
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # building the schema: no URL kwargs
            return Position.objects.none()
        return (
            Position.objects.filter(consultation=self.consultation())
            .select_related("user", "hidden_by")
            .annotate(
                reply_count=Count("replies", filter=Q(replies__hidden=False)),
                author_home=account_selectors.home_community_name("user"),
            )
            .order_by("created_at", "pk")
        )

    @extend_schema(
        request=TakePositionSerializer,
        responses={
            200: OpenApiResponse(PositionSerializer, description="Your position was changed."),
            201: OpenApiResponse(PositionSerializer, description="Your position was recorded."),
        },
    )
    def post(self, request, *args, **kwargs):
        """Take (or change) your one position on a section of an open consultation; the same
        rules and messages as the consultation page."""
        consultation = self.consultation()
        data = TakePositionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        existed = Position.objects.filter(
            consultation=consultation, section_key=fields["section_key"], user=request.user
        ).exists()
        position = services.take_position(
            consultation=consultation,
            section_key=fields["section_key"],
            user=request.user,
            stance=fields["stance"],
            strength=fields["strength"],
            reason=fields["reason"],
        )
        position = self.get_queryset().get(pk=position.pk)
        return Response(
            PositionSerializer(position, context=self.get_serializer_context()).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


@extend_schema(tags=["consultations"])
class ReplyList(ConsultationScopedMixin, generics.ListAPIView):
    """Public replies in a consultation, oldest first; hidden ones as notices."""

    serializer_class = ReplySerializer
    filterset_class = ReplyFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Reply.objects.none()
        return (
            Reply.objects.filter(position__consultation=self.consultation())
            .select_related("user", "hidden_by", "position")
            .annotate(author_home=account_selectors.home_community_name("user"))
            .order_by("created_at", "pk")
        )


@extend_schema(tags=["consultations"])
class ModerationList(ConsultationScopedMixin, generics.ListAPIView):
    """Every moderation action in a consultation, oldest first: what was hidden or restored,
    by whom and why (as the moderation log page shows; never the hidden text). Each one has a
    transparency log entry ("consultations.moderation:<id>") that the verifier matches."""

    serializer_class = ModerationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ModerationAction.objects.none()
        return (
            ModerationAction.objects.filter(consultation=self.consultation())
            .select_related("actor")
            .order_by("created_at", "pk")
        )


@extend_schema(tags=["consultations"])
class SummaryList(generics.ListAPIView):
    """Published summaries, newest first."""

    serializer_class = SummaryListSerializer
    filterset_class = SummaryFilter

    def get_queryset(self):
        cited = selectors.visible_positions().only("pk", "hidden")
        sections = SummarySection.objects.order_by("pk").prefetch_related(
            Prefetch("cited_positions", queryset=cited)
        )
        return (
            selectors.visible_summaries(self.request.user)
            .select_related("consultation__version__policy")
            .prefetch_related(Prefetch("sections", queryset=sections))
            .order_by("-published_at", "-pk")
        )


@extend_schema(tags=["consultations"])
class SummaryById(generics.RetrieveAPIView):
    """A published summary by its id, as the transparency log names it
    ("consultations.summary:<id>"): its intro and each section's key, outcome and text, exactly
    what the log hashed when it was published (services._summary_hash), in the same order."""

    serializer_class = PublishedSummarySerializer
    queryset = Summary.objects.none()  # for the schema; get_object reads the row

    def get_object(self):
        # Ordered by the column the hash was ordered by, on the same database, so the list
        # comes back in the order the log hashed it, whichever database the site runs on.
        sections = SummarySection.objects.order_by("section_key").only(
            "summary_id", "section_key", "outcome", "text"
        )
        found = (
            selectors.visible_summaries(self.request.user)
            .filter(pk=self.kwargs["pk"])
            .select_related("consultation__version__policy")
            .prefetch_related(Prefetch("sections", queryset=sections))
            .first()
        )
        if found is None:
            raise Http404("No such published summary.")
        return found


@extend_schema(tags=["consultations"])
class SummaryDetail(ConsultationScopedMixin, generics.RetrieveAPIView):
    """The published summary of a consultation ("you said → we changed" once a later version
    exists); 404 until it is published."""

    serializer_class = SummaryDetailSerializer
    queryset = Summary.objects.none()

    def get_object(self):
        data = selectors.summary_view(self.consultation())
        if data is None:
            raise Http404("This consultation has no published summary.")
        return data
