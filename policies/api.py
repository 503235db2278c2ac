"""The policies part of the public API: policies, their published versions with sections and
content hashes, and diffs between two versions. Read-only; shaped by policies.selectors."""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.response import Response

from core.api import absolute, refuse_repeated_or_empty

from . import diffing, markdown_io, selectors, translating
from .models import PolicyPage, PolicyTranslation, PolicyVersion, TranslatedSection

SECTION_STATUSES = ["unchanged", "changed", "added", "removed"]


def get_policy(slug: str) -> PolicyPage:
    """A live policy by slug, or 404."""
    policy = PolicyPage.objects.live().filter(slug=slug).first()
    if policy is None:
        raise Http404("No such policy.")
    return policy


def policy_path(slug: str) -> str:
    return f"/{slug}/"


# --- serializers -----------------------------------------------------------------------------


class PolicySerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    intro = serializers.CharField()
    latest_version = serializers.IntegerField(
        allow_null=True, help_text="Number of the newest published version."
    )
    latest_content_hash = serializers.CharField(allow_null=True)
    latest_published_at = serializers.DateTimeField(allow_null=True)
    versions_url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()

    def get_versions_url(self, policy) -> str:
        return absolute(self.context.get("request"), f"/api/v1/policies/{policy.slug}/versions/")

    def get_html_url(self, policy) -> str:
        return absolute(self.context.get("request"), policy_path(policy.slug))


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    label = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField(help_text="The edit summary: what changed and why.")
    author = serializers.CharField(source="author_name")
    created_at = serializers.DateTimeField()
    content_hash = serializers.CharField(help_text="SHA-256 of the version's canonical text.")
    sections_added = serializers.IntegerField()
    sections_removed = serializers.IntegerField()
    sections_changed = serializers.IntegerField()
    words_added = serializers.IntegerField()
    words_removed = serializers.IntegerField()
    word_count = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()

    def _slug(self, version) -> str:
        return self.context["policy"].slug

    def get_url(self, version) -> str:
        path = f"/api/v1/policies/{self._slug(version)}/versions/{version.number}/"
        return absolute(self.context.get("request"), path)

    def get_html_url(self, version) -> str:
        path = f"{policy_path(self._slug(version))}versions/{version.number}/"
        return absolute(self.context.get("request"), path)


class SectionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Stable identity of the section across versions.")
    heading = serializers.CharField()
    position = serializers.IntegerField()
    body = serializers.CharField(help_text="Markdown source.")
    body_hash = serializers.CharField()
    html = serializers.SerializerMethodField(help_text="Sanitised HTML of the body.")
    placeholders = serializers.SerializerMethodField()

    def get_html(self, section) -> str:
        return selectors.rendered_body(section)

    def get_placeholders(self, section) -> list[str]:
        return markdown_io.find_placeholders(section.body)


class VersionDetailSerializer(VersionSerializer):
    sections = SectionSerializer(many=True, source="sections.all")


class VersionRefSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    label = serializers.CharField()
    content_hash = serializers.CharField()


class WordOpSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[diffing.EQUAL, diffing.INSERT, diffing.DELETE])
    old = serializers.CharField()
    new = serializers.CharField()


class SectionDiffSerializer(serializers.Serializer):
    key = serializers.CharField()
    status = serializers.ChoiceField(choices=SECTION_STATUSES)
    labels = serializers.ListField(
        child=serializers.CharField(), help_text="status plus renamed/moved, for display."
    )
    renamed = serializers.BooleanField()
    moved = serializers.BooleanField()
    heading = serializers.CharField()
    old_heading = serializers.SerializerMethodField()
    new_heading = serializers.SerializerMethodField()
    words_added = serializers.IntegerField()
    words_removed = serializers.IntegerField()
    inline_html = serializers.CharField(help_text="The diff as HTML with <ins> and <del>.")
    old_html = serializers.CharField()
    new_html = serializers.CharField()
    heading_html = serializers.CharField()
    ops = serializers.SerializerMethodField(help_text="Word operations (with ?ops=true).")

    def get_old_heading(self, row) -> str | None:
        return row.old.heading if row.old else None

    def get_new_heading(self, row) -> str | None:
        return row.new.heading if row.new else None

    @extend_schema_field(WordOpSerializer(many=True, allow_null=True))
    def get_ops(self, row):
        if not self.context.get("ops"):
            return None
        old = row.old.body if row.old else ""
        new = row.new.body if row.new else ""
        return [
            {"kind": op.kind, "old": op.old, "new": op.new} for op in diffing.diff_words(old, new)
        ]


