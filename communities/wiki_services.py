"""The wiki round trip of a declaration: watch the wiki page that holds the community's copy
for drift, let a delegate acknowledge a change, and publish the community's text to the wiki
with the delegate's own account.

Every state change here is in a transaction and logged publicly (transparency). Wiki calls
happen outside transactions and before anything is written: a wiki that fails leaves either a
whole result or a recorded failure, never half of one."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.mediawiki_api import MediaWikiClient, PageRevision, WikiApiCodeError, WikiApiError
from core.site_url import site_base_url
from policies import markdown_io
from policies import selectors as policy_selectors
from transparency import chain
from transparency import services as transparency

from . import selectors, wiki_text
from .models import Adoption, Community, WikiCopyCheck, WikiPublication
from .services import _require_declarer

Status = Adoption.Status
Outcome = WikiCopyCheck.Outcome
BATCH = 50  # titles per request: the action API's limit for ordinary clients
WATCHED_STATUSES = (*Adoption.ADOPTING, Status.EQUIVALENT)


def default_api_url(community: Community) -> str:
    """The action API of a community's wiki guessed from its home URL (MediaWiki's usual
    /w/api.php); "" when it has none."""
    if not community.url or community.kind != Community.Kind.WIKI:
        return ""
    return urljoin(community.url, "/w/api.php")


def page_url(api_url: str, title: str = "", revision: int | None = None) -> str:
    """A link a reader can follow: the page, or one revision of it, beside api.php."""
    return selectors.wiki_page_url(api_url, title=title, revision=revision)


def interactive_client(api_url: str) -> MediaWikiClient:
    """The project's client, patient enough for a person waiting on a page: one retry and
    short waits (the drift watch, in the background, keeps the full back-off)."""
    client = MediaWikiClient.from_settings(api_url)
    client.retries = min(client.retries, 1)
    client.max_wait = min(client.max_wait, 2.0)
    return client


def expected_wikitext(adoption: Adoption, *, cache: dict | None = None) -> str:
    """What Accord would publish for this declaration, as wikitext (no marker). `cache`
    shares the conversion between declarations with the same text within one run."""
    sections = tuple(selectors.effective_sections(adoption))
    if cache is not None and sections in cache:
        return cache[sections]
    text = markdown_io.to_wikitext(adoption.version.title, sections)
    if cache is not None:
        cache[sections] = text
    return text


# --- the drift watch --------------------------------------------------------------------------


@dataclass
class CheckReport:
    checked: int = 0
    matches: int = 0
    agreed: int = 0
    differs: int = 0
    failed: int = 0
    requests: int = 0
    errors: list[str] = field(default_factory=list)


def watched_adoptions():
    """Declarations that name a wiki page and have a copy to compare: adopted (with or without
    overrides) and pinned, or an own equivalent policy."""
    return (
        Adoption.objects.exclude(wiki_page="")
        .exclude(wiki_api_url="")
        .filter(status__in=WATCHED_STATUSES)
        .exclude(version__isnull=True)
        .select_related("community", "policy", "version", "wiki_check")
        .prefetch_related("overrides", "version__sections")
        .order_by("wiki_api_url", "pk")
    )


def _compare(
    adoption: Adoption, result: PageRevision | WikiApiError, now, texts: dict
) -> WikiCopyCheck:
    previous = adoption.wiki_check
    check = WikiCopyCheck(
        adoption=adoption,
        checked_at=now,
        api_url=adoption.wiki_api_url,
        page_title=adoption.wiki_page,
    )
    if previous is not None and previous.outcome in (Outcome.DIFFERS, Outcome.FAILED):
        check.since_revision = previous.since_revision
        check.since_at = previous.since_at
        check.since_user = previous.since_user
    if isinstance(result, WikiApiError):
        check.outcome = Outcome.FAILED
        check.error = str(result)[:500]
        check.news = previous is None or previous.outcome != Outcome.FAILED
        return check
    check.page_title = result.title[:255]
    check.revision_id = result.revision_id
    check.revision_at = result.timestamp
    check.revision_user = result.user[:255]
    copy = wiki_text.normalise(result.content)
    if adoption.status == Status.EQUIVALENT:
        if adoption.wiki_agreed_revision is None:
            # First sight of the community's own policy: that text is what it declared.
            adoption.wiki_agreed_revision = result.revision_id
            adoption.wiki_agreed_text = copy
        expected = adoption.wiki_agreed_text
    else:
        expected = wiki_text.normalise(expected_wikitext(adoption, cache=texts))
    agreed = adoption.wiki_agreed_text if adoption.wiki_agreed_revision else None
    if copy in (expected, agreed):
        check.outcome = Outcome.MATCHES if copy == expected else Outcome.AGREED
        check.since_revision, check.since_at, check.since_user = None, None, ""
        check.news = previous is None or previous.outcome != check.outcome
        return check
    check.outcome = Outcome.DIFFERS
    check.expected_text = expected
    check.wiki_text = copy
    if not check.since_revision:
        check.since_revision = result.revision_id
        check.since_at = result.timestamp
        check.since_user = check.revision_user
    check.news = previous is None or previous.outcome != Outcome.DIFFERS
    return check


def _log_check(check: WikiCopyCheck, content: str) -> None:
    adoption = check.adoption
    transparency.append(
        "wiki_copy.checked",
        f"communities.adoption:{adoption.pk}",
        {
            "community": adoption.community.slug,
            "policy": adoption.policy.slug,
            "wiki": urlsplit(check.api_url).netloc,
            "page": check.page_title,
            "outcome": check.outcome,
            "revision": check.revision_id,
            "revision_user": check.revision_user,
            "differs_since": check.since_revision,
            "error": check.error,
        },
        chain.sha256_hex(content) if content else "",
    )


@transaction.atomic
def _record(checks: list[tuple[WikiCopyCheck, str]]) -> None:
    """Store one batch of checks, point each declaration at its check, and log each: all of a
    batch or nothing."""
    WikiCopyCheck.objects.bulk_create([c for c, _content in checks])
    adoptions = []
    for check, content in checks:
        adoption = check.adoption
        adoption.wiki_check = check
        adoptions.append(adoption)
        _log_check(check, content)
    # bulk_update keeps these out of the declaration's history: a check is not a declaration.
    Adoption.objects.bulk_update(
        adoptions, ["wiki_check", "wiki_agreed_revision", "wiki_agreed_text"]
    )


def check_wiki_copies(*, adoptions=None, client_factory=None, progress=None) -> CheckReport:
    """Fetch the current revision of every watched page, 50 titles per request and wiki, and
    compare each with what its declaration says. Each batch is recorded whole; a batch (or a
    page) the wiki could not answer is recorded as failed and tried again next run."""
    client_factory = client_factory or MediaWikiClient.from_settings
    adoptions = list(watched_adoptions() if adoptions is None else adoptions)
    by_wiki: dict[str, list[Adoption]] = defaultdict(list)
    for adoption in adoptions:
        by_wiki[adoption.wiki_api_url].append(adoption)
    report = CheckReport()
    texts: dict = {}
    for api_url, group in by_wiki.items():
        client = client_factory(api_url)
        titles = list(dict.fromkeys(a.wiki_page for a in group))
        for start in range(0, len(titles), BATCH):
            chunk = titles[start : start + BATCH]
            batch_error = None
            try:
                results: dict = client.fetch_pages(chunk)
            except WikiApiError as exc:
                results = dict.fromkeys(chunk, exc)
                batch_error = exc
                report.errors.append(str(exc))
            wanted = set(chunk)
            now = timezone.now()
            checks = []
            for adoption in group:
                if adoption.wiki_page not in wanted:
                    continue
                result = results.get(adoption.wiki_page) or WikiApiError(
                    gettext("The wiki said nothing about this page.")
                )
                if isinstance(result, WikiApiError) and result is not batch_error:
                    # One page the wiki could not give (missing, invalid, hidden): say which.
                    report.errors.append(f"{adoption.wiki_page}: {result}")
                check = _compare(adoption, result, now, texts)
                content = result.content if isinstance(result, PageRevision) else ""
                checks.append((check, content))
                setattr(report, check.outcome, getattr(report, check.outcome) + 1)
                report.checked += 1
            _record(checks)
            if progress:
                progress(report)
        report.requests += client.requests_made
    return report


@transaction.atomic
def acknowledge_wiki_copy(*, adoption: Adoption, user, revision_id: int, note: str) -> Adoption:
    """A delegate agrees to the wiki's copy as it stands (the change was agreed locally): the
    revision becomes the one the drift watch compares against, so it is no longer flagged.
    `revision_id` is the revision the delegate saw; a newer one must be looked at first."""
    _require_declarer(user, adoption.community)
    adoption = (
        Adoption.objects.select_for_update(of=("self",))
        .select_related("wiki_check")
        .get(pk=adoption.pk)
    )
    check = adoption.wiki_check
    note = (note or "").strip()
    if check is None or check.outcome != Outcome.DIFFERS:
        raise ValidationError(gettext("The wiki's copy is not flagged: nothing to acknowledge."))
    if check.revision_id != revision_id:
        raise ValidationError(
            gettext(
                "The wiki's copy changed again (now revision %(revision)s): look at the new "
                "difference before acknowledging it."
            )
            % {"revision": check.revision_id}
        )
    if not note:
        raise ValidationError({"note": gettext("Say briefly how the change was agreed.")})
    if len(note) > 500:
        raise ValidationError({"note": gettext("Keep the note under 500 characters.")})
    adoption.wiki_agreed_revision = check.revision_id
    adoption.wiki_agreed_text = check.wiki_text
    with translation.override(settings.LANGUAGE_CODE):
        adoption._change_reason = f"Acknowledged wiki revision {check.revision_id}: {note}"[:100]
    adoption.save()
    transparency.append(
        "wiki_copy.acknowledged",
        f"communities.adoption:{adoption.pk}",
        {
            "community": adoption.community.slug,
            "policy": adoption.policy.slug,
            "wiki": urlsplit(check.api_url).netloc,
            "page": check.page_title,
            "revision": check.revision_id,
            "note": note,
            "by": user.get_username(),
        },
        chain.sha256_hex(check.wiki_text),
    )
    return adoption


# --- publishing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WikiToken:
    access_token: str
    username: str
    expires_at: dt.datetime | None


def wiki_token_of(user) -> WikiToken | None:
    """The access token of `user`'s linked MediaWiki account (allauth keeps it at sign-in)."""
    if not getattr(user, "pk", None):
        return None
    from allauth.socialaccount.models import SocialToken

    token = (
        SocialToken.objects.filter(account__user=user, account__provider="mediawiki")
        .select_related("account")
        .order_by("-pk")
        .first()
    )
    if token is None:
        return None
    data = token.account.extra_data or {}
    return WikiToken(
        access_token=token.token,
        username=str(data.get("username") or token.account.uid),
        expires_at=token.expires_at,
    )


