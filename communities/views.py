"""Community pages, declarations and the adoption dashboard. Thin: rules, services, selectors."""

import csv

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.html import escape, format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.exports import spreadsheet_safe
from core.views import add_errors, error_text
from policies import markdown_io
from policies import selectors as policy_selectors
from policies.models import PolicyPage

from . import rules, selectors, services
from .forms import DeclarationForm, MappingForm, OverrideForm, RebaseForm
from .models import Adoption, Community, SectionOverride
from .placeholders import declaration_field_for


def _submit(request, form, action, *, success: str, community: Community):
    """Call `action(cleaned_data)` for a valid form. Returns the redirect on success, None when
    the form (now carrying the errors) must be shown again."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(f"/communities/{community.slug}/")
    return None


def _policy(slug) -> PolicyPage:
    policy = PolicyPage.objects.filter(slug=slug).first()
    if policy is None:
        raise Http404("No such policy.")
    return policy


def _shown_policy(request) -> tuple[PolicyPage | None, list[PolicyPage], bool]:
    """The policy a registry page or export shows: the one asked for (`?policy=`), otherwise
    the site's baseline policy (chosen by editors in the admin), otherwise the first by title.
    Also every policy that can be chosen, and whether the one shown is the baseline."""
    policies = selectors.policies_with_versions()
    baseline_id = policy_selectors.baseline_policy_id()
    asked = request.GET.get("policy")
    policy = (
        next((p for p in policies if p.slug == asked), None)
        or next((p for p in policies if p.pk == baseline_id), None)
        or (policies[0] if policies else None)
    )
    return policy, policies, policy is not None and policy.pk == baseline_id


def community_list(request):
    policy, policies, is_baseline = _shown_policy(request)
    rows, languages = selectors.community_list(
        q=request.GET.get("q", "").strip()[:100],
        language=request.GET.get("language", ""),
        kind=request.GET.get("kind", ""),
        status=request.GET.get("status", ""),
        policy=policy,
    )
    return TemplateResponse(
        request,
        "communities/list.html",
        {
            "rows": rows,
            "languages": languages,
            "kinds": Community.Kind.choices,
            "statuses": Adoption.Status.choices,
            "policies": policies,
            "policy": policy,
            "is_baseline": is_baseline,
            "params": request.GET,
        },
    )


def community_detail(request, slug):
    community = selectors.get_community(slug)
    return TemplateResponse(
        request,
        "communities/detail.html",
        {
            "community": community,
            "cards": selectors.community_page(community),
            "can_declare": rules.can_declare(request.user, community),
        },
    )


def _declarer_scope(request, slug, policy_slug) -> tuple[Community, PolicyPage]:
    """The community and policy a declaring view acts on, once the user may declare for it."""
    community = selectors.get_community(slug)
    policy = _policy(policy_slug)
    if not rules.can_declare(request.user, community):
        raise PermissionDenied
    return community, policy


def _adoption_or_404(community, policy) -> Adoption:
    adoption = (
        Adoption.objects.filter(community=community, policy=policy)
        .select_related("version")
        .first()
    )
    if adoption is None:
        raise Http404("This community has not declared anything for that policy yet.")
    return adoption


@require_http_methods(["GET", "POST"])
def declare(request, slug, policy_slug):
    community, policy = _declarer_scope(request, slug, policy_slug)
    versions = list(policy_selectors.versions_newest_first(policy))
    if not versions:
        raise Http404("That policy has no published version.")
    adoption = Adoption.objects.filter(community=community, policy=policy).first()
    declared = adoption is not None and adoption.status != Adoption.Status.UNDECLARED
    # A first declaration defaults to the latest version, decided today; a recorded one shows
    # what it says (the page's script moves both to latest/today when the status changes).
    pinned = adoption.version if declared and adoption.version else versions[0]
    today = timezone.localdate()
    placeholders = []
    for s in pinned.sections.all():
        for p in markdown_io.find_placeholders(s.body):
            if p not in placeholders:
                placeholders.append(p)
    initial = {
        "status": adoption.status if declared else Adoption.Status.ADOPTED,
        "version": pinned.number,
        "decided_on": (adoption.decided_on if declared else None) or today,
    }
    if adoption:
        for field in (
            "evidence_url",
            "rationale",
            "enforcement_body",
            "report_contact",
            "appeal_process",
            "equivalent_title",
            "equivalent_url",
            "wiki_page",
            "wiki_api_url",
        ):
            initial[field] = getattr(adoption, field)
        for i, p in enumerate(placeholders):
            initial[f"param_{i}"] = adoption.parameters.get(p, "")
            # Declared before the contact was asked once: its placeholder's value is the answer.
            field = declaration_field_for(p)
            if field and not initial.get(field):
                initial[field] = adoption.parameters.get(p, "")
    form = DeclarationForm(
        request.POST if request.method == "POST" else None,
        versions=versions,
        placeholders=placeholders,
        initial=initial,
    )

    def declare_with(data):
        version = next(v for v in versions if v.number == data["version"])
        version_placeholders = {
            p for s in version.sections.all() for p in markdown_io.find_placeholders(s.body)
        }
        services.declare_adoption(
            community=community,
            policy=policy,
            user=request.user,
            status=data["status"],
            version=version,
            decided_on=data["decided_on"],
            evidence_url=data["evidence_url"],
            rationale=data["rationale"],
            enforcement_body=data["enforcement_body"],
            report_contact=data["report_contact"],
            appeal_process=data["appeal_process"],
            parameters={k: v for k, v in form.parameters().items() if k in version_placeholders},
            equivalent_title=data["equivalent_title"],
            equivalent_url=data["equivalent_url"],
            wiki_page=data["wiki_page"],
            wiki_api_url=data["wiki_api_url"],
        )

    status = 200
    if request.method == "POST":
        response = _submit(
            request, form, declare_with, success=_("Declaration recorded."), community=community
        )
        if response:
            return response
        status = 400
    return TemplateResponse(
        request,
        "communities/declare.html",
        {
            "community": community,
            "policy": policy,
            "form": form,
            "placeholders": placeholders,
            "latest": versions[0],
            "today": today,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def override(request, slug, policy_slug):
    community, policy = _declarer_scope(request, slug, policy_slug)
    adoption = _adoption_or_404(community, policy)
    if adoption.version is None:
        raise Http404
    sections = list(adoption.version.sections.all())
    if request.method == "POST" and request.POST.get("remove"):
        target = SectionOverride.objects.filter(
            adoption=adoption, section_key=request.POST["remove"].replace("\x00", "")
        ).first()
        if target:
            services.remove_override(override=target, user=request.user)
            messages.success(request, _("Override removed; the baseline text applies again."))
        return redirect(f"/communities/{community.slug}/")
    # PostgreSQL refuses NUL characters in a query; no section key has one.
    key = (request.GET.get("section") or request.POST.get("section_key") or "").replace("\x00", "")
    existing = (
        SectionOverride.objects.filter(adoption=adoption, section_key=key).first() if key else None
    )
    initial = {"section_key": key, "action": "replace"}
    if existing:
        initial.update(action=existing.action, text=existing.text, rationale=existing.rationale)
    elif key:
        # The replacement starts from the baseline's text at the pinned version.
        base = next((s for s in sections if s.key == key), None)
        initial["text"] = base.body if base else ""
    form = OverrideForm(
        request.POST if request.method == "POST" else None, sections=sections, initial=initial
    )
    overridden = set(adoption.overrides.values_list("section_key", flat=True))
    status = 200
    if request.method == "POST":
        response = _submit(
            request,
            form,
            lambda data: services.set_override(adoption=adoption, user=request.user, **data),
            success=_("Override saved."),
            community=community,
        )
        if response:
            return response
        status = 400
    return TemplateResponse(
        request,
        "communities/override.html",
        {
            "community": community,
            "policy": policy,
            "adoption": adoption,
            "form": form,
            # No section chosen yet: a list of sections to choose from, each opening the form
            # with its baseline text (without a script, a select could not refill the text).
            "choosing": request.method == "GET" and not key,
            "sections": [(s, s.key in overridden) for s in sections],
            "baseline_bodies": {s.key: s.body for s in sections},
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def rebase(request, slug, policy_slug, key):
    community, policy = _declarer_scope(request, slug, policy_slug)
    adoption = _adoption_or_404(community, policy)
    target = (
        SectionOverride.objects.filter(adoption=adoption, section_key=key)
        .select_related("based_on")
        .first()
    )
    if target is None:
        raise Http404("No override on that section.")
    latest = policy_selectors.latest_version(policy)
    new_section = latest.sections.filter(key=key).first()
    diff = None
    if new_section:
        diff = selectors.policy_selectors.body_diff(
            target.based_on.body, target.based_on.body_hash, new_section.body, new_section.body_hash
        )
    form = RebaseForm(
        request.POST if request.method == "POST" else None,
        initial={"action": target.action, "text": target.text},
    )
    status = 200
    if request.method == "POST":
        response = _submit(
            request,
            form,
            lambda data: services.rebase_override(
                override=target, user=request.user, action=data["action"], text=data["text"]
            ),
            success=_("Override confirmed against version %(number)s.") % {"number": latest.number},
            community=community,
        )
        if response:
            return response
        status = 400
    return TemplateResponse(
        request,
        "communities/rebase.html",
        {
            "community": community,
            "policy": policy,
            "override": target,
            "latest": latest,
            "new_section": new_section,
            "diff": diff,
            "form": form,
        },
        status=status,
    )


@require_http_methods(["POST"])
def upgrade(request, slug, policy_slug):
    community, policy = _declarer_scope(request, slug, policy_slug)
    adoption = _adoption_or_404(community, policy)
    adoption = services.upgrade_adoption(adoption=adoption, user=request.user)
    messages.success(
        request, _("Now pinned to version %(number)s.") % {"number": adoption.version.number}
    )
    return redirect(f"/communities/{community.slug}/")


@require_http_methods(["GET", "POST"])
def mapping(request, slug, policy_slug):
    community, policy = _declarer_scope(request, slug, policy_slug)
    adoption = _adoption_or_404(community, policy)
    if adoption.version is None:
        raise Http404
    sections = list(adoption.version.sections.all())
    current = {m.section_key: m for m in adoption.mappings.all()}
    forms = [
        (
            s,
            MappingForm(
                request.POST if request.method == "POST" else None,
                prefix=f"m-{s.key}",
                initial={
                    "coverage": current[s.key].coverage if s.key in current else "",
                    "note": current[s.key].note if s.key in current else "",
                },
            ),
        )
        for s in sections
    ]
    status = 200
    if request.method == "POST":
        if all(f.is_valid() for _section, f in forms):
            try:
                services.set_mappings(
                    adoption=adoption,
                    user=request.user,
                    mappings=[{"section_key": s.key, **f.cleaned_data} for s, f in forms],
                )
            except ValidationError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _("Coverage saved."))
                return redirect(f"/communities/{community.slug}/")
        status = 400
    return TemplateResponse(
        request,
        "communities/mapping.html",
        {"community": community, "policy": policy, "forms": forms},
        status=status,
    )


def effective(request, slug, policy_slug):
    community = selectors.get_community(slug)
    policy = _policy(policy_slug)
    adoption = _adoption_or_404(community, policy)
    return TemplateResponse(
        request,
        "communities/effective.html",
        {"community": community, "policy": policy, **selectors.effective_text(adoption)},
    )


def effective_download(request, slug, policy_slug, fmt):
    if fmt not in ("md", "wiki"):
        raise Http404("Markdown (.md) or wikitext (.wiki).")
    community = selectors.get_community(slug)
    policy = _policy(policy_slug)
    adoption = _adoption_or_404(community, policy)
    sections = selectors.effective_sections(adoption)
    title = f"{adoption.version.title} ({community.name})"
    if fmt == "md":
        text = markdown_io.to_markdown(
            title,
            sections,
            front_matter={
                "title": title,
                "community": community.slug,
                "baseline_version": adoption.version.number,
                "baseline_sha256": adoption.version.content_hash,
            },
        )
        content_type = "text/markdown; charset=utf-8"
    else:
        text = markdown_io.to_wikitext(title, sections)
        content_type = "text/plain; charset=utf-8"
    response = HttpResponse(text, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{community.slug}-{policy.slug}.{fmt}"'
    return response


# --- dashboard, exports, badge ---------------------------------------------------------------


def _dashboard_table(rows) -> str:
    """A thousand table rows through the template engine cost ~10x more than format_html;
    every value is still escaped."""
    return format_html_join(
        "\n",
        '<tr><td><a href="/communities/{}/">{}</a></td>'
        "<td>{}{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                r.community.slug,
                r.community.name,
                r.status_label,
                format_html(
                    ' <strong class="wiki-drift">{}</strong>',
                    _("Wiki copy %(state)s") % {"state": r.wiki_copy_label},
                )
                if r.wiki_copy
                else "",
                r.version_number or "—",
                r.versions_behind,
                _("%(stale)s of %(overrides)s") % {"stale": r.stale, "overrides": r.overrides}
                if r.overrides
                else r.stale,
            )
            for r in rows
        ),
    )


def adoption_dashboard(request):
    policy, policies, is_baseline = _shown_policy(request)
    data = selectors.dashboard(policy, sort=request.GET.get("sort", "name")) if policy else None
    return TemplateResponse(
        request,
        "communities/dashboard.html",
        {
            "data": data,
            "table_rows": _dashboard_table(data["rows"]) if data else "",
            "policies": policies,
            "policy": policy,
            "is_baseline": is_baseline,
            "sort": request.GET.get("sort", "name"),
        },
    )


def _export_rows(request):
    policy, _policies, _baseline = _shown_policy(request)
    if policy is None:
        return None, []
    data = selectors.dashboard(policy)
    return policy, [
        {
            "community": r.community.slug,
            "name": r.community.name,
            "kind": r.community.kind,
            "language": r.community.language,
            "policy": policy.slug,
            "status": r.status,
            "pinned_version": r.version_number,
            "latest_version": data["latest"],
            "versions_behind": r.versions_behind,
            "overrides": r.overrides,
            "stale_overrides": r.stale,
        }
        for r in data["rows"]
    ]


def export_csv(request):
    policy, rows = _export_rows(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="adoption.csv"'
    columns = [
        "community",
        "name",
        "kind",
        "language",
        "policy",
        "status",
        "pinned_version",
        "latest_version",
        "versions_behind",
        "overrides",
        "stale_overrides",
    ]
    writer = csv.DictWriter(response, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})
    return response


def export_json(request):
    policy, rows = _export_rows(request)
    return JsonResponse(
        {
            "policy": policy.slug if policy else None,
            "policy_title": policy.title if policy else None,
            "communities": rows,
        },
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )


BADGE_COLOURS = {
    "adopted": "#2e7d32",
    "adopted_with_overrides": "#558b2f",
    "own_equivalent": "#1565c0",
    "opted_out": "#6d4c41",
    "under_discussion": "#f9a825",
    "undeclared": "#757575",
}


def badge(request, community_slug, policy_slug):
    community = Community.objects.filter(slug=community_slug).first()
    policy = PolicyPage.objects.filter(slug=policy_slug).first()
    if community is None or policy is None:
        raise Http404
    adoption = (
        Adoption.objects.filter(community=community, policy=policy)
        .select_related("version")
        .first()
    )
    status = adoption.status if adoption else Adoption.Status.UNDECLARED
    # A badge is embedded on other sites, for every reader alike: it keeps the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        label = str(Adoption.Status(status).label)
    if adoption and adoption.version and status in Adoption.ADOPTING:
        label += f" v{adoption.version.number}"
    left, right = "code of conduct", label
    lw, rw = 6.5 * len(left) + 12, 6.5 * len(right) + 12
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{lw + rw:.0f}" height="20" role="img" '
        f'aria-label="{escape(left)}: {escape(right)}">'
        f"<title>{escape(left)}: {escape(right)}</title>"
        f'<rect width="{lw:.0f}" height="20" fill="#555"/>'
        f'<rect x="{lw:.0f}" width="{rw:.0f}" height="20" fill="{BADGE_COLOURS[status]}"/>'
        f'<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="6" y="14">{escape(left)}</text>'
        f'<text x="{lw + 6:.0f}" y="14">{escape(right)}</text></g></svg>'
    )
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=300"
    return response