class ComparisonSerializer(serializers.Serializer):
    old = VersionRefSerializer()
    new = VersionRefSerializer()
    words_added = serializers.IntegerField()
    words_removed = serializers.IntegerField()
    sections = SectionDiffSerializer(many=True)


# --- views -------------------------------------------------------------------------------------


def _latest(field: str):
    newest = PolicyVersion.objects.filter(policy=OuterRef("pk")).order_by("-number")
    return Subquery(newest.values(field)[:1])


class PolicyQuerysetMixin:
    serializer_class = PolicySerializer

    def get_queryset(self):
        # One query for the page: the newest version's number, hash and date are subqueries.
        return (
            PolicyPage.objects.live()
            .annotate(
                latest_version=_latest("number"),
                latest_content_hash=_latest("content_hash"),
                latest_published_at=_latest("created_at"),
            )
            .order_by("title", "pk")
        )


@extend_schema(tags=["policies"])
class PolicyList(PolicyQuerysetMixin, generics.ListAPIView):
    """Live policies, by title."""


@extend_schema(tags=["policies"])
class PolicyDetail(PolicyQuerysetMixin, generics.RetrieveAPIView):
    """One policy and its newest version number."""

    lookup_field = "slug"


class PolicyScopedMixin:
    """Views under /policies/<slug>/: the policy is loaded once, and 404s when not live."""

    def policy(self) -> PolicyPage:
        if not hasattr(self, "_policy"):
            self._policy = get_policy(self.kwargs["slug"])
        return self._policy

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "policy": self.policy()}


@extend_schema(tags=["policies"])
class VersionList(PolicyScopedMixin, generics.ListAPIView):
    """Every published version of a policy, newest first, with its change statistics."""

    serializer_class = VersionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # building the schema: no URL kwargs
            return PolicyVersion.objects.none()
        return selectors.versions_newest_first(self.policy())


@extend_schema(tags=["policies"])
class VersionDetail(PolicyScopedMixin, generics.RetrieveAPIView):
    """One version with its sections (Markdown source, sanitised HTML, hashes)."""

    serializer_class = VersionDetailSerializer
    queryset = PolicyVersion.objects.none()  # for the schema; get_object reads the selector

    def get_object(self):
        return selectors.get_version(self.policy(), self.kwargs["number"])


@extend_schema(tags=["policies"])
class VersionById(generics.RetrieveAPIView):
    """One version by its id, as the transparency log names it ("policies.version:<id>"):
    found whatever its policy's slug is now, so a renamed policy's versions still verify."""

    serializer_class = VersionDetailSerializer
    queryset = PolicyVersion.objects.none()

    def get_object(self):
        found = (
            PolicyVersion.objects.filter(pk=self.kwargs["pk"], policy__live=True)
            .select_related("policy")
            .first()
        )
        if found is None:
            raise Http404("No such published version.")
        self._policy = found.policy
        return selectors.get_version(found.policy, found.number)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "_policy"):
            context["policy"] = self._policy
        return context


class LoggedTranslationSectionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The source section's stable key.")
    position = serializers.IntegerField()
    heading = serializers.CharField(help_text="The translated heading.")
    body = serializers.CharField(allow_blank=True, help_text="Translated Markdown source.")
    source_body_hash = serializers.CharField(
        help_text="Body hash of the source section this text translates."
    )


class TranslationRevisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    policy = serializers.CharField(source="source_version.policy.slug")
    source_version = serializers.IntegerField(
        source="source_version.number", help_text="Number of the version this translates."
    )
    source_content_hash = serializers.CharField()
    locale = serializers.CharField(source="locale.language_code", help_text="e.g. de.")
    revision = serializers.IntegerField()
    title = serializers.CharField()
    translator = serializers.CharField(source="translator_name")
    note = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    sections = LoggedTranslationSectionSerializer(
        many=True, source="sections.all", help_text="In their order (position)."
    )


@extend_schema(tags=["policies"])
class TranslationById(generics.RetrieveAPIView):
    """One imported translation revision by its id, as the transparency log names it
    ("policies.translation:<id>"), older revisions included: exactly the title and sections
    (key, heading, body, in order) whose hash the log recorded when it was imported. The
    policy's translation pages show only the newest revision."""

    serializer_class = TranslationRevisionSerializer
    queryset = PolicyTranslation.objects.none()  # for the schema; get_object reads the row

    def get_object(self):
        sections = TranslatedSection.objects.order_by("position", "pk")
        found = (
            PolicyTranslation.objects.filter(
                pk=self.kwargs["pk"], source_version__policy__live=True
            )
            .select_related("source_version__policy", "locale")
            .prefetch_related(Prefetch("sections", queryset=sections))
            .first()
        )
        if found is None:
            raise Http404("No such translation.")
        return found


@extend_schema(tags=["policies"])
class SectionDetail(PolicyScopedMixin, generics.RetrieveAPIView):
    """One section of one version, by its stable key."""

    serializer_class = SectionSerializer
    queryset = PolicyVersion.objects.none()

    def get_object(self):
        version = selectors.get_version(self.policy(), self.kwargs["number"])
        section = next((s for s in version.sections.all() if s.key == self.kwargs["key"]), None)
        if section is None:
            raise Http404("This version has no such section.")
        return section


@extend_schema(
    tags=["policies"],
    parameters=[
        OpenApiParameter(
            "ops",
            OpenApiTypes.BOOL,
            description="Also list each section's word operations (true or false).",
        )
    ],
)
class Compare(PolicyScopedMixin, generics.RetrieveAPIView):
    """Versions a (old) and b (new) compared section by section, matched by key: added,
    removed, changed, renamed and moved sections, with word-level diffs. A version compared
    with itself has every section unchanged."""

    serializer_class = ComparisonSerializer
    queryset = PolicyVersion.objects.none()

    def get_serializer_context(self):
        query = self.request.query_params
        refuse_repeated_or_empty(query, ["ops"])
        ops = query.get("ops", "false")
        if ops not in ("true", "false"):
            raise serializers.ValidationError({"ops": ["ops must be true or false."]})
        return {**super().get_serializer_context(), "ops": ops == "true"}

    def get_object(self):
        return selectors.compare_versions(self.policy(), self.kwargs["a"], self.kwargs["b"])


# --- translations ------------------------------------------------------------------------------


class TranslationSectionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The source section's stable key.")
    state = serializers.ChoiceField(
        choices=translating.SECTION_STATES,
        help_text="Against the version judged: up_to_date, outdated (the source changed since "
        "it was translated), missing (not translated), removed (no longer in the source).",
    )
    heading = serializers.CharField(allow_null=True, help_text="The translated heading.")
    source_heading = serializers.CharField(
        allow_null=True, help_text="The heading in the version judged against."
    )
    translated_body_hash = serializers.CharField(
        allow_null=True, help_text="Body hash of the source section that was translated."
    )
    current_body_hash = serializers.CharField(
        allow_null=True, help_text="Body hash of the section in the version judged against."
    )


class TranslationSectionTextSerializer(TranslationSectionSerializer):
    body = serializers.CharField(allow_null=True, help_text="Translated Markdown source.")
    html = serializers.CharField(allow_null=True, help_text="Sanitised HTML of the body.")


