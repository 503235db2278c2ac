"""Every read the policy pages (and later the API) share, shaped for display in a fixed
number of queries. Rendered Markdown and diffs are cached by content hash: the same text
always renders the same way, so the cache never needs invalidating."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Prefetch, Subquery, Value
from django.http import Http404
from django.utils.translation import pgettext_lazy
from wagtail.models import PageLogEntry, PageViewRestriction

from . import diffing, drafting, markdown_diff, markdown_io, translating
from .models import (
    PolicyPage,
    PolicyTranslation,
    PolicyVersion,
    SectionVersion,
    TranslatedSection,
)

CACHE_SECONDS = 60 * 60 * 24 * 7


def page_log_query():
    """The newest entry of Wagtail's page log, for core.page_cache: every publish, unpublish,
    move, deletion, privacy change and forgotten name (services.forget_user) moves it."""
    return PageLogEntry.objects.order_by("-id").values_list("id")[:1]


def view_restriction_query():
    """1 when any page has a view restriction (a password or groups), else nothing: pages are
    kept only while there is none to check (core.page_cache, views._kept)."""
    return PageViewRestriction.objects.values_list(Value(1))[:1]


def latest_version_number(page) -> int:
    number = PolicyVersion.objects.filter(policy_id=page.pk).aggregate(n=Max("number"))["n"]
    return number or 0


def _id(policy) -> int:
    return policy if isinstance(policy, int) else policy.pk


def versions_newest_first(policy):
    """A policy's published versions, newest first (a queryset; `policy` a page or its id)."""
    return PolicyVersion.objects.filter(policy_id=_id(policy)).order_by("-number")


def latest_version(policy) -> PolicyVersion | None:
    """The policy's newest published version, or None before the first publication."""
    return versions_newest_first(policy).select_related("author").first()


def policy_list(index_page) -> list[dict]:
    """Live policies under an index with their current version: two queries."""
    pages = list(PolicyPage.objects.child_of(index_page).live().order_by("title"))
    latest = {}
    versions = (
        PolicyVersion.objects.filter(policy__in=pages)
        .order_by("policy_id", "number")
        .only("policy_id", "number", "label", "created_at", "author_name", "summary")
    )
    for v in versions:
        latest[v.policy_id] = v
    return [{"page": p, "version": latest.get(p.pk)} for p in pages]


def _versions(page):
    return PolicyVersion.objects.filter(policy_id=page.pk).select_related("author")


def get_version(
    page, number: int, *, with_sections: bool = True, with_latest: bool = False
) -> PolicyVersion:
    """One version; `with_latest` adds `latest_number`, the policy's newest, in the same query."""
    qs = _versions(page)
    if with_latest:
        newest = versions_newest_first(page).values("number")[:1]
        qs = qs.annotate(latest_number=Subquery(newest))
    if with_sections:
        qs = qs.prefetch_related(
            Prefetch("sections", queryset=SectionVersion.objects.order_by("position"))
        )
    version = qs.filter(number=number).first()
    if version is None:
        raise Http404(f"This policy has no version {number}.")
    return version


def current_version(page) -> PolicyVersion | None:
    """The newest published version with its sections, or None."""
    return (
        versions_newest_first(page)
        .select_related("author")
        .prefetch_related(
            Prefetch("sections", queryset=SectionVersion.objects.order_by("position"))
        )
        .first()
    )


def version_history(page) -> list[PolicyVersion]:
    """Newest first; change statistics were stored at publication, so this is one query."""
    return list(versions_newest_first(page).select_related("author"))


def rendered_body(section: SectionVersion) -> str:
    """Sanitised HTML of a section body with placeholders marked, cached by body hash."""
    key = f"accord:md:v1:{section.body_hash}"
    html = cache.get(key)
    if html is None:
        html = markdown_io.highlight_placeholders(markdown_io.render_markdown(section.body))
        cache.set(key, html, CACHE_SECONDS)
    return html


