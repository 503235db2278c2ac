"""Publishing a community's text to its wiki, and acknowledging a change on the wiki. Thin:
rules, wiki_services. A wiki that fails is explained on the page, never a 500."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.mediawiki_api import WikiApiError, WikiPageMissing
from core.views import add_errors, error_text

from . import rules, selectors, wiki_services
from .forms import AcknowledgeForm, PublishForm
from .models import Adoption, WikiPublication
from .views import _adoption_or_404, _policy


def _scope(request, slug, policy_slug, rule):
    community = selectors.get_community(slug)
    policy = _policy(policy_slug)
    if not rule(request.user, community):
        raise PermissionDenied
    return community, policy, _adoption_or_404(community, policy)


def _look_up(api_url: str, title: str):
    """(current revision or None, error message or "") of a page, for the publish form."""
    try:
        return wiki_services.interactive_client(api_url).fetch_page(title), ""
    except WikiPageMissing:
        return None, ""
    except WikiApiError as exc:
        return None, str(exc)


def _int_or_none(value) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


@require_http_methods(["GET", "POST"])
def publish(request, slug, policy_slug):
    """Step 1 looks the page up on the wiki (its current revision becomes the base of the
    edit); step 2 publishes. A changed title is looked up again before anything is saved."""
    community, policy, adoption = _scope(request, slug, policy_slug, rules.can_publish_to_wiki)
    api_url = adoption.wiki_api_url or wiki_services.default_api_url(community)
    adopting = adoption.status in Adoption.ADOPTING
    source = WikiPublication.Source.EFFECTIVE if adopting else WikiPublication.Source.BASELINE
    form = PublishForm(
        request.POST if request.method == "POST" else None,
        adopting=adopting,
        initial={"page_title": adoption.wiki_page, "source": source},
    )
    status = 200
    title = adoption.wiki_page
    if form.is_bound:
        title = " ".join(request.POST.get("page_title", "").split())
        if form.is_valid():
            source = form.cleaned_data["source"]
            if "publish" in request.POST and request.POST.get("looked_up") == title:
                try:
                    publication = wiki_services.publish_to_wiki(
                        adoption=adoption,
                        user=request.user,
                        page_title=title,
                        source=source,
                        base_revision=_int_or_none(request.POST.get("base_revision")),
                        base_timestamp=request.POST.get("base_timestamp", "")[:40],
                        api_url=api_url,
                    )
                except ValidationError as exc:
                    add_errors(form, exc)
                    status = 400
                else:
                    messages.success(
                        request,
                        _("Published to “%(title)s” on the wiki (revision %(revision)s).")
                        % {"title": publication.page_title, "revision": publication.revision_id},
                    )
                    return redirect(f"/communities/{community.slug}/#policy-{policy.slug}")
        else:
            status = 400
    current, lookup_error = None, ""
    if title and api_url:
        current, lookup_error = _look_up(api_url, title)
    preview = ""
    if adoption.version is not None:
        preview = wiki_services.publication_text(adoption, source)[0]
    return TemplateResponse(
        request,
        "communities/wiki_publish.html",
        {
            "community": community,
            "policy": policy,
            "adoption": adoption,
            "form": form,
            "api_url": api_url,
            "token": wiki_services.wiki_token_of(request.user),
            "title": title,
            "current": current,
            "current_url": wiki_services.page_url(api_url, revision=current.revision_id)
            if current
            else "",
            "base_timestamp": current.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")
            if current and current.timestamp
            else "",
            "lookup_error": lookup_error,
            "looked_up": title if title and api_url and not lookup_error else "",
            "preview": preview,
        },
        status=status,
    )


@require_http_methods(["POST"])
def acknowledge(request, slug, policy_slug):
    community, policy, adoption = _scope(
        request, slug, policy_slug, rules.can_acknowledge_wiki_copy
    )
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            wiki_services.acknowledge_wiki_copy(
                adoption=adoption,
                user=request.user,
                revision_id=form.cleaned_data["revision"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request,
                _("The wiki's revision %(revision)s is acknowledged as agreed.")
                % {"revision": form.cleaned_data["revision"]},
            )
    else:
        messages.error(request, _("Say briefly how the change was agreed."))
    return redirect(f"/communities/{community.slug}/#policy-{policy.slug}")
