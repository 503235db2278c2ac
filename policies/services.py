"""Every change to policies and their versions. Views, commands and hooks call these."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from wagtail.models import Locale, Page, PageLogEntry, Revision
from wagtail.search.backends import get_search_backends

from transparency import services as transparency

from . import diffing, drafting, markdown_io
from .models import (
    PolicyIndexPage,
    PolicyPage,
    PolicySection,
    PolicyTranslation,
    PolicyVersion,
    SectionVersion,
    SetAsideDraft,
    TranslatedSection,
)
from .rules import (
    can_create_policy,
    can_edit_policy,
    can_publish_policy,
    can_resolve_set_aside_draft,
    can_translate_policy,
)


class PublishConflict(ValidationError):
    """Someone published a newer version while the editor was working from an older one."""


@dataclass(frozen=True)
class SectionSnapshot:
    key: str
    heading: str
    body: str

    @property
    def body_hash(self) -> str:
        return sha256(self.body)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_text(text: str) -> str:
    """Line endings and surrounding blank lines carry no meaning; normalise them so that a
    re-save of the same text hashes the same."""
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip("\n")


def content_hash(title: str, sections: list[SectionSnapshot]) -> str:
    """sha256 of a canonical JSON serialisation: title plus ordered (key, heading, body)."""
    canonical = json.dumps(
        {
            "title": title,
            "sections": [{"key": s.key, "heading": s.heading, "body": s.body} for s in sections],
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return sha256(canonical)


def assign_section_keys(page: PolicyPage) -> None:
    """Give every draft section without a key a fresh one derived from its heading. Existing
    keys are never touched, which is what keeps them stable through renames and moves."""
    sections = list(page.sections.all())
    taken = {s.key for s in sections if s.key}
    seen: set[str] = set()
    for section in sections:
        # A key seen earlier in the list is a copy (a duplicated form row): it is a new section.
        if not section.key or section.key in seen:
            section.key = markdown_io.slugify_key(section.heading, taken)
            taken.add(section.key)
        seen.add(section.key)


def _snapshot(page: PolicyPage) -> list[SectionSnapshot]:
    return [
        SectionSnapshot(key=s.key, heading=s.heading.strip(), body=normalise_text(s.body or ""))
        for s in page.sections.all()
    ]


def _latest_version(page_id: int) -> PolicyVersion | None:
    from .selectors import latest_version

    return latest_version(page_id)


def check_publish_conflict(*, page: PolicyPage, base_version: int | None) -> None:
    """Refuse to publish over versions the editor has not seen.

    `base_version` is the latest version number when the editor started; None skips the check
    (a script that knowingly publishes on top of whatever is current)."""
    if base_version is None:
        return
    # Two publications of one policy run one after the other: the second waits here for the
    # first to commit, then sees its version. (SQLite serialises writers at BEGIN instead.)
    list(Page.objects.select_for_update().filter(pk=page.pk).values_list("pk", flat=True))
    newer = list(
        PolicyVersion.objects.filter(policy_id=page.pk, number__gt=base_version)
        .select_related("author")
        .order_by("number")
    )
    if not newer:
        return
    described = "; ".join(
        _(
            "version %(number)s by %(author)s on %(when)s UTC (“%(summary)s”, %(changed)s "
            "section(s) changed)"
        )
        % {
            "number": v.number,
            "author": v.author_name,
            "when": f"{v.created_at:%Y-%m-%d %H:%M}",
            "summary": v.summary,
            "changed": v.sections_changed + v.sections_added + v.sections_removed,
        }
        for v in newer
    )
    raise PublishConflict(
        _(
            "Not published: while you were editing version %(base)s, %(described)s was "
            "published. Your text is kept as a set-aside draft: review what it changes, carry "
            "it onto the new version, then publish again."
        )
        % {"base": base_version, "described": described}
    )


@transaction.atomic
def record_version(*, page: PolicyPage, revision, user) -> PolicyVersion | None:
    """Snapshot a just-published revision as an immutable PolicyVersion.

    Called for every publication of a policy page, whichever path published it. Returns None
    when the text is identical to the current version: republishing changes nothing."""
    page = revision.as_object() if revision is not None else page
    summary = (page.edit_summary or "").strip()
    sections = _snapshot(page)
    if not sections:
        raise ValidationError(_("A policy needs at least one section before it can be published."))
    keys = [s.key for s in sections]
    if any(not k for k in keys) or len(set(keys)) != len(keys):
        raise ValidationError(_("Every section needs a unique key; edit and save the page again."))
    digest = content_hash(page.title, sections)
    previous = _latest_version(page.pk)
    if previous is not None and previous.content_hash == digest:
        return None
    if not summary:
        raise ValidationError(_("Publishing needs an edit summary: say what changed and why."))

    stats = _change_stats(previous, sections)
    author_name = getattr(user, "get_username", lambda: "")() if user else ""
    version = PolicyVersion.objects.create(
        policy_id=page.pk,
        number=(previous.number + 1) if previous else 1,
        label=(page.version_label or "").strip(),
        title=page.title,
        author=user if user and not isinstance(user, AnonymousUser) else None,
        author_name=author_name or "unknown",
        summary=summary,
        created_at=timezone.now(),
        content_hash=digest,
        revision=revision,
        word_count=sum(
            diffing.diff_stats(diffing.diff_words("", s.body)).words_added for s in sections
        ),
        **stats,
    )
    rows = SectionVersion.objects.bulk_create(
        SectionVersion(
            version=version,
            key=s.key,
            heading=s.heading,
            position=i,
            body=s.body,
            body_hash=s.body_hash,
        )
        for i, s in enumerate(sections)
    )
    _index_sections(version, rows)
    transparency.append(
        "version.published",
        f"policies.version:{version.pk}",
        {
            "policy": page.slug,
            "policy_id": page.pk,
            "number": version.number,
            "label": version.label,
            "title": version.title,
            "author": version.author_name,
            "summary": version.summary,
        },
        version.content_hash,
    )
    from .signals import version_published

    transaction.on_commit(lambda: version_published.send(sender=PolicyVersion, version=version))
    return version


def _index_sections(version: PolicyVersion, rows: list[SectionVersion]) -> None:
    """Add freshly bulk-created sections to the site search index (bulk_create sends no
    post_save, so Wagtail's own indexing never sees them).

    This runs inside record_version's transaction rather than on commit: the search backend is
    the database, so the index rows commit or roll back with the version itself and a published
    version is never unsearchable, not even for a moment."""
    if any(row.pk is None for row in rows):  # backends that cannot return ids from bulk_create
        rows = list(SectionVersion.objects.filter(version=version))
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(SectionVersion, rows)


def _change_stats(previous: PolicyVersion | None, sections: list[SectionSnapshot]) -> dict:
    if previous is None:
        return {"sections_added": len(sections)}
    old = {s.key: s for s in previous.sections.all()}
    new_keys = {s.key for s in sections}
    stats = {
        "sections_added": sum(1 for s in sections if s.key not in old),
        "sections_removed": sum(1 for k in old if k not in new_keys),
        "sections_changed": 0,
        "words_added": 0,
        "words_removed": 0,
    }
    for s in sections:
        before = old.get(s.key)
        before_body = before.body if before else ""
        if before is not None and (before.body_hash != s.body_hash or before.heading != s.heading):
            stats["sections_changed"] += 1
        if before is None or before.body_hash != s.body_hash:
            d = diffing.diff_stats(diffing.diff_words(before_body, s.body))
            stats["words_added"] += d.words_added
            stats["words_removed"] += d.words_removed
    for key, before in old.items():
        if key not in new_keys:
            stats["words_removed"] += diffing.diff_stats(
                diffing.diff_words(before.body, "")
            ).words_removed
    return stats


def _working_copy(
    page: PolicyPage,
    *,
    summary: str,
    sections: list[tuple[str | None, str, str]] | None,
    title: str | None,
    label: str,
) -> PolicyPage:
    """The page's latest revision with the given sections, title, label and edit summary, ready
    to be saved as a revision (published or not)."""
    page = PolicyPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    if title:
        page.title = title
    if sections is not None:
        page.sections = [
            PolicySection(key=key or "", heading=heading.strip(), body=normalise_text(body))
            for key, heading, body in sections
        ]
    assign_section_keys(page)
    page.edit_summary = summary.strip()
    page.version_label = label.strip()
    return page


@transaction.atomic
def publish_policy(
    *,
    page: PolicyPage,
    user,
    summary: str,
    sections: list[tuple[str | None, str, str]] | None = None,
    title: str | None = None,
    label: str = "",
    base_version: int | None = None,
) -> PolicyVersion | None:
    """Replace the draft's sections (if given), save a revision and publish it.

    `sections` are (key or None, heading, body); a None key gets a fresh one. Returns the new
    version, or None when the text is identical to the current version."""
    if not can_publish_policy(user, page):
        raise PermissionDenied(_("You may not publish this policy."))
    if not summary.strip():
        raise ValidationError(_("Publishing needs an edit summary: say what changed and why."))
    check_publish_conflict(page=page, base_version=base_version)
    page = _working_copy(page, summary=summary, sections=sections, title=title, label=label)
    revision = page.save_revision(user=user, log_action=True)
    revision.publish(user=user)
    return PolicyVersion.objects.filter(revision=revision).first()


@transaction.atomic
def save_policy_draft(
    *,
    page: PolicyPage,
    user,
    summary: str = "",
    sections: list[tuple[str | None, str, str]] | None = None,
    title: str | None = None,
    label: str = "",
):
    """Replace the working draft's sections (if given) without publishing anything: the draft
    can be previewed and corrected in the editor, then published, its edit summary already
    filled in. Returns the saved revision; earlier drafts stay in the page's revision history."""
    if not can_edit_policy(user, page):
        raise PermissionDenied(_("You may not edit this policy."))
    page = _working_copy(page, summary=summary, sections=sections, title=title, label=label)
    return page.save_revision(user=user, log_action=True)


@transaction.atomic
def create_policy_page(*, title: str, slug: str, user, intro: str = "") -> PolicyPage:
    """Create an empty, unpublished policy page under the site's policy index."""
    index = PolicyIndexPage.objects.first()
    if index is None:
        raise ValidationError(_("There is no policy index page to create the policy under."))
    if not can_create_policy(user, index):
        raise PermissionDenied(_("You may not create policies."))
    if Page.objects.filter(slug=slug, path__startswith=index.path).exists():
        raise ValidationError(_("A page with the slug “%(slug)s” already exists.") % {"slug": slug})
    page = PolicyPage(title=title, slug=slug, intro=intro, live=False, owner=user)
    index.add_child(instance=page)
    return page


@dataclass(frozen=True)
class ImportResult:
    page: PolicyPage
    version: PolicyVersion | None
    created_page: bool
    matched_keys: int
    new_keys: int
    # Imported as a draft: the revision saved, and who had left unpublished changes that the
    # import replaced as the working draft (None when there were none).
    draft: Any = None
    replaced_draft_by: str | None = None


def import_policy_markdown(
    *,
    data: bytes | str,
    slug: str,
    user,
    summary: str,
    label: str = "",
    level: int = 2,
    title: str | None = None,
    publish: bool = True,
) -> ImportResult:
    """Import a Markdown file as a new version of the policy `slug`, creating it if new; with
    publish=False, as the policy's working draft instead, to be checked and published from the
    editor.

    Sections continue the current version's keys where they match (exact heading, then a similar
    heading or body), so a renamed and lightly edited section keeps its identity. Any error
    leaves the database as it was."""
    from django.conf import settings

    if isinstance(data, bytes) and len(data) > settings.ACCORD_MAX_IMPORT_BYTES:
        raise ValidationError(
            _("The file is %(size)s bytes; the limit is %(limit)s.")
            % {
                "size": number_format(len(data), force_grouping=True),
                "limit": number_format(settings.ACCORD_MAX_IMPORT_BYTES, force_grouping=True),
            }
        )
    if publish and (not summary or not summary.strip()):
        raise ValidationError(_("An import publishes a version, so it needs an edit summary."))
    try:
        parsed = markdown_io.parse_policy(data, level=level)
    except markdown_io.PolicyFormatError as exc:
        raise ValidationError(str(exc)) from exc
    title = (title or parsed.front_matter.get("title") or parsed.title or "").strip()
    if not isinstance(title, str):
        title = str(title)

    with transaction.atomic():
        page = PolicyPage.objects.filter(slug=slug).first()
        created = page is None
        if created:
            if not title:
                raise ValidationError(
                    _("The file has no title (no “# Title” line or front matter title); give one.")
                )
            page = create_policy_page(title=title, slug=slug, user=user)
        current = _latest_version(page.pk)
        old = [(s.key, s.heading, s.body) for s in current.sections.all()] if current else []
        keys = markdown_io.match_section_keys(old, parsed.sections, similarity=diffing.similarity)
        content = {
            "page": page,
            "user": user,
            "summary": summary or "",
            "label": label or str(parsed.front_matter.get("version", "") or "")[:20],
            "title": title or None,
            "sections": [
                (k, s.heading, s.body) for k, s in zip(keys, parsed.sections, strict=True)
            ],
        }
        version = draft = replaced_by = None
        if publish:
            version = publish_policy(**content)
        else:
            replaced_by = _unpublished_changes_by(page, user)
            draft = save_policy_draft(**content)
    return ImportResult(
        page=page,
        version=version,
        created_page=created,
        matched_keys=sum(1 for k in keys if k),
        new_keys=sum(1 for k in keys if not k),
        draft=draft,
        replaced_draft_by=replaced_by,
    )


def _unpublished_changes_by(page: PolicyPage, user) -> str | None:
    """Who saved the page's unpublished changes, when someone else did (an import saved as the
    working draft replaces them; they stay in the revision history)."""
    page = PolicyPage.objects.get(pk=page.pk)
    if not page.has_unpublished_changes or page.latest_revision_id is None:
        return None
    author = page.latest_revision.user
    if author is None or author.pk == user.pk:
        return None
    return author.get_username()


# --- translations -----------------------------------------------------------------------------


def clean_language_codes(codes) -> list[str]:
    """Validate a list of translation language codes (e.g. a vote's required languages):
    every code must be a configured translation language. Returns them deduplicated, in the
    configured order."""
    from .selectors import translation_languages

    known = [lang.code for lang in translation_languages()]
    given = [str(c).strip().lower() for c in (codes or []) if str(c).strip()]
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ValidationError(
            _("Unknown translation language %(unknown)s; policies are translated into %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(known)}
        )
    return [code for code in known if code in given]


def _known_languages_text() -> str:
    from .selectors import translation_languages

    return ", ".join(f"{lang.code} ({lang.name})" for lang in translation_languages())


@transaction.atomic
def import_translation_markdown(
    *,
    data: bytes | str,
    slug: str,
    version_number: int,
    language_code: str,
    user,
    note: str = "",
    level: int = 2,
) -> PolicyTranslation:
    """Import a translated Markdown file as a translation of one published version.

    Sections are aligned with the version's sections by order, so the file must have exactly
    as many; each translated section records the source section (key and body hash) it
    translates. Importing again for the same version and language adds a new revision; an
    identical file is refused. Any error leaves the database as it was."""
    from django.conf import settings

    from .selectors import translation_languages

    if isinstance(data, bytes) and len(data) > settings.ACCORD_MAX_IMPORT_BYTES:
        raise ValidationError(
            _("The file is %(size)s bytes; the limit is %(limit)s.")
            % {"size": f"{len(data):,}", "limit": f"{settings.ACCORD_MAX_IMPORT_BYTES:,}"}
        )
    code = (language_code or "").strip().lower()
    languages = {lang.code: lang for lang in translation_languages()}
    if code not in languages:
        raise ValidationError(
            _("Unknown language “%(code)s”. Translations can be imported in: %(known)s.")
            % {"code": code, "known": _known_languages_text()}
        )
    language = languages[code]
    page = PolicyPage.objects.filter(slug=slug).first()
    if page is None:
        raise ValidationError(_("There is no policy “%(slug)s”.") % {"slug": slug})
    if not can_translate_policy(user, page):
        raise PermissionDenied(_("You may not import translations of this policy."))
    version = PolicyVersion.objects.filter(policy=page, number=version_number).first()
    if version is None:
        latest = _latest_version(page.pk)
        raise ValidationError(
            _("“%(title)s” has no version %(number)s; its latest is version %(latest)s.")
            % {
                "title": page.title,
                "number": version_number,
                "latest": latest.number if latest else 0,
            }
        )
    try:
        parsed = markdown_io.parse_policy(data, level=level)
    except markdown_io.PolicyFormatError as exc:
        raise ValidationError(str(exc)) from exc
    source = list(version.sections.order_by("position"))
    if len(parsed.sections) != len(source):
        raise ValidationError(
            _(
                "The %(language)s file has %(got)s sections but version %(number)s has "
                "%(expected)s. Sections are matched by order, so the counts must agree. "
                "Version %(number)s: %(source)s. File: %(file)s."
            )
            % {
                "language": language.name,
                "got": len(parsed.sections),
                "number": version.number,
                "expected": len(source),
                "source": "; ".join(s.heading for s in source),
                "file": "; ".join(s.heading for s in parsed.sections),
            }
        )
    title = str(parsed.front_matter.get("title") or parsed.title or version.title).strip()
    texts = [
        (s, p.heading.strip(), normalise_text(p.body))
        for s, p in zip(source, parsed.sections, strict=True)
    ]
    locale, _created = Locale.objects.get_or_create(language_code=code)
    previous = (
        PolicyTranslation.objects.filter(source_version=version, locale=locale)
        .order_by("-revision")
        .first()
    )
    if previous is not None:
        before = [(s.source_section_id, s.heading, s.body) for s in previous.sections.all()]
        if previous.title == title and before == [(s.pk, h, b) for s, h, b in texts]:
            raise ValidationError(
                _(
                    "This %(language)s text is identical to the translation of version "
                    "%(number)s already imported; nothing was written."
                )
                % {"language": language.name, "number": version.number}
            )
    author_name = getattr(user, "get_username", lambda: "")() if user else ""
    translation = PolicyTranslation.objects.create(
        source_version=version,
        locale=locale,
        revision=(previous.revision + 1) if previous else 1,
        title=title[:255],
        translator=user if user and not isinstance(user, AnonymousUser) else None,
        translator_name=author_name or "unknown",
        note=(note or "").strip(),
        created_at=timezone.now(),
        source_content_hash=version.content_hash,
    )
    TranslatedSection.objects.bulk_create(
        TranslatedSection(
            translation=translation,
            source_section=s,
            key=s.key,
            source_body_hash=s.body_hash,
            position=i,
            heading=heading[:255],
            body=body,
        )
        for i, (s, heading, body) in enumerate(texts)
    )
    transparency.append(
        "translation.imported",
        f"policies.translation:{translation.pk}",
        {
            "policy": page.slug,
            "version": version.number,
            "language": code,
            "revision": translation.revision,
            "title": translation.title,
            "translator": translation.translator_name,
            "source_content_hash": version.content_hash,
        },
        content_hash(
            translation.title,
            [SectionSnapshot(key=s.key, heading=h[:255], body=b) for s, h, b in texts],
        ),
    )
    return translation


def require_translations(*, version: PolicyVersion, languages, refusal: str) -> None:
    """Refuse (ValidationError) while a required translation of `version` is missing or
    outdated. The message starts with `refusal` (e.g. "The vote cannot open") and names each
    language and the sections that need work."""
    from . import translating
    from .selectors import language_statuses

    codes = list(languages or [])
    if not codes:
        return
    problems = []
    for status in language_statuses(version, codes=codes):
        name = f"{status.language.name} ({status.language.code})"
        if status.translation is None:
            problems.append(
                _("%(language)s: there is no translation of version %(number)s")
                % {"language": name, "number": version.number}
            )
            continue
        stale = status.freshness.stale
        if not stale:
            continue
        parts = [
            _("“%(heading)s” (%(state)s)")
            % {
                "heading": s.current.heading if s.current else s.heading,
                "state": translating.STATE_LABELS[s.state],
            }
            for s in stale
        ]
        problems.append(
            _(
                "%(language)s: the translation of version %(source)s is outdated against "
                "version %(number)s in %(sections)s"
            )
            % {
                "language": name,
                "source": status.translation.source_version.number,
                "number": version.number,
                "sections": ", ".join(str(p) for p in parts),
            }
        )
    if problems:
        raise ValidationError(
            _("%(refusal)s until its required translations are up to date. %(problems)s.")
            % {"refusal": refusal, "problems": "; ".join(str(p) for p in problems)}
        )


# --- Drafts set aside after a refused publication (see models.SetAsideDraft) ------------------


def _restore_working_draft(page_id: int) -> None:
    """Point the page's working draft back at its newest revision that is not set aside, so the
    next editor starts from text that was either published or deliberately saved as a draft."""
    set_aside = SetAsideDraft.objects.filter(page_id=page_id).values("revision_id")
    previous = (
        Revision.page_revisions.filter(object_id=str(page_id))
        .exclude(pk__in=set_aside)
        .order_by("-created_at", "-pk")
        .first()
    )
    page = Page.objects.get(pk=page_id)
    Page.objects.filter(pk=page_id).update(
        latest_revision=previous,
        latest_revision_created_at=previous.created_at if previous else None,
        has_unpublished_changes=previous is not None and previous.pk != page.live_revision_id,
        draft_title=previous.content.get("title", page.title) if previous else page.title,
    )


@transaction.atomic
def set_aside_refused_draft(
    *, page: PolicyPage, revision, user, base_version: int
) -> SetAsideDraft:
    """Keep a draft whose publication was refused for conflict apart from the working draft.

    Wagtail saved it as the page's latest revision before asking whether to publish; left there,
    it would be what the next editor opens, and could be published by someone who never saw
    it. It is recorded as a set-aside draft of its author instead, and the working draft goes
    back to what it was before."""
    latest = _latest_version(page.pk)
    draft_page = revision.as_object()
    draft = SetAsideDraft.objects.create(
        page_id=page.pk,
        revision=revision,
        author=user if user is not None and user.is_authenticated else None,
        base_version=base_version,
        refused_by_version=latest.number if latest else 0,
        summary=(draft_page.edit_summary or "").strip()[:500],
        set_aside_at=timezone.now(),
    )
    _restore_working_draft(page.pk)
    return draft


def preview_set_aside_merge(draft: SetAsideDraft) -> drafting.Merge:
    """What carrying `draft` onto the page's current working text would do (nothing written)."""
    from .selectors import set_aside_texts

    return drafting.three_way(*set_aside_texts(draft))


def _lock_waiting(draft: SetAsideDraft, user) -> SetAsideDraft:
    locked = (
        SetAsideDraft.objects.select_for_update()
        .select_related("page", "revision")
        .get(pk=draft.pk)
    )
    if not can_resolve_set_aside_draft(user, locked):
        raise PermissionDenied(_("Only editors who may publish this policy may do that."))
    if locked.state != SetAsideDraft.State.WAITING:
        raise ValidationError(
            _("This draft was already %(state)s.") % {"state": locked.get_state_display()}
        )
    return locked


def _resolve(draft: SetAsideDraft, state: str, user) -> None:
    draft.state = state
    draft.resolved_at = timezone.now()
    draft.resolved_by = user
    draft.save(update_fields=["state", "resolved_at", "resolved_by"])


@transaction.atomic
def carry_set_aside_draft(*, draft: SetAsideDraft, user) -> drafting.Merge:
    """Apply what a set-aside draft changed (since the version it started from) to the current
    working text, as a new draft revision that the editor then reviews and publishes. Sections
    the current text also changed are left as they are and reported as conflicts."""
    draft = _lock_waiting(draft, user)
    merge = preview_set_aside_merge(draft)
    if merge.changes_anything:
        working = PolicyPage.objects.get(pk=draft.page_id).get_latest_revision_as_object()
        working.sections = [  # already normalised by set_aside_texts
            PolicySection(key=s.key, heading=s.heading, body=s.body) for s in merge.sections
        ]
        working.edit_summary = ""
        working.save_revision(user=user, log_action=True)
    _resolve(draft, SetAsideDraft.State.CARRIED, user)
    return merge


@transaction.atomic
def discard_set_aside_draft(*, draft: SetAsideDraft, user) -> SetAsideDraft:
    """Drop a set-aside draft (its revision stays in the page's history)."""
    draft = _lock_waiting(draft, user)
    _resolve(draft, SetAsideDraft.State.DISCARDED, user)
    return draft


# Wagtail page log action: a forgotten person's name was replaced on the page's versions.
NAMES_FORGOTTEN = "policies.names_forgotten"


def forget_user(*, user, old_name: str) -> None:
    """Account anonymisation (core.forgetting). Versions and translations are immutable through
    save(); the stored name is the one piece of personal data on them, so a queryset update
    rewrites it and nothing else."""
    from core.forgetting import FORMER_PARTICIPANT

    pages = set(PolicyVersion.objects.filter(author=user).values_list("policy_id", flat=True))
    pages |= set(
        PolicyTranslation.objects.filter(translator=user).values_list(
            "source_version__policy_id", flat=True
        )
    )
    PolicyVersion.objects.filter(author=user).update(author_name=FORMER_PARTICIPANT)
    PolicyTranslation.objects.filter(translator=user).update(translator_name=FORMER_PARTICIPANT)
    # The pages showed the name: Wagtail's page log moves, so pages kept by core.page_cache
    # are rendered afresh.
    for page in PolicyPage.objects.filter(pk__in=pages):
        PageLogEntry.objects.log_action(page, NAMES_FORGOTTEN)


def set_baseline_policy(*, page: PolicyPage | None, user) -> None:
    """Make `page` the site's baseline policy (None: no baseline), as the admin's Settings →
    Accord screen does: for those allowed to change the Accord settings."""
    from .models import AccordSettings

    if not user.has_perm("policies.change_accordsettings"):
        raise PermissionDenied(_("You may not choose the baseline policy."))
    if page is not None and not page.live:
        raise ValidationError(_("Only a published policy can be the baseline."))
    settings = AccordSettings.load()
    settings.baseline_policy = page
    settings.save(update_fields=["baseline_policy"])