@dataclass
class RenderedSection:
    key: str
    heading: str
    html: str
    placeholders: list[str]


@dataclass
class VersionView:
    version: PolicyVersion
    sections: list[RenderedSection]
    placeholders: list[tuple[str, list[RenderedSection]]]


def version_view(version: PolicyVersion) -> VersionView:
    sections = [
        RenderedSection(
            key=s.key,
            heading=s.heading,
            html=rendered_body(s),
            placeholders=markdown_io.find_placeholders(s.body),
        )
        for s in version.sections.all()
    ]
    where: dict[str, list[RenderedSection]] = {}
    for s in sections:
        for placeholder in s.placeholders:
            where.setdefault(placeholder, []).append(s)
    return VersionView(version=version, sections=sections, placeholders=list(where.items()))


# --- comparing two versions -------------------------------------------------------------

# What each label on a compared section reads as; the label itself stays the CSS class.
SECTION_LABEL_NAMES = {
    "unchanged": pgettext_lazy("section change", "unchanged"),
    "changed": pgettext_lazy("section change", "changed"),
    "added": pgettext_lazy("section change", "added"),
    "removed": pgettext_lazy("section change", "removed"),
    "renamed": pgettext_lazy("section change", "renamed"),
    "moved": pgettext_lazy("section change", "moved"),
}


@dataclass
class SectionDiff:
    key: str
    status: str  # "unchanged" | "changed" | "added" | "removed"
    old: SectionVersion | None
    new: SectionVersion | None
    renamed: bool = False
    moved: bool = False
    heading_html: str = ""
    inline_html: str = ""
    old_html: str = ""
    new_html: str = ""
    rendered_html: str = ""  # formatted Markdown with the changes marked (compare's rendered view)
    words_added: int = 0
    words_removed: int = 0

    @property
    def heading(self) -> str:
        return (self.new or self.old).heading

    @property
    def labels(self) -> list[str]:
        labels = [] if self.status == "unchanged" else [self.status]
        if self.renamed:
            labels.append("renamed")
        if self.moved:
            labels.append("moved")
        return labels or ["unchanged"]

    @property
    def badges(self) -> list[tuple[str, str]]:
        """(label, its name in the reader's language) for each label."""
        return [(label, SECTION_LABEL_NAMES.get(label, label)) for label in self.labels]


@dataclass
class Comparison:
    old: PolicyVersion
    new: PolicyVersion
    sections: list[SectionDiff] = field(default_factory=list)

    @property
    def changed_sections(self) -> list[SectionDiff]:
        return [s for s in self.sections if s.labels != ["unchanged"]]

    @property
    def words_added(self) -> int:
        return sum(s.words_added for s in self.sections)

    @property
    def words_removed(self) -> int:
        return sum(s.words_removed for s in self.sections)


def body_diff(
    old_body: str, old_hash: str, new_body: str, new_hash: str, *, rendered: bool = False
) -> dict:
    """Rendered word-level diff of two section bodies, cached by the pair of body hashes: the
    source (paragraphs unwrapped, markdown_diff.join_soft_wraps) inline and side by side, and
    with `rendered` also as formatted Markdown with the changes marked (under "rendered")."""
    key = f"accord:diff:v2:{old_hash}:{new_hash}"
    result = cache.get(key)
    if result is None or (rendered and "rendered" not in result):
        ops = diffing.diff_words(
            markdown_diff.join_soft_wraps(old_body), markdown_diff.join_soft_wraps(new_body)
        )
        stats = diffing.diff_stats(ops)
        old_html, new_html = diffing.render_side_by_side(ops)
        result = {
            "inline": diffing.render_inline(ops),
            "old": old_html,
            "new": new_html,
            "added": stats.words_added,
            "removed": stats.words_removed,
        }
        if rendered:
            result["rendered"] = markdown_diff.render_rendered(old_body, new_body)
        cache.set(key, result, CACHE_SECONDS)
    return result


