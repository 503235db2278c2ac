"""Reads the profile, the eligibility page and the lists of names share."""

from __future__ import annotations

from allauth.socialaccount.models import SocialAccount
from django.db.models import OuterRef, Subquery

from .models import HomeCommunity, WikiActivity


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
