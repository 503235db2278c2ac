"""Linked identities and what Accord learns from them.

allauth owns the accounts and identities (`SocialAccount`); this app adds which community each
identity comes from, the activity fetched from that community's wiki, and the log of
anonymised accounts."""

from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from communities.models import Community


class IdentitySource(models.Model):
    """Which community the people who sign in through one provider come from.

    Without a row here a provider's identities are matched to the community whose home URL has
    the provider's host name (see accounts.services.source_for)."""

    provider = models.CharField(
        _("provider"),
        max_length=100,
        unique=True,
        help_text=_(
            "“mediawiki”, or the provider id of an OpenID Connect app (as in its sign-in URL)."
        ),
    )
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("community")
    )
    api_url = models.URLField(
        _("MediaWiki API URL"),
        blank=True,
        help_text=_("The wiki's action API, e.g. https://en.wikipedia.org/w/api.php."),
    )

    class Meta:
        verbose_name = _("identity source")
        verbose_name_plural = _("identity sources")

    def __str__(self):
        return f"{self.provider} → {self.community}"


class HomeCommunity(models.Model):
    """The community a linked identity comes from (e.g. the wiki of a MediaWiki account).

    `user` repeats `account.user` so pages can load everyone's home communities with one
    prefetch."""

    account = models.OneToOneField(SocialAccount, on_delete=models.CASCADE, related_name="home")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="home_communities"
    )
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["linked_at", "pk"]
        verbose_name = _("home community")
        verbose_name_plural = _("home communities")

    def __str__(self):
        return f"{self.user} from {self.community}"


class WikiActivity(models.Model):
    """What a wiki's API said about a MediaWiki identity, and when.

    A failed fetch keeps the last good figures and records the error, so the profile and the
    eligibility page can say both what is known and why it could not be refreshed."""

    account = models.OneToOneField(
        SocialAccount, on_delete=models.CASCADE, related_name="wiki_activity"
    )
    api_url = models.URLField()
    wiki_username = models.CharField(max_length=255)
    edit_count = models.PositiveIntegerField(null=True, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)
    blocked = models.BooleanField(default=False)
    fetched_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the figures above were fetched.")
    )
    attempted_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("wiki activity")
        verbose_name_plural = _("wiki activity")

    def __str__(self):
        return f"{self.wiki_username} at {self.api_url}"


class Anonymisation(models.Model):
    """The record that an account was anonymised. It holds no personal data: the account row it
    points at has already been scrubbed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="anonymisation"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    requested_by_self = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("anonymisation")
        verbose_name_plural = _("anonymisations")

    def __str__(self):
        return f"Anonymisation of account {self.user_id} at {self.created_at:%Y-%m-%d %H:%M}"