def _moved_keys(old_order: list[str], new_order: list[str]) -> set[str]:
    """Sections present in both versions whose relative order changed: those outside the
    longest common subsequence of the two key orders."""
    common = set(old_order) & set(new_order)
    a = [k for k in old_order if k in common]
    b = [k for k in new_order if k in common]
    n, m = len(a), len(b)
    lcs = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            lcs[i][j] = lcs[i + 1][j + 1] + 1 if a[i] == b[j] else max(lcs[i + 1][j], lcs[i][j + 1])
    kept, i, j = set(), 0, 0
    while i < n and j < m:
        if a[i] == b[j]:
            kept.add(a[i])
            i, j = i + 1, j + 1
        elif lcs[i + 1][j] >= lcs[i][j + 1]:
            i += 1
        else:
            j += 1
    return common - kept


def compare_versions(page, a: int, b: int, *, rendered: bool = False) -> Comparison:
    """Section-by-section comparison of versions a (old) and b (new), matched by key; with
    `rendered`, each changed section's diff as formatted Markdown too."""
    versions = {
        v.number: v
        for v in _versions(page)
        .filter(number__in=[a, b])
        .prefetch_related(
            Prefetch("sections", queryset=SectionVersion.objects.order_by("position"))
        )
    }
    if a not in versions or b not in versions:
        missing = a if a not in versions else b
        raise Http404(f"This policy has no version {missing}.")
    old_v, new_v = versions[a], versions[b]
    old_sections = list(old_v.sections.all())
    new_sections = list(new_v.sections.all())
    old_by_key = {s.key: s for s in old_sections}
    new_by_key = {s.key: s for s in new_sections}
    moved = _moved_keys([s.key for s in old_sections], [s.key for s in new_sections])

    rows: list[SectionDiff] = []
    for s in new_sections:
        before = old_by_key.get(s.key)
        if before is None:
            d = body_diff("", "", s.body, s.body_hash, rendered=rendered)
            rows.append(
                SectionDiff(
                    key=s.key,
                    status="added",
                    old=None,
                    new=s,
                    new_html=d["new"],
                    inline_html=d["inline"],
                    rendered_html=d.get("rendered", ""),
                    words_added=d["added"],
                )
            )
            continue
        row = SectionDiff(
            key=s.key,
            status="changed" if before.body_hash != s.body_hash else "unchanged",
            old=before,
            new=s,
            renamed=before.heading != s.heading,
            moved=s.key in moved,
        )
        if row.renamed:
            row.heading_html = diffing.render_inline(diffing.diff_words(before.heading, s.heading))
        d = body_diff(
            before.body,
            before.body_hash,
            s.body,
            s.body_hash,
            rendered=rendered and row.status != "unchanged",
        )
        row.inline_html, row.old_html, row.new_html = d["inline"], d["old"], d["new"]
        row.rendered_html = d.get("rendered", "")
        row.words_added, row.words_removed = d["added"], d["removed"]
        rows.append(row)

    # Removed sections go back where they stood: after the nearest earlier surviving section.
    for index, s in enumerate(old_sections):
        if s.key in new_by_key:
            continue
        d = body_diff(s.body, s.body_hash, "", "", rendered=rendered)
        removed = SectionDiff(
            key=s.key,
            status="removed",
            old=s,
            new=None,
            old_html=d["old"],
            inline_html=d["inline"],
            rendered_html=d.get("rendered", ""),
            words_removed=d["removed"],
        )
        anchor = next((p.key for p in reversed(old_sections[:index]) if p.key in new_by_key), None)
        position = 0
        if anchor is not None:
            position = next(i for i, r in enumerate(rows) if r.key == anchor) + 1
            while position < len(rows) and rows[position].status == "removed":
                position += 1
        rows.insert(position, removed)
    return Comparison(old=old_v, new=new_v, sections=rows)


