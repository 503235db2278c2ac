"""Every change this app makes: linking an identity to its home community, refreshing what the
home wiki says about it, anonymising an account. Each runs in a transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from communities import services as community_services
from communities.models import Community, Membership
from core import forgetting

from . import mediawiki, rules
from .models import Anonymisation, HomeCommunity, IdentitySource, WikiActivity
from .naming import ANONYMOUS_PREFIX

logger = logging.getLogger(__name__)

MEDIAWIKI = "mediawiki"
FORMER_PARTICIPANT = forgetting.FORMER_PARTICIPANT


@dataclass(frozen=True)
class Source:
    community: Community | None
    api_url: str = ""


def _host(url: str) -> str:
    return (urlsplit(url or "").hostname or "").lower()


def _provider_url(account: SocialAccount) -> str:
    """The address of the service an identity comes from."""
    if account.provider == MEDIAWIKI:
        from allauth.socialaccount.providers.mediawiki.views import MediaWikiOAuth2Adapter

        return MediaWikiOAuth2Adapter.REST_API
    try:
        app = account.get_provider().app
    except Exception:  # the app was removed from settings and the admin
        return ""
    return (app.settings or {}).get("server_url", "")


def source_for(account: SocialAccount) -> Source:
    """Which community an identity comes from, and where to ask about its activity.

    An IdentitySource row (admin) decides; otherwise the community whose home URL has the
    provider's host name."""
    configured = (
        IdentitySource.objects.filter(provider=account.provider).select_related("community").first()
    )
    provider_url = _provider_url(account)
    default_api = mediawiki.api_url_from_rest(provider_url) if account.provider == MEDIAWIKI else ""
    if configured:
        return Source(configured.community, configured.api_url or default_api)
    host = _host(provider_url)
    community = None
    if host:
        candidates = Community.objects.filter(url__icontains=host)
        community = next((c for c in candidates if _host(c.url) == host), None)
    return Source(community, default_api)


def link_identity(*, account: SocialAccount) -> HomeCommunity | None:
    """Give a newly linked (or freshly used) identity its home community, record the
    membership eligibility reads, and queue a refresh of its wiki activity. Idempotent."""
    source = source_for(account)
    home = None
    with transaction.atomic():
        if source.community is not None:
            home, _created = HomeCommunity.objects.update_or_create(
                account=account, defaults={"user": account.user, "community": source.community}
            )
            # Signing in is evidence of membership; figures already recorded (from the wiki's
            # API or an import) keep their own source.
            if not Membership.objects.filter(
                community=source.community, user=account.user
            ).exists():
                community_services.record_identity_membership(
                    community=source.community,
                    member=account.user,
                    source=_("Signed in with %(provider)s") % {"provider": _provider_name(account)},
                )
        else:
            HomeCommunity.objects.filter(account=account).delete()
    if source.api_url and account.provider == MEDIAWIKI:
        from .tasks import refresh_wiki_activity_task

        account_id = account.pk
        transaction.on_commit(lambda: refresh_wiki_activity_task.enqueue(account_id))
    return home


def _provider_name(account: SocialAccount) -> str:
    try:
        return account.get_provider().name
    except Exception:
        return account.provider


def refresh_wiki_activity(*, account: SocialAccount, use_cache: bool = True) -> WikiActivity | None:
    """Fetch a MediaWiki identity's edit count, registration date and block status from its
    home wiki, store them with the time, and write them into the home community membership
    (what vote eligibility reads). A failed fetch keeps the last figures and stores the error."""
    source = source_for(account)
    username = (account.extra_data or {}).get("username") or ""
    if account.provider != MEDIAWIKI or not source.api_url or not username:
        return None
    now = timezone.now()
    try:
        found = mediawiki.fetch_user(source.api_url, username, use_cache=use_cache)
    except mediawiki.WikiError as exc:
        with transaction.atomic():
            activity, _created = WikiActivity.objects.select_for_update().get_or_create(
                account=account, defaults={"api_url": source.api_url, "wiki_username": username}
            )
            activity.attempted_at = now
            activity.error = str(exc)[:300]
            activity.save()
        logger.info("Wiki activity of identity %s not refreshed: %s", account.pk, exc)
        return activity
    with transaction.atomic():
        activity, _created = WikiActivity.objects.select_for_update().get_or_create(
            account=account, defaults={"api_url": source.api_url, "wiki_username": username}
        )
        activity.api_url = source.api_url
        activity.wiki_username = found.name
        activity.edit_count = found.edit_count
        activity.registered_at = found.registered_at
        activity.blocked = found.blocked
        activity.fetched_at = found.fetched_at
        activity.attempted_at = now
        activity.error = ""
        activity.save()
        if source.community is not None:
            community_services.record_identity_membership(
                community=source.community,
                member=account.user,
                edit_count=found.edit_count,
                registered_on=found.registered_at.date() if found.registered_at else None,
                blocked=found.blocked,
                source=_("%(host)s API, fetched %(when)s UTC")
                % {
                    "host": _host(source.api_url),
                    "when": formats.date_format(found.fetched_at, "j F Y H:i"),
                },
            )
    return activity


def adopt_trusted_email(*, user) -> bool:
    """Record the email of an account made outside sign-up (by a facilitator, an import, the
    admin, or before sign-up existed) as verified, so mandatory verification does not lock it
    out. Sign-up and sign-in with another account always leave an email record, so an account
    with none was made by a trusted person. False when nothing was recorded."""
    email = (user.email or "").strip()
    if not email or EmailAddress.objects.filter(user=user).exists():
        return False
    if EmailAddress.objects.filter(email__iexact=email).exists():
        return False  # someone else holds it: leave the conflict to verification
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return True


@transaction.atomic
def anonymise_user(*, user, by=None) -> Anonymisation:
    """Anonymise an account: its contributions stay (others replied to them) and are shown as
    by a "former participant"; everything that identifies the person goes. The user row itself
    stays, because positions, replies and ballots point at it."""
    by = by or user
    if not rules.can_anonymise(by, user):
        raise PermissionDenied(_("Only the account's owner or a site administrator may delete it."))
    requested_by_self = by.pk == user.pk
    User = get_user_model()
    user = User.objects.select_for_update().get(pk=user.pk)
    if Anonymisation.objects.filter(user=user).exists():
        raise ValidationError(_("This account has already been anonymised."))
    old_name = user.get_username()
    user.username = f"{ANONYMOUS_PREFIX}{user.pk}"
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    # Identities cascade to their tokens, home communities and fetched wiki activity.
    SocialAccount.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    if "rest_framework.authtoken" in settings.INSTALLED_APPS:
        from rest_framework.authtoken.models import Token

        Token.objects.filter(user=user).delete()
    # Each app forgets what its own records hold (registered in its AppConfig.ready()).
    forgetting.forget_user(user=user, old_name=old_name)
    record = Anonymisation.objects.create(user=user, requested_by_self=requested_by_self)
    logger.info("Account %s anonymised (requested by self: %s)", user.pk, requested_by_self)
    return record