class TranslationSerializer(serializers.Serializer):
    locale = serializers.CharField(help_text="Language code, e.g. de.")
    language = serializers.CharField(help_text="The language's English name.")
    language_local = serializers.CharField(help_text="The language's name in itself.")
    direction = serializers.ChoiceField(choices=["ltr", "rtl"])
    freshness = serializers.ChoiceField(
        choices=translating.TRANSLATION_STATES,
        help_text="up_to_date only when every section is; missing when nothing is translated.",
    )
    judged_against = serializers.IntegerField(
        help_text="Number of the version freshness is judged against (the current one)."
    )
    source_version = serializers.IntegerField(
        allow_null=True, help_text="Number of the version this translates."
    )
    source_content_hash = serializers.CharField(allow_null=True)
    revision = serializers.IntegerField(allow_null=True)
    title = serializers.CharField(allow_null=True)
    translator = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField(allow_null=True)
    stale_sections = serializers.IntegerField(help_text="Sections not up to date.")
    sections = TranslationSectionSerializer(many=True)
    url = serializers.CharField()
    html_url = serializers.CharField(allow_null=True)


class TranslationDetailSerializer(TranslationSerializer):
    sections = TranslationSectionTextSerializer(many=True)


def _section_data(row, *, with_text: bool) -> dict:
    done, now = row.translated, row.current
    data = {
        "key": row.key,
        "state": row.state,
        "heading": done.heading if done else None,
        "source_heading": now.heading if now else None,
        "translated_body_hash": done.source.body_hash if done else None,
        "current_body_hash": now.body_hash if now else None,
    }
    if with_text:
        data["body"] = done.body if done else None
        data["html"] = markdown_io.render_markdown(done.body) if done else None
    return data


def translation_data(status, *, version, slug: str, request, with_text: bool = False) -> dict:
    """One language's translation of a policy, judged against `version`, as plain data."""
    t, lang = status.translation, status.language
    rows = status.freshness.sections if status.freshness else []
    api_path = f"/api/v1/policies/{slug}/translations/{lang.code}/"
    return {
        "locale": lang.code,
        "language": lang.name,
        "language_local": lang.name_local,
        "direction": lang.direction,
        "freshness": status.state,
        "judged_against": version.number,
        "source_version": t.source_version.number if t else None,
        "source_content_hash": t.source_content_hash if t else None,
        "revision": t.revision if t else None,
        "title": t.title if t else None,
        "translator": t.translator_name if t else None,
        "created_at": t.created_at if t else None,
        "stale_sections": len(status.freshness.stale)
        if status.freshness
        else len(version.sections.all()),
        "sections": [_section_data(r, with_text=with_text) for r in rows],
        "url": absolute(request, api_path),
        "html_url": absolute(request, f"{policy_path(slug)}translations/{lang.code}/")
        if t
        else None,
    }


class TranslationsMixin(PolicyScopedMixin):
    pagination_class = None
    queryset = PolicyVersion.objects.none()  # for the schema; the selectors do the reading

    def _current(self):
        version = selectors.current_version(self.policy())
        if version is None:
            raise Http404("This policy has no published version.")
        return version


@extend_schema(tags=["policies"])
class TranslationList(TranslationsMixin, generics.ListAPIView):
    """Every translation language of a policy with the freshness of its newest translation
    against the current version, section by section (missing when there is none)."""

    serializer_class = TranslationSerializer

    def list(self, request, *args, **kwargs):
        version = self._current()
        data = [
            translation_data(s, version=version, slug=self.policy().slug, request=request)
            for s in selectors.language_statuses(version)
        ]
        return Response(self.get_serializer(data, many=True).data)


@extend_schema(tags=["policies"])
class TranslationDetail(TranslationsMixin, generics.RetrieveAPIView):
    """The newest translation into one language, with each section's text and freshness."""

    serializer_class = TranslationDetailSerializer

    def get_object(self):
        view = selectors.translation_view(self.policy(), self.kwargs["code"])
        return translation_data(
            view.status,
            version=view.version,
            slug=self.policy().slug,
            request=self.request,
            with_text=True,
        )