def export_sections(version: PolicyVersion) -> list[tuple[str, str]]:
    return [(s.heading, s.body) for s in version.sections.all()]


# --- translations -----------------------------------------------------------------------------


@dataclass
class SectionFreshnessView:
    """One row of a translation page: the freshness verdict plus what a reader needs to see
    it — the source diff they are missing, or the new source text."""

    fresh: translating.SectionFreshness
    diff: dict | None = None
    heading_diff_html: str = ""
    current_html: str = ""

    @property
    def key(self) -> str:
        return self.fresh.key

    @property
    def state(self) -> str:
        return self.fresh.state

    @property
    def label(self) -> str:
        return self.fresh.label

    @property
    def heading(self) -> str:
        return self.fresh.heading

    @property
    def translated(self):
        return self.fresh.translated

    @property
    def current(self):
        return self.fresh.current


@dataclass
class LanguageStatus:
    language: translating.Language
    translation: PolicyTranslation | None
    freshness: translating.Freshness | None
    rows: list[SectionFreshnessView] = field(default_factory=list)

    @property
    def state(self) -> str:
        if self.freshness is None:
            return translating.MISSING
        return self.freshness.state

    @property
    def label(self) -> str:
        return translating.STATE_LABELS[self.state]

    @property
    def stale_headings(self) -> list[str]:
        return [s.heading for s in self.freshness.stale] if self.freshness else []


def translation_languages() -> list[translating.Language]:
    """The languages policies are translated into, from settings.ACCORD_POLICY_LANGUAGES."""
    return translating.target_languages(settings.ACCORD_POLICY_LANGUAGES, settings.LANGUAGE_CODE)


def _source_section(s: SectionVersion) -> translating.SourceSection:
    return translating.SourceSection(
        key=s.key, heading=s.heading, body=s.body, body_hash=s.body_hash
    )


def latest_translations(
    policy_id: int, *, up_to: int | None = None, codes=None
) -> dict[str, PolicyTranslation]:
    """The newest translation per language (newest source version, then newest revision) of
    versions up to number `up_to`, each with `section_list` filled: two queries."""
    qs = PolicyTranslation.objects.filter(source_version__policy_id=policy_id).select_related(
        "source_version", "locale"
    )
    if up_to is not None:
        qs = qs.filter(source_version__number__lte=up_to)
    if codes is not None:
        qs = qs.filter(locale__language_code__in=list(codes))
    chosen: dict[str, PolicyTranslation] = {}
    for t in qs.order_by("source_version__number", "revision", "pk"):
        chosen[t.locale.language_code] = t
    by_translation: dict[int, list[TranslatedSection]] = {t.pk: [] for t in chosen.values()}
    if chosen:
        rows = (
            TranslatedSection.objects.filter(translation__in=list(chosen.values()))
            .select_related("source_section")
            .order_by("position")
        )
        for row in rows:
            by_translation[row.translation_id].append(row)
    for t in chosen.values():
        t.section_list = by_translation[t.pk]
    return chosen


def translation_freshness(
    translation: PolicyTranslation, target: list[SectionVersion]
) -> translating.Freshness:
    return translating.freshness(
        [
            translating.TranslatedText(
                key=s.key,
                heading=s.heading,
                body=s.body,
                source=_source_section(s.source_section),
            )
            for s in translation.section_list
        ],
        [_source_section(s) for s in target],
    )


def _rows(fresh: translating.Freshness, current: dict[str, SectionVersion]):
    rows = []
    for s in fresh.sections:
        row = SectionFreshnessView(fresh=s)
        source = s.translated.source if s.translated else None
        now = current.get(s.key)
        if s.state == translating.OUTDATED:
            row.diff = body_diff(source.body, source.body_hash, now.body, now.body_hash)
            if s.heading_changed:
                row.heading_diff_html = diffing.render_inline(
                    diffing.diff_words(source.heading, now.heading)
                )
        elif s.state == translating.MISSING:
            row.current_html = rendered_body(now)
        rows.append(row)
    return rows


