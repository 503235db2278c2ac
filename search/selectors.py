"""Site-wide search: policy text (every version), positions, replies, published summaries and
communities, through Wagtail's search framework (the database backend: full-text search on
PostgreSQL, FTS5 on SQLite); and "which version changed this?" for a phrase.

Reads only, shaped for the search/search.html template, in a fixed number of queries however
many rows match. Only public things are ever returned, to everyone alike (the search never looks
at who is asking): live policies; consultations past draft; positions and replies that are not
hidden, even to their authors and facilitators; published summaries. Private feedback is not
indexed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Max, Q
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from wagtail.search.backends import get_search_backend

from communities.models import Community, Membership
from consultations.models import WHOLE_TEXT, Position, Reply, Summary
from consultations.selectors import (
    visible_consultations,
    visible_positions,
    visible_replies,
    visible_summaries,
)
from policies.models import PolicyPage, PolicyVersion, SectionVersion

from .text import (
    WORD,
    Matcher,
    first_match,
    highlight,
    normalise,
    ranges,
    snippet,
    strip_markdown,
)

MAX_QUERY_CHARS = 200
MAX_TERMS = 10
PER_KIND = 10  # hits per kind on the overview
PER_KIND_FOCUSED = 50  # hits when one kind is asked for
MAX_SECTION_ROWS = 2000  # matching section versions read to group identical text
MIN_PHRASE_CHARS = 3
WHOLE_TEXT_HEADING = gettext_lazy("The whole text")

KINDS = {
    "sections": gettext_lazy("Policy text"),
    "positions": gettext_lazy("Positions"),
    "replies": gettext_lazy("Replies"),
    "summaries": gettext_lazy("Summaries"),
    "communities": gettext_lazy("Communities"),
}
# The link to every hit of one kind (the overview shows the best few).
MORE_OF_KIND = {
    "sections": gettext_lazy("More policy text results"),
    "positions": gettext_lazy("More positions results"),
    "replies": gettext_lazy("More replies results"),
    "summaries": gettext_lazy("More summaries results"),
    "communities": gettext_lazy("More communities results"),
}
# Kinds and stances as a sentence mentions them (lower case in English, not in every language).
KINDS_IN_SENTENCE = {
    "sections": pgettext_lazy("search kind, in a sentence", "policy text"),
    "positions": pgettext_lazy("search kind, in a sentence", "positions"),
    "replies": pgettext_lazy("search kind, in a sentence", "replies"),
    "summaries": pgettext_lazy("search kind, in a sentence", "summaries"),
    "communities": pgettext_lazy("search kind, in a sentence", "communities"),
}
STANCES_IN_SENTENCE = {
    "support": pgettext_lazy("stance, in a sentence", "support"),
    "oppose": pgettext_lazy("stance, in a sentence", "oppose"),
    "neutral": pgettext_lazy("stance, in a sentence", "neutral"),
}
# Filter names as notices mention them.
FILTER_NAMES = {
    "policy": pgettext_lazy("search filter", "policy"),
    "version": pgettext_lazy("search filter", "version"),
    "consultation": pgettext_lazy("search filter", "consultation"),
    "stance": pgettext_lazy("search filter", "stance"),
    "community": pgettext_lazy("search filter", "community"),
    "language": pgettext_lazy("search filter", "language"),
}
# The filters each kind understands. A kind is searched only when every filter given applies
# to it, so filters always narrow. Language is a community's language: policies have no
# locales yet, so there is no language to filter policy text (or comments on it) by.
KIND_FILTERS = {
    "sections": {"policy", "version", "consultation"},
    "positions": {"policy", "version", "consultation", "stance", "community"},
    "replies": {"policy", "version", "consultation", "community"},
    "summaries": {"policy", "version", "consultation"},
    "communities": {"community", "language"},
}
AMENDMENT_KEY = re.compile(r"^amendment-(\d+)$")  # amendments.models.amendment_key
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$")


# --- options and filters --------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyRef:
    pk: int
    slug: str
    title: str
    latest: int

    @property
    def url(self) -> str:
        return f"/{self.slug}/"

    def version_url(self, number: int, anchor: str = "") -> str:
        return f"{self.url}versions/{number}/" + (f"#{anchor}" if anchor else "")

    def compare_url(self, a: int, b: int) -> str:
        return f"{self.url}compare/{a}/{b}/"


@dataclass(frozen=True)
class ConsultationRef:
    pk: int
    title: str
    version_id: int
    version_number: int
    policy: PolicyRef

    @property
    def url(self) -> str:
        return f"{self.policy.url}consultations/{self.pk}/"


@dataclass
class Options:
    """What the search form offers: the live policies and the public consultations."""

    policies: list[PolicyRef]
    consultations: list[ConsultationRef]
    kinds: list[tuple[str, str]] = field(default_factory=lambda: list(KINDS.items()))
    stances: list[tuple[str, str]] = field(default_factory=lambda: Position.Stance.choices)


def search_options() -> Options:
    """Two queries: live policies with a published version, and consultations past draft."""
    policies = [
        PolicyRef(pk, slug, title, latest)
        for pk, slug, title, latest in PolicyPage.objects.live()
        .annotate(latest=Max("versions__number"))
        .filter(latest__isnull=False)
        .order_by("title", "pk")
        .values_list("pk", "slug", "title", "latest")
    ]
    by_pk = {p.pk: p for p in policies}
    consultations = [
        ConsultationRef(pk, title, version_id, number, by_pk[policy_id])
        for pk, title, version_id, number, policy_id in _public_consultations(by_pk)
        .order_by("-opens_at", "-pk")
        .values_list("pk", "title", "version_id", "version__number", "version__policy_id")
    ]
    return Options(policies=policies, consultations=consultations)


def _public_consultations(live: dict[int, PolicyRef]):
    """Search serves one index to everyone, so it shows what anyone may see."""
    return visible_consultations(AnonymousUser()).filter(version__policy_id__in=list(live))


@dataclass
class Filters:
    policy: PolicyRef | None = None
    version: int | None = None
    consultation: ConsultationRef | None = None
    stance: str = ""
    community: Community | None = None
    language: str = ""

    def active(self) -> set[str]:
        return {name for name in KIND_FILTERS["positions"] | {"language"} if getattr(self, name)}

    def describe(self) -> list[str]:
        out = []
        if self.policy:
            out.append(_("policy “%(title)s”") % {"title": self.policy.title})
        if self.version:
            out.append(_("version %(number)s") % {"number": self.version})
        if self.consultation:
            out.append(_("consultation “%(title)s”") % {"title": self.consultation.title})
        if self.stance:
            stance = STANCES_IN_SENTENCE.get(self.stance) or Position.Stance(self.stance).label
            out.append(_("stance %(stance)s") % {"stance": stance})
        if self.community:
            out.append(_("community “%(name)s”") % {"name": self.community.name})
        if self.language:
            out.append(_("language %(code)s") % {"code": self.language})
        return out


def resolve_filters(
    options: Options,
    *,
    policy: str = "",
    version: int | None = None,
    consultation: int | None = None,
    stance: str = "",
    community: str = "",
    language: str = "",
) -> Filters:
    """Turn filter values from the address into objects, refusing what names nothing public.
    At most one query (for a community)."""
    errors = []
    found = Filters(stance=stance, language=language)
    if policy:
        found.policy = next((p for p in options.policies if p.slug == policy), None)
        if found.policy is None:
            errors.append(_("There is no published policy “%(slug)s”.") % {"slug": policy})
    if version is not None:
        if not policy:
            errors.append(_("Choose a policy to filter by version: every policy numbers its own."))
        elif found.policy and not 1 <= version <= found.policy.latest:
            errors.append(
                _("%(title)s has versions 1 to %(latest)s, not %(version)s.")
                % {"title": found.policy.title, "latest": found.policy.latest, "version": version}
            )
        found.version = version
    if consultation is not None:
        found.consultation = next((c for c in options.consultations if c.pk == consultation), None)
        if found.consultation is None:
            errors.append(
                _("There is no public consultation number %(number)s.") % {"number": consultation}
            )
    if stance and stance not in Position.Stance.values:
        errors.append(_("Stance is support, oppose or neutral."))
    if community:
        found.community = (
            Community.objects.filter(slug=community).only("pk", "slug", "name").first()
        )
        if found.community is None:
            errors.append(_("There is no community “%(slug)s”.") % {"slug": community})
    if language and not LANGUAGE.match(language):
        errors.append(_("A language is a code such as en, de or pt-br."))
    if errors:
        raise ValidationError(errors)
    return found


# --- results --------------------------------------------------------------------------------


@dataclass
class Link:
    text: str
    url: str = ""


@dataclass
class Hit:
    title: SafeString  # escaped, matches highlighted
    url: str
    snippet: SafeString  # escaped, matches highlighted
    label: str = ""  # a stance, an outcome, a kind of community
    context: list[Link] = field(default_factory=list)
    # Policy text only: the runs of versions holding this text, as (first, last) links.
    version_runs: list[tuple[Link, Link | None]] = field(default_factory=list)
    version_word: str = ""
    current: bool = False


@dataclass
class Group:
    kind: str
    label: str
    hits: list[Hit]
    more: bool  # more hits than shown

    @property
    def more_label(self) -> str:
        return MORE_OF_KIND.get(self.kind, "")


@dataclass
class Results:
    terms: list[str] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(g.hits) for g in self.groups)


def query_terms(q: str) -> tuple[list[str], list[str]]:
    """The words to search for (punctuation dropped: it means nothing to either backend and
    could break FTS5's or tsquery's syntax), and notices for the reader."""
    words = list(dict.fromkeys(WORD.findall(q)))
    notices = []
    if q.strip() and not words:
        notices.append(_("Search for words: punctuation alone matches nothing."))
    if len(words) > MAX_TERMS:
        notices.append(
            _("Only the first %(count)d words were searched for.") % {"count": MAX_TERMS}
        )
        words = words[:MAX_TERMS]
    return words, notices


def _kinds(kind: str, active: set[str]) -> tuple[list[str], list[str]]:
    asked = [kind] if kind else list(KINDS)
    kinds = [k for k in asked if active <= KIND_FILTERS[k]]
    notices = []
    narrowing = sorted(f for f in active if any(f not in KIND_FILTERS[k] for k in asked))
    if narrowing:
        names = _(" and ").join(str(FILTER_NAMES[f]) for f in narrowing)
        if kinds:
            shown = ", ".join(str(KINDS_IN_SENTENCE[k]) for k in kinds)
            notices.append(
                ngettext(
                    "With the %(names)s filter: %(shown)s only.",
                    "With the %(names)s filters: %(shown)s only.",
                    len(narrowing),
                )
                % {"names": names, "shown": shown}
            )
        elif kind:
            notices.append(
                _(
                    "Nothing of this kind takes the %(names)s filters together: "
                    "stance applies to positions, language to communities."
                )
                % {"names": names}
            )
        else:
            notices.append(
                _(
                    "Nothing takes the %(names)s filters together: "
                    "stance applies to positions, language to communities."
                )
                % {"names": names}
            )
    return kinds, notices


def search(*, q: str, options: Options, filters: Filters | None = None, kind: str = "") -> Results:
    """Hits for `q`, grouped by kind, best first within a kind. One search query per kind;
    then, for the hits shown only, section texts, summary sections, the positions replies
    answer, authors and section headings: one query each, however many rows match."""
    filters = filters or Filters()
    terms, notices = query_terms(q)
    if not terms:
        return Results(notices=notices)
    kinds, more_notices = _kinds(kind, filters.active())
    notices += more_notices
    query = " ".join(terms)
    matcher = Matcher(terms)
    limit = PER_KIND_FOCUSED if kind else PER_KIND
    backend = get_search_backend()
    live = {p.pk: p for p in options.policies}
    consultations = _consultation_filter(live, filters)

    fetched: dict[str, tuple[list, bool]] = {}
    if "sections" in kinds:
        fetched["sections"] = _section_groups(backend, query, live, filters, limit)
    # Positions, replies and summaries are ranked on their own columns, without joins (a
    # common word matches thousands of them); what the few hits shown need besides comes
    # after, from the options or in one query per kind of thing.
    if "positions" in kinds:
        positions = visible_positions().filter(consultation_id__in=consultations.values("pk"))
        if filters.stance:
            positions = positions.filter(stance=filters.stance)
        positions = _by_community(positions, filters.community)
        fetched["positions"] = _top(
            backend, query, positions.only(*POSITION_FIELDS), limit, many=True
        )
    if "replies" in kinds:
        replies = visible_replies().filter(
            position_id__in=Position.objects.filter(
                consultation_id__in=consultations.values("pk")
            ).values("pk"),
        )
        replies = _by_community(replies, filters.community)
        fetched["replies"] = _top(backend, query, replies.only(*REPLY_FIELDS), limit, many=True)
    if "summaries" in kinds:
        summaries = visible_summaries(AnonymousUser()).filter(
            consultation_id__in=consultations.values("pk")
        )
        fetched["summaries"] = _top(backend, query, summaries.prefetch_related("sections"), limit)
    if "communities" in kinds:
        communities = Community.objects.all()
        if filters.community:
            communities = communities.filter(slug=filters.community.slug)
        if filters.language:
            communities = communities.filter(language__iexact=filters.language)
        fetched["communities"] = _top(backend, query, communities, limit)

    _attach_threads_and_authors(fetched)
    by_pk = {c.pk: c for c in options.consultations}
    headings = _headings(fetched, by_pk)
    build = {
        "sections": lambda g: _section_hit(g, live, matcher),
        "positions": lambda p: _position_hit(p, by_pk, headings, matcher),
        "replies": lambda r: _reply_hit(r, by_pk, headings, matcher),
        "summaries": lambda s: _summary_hit(s, by_pk, headings, matcher),
        "communities": lambda c: _community_hit(c, matcher),
    }
    groups = [
        Group(kind=k, label=KINDS[k], hits=[build[k](item) for item in items], more=more)
        for k, (items, more) in fetched.items()
    ]
    return Results(terms=terms, groups=groups, notices=notices)


POSITION_FIELDS = [
    "pk",
    "consultation_id",
    "section_key",
    "stance",
    "reason",
    "user_id",
    "imported_author",
]
REPLY_FIELDS = ["pk", "position_id", "body", "user_id", "imported_author"]


def _attach_threads_and_authors(fetched) -> None:
    """The position each reply hit answers, and the authors of all position and reply hits:
    two queries at most, for the hits shown only."""
    positions = fetched.get("positions", ([], False))[0]
    replies = fetched.get("replies", ([], False))[0]
    if replies:
        threads = Position.objects.only("pk", "consultation_id", "section_key").in_bulk(
            {r.position_id for r in replies}
        )
        for r in replies:
            r.position = threads[r.position_id]
    items = positions + replies
    user_ids = {item.user_id for item in items if item.user_id}
    if user_ids:
        User = get_user_model()
        users = User.objects.only("pk", User.USERNAME_FIELD).in_bulk(user_ids)
        for item in items:
            if item.user_id:
                item.user = users[item.user_id]


def _consultation_filter(live: dict[int, PolicyRef], filters: Filters):
    consultations = _public_consultations(live)
    if filters.policy:
        consultations = consultations.filter(version__policy_id=filters.policy.pk)
    if filters.version:
        consultations = consultations.filter(version__number=filters.version)
    if filters.consultation:
        consultations = consultations.filter(pk=filters.consultation.pk)
    return consultations


def _by_community(queryset, community: Community | None):
    """Written by a member or a delegate of the community."""
    if community is None:
        return queryset
    members = Membership.objects.filter(community=community).values("user_id")
    delegates = Community.delegates.through.objects.filter(community=community).values("user_id")
    return queryset.filter(Q(user_id__in=members) | Q(user_id__in=delegates))


def _top(backend, query: str, queryset, limit: int, *, many: bool = False) -> tuple[list, bool]:
    """The best `limit` hits and whether there are more: one query (fetching one extra row).

    `many`: a table that grows with participation (positions, replies). SQLite's backend
    scores each match with a correlated sub-query, seconds for a common word among 10,000
    positions; there (the development database) such hits come newest first instead."""
    by_relevance = not (many and connection.vendor == "sqlite")
    rows = list(backend.search(query, queryset, order_by_relevance=by_relevance)[: limit + 1])
    return rows[:limit], len(rows) > limit


@dataclass
class _SectionGroup:
    policy_id: int
    key: str
    numbers: list[int]
    labels: dict[int, str]
    text: SectionVersion | None = None  # the latest of the group, with heading and body


def _section_groups(backend, query, live, filters: Filters, limit) -> tuple[list, bool]:
    """Section text repeats across versions: identical text (same body hash) of the same
    section of a policy is one hit naming the versions it appears in. Two queries: the
    matching rows (without their text), then the text of the hits shown."""
    versions = PolicyVersion.objects.filter(policy_id__in=list(live))
    if filters.policy:
        versions = versions.filter(policy_id=filters.policy.pk)
    if filters.version:
        versions = versions.filter(number=filters.version)
    if filters.consultation:
        versions = versions.filter(pk=filters.consultation.version_id)
    results = backend.search(
        query,
        SectionVersion.objects.filter(version_id__in=versions.values("pk")).select_related(
            "version"
        ),
    )[:MAX_SECTION_ROWS]
    fields = ("pk", "key", "body_hash", "version__policy_id", "version__number", "version__label")
    if hasattr(results, "get_queryset"):
        # The database backends: read the matches as plain tuples, best first. Hundreds of
        # rows can match (the same text in every version); model instances would cost more
        # than the search itself.
        rows = results.get_queryset().values_list(*fields)
    else:
        rows = (
            (r.pk, r.key, r.body_hash, r.version.policy_id, r.version.number, r.version.label)
            for r in results
        )
    grouped: dict[tuple, tuple[_SectionGroup, int, int]] = {}
    for pk, key, body_hash, policy_id, number, label in rows:
        group_key = (policy_id, key, body_hash)
        if group_key not in grouped:
            grouped[group_key] = (_SectionGroup(policy_id, key, [], {}), number, pk)
        group, best, _ = grouped[group_key]
        group.numbers.append(number)
        group.labels[number] = label
        if number > best:
            grouped[group_key] = (group, number, pk)
    chosen = list(grouped.values())
    more = len(chosen) > limit
    chosen = chosen[:limit]
    if chosen:
        texts = SectionVersion.objects.only("pk", "heading", "body").in_bulk(
            [pk for _, _, pk in chosen]
        )
        for group, _, pk in chosen:
            group.text = texts[pk]
    return [group for group, _, _ in chosen], more


def _headings(fetched, consultations) -> dict[tuple[int, str], str]:
    """Section headings for positions, replies and summaries: one query."""
    wanted = set()
    for p in fetched.get("positions", ([], False))[0]:
        wanted.add((consultations[p.consultation_id].version_id, p.section_key))
    for r in fetched.get("replies", ([], False))[0]:
        p = r.position
        wanted.add((consultations[p.consultation_id].version_id, p.section_key))
    for s in fetched.get("summaries", ([], False))[0]:
        version_id = consultations[s.consultation_id].version_id
        wanted.update((version_id, row.section_key) for row in s.sections.all())
    wanted = {(v, k) for v, k in wanted if k != WHOLE_TEXT and not AMENDMENT_KEY.match(k)}
    if not wanted:
        return {}
    rows = SectionVersion.objects.filter(
        version_id__in={v for v, _ in wanted}, key__in={k for _, k in wanted}
    ).values_list("version_id", "key", "heading")
    return {(v, k): heading for v, k, heading in rows}


def _heading(headings, version_id: int, key: str) -> str:
    if key == WHOLE_TEXT:
        return str(WHOLE_TEXT_HEADING)
    if amendment := AMENDMENT_KEY.match(key):  # positions on a proposed amendment
        return _("Amendment %(number)s") % {"number": amendment[1]}
    return headings.get((version_id, key), key)


def _version_link(policy: PolicyRef, number: int, label: str, anchor: str = "") -> Link:
    return Link(f"{number} ({label})" if label else str(number), policy.version_url(number, anchor))


def _section_hit(group: _SectionGroup, live, matcher) -> Hit:
    policy = live[group.policy_id]
    runs = [
        (
            _version_link(policy, a, group.labels[a], group.key),
            _version_link(policy, b, group.labels[b], group.key) if b != a else None,
        )
        for a, b in ranges(group.numbers)
    ]
    last = max(group.numbers)
    return Hit(
        title=highlight(group.text.heading, matcher),
        url=policy.version_url(last, group.key),
        snippet=snippet(group.text.body, matcher),
        context=[Link(policy.title, policy.url)],
        version_runs=runs,
        version_word=ngettext("version", "versions", len(group.numbers)),
        current=policy.latest in group.numbers,
    )


def _consultation_context(c: ConsultationRef) -> list[Link]:
    return [
        Link(c.title, c.url),
        Link(
            _("%(title)s, version %(number)s")
            % {"title": c.policy.title, "number": c.version_number},
            c.policy.version_url(c.version_number),
        ),
    ]


def _position_hit(p: Position, consultations, headings, matcher) -> Hit:
    c = consultations[p.consultation_id]
    return Hit(
        title=highlight(_heading(headings, c.version_id, p.section_key), matcher),
        url=f"{c.url}?section={p.section_key}#position-{p.pk}",
        snippet=snippet(p.reason, matcher),
        label=p.get_stance_display() or _("Comment"),
        context=[*_consultation_context(c), Link(_("by %(author)s") % {"author": p.author_name})],
    )


def _reply_hit(r: Reply, consultations, headings, matcher) -> Hit:
    p = r.position
    c = consultations[p.consultation_id]
    return Hit(
        title=highlight(_heading(headings, c.version_id, p.section_key), matcher),
        url=f"{c.url}?section={p.section_key}#reply-{r.pk}",
        snippet=snippet(r.body, matcher),
        label=_("Reply"),
        context=[*_consultation_context(c), Link(_("by %(author)s") % {"author": r.author_name})],
    )


def _summary_hit(s: Summary, consultations, headings, matcher) -> Hit:
    c = consultations[s.consultation_id]
    parts = [(None, s.intro)] + [(row, row.text) for row in s.sections.all()]
    row, text = next(
        (
            (row, text)
            for row, text in parts
            if first_match(strip_markdown(text).split(), matcher) is not None
        ),
        parts[0] if s.intro or len(parts) == 1 else parts[1],
    )
    context = _consultation_context(c)
    label = _("Summary")
    if row is not None:
        heading = _heading(headings, c.version_id, row.section_key)
        context.insert(0, Link(_("on “%(heading)s”") % {"heading": heading}))
        label = row.get_outcome_display()
    return Hit(
        title=highlight(_("Summary of “%(title)s”") % {"title": c.title}, matcher),
        url=f"{c.url}summary/",
        snippet=snippet(text, matcher),
        label=label,
        context=context,
    )


def _community_hit(c: Community, matcher) -> Hit:
    context = [Link(c.get_kind_display())]
    if c.language:
        context.append(Link(_("language %(code)s") % {"code": c.language}))
    return Hit(
        title=highlight(c.name, matcher),
        url=f"/communities/{c.slug}/",
        snippet=highlight(c.slug, matcher),
        label=_("Community"),
        context=context,
    )


# --- which version changed this? ------------------------------------------------------------


@dataclass
class PhraseRun:
    """Consecutive versions holding the phrase: where it came in and where it went out."""

    first: Link
    last: Link
    added_compare: str  # "" when it was there from the first version
    removed_in: Link | None  # None: still in the current version
    removed_compare: str
    sections: list[str]


@dataclass
class PhraseHistory:
    policy: PolicyRef
    versions: list[Link]  # every version holding the phrase
    runs: list[PhraseRun]

    @property
    def first(self) -> Link:
        return self.runs[0].first

    @property
    def removed(self) -> list[Link]:
        return [run.removed_in for run in self.runs if run.removed_in]

    @property
    def current(self) -> bool:
        return self.runs[-1].removed_in is None


def normalise_phrase(phrase: str) -> str:
    needle = normalise(strip_markdown(phrase or ""))
    if len(needle) < MIN_PHRASE_CHARS:
        raise ValidationError(
            _("Give a phrase of at least %(count)d characters.") % {"count": MIN_PHRASE_CHARS}
        )
    return needle


def phrase_history(
    *, phrase: str, options: Options, policy: PolicyRef | None = None
) -> list[PhraseHistory]:
    """For each live policy, the versions whose text holds `phrase` (case and line breaks
    ignored) in some section, grouped into runs: the version that added it, the one that
    removed it, again if it came back. Two queries: candidate sections, all version numbers."""
    needle = normalise_phrase(phrase)
    live = {p.pk: p for p in options.policies}
    if policy:
        live = {policy.pk: policy}
    candidates = SectionVersion.objects.filter(version__policy_id__in=list(live))
    # A coarse filter in SQL, one substring per word; the exact test (whitespace-normalised, as
    # text may wrap lines) is done below. SQLite's LIKE folds ASCII case only, so words with
    # other letters are left to Python.
    for word in WORD.findall(needle):
        if word.isascii():
            candidates = candidates.filter(body__icontains=word)
    holding: dict[int, dict[int, list[str]]] = {}
    found: dict[str, bool] = {}  # by body hash: a section's text repeats across versions
    for policy_id, number, heading, body_hash, body in candidates.values_list(
        "version__policy_id", "version__number", "heading", "body_hash", "body"
    ):
        if body_hash not in found:
            found[body_hash] = needle in normalise(strip_markdown(body))
        if found[body_hash]:
            holding.setdefault(policy_id, {}).setdefault(number, []).append(heading)
    if not holding:
        return []
    numbers: dict[int, list[tuple[int, str]]] = {}
    for policy_id, number, label in (
        PolicyVersion.objects.filter(policy_id__in=list(holding))
        .order_by("policy_id", "number")
        .values_list("policy_id", "number", "label")
    ):
        numbers.setdefault(policy_id, []).append((number, label))
    out = [
        _history(live[policy_id], numbers[policy_id], holding[policy_id]) for policy_id in holding
    ]
    return sorted(out, key=lambda h: (h.policy.title, h.policy.pk))


def _history(policy: PolicyRef, versions: list[tuple[int, str]], holding) -> PhraseHistory:
    def link(number, label):
        text = _("version %(number)s") % {"number": number}
        return Link(text + (f" ({label})" if label else ""), policy.version_url(number))

    runs: list[PhraseRun] = []
    start = previous = None
    sections: list[str] = []
    for number, label in versions:
        if number in holding:
            if start is None:
                start = (number, label)
                sections = []
            sections += [h for h in holding[number] if h not in sections]
        elif start is not None:
            runs.append(_run(policy, link, start, previous, (number, label), sections))
            start = None
        previous = (number, label)
    if start is not None:
        runs.append(_run(policy, link, start, previous, None, sections))
    return PhraseHistory(
        policy=policy,
        versions=[link(n, lab) for n, lab in versions if n in holding],
        runs=runs,
    )


def _run(policy, link, start, last, removed, sections) -> PhraseRun:
    return PhraseRun(
        first=link(*start),
        last=link(*last),
        added_compare=policy.compare_url(start[0] - 1, start[0]) if start[0] > 1 else "",
        removed_in=link(*removed) if removed else None,
        removed_compare=policy.compare_url(last[0], removed[0]) if removed else "",
        sections=sections,
    )
