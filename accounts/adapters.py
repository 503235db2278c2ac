"""allauth hooks: the few places Accord's rules differ from allauth's defaults."""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base.constants import AuthError
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _

from .naming import ANONYMOUS_PREFIX

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    def pre_login(self, request, user, **kwargs):
        if not kwargs.get("signup"):
            from .services import adopt_trusted_email

            adopt_trusted_email(user=user)
        return super().pre_login(request, user, **kwargs)

    def clean_username(self, username, shallow=False):
        # Anonymised accounts are named former-participant-<id>; nobody may pose as one.
        if (username or "").lower().startswith(ANONYMOUS_PREFIX):
            raise ValidationError(
                _("Usernames starting with “%s” are reserved.") % ANONYMOUS_PREFIX
            )
        return super().clean_username(username, shallow=shallow)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request, sociallogin):
        """A first sign-in whose email address belongs to another Accord account stops here
        with a clear page, before anything is written. (allauth would otherwise pretend to
        send a verification email, to hide which addresses are registered; the person signing
        in has just shown the provider that the address is theirs, so saying it is already
        used tells them nothing new, and the owner is not contacted.)"""
        super().pre_social_login(request, sociallogin)
        if sociallogin.is_existing or (sociallogin.state or {}).get("process") == "connect":
            return
        emails = [e.email for e in sociallogin.email_addresses if e.email]
        if not emails:
            return
        taken = any(
            EmailAddress.objects.filter(email__iexact=email).exists()
            or get_user_model().objects.filter(email__iexact=email).exists()
            for email in emails
        )
        if taken:
            provider = sociallogin.account.get_provider()
            raise ImmediateHttpResponse(
                render(
                    request,
                    "socialaccount/email_taken.html",
                    {"provider_name": provider.name},
                    status=409,
                )
            )

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ):
        """Say in plain words why a sign-in with another account failed. Nothing has been
        written by then: allauth creates accounts only after a successful answer."""
        name = getattr(provider, "name", "") or _("The provider")
        if extra_context is not None:
            if "callback_view" in extra_context and "state" not in extra_context:
                reason = _(
                    "This answer from %(name)s does not match a sign-in started here: it may "
                    "have expired, or come from another browser tab or site. Please start again."
                )
            elif error == AuthError.DENIED:
                reason = _("%(name)s refused to sign you in.")
            elif exception is not None:
                reason = _(
                    "%(name)s could not be reached or did not confirm who you are. Please try "
                    "again later."
                )
            else:
                reason = _("%(name)s reported a problem and did not sign you in.")
            extra_context["reason"] = reason % {"name": name}
        logger.info("Sign-in with %s failed: %s %r", getattr(provider, "id", "?"), error, exception)
        return super().on_authentication_error(
            request, provider, error=error, exception=exception, extra_context=extra_context
        )

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        # A provider's display name is not needed here, and every stored name is one more
        # thing to anonymise later: keep the username only.
        user.first_name = ""
        user.last_name = ""
        if (user.username or "").lower().startswith(ANONYMOUS_PREFIX):
            user.username = ""  # allauth then derives a fresh, valid one
        return user