def language_statuses(
    version: PolicyVersion, *, codes=None, with_rows: bool = False
) -> list[LanguageStatus]:
    """Every translation language against `version`: the newest translation of that version
    or an earlier one, judged section by section. Two queries beyond the version's sections
    (which callers usually have prefetched); with_rows adds the diffs a translator needs."""
    languages = translation_languages()
    if codes is not None:
        wanted = list(codes)
        known = {lang.code: lang for lang in languages}
        languages = [known.get(c) or translating.language(c) for c in wanted]
    found = latest_translations(
        version.policy_id, up_to=version.number, codes=[lang.code for lang in languages]
    )
    target = list(version.sections.all())
    current = {s.key: s for s in target}
    statuses = []
    for lang in languages:
        translation = found.get(lang.code)
        fresh = translation_freshness(translation, target) if translation else None
        status = LanguageStatus(language=lang, translation=translation, freshness=fresh)
        if with_rows and fresh is not None:
            status.rows = _rows(fresh, current)
        statuses.append(status)
    return statuses


@dataclass
class TranslationView:
    version: PolicyVersion  # the policy's current version
    status: LanguageStatus

    @property
    def translation(self) -> PolicyTranslation:
        return self.status.translation


def translation_view(page, code: str) -> TranslationView:
    """The newest translation into `code`, judged against the current version; 404 when the
    language is not a translation language or nothing is translated into it yet."""
    if code not in {lang.code for lang in translation_languages()}:
        raise Http404("Policies are not translated into this language.")
    version = current_version(page)
    if version is None:
        raise Http404("This policy has no published version.")
    (status,) = language_statuses(version, codes=[code], with_rows=True)
    if status.translation is None:
        raise Http404("This policy has no translation into this language yet.")
    return TranslationView(version=version, status=status)


def language_choices() -> list[tuple[str, str]]:
    """Form choices for translation languages, each named in its own language."""
    return [(lang.code, f"{lang.name_local} ({lang.code})") for lang in translation_languages()]


def translation_history(page, *, limit: int = 50) -> list[tuple[PolicyTranslation, object]]:
    """Imported translations of a policy, newest first, each with its freshness against the
    current version (None when the policy has no version): four queries."""
    version = current_version(page)
    translations = list(
        PolicyTranslation.objects.filter(source_version__policy_id=page.pk)
        .select_related("source_version", "locale")
        .order_by("-created_at", "-pk")[:limit]
    )
    sections: dict[int, list[TranslatedSection]] = {t.pk: [] for t in translations}
    for row in (
        TranslatedSection.objects.filter(translation__in=translations)
        .select_related("source_section")
        .order_by("position")
    ):
        sections[row.translation_id].append(row)
    target = list(version.sections.all()) if version else []
    result = []
    for t in translations:
        t.section_list = sections[t.pk]
        result.append((t, translation_freshness(t, target) if version else None))
    return result


# --- Drafts: what a working or set-aside draft changes -----------------------------------------


@dataclass
class DraftSectionChange:
    key: str
    heading: str
    status: str  # added, removed, changed, renamed
    diff: dict | None = None  # body_diff() of the body, when the body changed
    old_heading: str = ""


def _section_changes(old: list, new: list) -> list[DraftSectionChange]:
    """Sections of `new` that differ from `old` (both lists of objects with key, heading,
    body), matched by key, in the order of `new` then the removed ones."""
    from .services import normalise_text, sha256

    before = {s.key: s for s in old}
    after_keys = {s.key for s in new}
    changes = []
    for s in new:
        body = normalise_text(s.body or "")
        was = before.get(s.key)
        if was is None:
            changes.append(
                DraftSectionChange(
                    s.key, s.heading, "added", body_diff("", sha256(""), body, sha256(body))
                )
            )
            continue
        was_body = normalise_text(was.body or "")
        body_changed = was_body != body
        renamed = was.heading.strip() != s.heading.strip()
        if not body_changed and not renamed:
            continue
        changes.append(
            DraftSectionChange(
                s.key,
                s.heading,
                "changed" if body_changed else "renamed",
                body_diff(was_body, sha256(was_body), body, sha256(body)) if body_changed else None,
                old_heading=was.heading if renamed else "",
            )
        )
    for key, was in before.items():
        if key not in after_keys:
            was_body = normalise_text(was.body or "")
            changes.append(
                DraftSectionChange(
                    key,
                    was.heading,
                    "removed",
                    body_diff(was_body, sha256(was_body), "", sha256("")),
                )
            )
    return changes


