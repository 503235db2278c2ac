"""The amendments part of the public API: the amendments of a consultation, with their states,
decisions and tallies."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from consultations.api import ConsultationScopedMixin
from core.api import refuse_repeated_or_empty

from . import selectors
from .models import Amendment


class AmendmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    section_key = serializers.CharField()
    section = serializers.CharField(help_text="Heading of the amended section.")
    kind = serializers.ChoiceField(choices=Amendment.Kind.choices)
    heading = serializers.CharField()
    text = serializers.CharField(help_text="Markdown: the replacement or the new section.")
    rationale = serializers.CharField()
    author = serializers.CharField()
    state = serializers.ChoiceField(choices=Amendment.State.choices)
    decision_reason = serializers.CharField()
    decided_by = serializers.CharField()
    revision = serializers.IntegerField()
    support = serializers.IntegerField()
    oppose = serializers.IntegerField()
    neutral = serializers.IntegerField()
    merged_into_version = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


class AmendmentQuerySerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=Amendment.State.choices, required=False)
    section = serializers.CharField(required=False, max_length=60, help_text="A section key.")


@extend_schema(tags=["consultations"], parameters=[AmendmentQuerySerializer])
class AmendmentList(ConsultationScopedMixin, generics.ListAPIView):
    """Amendments proposed in a consultation, with their states, decisions and tallies."""

    serializer_class = AmendmentSerializer
    filter_backends = []  # filtered below: the rows come from a selector, not a queryset
    queryset = Amendment.objects.none()

    def get_queryset(self):
        refuse_repeated_or_empty(self.request.query_params, AmendmentQuerySerializer().fields)
        query = AmendmentQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        rows = selectors.export_amendments(self.consultation())
        state, section = query.validated_data.get("state"), query.validated_data.get("section")
        return [
            row
            for row in rows
            if (not state or row["state"] == state)
            and (not section or row["section_key"] == section)
        ]
