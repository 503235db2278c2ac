"""The profile: linked identities, home communities, wiki activity; and account deletion."""

from functools import wraps
from urllib.parse import urlsplit

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.mediawiki.views import MediaWikiOAuth2Adapter
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import rules, selectors, services
from .forms import DeleteAccountForm


def provider_origins(request) -> list[str]:
    """Origins of the sign-in pages of every configured provider. Pages with "Sign in with …"
    buttons add them to the CSP form-action: the button posts here and is redirected there,
    and browsers check form-action on that redirect too."""
    origins = set()
    for provider in get_social_adapter(request).list_providers(request):
        app_settings = getattr(provider.app, "settings", None) or {}
        if provider.id == "mediawiki":
            url = MediaWikiOAuth2Adapter.authorize_url
        else:
            # An OpenID Connect server may sign people in on another host than its discovery
            # document's: the app setting "authorize_origin" says so.
            url = app_settings.get("authorize_origin") or app_settings.get("server_url", "")
        parts = urlsplit(url or "")
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


def allow_provider_forms(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        origins = provider_origins(request)
        if origins:
            response._csp_update = {"form-action": origins}
        return response

    return wrapped


@allow_provider_forms
@login_required
def profile(request):
    return TemplateResponse(
        request,
        "accounts/profile.html",
        {"identities": selectors.identities_of(request.user)},
    )


@login_required
@require_POST
def refresh_activity(request, pk):
    account = get_object_or_404(SocialAccount, pk=pk)
    if not rules.can_refresh_identity(request.user, account):
        raise Http404  # the same answer as for an identity that does not exist
    activity = services.refresh_wiki_activity(account=account, use_cache=False)
    if activity is None:
        messages.info(request, _("There is no wiki activity to fetch for this identity."))
    elif activity.error:
        messages.error(
            request,
            _("Your wiki activity could not be refreshed: %(error)s") % {"error": activity.error},
        )
    else:
        messages.success(request, _("Your wiki activity was refreshed."))
    target = request.POST.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        target = "/accounts/profile/"
    return HttpResponseRedirect(target)


@login_required
def delete_account(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.anonymise_user(user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            logout(request)
            get_account_adapter(request).add_message(
                request,
                messages.SUCCESS,
                message=_(
                    "Your account was deleted. What you wrote stays, shown as by a former "
                    "participant."
                ),
            )
            return redirect("/")
    return TemplateResponse(request, "accounts/delete.html", {"form": form})
