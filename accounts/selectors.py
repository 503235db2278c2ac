"""Reads the profile, the eligibility page and the lists of names share."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.db.models import OuterRef, Subquery

from . import mediawiki
from .models import HomeCommunity, IdentitySource, WikiActivity


def home_community_name(user_field: str = "user") -> Subquery:
    """An annotation for rows that have a person at `user_field` (e.g. "user", "voter"): the
    name of that person's first home community, or None. Part of the row's own query, so a
    list page costs no extra query for it."""
    return Subquery(
        HomeCommunity.objects.filter(user_id=OuterRef(f"{user_field}_id"))
        .order_by("linked_at", "pk")
        .values("community__name")[:1]
    )


def identities_of(user) -> list[SocialAccount]:
    """Every identity linked to `user`, with its home community and wiki activity."""
    accounts = list(
        SocialAccount.objects.filter(user=user)
        .select_related("home__community", "wiki_activity")
        .order_by("date_joined", "pk")
    )
    for account in accounts:
        account.home_community = getattr(_safe(account, "home"), "community", None)
        account.activity = _safe(account, "wiki_activity")
        account.public_label = identity_name(account)
        try:
            account.provider_name = account.get_provider().name
        except Exception:  # the provider's app was removed
            account.provider_name = account.provider
    return accounts


def identity_name(account: SocialAccount) -> str:
    """The public user name of an identity at its provider (never an email address)."""
    data = account.extra_data or {}
    for source in (data, data.get("userinfo"), data.get("id_token")):
        if isinstance(source, dict):
            for key in ("username", "preferred_username"):
                if source.get(key):
                    return str(source[key])
    return account.uid


def wiki_activity_of(user) -> list[WikiActivity]:
    """What the home wikis said about `user`'s identities, newest first."""
    return list(
        WikiActivity.objects.filter(account__user=user)
        .select_related("account__home__community")
        .order_by("-attempted_at", "pk")
    )


def _safe(obj, attr):
    try:
        return getattr(obj, attr)
    except Exception:  # a missing reverse one-to-one row
        return None


def _netloc(url: str) -> str:
    return urlsplit(url or "").netloc.lower()


def _wiki_name(name: str) -> str:
    """A MediaWiki user name as the wiki stores it: spaces for underscores, one space between
    words, first letter upper case."""
    name = " ".join(name.replace("_", " ").split())
    return name[:1].upper() + name[1:]


def wiki_signers(*, api_url: str, names: Iterable[str]) -> dict[str, object]:
    """The people who signed in here with a MediaWiki account of the wiki at `api_url`, by the
    wiki user name as given in `names` (a discussion's signatures). One query.

    The MediaWiki sign-in is one provider; its wiki is the "mediawiki" identity source's API URL
    (admin), else the API beside the provider's OAuth endpoint. Names match as the wiki compares
    them (underscores are spaces, the first letter is case-insensitive); anonymised and
    deactivated accounts match nobody."""
    configured = IdentitySource.objects.filter(provider="mediawiki").values_list(
        "api_url", flat=True
    )
    identity_api = next(iter(configured), "") or mediawiki.api_url_from_rest(
        settings.SOCIALACCOUNT_PROVIDERS.get("mediawiki", {}).get("REST_API", "")
    )
    if not api_url or _netloc(identity_api) != _netloc(api_url):
        return {}
    wanted: dict[str, list[str]] = {}
    for name in names:
        wanted.setdefault(_wiki_name(name), []).append(name)
    wanted.pop("", None)
    if not wanted:
        return {}
    accounts = SocialAccount.objects.filter(
        provider="mediawiki", extra_data__username__in=list(wanted), user__is_active=True
    ).select_related("user")
    found: dict[str, object] = {}
    for account in accounts.order_by("date_joined", "pk"):
        for name in wanted.get(_wiki_name(str(account.extra_data.get("username", ""))), []):
            found.setdefault(name, account.user)
    return found
