"""Demo linked identities, built on the services (`manage.py seed_demo`): the demo participants
signed in from their home communities, so names on positions and ballots show where people come
from and tallies can be broken down by community. No wiki is asked for activity (no API URL)."""

from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model

from communities.models import Community

from . import services
from .models import IdentitySource

# provider id → (community slug, [(username, the account's id at the provider)])
IDENTITIES = {
    "mediawiki": ("alder-wiki", [("kim", "demo-1001"), ("lee", "demo-1002")]),
    "demo-oidc": ("birch-translators", [("sam", "demo-sub-3003")]),
}


def seed_identities() -> int:
    User = get_user_model()
    linked = 0
    for provider, (slug, people) in IDENTITIES.items():
        community = Community.objects.get(slug=slug)
        IdentitySource.objects.get_or_create(provider=provider, defaults={"community": community})
        for username, uid in people:
            account, _created = SocialAccount.objects.get_or_create(
                provider=provider,
                uid=uid,
                defaults={
                    "user": User.objects.get(username=username),
                    "extra_data": {"username": username},
                },
            )
            if services.link_identity(account=account) is not None:
                linked += 1
    return linked
