"""Every change to policies and their versions. Views, commands and hooks call these."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page
from wagtail.search.backends import get_search_backends

from . import diffing, markdown_io
from .models import PolicyIndexPage, PolicyPage, PolicySection, PolicyVersion, SectionVersion
from .rules import can_create_policy, can_publish_policy


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
    return (
        PolicyVersion.objects.filter(policy_id=page_id)
        .select_related("author")
        .order_by("-number")
        .first()
    )


def check_publish_conflict(*, page: PolicyPage, base_version: int | None) -> None:
    """Refuse to publish over versions the editor has not seen.

    `base_version` is the latest version number when the editor started; None skips the check
    (a script that knowingly publishes on top of whatever is current)."""
    if base_version is None:
        return
    newer = list(
        PolicyVersion.objects.filter(policy_id=page.pk, number__gt=base_version)
        .select_related("author")
        .order_by("number")
    )
    if not newer:
        return
    described = "; ".join(
        f"version {v.number} by {v.author_name} on {v.created_at:%Y-%m-%d %H:%M} UTC "
        f"(“{v.summary}”, {v.sections_changed + v.sections_added + v.sections_removed} "
        f"section(s) changed)"
        for v in newer
    )
    raise PublishConflict(
        f"Not published: while you were editing version {base_version}, {described} was "
        f"published. Your changes are kept as a draft; compare them with the new version, "
        f"then publish again."
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
        raise ValidationError("A policy needs at least one section before it can be published.")
    keys = [s.key for s in sections]
    if any(not k for k in keys) or len(set(keys)) != len(keys):
        raise ValidationError("Every section needs a unique key; edit and save the page again.")
    digest = content_hash(page.title, sections)
    previous = _latest_version(page.pk)
    if previous is not None and previous.content_hash == digest:
        return None
    if not summary:
        raise ValidationError("Publishing needs an edit summary: say what changed and why.")

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
        raise PermissionDenied("You may not publish this policy.")
    if not summary.strip():
        raise ValidationError("Publishing needs an edit summary: say what changed and why.")
    check_publish_conflict(page=page, base_version=base_version)
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
    revision = page.save_revision(user=user, log_action=True)
    revision.publish(user=user)
    return PolicyVersion.objects.filter(revision=revision).first()


@transaction.atomic
def create_policy_page(*, title: str, slug: str, user, intro: str = "") -> PolicyPage:
    """Create an empty, unpublished policy page under the site's policy index."""
    index = PolicyIndexPage.objects.first()
    if index is None:
        raise ValidationError("There is no policy index page to create the policy under.")
    if not can_create_policy(user, index):
        raise PermissionDenied("You may not create policies.")
    if Page.objects.filter(slug=slug, path__startswith=index.path).exists():
        raise ValidationError(f"A page with the slug “{slug}” already exists.")
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


def import_policy_markdown(
    *,
    data: bytes | str,
    slug: str,
    user,
    summary: str,
    label: str = "",
    level: int = 2,
    title: str | None = None,
) -> ImportResult:
    """Import a Markdown file as a new version of the policy `slug`, creating it if new.

    Sections continue the current version's keys where they match (exact heading, then a similar
    heading or body), so a renamed and lightly edited section keeps its identity. Any error
    leaves the database as it was."""
    from django.conf import settings

    if isinstance(data, bytes) and len(data) > settings.ACCORD_MAX_IMPORT_BYTES:
        raise ValidationError(
            f"The file is {len(data):,} bytes; the limit is {settings.ACCORD_MAX_IMPORT_BYTES:,}."
        )
    if not summary or not summary.strip():
        raise ValidationError("An import publishes a version, so it needs an edit summary.")
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
                    "The file has no title (no “# Title” line or front matter title); give one."
                )
            page = create_policy_page(title=title, slug=slug, user=user)
        current = _latest_version(page.pk)
        old = [(s.key, s.heading, s.body) for s in current.sections.all()] if current else []
        keys = markdown_io.match_section_keys(old, parsed.sections, similarity=diffing.similarity)
        version = publish_policy(
            page=page,
            user=user,
            summary=summary,
            label=label or str(parsed.front_matter.get("version", "") or "")[:20],
            title=title or None,
            sections=[(k, s.heading, s.body) for k, s in zip(keys, parsed.sections, strict=True)],
        )
    return ImportResult(
        page=page,
        version=version,
        created_page=created,
        matched_keys=sum(1 for k in keys if k),
        new_keys=sum(1 for k in keys if not k),
    )