def _sign_in_again() -> str:
    return gettext(
        "Your wiki sign-in has expired or was withdrawn: sign in with your wiki account again "
        "(Account → Linked accounts), then publish."
    )


def edit_error_message(exc: WikiApiError, *, title: str) -> str:
    """What a person should know about a refused edit, by MediaWiki's error code."""
    code = exc.code if isinstance(exc, WikiApiCodeError) else ""
    if code in ("editconflict", "articleexists"):
        return gettext(
            "Someone changed “%(title)s” on the wiki since you opened this page. Look at the "
            "wiki's version, then publish again."
        ) % {"title": title}
    if code in ("blocked", "autoblocked") or code.startswith(("globalblock", "blocked")):
        return gettext(
            "The wiki says your account is blocked from editing, so Accord cannot publish as "
            "you: %(info)s"
        ) % {"info": exc.info if isinstance(exc, WikiApiCodeError) else ""}
    if code in ("protectedpage", "cascadeprotected", "permissiondenied", "protectedtitle") or (
        code.startswith("protectednamespace")
    ):
        return gettext(
            "“%(title)s” is protected on the wiki: your account may not edit it. Ask the wiki's "
            "administrators, or choose another page."
        ) % {"title": title}
    if code in (
        "badtoken",
        "notloggedin",
        "assertuserfailed",
        "assertnameduserfailed",
    ) or code.startswith("mwoauth"):
        return _sign_in_again()
    return gettext("The wiki did not save the page: %(error)s") % {"error": str(exc)}