@dataclass
class WorkingDraft:
    """What the page's working draft would publish, against its current version."""

    version: PolicyVersion | None
    changes: list[DraftSectionChange]
    title_changed: bool
    set_aside: list


def working_draft(draft_page: PolicyPage) -> WorkingDraft:
    """For the editor: the sections the draft being edited changes, and the drafts set aside
    for this policy that are still waiting to be carried over."""
    from .models import SetAsideDraft

    version = current_version(draft_page) if draft_page.pk else None
    old = list(version.sections.all()) if version else []
    return WorkingDraft(
        version=version,
        changes=_section_changes(old, list(draft_page.sections.all())),
        title_changed=version is not None and version.title != draft_page.title,
        set_aside=list(
            SetAsideDraft.objects.filter(page_id=draft_page.pk, state=SetAsideDraft.State.WAITING)
            .select_related("author")
            .order_by("-set_aside_at")
        )
        if draft_page.pk
        else [],
    )


def _texts(rows) -> list[drafting.Section]:
    from .services import normalise_text

    return [
        drafting.Section(key=s.key, heading=s.heading.strip(), body=normalise_text(s.body or ""))
        for s in rows
    ]


def set_aside_texts(draft) -> tuple[list, list, list]:
    """The three texts a set-aside draft is merged from, normalised: the version it started
    from, the draft itself, and the page's current working text."""
    base = SectionVersion.objects.filter(
        version__policy_id=draft.page_id, version__number=draft.base_version
    ).order_by("position")
    working = PolicyPage.objects.get(pk=draft.page_id).get_latest_revision_as_object()
    return (
        _texts(base),
        _texts(draft.revision.as_object().sections.all()),
        _texts(working.sections.all()),
    )


@dataclass
class SetAsideReview:
    mine: list[DraftSectionChange]  # what the set-aside draft changed since its base version
    theirs: list[DraftSectionChange]  # what the working text changed since that version
    carried: list[str]
    conflicts: list


def set_aside_review(draft) -> SetAsideReview:
    """A set-aside draft shown to its author: what it changes, what was published meanwhile,
    and what carrying it over would do."""
    base, mine, theirs = set_aside_texts(draft)
    merge = drafting.three_way(base, mine, theirs)
    return SetAsideReview(
        mine=_section_changes(base, mine),
        theirs=_section_changes(base, theirs),
        carried=merge.carried,
        conflicts=merge.conflicts,
    )


def baseline_policy_id() -> int | None:
    """The page id of the site's baseline policy, as editors set it in the admin (Settings →
    Accord), or None when none is set. One query, and nothing written."""
    from .models import AccordSettings

    return AccordSettings.objects.values_list("baseline_policy_id", flat=True).first()


def recent_versions(index_page, limit: int = 5) -> list[PolicyVersion]:
    """The newest published versions of the live policies under an index, newest first, each
    with its policy page: one query."""
    return list(
        PolicyVersion.objects.filter(
            policy__in=PolicyPage.objects.child_of(index_page).live().values("pk")
        )
        .select_related("policy")
        .only(
            "number",
            "label",
            "created_at",
            "author_name",
            "summary",
            "policy__title",
            "policy__slug",
            "policy__url_path",
        )
        .order_by("-created_at", "-pk")[:limit]
    )
