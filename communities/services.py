"""Every change to communities and their declarations: validated, in a transaction, attributed
(django-simple-history records who changed what)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urljoin

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from policies import markdown_io
from policies import selectors as policy_selectors
from policies.models import PolicyVersion, SectionVersion
from transparency import chain
from transparency import services as transparency

from . import rules
from .models import (
    Adoption,
    Community,
    EquivalentMapping,
    Membership,
    SectionOverride,
    WikiPublication,
)
from .placeholders import fill_from_declaration

Status = Adoption.Status
MAX_TEXT = 20_000


def _check_url(value: str, field: str) -> str:
    value = (value or "").strip()
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError as exc:
            raise ValidationError(
                {field: gettext("Enter a full web address starting with https://.")}
            ) from exc
    return value


def _require_declarer(user, community: Community) -> None:
    if not rules.can_declare(user, community):
        raise PermissionDenied(
            gettext("Only %(community)s's delegates or a facilitator may declare for it.")
            % {"community": community.name}
        )


def _latest_version(policy_id: int) -> PolicyVersion | None:
    return policy_selectors.latest_version(policy_id)


def _log_adoption(kind: str, adoption: Adoption, user) -> None:
    """The public facts of a declaration (never its report contact, which may be an email)."""
    transparency.append(
        kind,
        f"communities.adoption:{adoption.pk}",
        {
            "community": adoption.community.slug,
            "policy": adoption.policy.slug,
            "status": adoption.status,
            "version": adoption.version.number if adoption.version else None,
            "decided_on": adoption.decided_on.isoformat() if adoption.decided_on else None,
            "evidence_url": adoption.evidence_url,
            "rationale": adoption.rationale,
            "by": user.get_username(),
        },
    )


def _log_override(kind: str, override: SectionOverride, user) -> None:
    adoption = override.adoption
    transparency.append(
        kind,
        f"communities.override:{adoption.pk}:{override.section_key}",
        {
            "community": adoption.community.slug,
            "policy": adoption.policy.slug,
            "section_key": override.section_key,
            "action": override.action if kind != "override.removed" else "removed",
            "based_on_version": override.based_on.version.number
            if kind != "override.removed" and override.based_on_id
            else None,
            "rationale": override.rationale if kind != "override.removed" else "",
            "adoption_status": adoption.status,
            "by": user.get_username(),
        },
        chain.sha256_hex(override.text) if kind != "override.removed" else "",
    )


@transaction.atomic
def declare_adoption(
    *,
    community: Community,
    policy,
    user,
    status: str,
    version: PolicyVersion | None = None,
    decided_on: dt.date | None = None,
    evidence_url: str = "",
    rationale: str = "",
    enforcement_body: str = "",
    report_contact: str = "",
    appeal_process: str = "",
    parameters: dict[str, str] | None = None,
    equivalent_title: str = "",
    equivalent_url: str = "",
    wiki_api_url: str | None = None,
    wiki_page: str | None = None,
) -> Adoption:
    """Record (or change) where `community` stands on `policy`, pinned to a version.

    Opting out is always possible. The previous declaration stays in the history.
    `wiki_api_url` and `wiki_page` name the wiki page holding the community's copy (None keeps
    what was there); naming another page starts its drift watch afresh."""
    _require_declarer(user, community)
    if status not in Status.values:
        raise ValidationError({"status": gettext("Choose one of the listed statuses.")})
    if version is None:
        version = _latest_version(policy.pk)
    elif version.policy_id != policy.pk:
        raise ValidationError({"version": gettext("That version belongs to another policy.")})
    if version is None and status != Status.UNDECLARED:
        raise ValidationError(
            {"version": gettext("The policy has no published version to declare against.")}
        )
    if status == Status.EQUIVALENT and not (equivalent_title.strip() and equivalent_url.strip()):
        raise ValidationError(
            {"equivalent_url": gettext("Name your own policy and give its address.")}
        )
    if status == Status.OPTED_OUT and not rationale.strip():
        raise ValidationError({"rationale": gettext("Say briefly why the community opts out.")})
    if len(rationale) > MAX_TEXT:
        raise ValidationError({"rationale": gettext("That text is too long.")})
    if len(appeal_process) > MAX_TEXT:
        raise ValidationError({"appeal_process": gettext("That text is too long.")})
    placeholders = (
        set(p for s in version.sections.all() for p in markdown_io.find_placeholders(s.body))
        if version
        else set()
    )
    cleaned_parameters = {}
    for key, value in (parameters or {}).items():
        if key not in placeholders:
            raise ValidationError(
                {
                    "parameters": gettext("%(placeholder)s is not a placeholder of this version.")
                    % {"placeholder": key}
                }
            )
        value = (value or "").strip()
        if len(value) > 200:
            raise ValidationError(
                {
                    "parameters": gettext("The value for %(placeholder)s is too long.")
                    % {"placeholder": key}
                }
            )
        if value:
            cleaned_parameters[key] = value
    # [CONTACT METHOD] and [GOVERNING BODY] are answered by the contact and enforcement body.
    cleaned_parameters = fill_from_declaration(
        placeholders,
        cleaned_parameters,
        {"report_contact": report_contact, "enforcement_body": enforcement_body},
    )

    adoption = Adoption.objects.select_for_update().filter(
        community=community, policy=policy
    ).first() or Adoption(community=community, policy=policy)
    adoption.status = status
    adoption.version = version
    adoption.decided_on = decided_on
    adoption.evidence_url = _check_url(evidence_url, "evidence_url")
    adoption.rationale = rationale.strip()
    adoption.enforcement_body = enforcement_body.strip()[:200]
    adoption.report_contact = report_contact.strip()[:200]
    adoption.appeal_process = appeal_process.strip()
    adoption.parameters = cleaned_parameters
    adoption.equivalent_title = equivalent_title.strip()[:200]
    adoption.equivalent_url = _check_url(equivalent_url, "equivalent_url")
    if wiki_page is not None or wiki_api_url is not None:
        page = " ".join((wiki_page if wiki_page is not None else adoption.wiki_page).split())
        api = _check_url(
            wiki_api_url if wiki_api_url is not None else adoption.wiki_api_url, "wiki_api_url"
        )
        if page and not api:
            api = urljoin(community.url, "/w/api.php") if community.url else ""
        if page and not api:
            raise ValidationError(
                {"wiki_api_url": gettext("Give the wiki's API address (its api.php).")}
            )
        if len(page) > 255 or any(c in page for c in "[]{}|#<>"):
            raise ValidationError({"wiki_page": gettext("Enter the title of a wiki page.")})
        if (page, api) != (adoption.wiki_page, adoption.wiki_api_url):
            adoption.wiki_agreed_revision = None
            adoption.wiki_agreed_text = ""
            adoption.wiki_check = None
        # The API alone is kept too: the publish page uses it before any page is watched.
        adoption.wiki_page, adoption.wiki_api_url = page, api
    adoption.declared_by = user
    adoption.declared_at = timezone.now()
    # The reason is stored in the history: it stays in the site's language, whoever declares.
    with translation.override(settings.LANGUAGE_CODE):
        adoption._change_reason = f"Declared {adoption.get_status_display()}"
    created = adoption.pk is None
    adoption.save()
    _log_adoption("adoption.declared" if created else "adoption.changed", adoption, user)
    return adoption


def _section(version: PolicyVersion, key: str) -> SectionVersion:
    section = SectionVersion.objects.filter(version=version, key=key).first()
    if section is None:
        raise ValidationError(
            {
                "section_key": gettext("Version %(number)s has no section “%(key)s”.")
                % {"number": version.number, "key": key}
            }
        )
    return section


@transaction.atomic
def set_override(
    *, adoption: Adoption, section_key: str, user, action: str, text: str = "", rationale: str
) -> SectionOverride:
    """Replace or omit one baseline section locally, with a rationale. The override records
    the baseline text it was written against, so a later baseline change makes it stale."""
    _require_declarer(user, adoption.community)
    if adoption.version is None:
        raise ValidationError(gettext("Declare the adoption against a version first."))
    if action not in SectionOverride.Action.values:
        raise ValidationError({"action": gettext("Replace the text or omit the section.")})
    text = (text or "").strip()
    if action == SectionOverride.Action.REPLACE and not text:
        raise ValidationError(
            {"text": gettext("Give the replacement text, or choose to omit the section.")}
        )
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": gettext("The replacement is too long.")})
    if not (rationale or "").strip():
        raise ValidationError({"rationale": gettext("Say why the community changes this section.")})
    based_on = _section(adoption.version, section_key)
    override = SectionOverride.objects.filter(adoption=adoption, section_key=section_key).first()
    override = override or SectionOverride(adoption=adoption, section_key=section_key)
    override.action = action
    override.text = text if action == SectionOverride.Action.REPLACE else ""
    override.rationale = rationale.strip()
    override.based_on = based_on
    override.updated_by = user
    override.save()
    if adoption.status == Status.ADOPTED:
        adoption.status = Status.OVERRIDES
        adoption._change_reason = "Added a local override"
        adoption.save(update_fields=["status"])
    _log_override("override.set", override, user)
    return override


@transaction.atomic
def remove_override(*, override: SectionOverride, user) -> None:
    """Go back to the baseline text for this section (the history keeps the override)."""
    _require_declarer(user, override.adoption.community)
    adoption = override.adoption
    override.delete()
    if adoption.status == Status.OVERRIDES and not adoption.overrides.exists():
        adoption.status = Status.ADOPTED
        adoption.save(update_fields=["status"])
    _log_override("override.removed", override, user)


@transaction.atomic
def rebase_override(
    *, override: SectionOverride, user, text: str | None = None, action: str | None = None
) -> SectionOverride:
    """Confirm an override against the baseline's latest text for its section (keeping or
    editing the replacement). This clears its staleness."""
    _require_declarer(user, override.adoption.community)
    latest = _latest_version(override.adoption.policy_id)
    section = SectionVersion.objects.filter(version=latest, key=override.section_key).first()
    if section is None:
        raise ValidationError(
            gettext(
                "The baseline removed this section; remove the override instead of rebasing it."
            )
        )
    if action is not None:
        if action not in SectionOverride.Action.values:
            raise ValidationError({"action": gettext("Replace the text or omit the section.")})
        override.action = action
    if text is not None:
        override.text = text.strip()
    if override.action == SectionOverride.Action.REPLACE and not override.text:
        raise ValidationError(
            {"text": gettext("Give the replacement text, or choose to omit the section.")}
        )
    if override.action == SectionOverride.Action.OMIT:
        override.text = ""
    override.based_on = section
    override.updated_by = user
    override._change_reason = f"Rebased on version {latest.number}"
    override.save()
    _log_override("override.rebased", override, user)
    return override


@transaction.atomic
def upgrade_adoption(*, adoption: Adoption, user, version: PolicyVersion | None = None) -> Adoption:
    """Pin the declaration to a newer baseline version (by default the latest)."""
    _require_declarer(user, adoption.community)
    version = version or _latest_version(adoption.policy_id)
    if version.policy_id != adoption.policy_id:
        raise ValidationError({"version": gettext("That version belongs to another policy.")})
    adoption.version = version
    adoption.declared_by = user
    adoption.declared_at = timezone.now()
    adoption._change_reason = f"Upgraded to version {version.number}"
    adoption.save()
    _log_adoption("adoption.upgraded", adoption, user)
    return adoption


@transaction.atomic
def set_mappings(*, adoption: Adoption, user, mappings: list[dict]) -> list[EquivalentMapping]:
    """For an own equivalent policy: which baseline sections it covers, partly or not."""
    _require_declarer(user, adoption.community)
    keys = {s.key for s in adoption.version.sections.all()} if adoption.version else set()
    out = []
    for item in mappings:
        key, coverage = item["section_key"], item.get("coverage") or ""
        if key not in keys:
            raise ValidationError(
                {"section_key": gettext("Unknown section “%(key)s”.") % {"key": key}}
            )
        if not coverage:
            EquivalentMapping.objects.filter(adoption=adoption, section_key=key).delete()
            continue
        if coverage not in EquivalentMapping.Coverage.values:
            raise ValidationError({"coverage": gettext("Covered, partly covered or not covered.")})
        mapping, _ = EquivalentMapping.objects.update_or_create(
            adoption=adoption,
            section_key=key,
            defaults={"coverage": coverage, "note": (item.get("note") or "").strip()[:500]},
        )
        out.append(mapping)
    return out


@transaction.atomic
def save_community(
    *,
    user,
    name: str,
    slug: str,
    kind: str = "other",
    language: str = "",
    url: str = "",
    delegates=None,
    community: Community | None = None,
) -> tuple[Community, bool]:
    """Create or update a community by slug (the registry's identity), or update `community`
    itself (the admin's edit form, which may also change its slug)."""
    if not rules.can_manage_registry(user):
        raise PermissionDenied(gettext("Only facilitators manage the community registry."))
    if community is None or community.pk is None:
        community = Community.objects.filter(slug=slug).first()
    created = community is None
    community = community or Community()
    community.slug = slug
    community.name = name
    community.kind = kind
    community.language = language
    community.url = url
    community.full_clean()
    community.save()
    if delegates is not None:
        community.delegates.set(delegates)
    return community, created


def check_membership(*, edit_count=None, registered_on=None) -> None:
    """The standing rules save_membership enforces, for forms to show beside their fields."""
    if edit_count is not None and (not isinstance(edit_count, int) or edit_count < 0):
        raise ValidationError({"edit_count": gettext("Enter a whole number of edits, 0 or more.")})
    if registered_on is not None and registered_on > timezone.now().date():
        raise ValidationError({"registered_on": gettext("The registration date is in the future.")})


@transaction.atomic
def save_membership(
    *,
    community: Community,
    member,
    user,
    edit_count: int | None = None,
    registered_on: dt.date | None = None,
    blocked: bool = False,
    source: str = "",
    membership: Membership | None = None,
) -> Membership:
    """Record (or update) someone's standing in a community: what vote eligibility reads.
    `membership`: the row the admin's edit form is changing (its community or person may
    change too)."""
    if not rules.can_manage_registry(user):
        raise PermissionDenied(gettext("Only facilitators manage community memberships."))
    check_membership(edit_count=edit_count, registered_on=registered_on)
    if membership is None or membership.pk is None:
        membership, _ = Membership.objects.get_or_create(community=community, user=member)
    membership.community = community
    membership.user = member
    membership.edit_count = edit_count
    membership.registered_on = registered_on
    membership.blocked = bool(blocked)
    membership.source = (source or "")[:200]
    membership.full_clean()
    membership.save()
    return membership


def record_identity_membership(
    *,
    community: Community,
    member,
    source: str,
    edit_count: int | None = None,
    registered_on: dt.date | None = None,
    blocked: bool | None = None,
) -> Membership:
    """Record what a linked identity says about someone's standing in its home community.

    Called by the accounts app, not by a person: signing in with a community's account is the
    evidence, so no facilitator is needed. Only the figures given are written; figures a
    facilitator imported are kept when the identity has none (e.g. an OpenID Connect login says
    nothing about edit counts)."""
    if edit_count is not None and edit_count < 0:
        raise ValidationError({"edit_count": gettext("Enter a whole number of edits, 0 or more.")})
    with transaction.atomic():
        membership, _created = Membership.objects.select_for_update().get_or_create(
            community=community, user=member
        )
        if edit_count is not None:
            membership.edit_count = edit_count
        if registered_on is not None:
            membership.registered_on = registered_on
        if blocked is not None:
            membership.blocked = blocked
        membership.source = (source or "")[:200]
        membership.full_clean()
        membership.save()
    return membership


@transaction.atomic
def forget_member(*, member) -> int:
    """Delete someone's community standings and their history (account anonymisation).
    Ballots keep the community they were cast for."""
    count, _deleted = Membership.objects.filter(user=member).delete()
    Membership.history.filter(user_id=member.pk).delete()
    return count


def forget_user(*, user, old_name: str) -> None:
    """Account anonymisation (core.forgetting): no longer a delegate, no standings kept."""
    user.delegated_communities.clear()
    forget_member(member=user)
    # Their wiki account's name beside what they published (the wiki keeps its own record).
    WikiPublication.objects.filter(user=user).update(wiki_username="")