def publication_text(adoption: Adoption, source: str) -> tuple[str, str, object]:
    """(wikitext with marker, content hash, version) of what would be published."""
    version = adoption.version
    if source == WikiPublication.Source.EFFECTIVE:
        body = expected_wikitext(adoption)
    else:
        body = markdown_io.to_wikitext(version.title, policy_selectors.export_sections(version))
    digest = wiki_text.content_hash(body)
    with translation.override(settings.LANGUAGE_CODE):
        label = (
            f"Published from Accord: {adoption.policy.title}, version {version.number}, "
            f"sha256 {digest[:12]}"
        )
    text = wiki_text.with_marker(
        body, policy=adoption.policy.slug, version=version.number, digest=digest, label=label
    )
    return text, digest, version


def publish_to_wiki(
    *,
    adoption: Adoption,
    user,
    page_title: str,
    source: str = WikiPublication.Source.EFFECTIVE,
    base_revision: int | None = None,
    base_timestamp: str = "",
    api_url: str = "",
    client=None,
) -> WikiPublication:
    """Save the community's text (or its pinned baseline version) to a wiki page as `user`,
    with their own OAuth token. Recorded only once the wiki accepted the edit; the declaration
    then watches that page from the new revision on.

    `base_revision`: the page's revision the person saw (None: they saw no page, so the edit
    must create it); a newer one on the wiki is an edit conflict."""
    _require_declarer(user, adoption.community)
    page_title = " ".join((page_title or "").split())
    if not page_title or len(page_title) > 255 or any(c in page_title for c in "[]{}|#<>"):
        raise ValidationError({"page_title": gettext("Enter the title of a wiki page.")})
    if source not in WikiPublication.Source.values:
        raise ValidationError({"source": gettext("Choose what to publish.")})
    if adoption.version is None:
        raise ValidationError(gettext("Declare the adoption against a version first."))
    if source == WikiPublication.Source.EFFECTIVE and adoption.status not in Adoption.ADOPTING:
        raise ValidationError(
            {"source": gettext("Only an adopting community has an effective text to publish.")}
        )
    api_url = api_url or adoption.wiki_api_url or default_api_url(adoption.community)
    if not api_url:
        raise ValidationError(
            {"page_title": gettext("Name the wiki's API address in the declaration first.")}
        )
    token = wiki_token_of(user)
    if token is None:
        raise ValidationError(
            gettext(
                "Link your wiki account first (sign in with your wiki account): Accord edits "
                "the wiki as you, never as itself."
            )
        )
    if token.expires_at and token.expires_at <= timezone.now():
        raise ValidationError(_sign_in_again())
    text, digest, version = publication_text(adoption, source)
    base = site_base_url()
    what = (
        f"effective text of {adoption.community.name}"
        if source == WikiPublication.Source.EFFECTIVE
        else "baseline text"
    )
    summary = (
        f"Accord: {adoption.policy.title} v{version.number} ({what}), sha256 {digest[:12]} — "
        f"{base}/communities/{adoption.community.slug}/"
    )[:490]
    client = client or interactive_client(api_url)
    try:
        saved = client.edit(
            bearer=token.access_token,
            title=page_title,
            text=text,
            summary=summary,
            baserevid=base_revision,
            basetimestamp=base_timestamp,
            createonly=not base_revision,
        )
    except WikiApiError as exc:
        raise ValidationError(edit_error_message(exc, title=page_title)) from exc
    return _record_publication(
        adoption=adoption,
        user=user,
        token=token,
        source=source,
        version=version,
        api_url=api_url,
        saved=saved,
        text=text,
        digest=digest,
    )


@transaction.atomic
def _record_publication(*, adoption, user, token, source, version, api_url, saved, text, digest):
    publication = WikiPublication.objects.create(
        adoption=adoption,
        user=user,
        wiki_username=token.username[:255],
        source=source,
        version=version,
        api_url=api_url,
        page_title=saved.title[:255],
        revision_id=saved.revision_id,
        content_hash=digest,
        published_at=timezone.now(),
    )
    adoption = Adoption.objects.select_for_update().get(pk=adoption.pk)
    adoption.wiki_api_url = api_url
    adoption.wiki_page = saved.title[:255]
    adoption.wiki_agreed_revision = saved.revision_id
    adoption.wiki_agreed_text = wiki_text.normalise(text)
    adoption._change_reason = (
        f"Published to the wiki: {saved.title} (revision {saved.revision_id})"[:100]
    )
    adoption.save()
    transparency.append(
        "wiki_copy.published",
        f"communities.adoption:{adoption.pk}",
        {
            "community": adoption.community.slug,
            "policy": adoption.policy.slug,
            "version": version.number,
            "source": source,
            "wiki": urlsplit(api_url).netloc,
            "page": saved.title,
            "revision": saved.revision_id,
            "by": user.get_username(),
        },
        digest,
    )
    return publication
