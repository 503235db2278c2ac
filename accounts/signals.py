"""Wiring only: when an identity is added or used, give it its home community."""

from allauth.account.signals import user_signed_up
from allauth.socialaccount.signals import social_account_added, social_account_updated
from django.dispatch import receiver


def _link(sociallogin):
    from .services import link_identity

    if sociallogin is not None and sociallogin.account.pk:
        link_identity(account=sociallogin.account)


@receiver(user_signed_up)
def on_signed_up(sender, request, user, sociallogin=None, **kwargs):
    _link(sociallogin)


@receiver(social_account_added)
def on_identity_added(sender, request, sociallogin, **kwargs):
    _link(sociallogin)


@receiver(social_account_updated)
def on_identity_used(sender, request, sociallogin, **kwargs):
    _link(sociallogin)
