"""Public policy pages. Thin: parse the URL, ask a selector, render."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import page_cache
from core.views import sign_in_first

from . import credits, links, markdown_io, rules, selectors, services
from .forms import TranslationUploadForm


def _kept(*, per_reader=True, shared=False):
    """Reading pages show published text and are kept (core.page_cache) until the public state
    moves; never a page behind a Wagtail view restriction (a password or a group), which is
    looked for only while some page has one."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, page, *args, **kwargs):
            page_cache.begin(request)
            response = view(request, page, *args, **kwargs)
            restricted = page_cache.state_value(request, "policies.restricted")
            if restricted is None or not page.get_view_restrictions().exists():
                page_cache.keep(request, response, per_reader=per_reader, shared=shared)
            return response

        return wrapper

    return decorate


def _page_context(page, **extra):
    return {"page": page, "self": page, **extra}


def _policy_page(request, page, version, **extra):
    """The policy page for one version; later apps add their links under it (policies.links)."""
    context = _page_context(
        page,
        view=selectors.version_view(version) if version else None,
        links=links.links_for(page, version, place="policy") if version else [],
        **extra,
    )
    if version is not None:
        context["translations"] = selectors.language_statuses(version)
    return TemplateResponse(request, "policies/policy_page.html", context)


@_kept()
def policy_current(request, page):
    return _policy_page(request, page, selectors.current_version(page), is_current=True)


@_kept()
def version_detail(request, page, number):
    version = selectors.get_version(page, number, with_latest=True)
    latest = version.latest_number
    return _policy_page(
        request, page, version, is_current=version.number == latest, latest_number=latest
    )


def version_history(request, page):
    versions = selectors.version_history(page)
    found = credits.credits_for([v.pk for v in versions])
    for version in versions:
        version.credits = found.get(version.pk, [])
        version.links = links.links_for(page, version, place="history")
    return TemplateResponse(
        request, "policies/version_history.html", _page_context(page, versions=versions)
    )


@_kept(per_reader=False, shared=True)
def version_download(request, page, number, fmt):
    version = selectors.get_version(page, number)
    sections = selectors.export_sections(version)
    if fmt == "markdown":
        front_matter = {
            "title": version.title,
            "version": version.number,
            "label": version.label,
            "published": version.created_at.isoformat(),
            "sha256": version.content_hash,
        }
        text = markdown_io.to_markdown(version.title, sections, front_matter=front_matter)
        extension = "md"
        content_type = "text/markdown; charset=utf-8"
    else:
        text = markdown_io.to_wikitext(version.title, sections)
        extension = "wiki"
        content_type = "text/plain; charset=utf-8"
    response = HttpResponse(text, content_type=content_type)
    filename = f"{page.slug}-v{version.number}.{extension}"
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Last-Modified"] = http_date(version.created_at.timestamp())
    return response


def compare_picker(request, page):
    """The history page's compare form submits here with ?a=&b=; send it to the stable URL."""
    try:
        a, b = int(request.GET["a"]), int(request.GET["b"])
    except (KeyError, ValueError):
        return redirect(page.url + "versions/")
    if a > b:
        a, b = b, a
    return redirect(f"{page.url}compare/{a}/{b}/")


@_kept()
def compare(request, page, a, b):
    if a == b:
        raise Http404("Pick two different versions to compare.")
    if max(a, b) > 2**63 - 1:  # no such version, and SQLite fails on an IN lookup this big
        raise Http404("No such version.")
    # ?view= is part of the address, so each layout is kept apart by core.page_cache.
    layout = request.GET.get("view")
    if layout not in ("side", "rendered"):
        layout = "inline"
    comparison = selectors.compare_versions(page, a, b, rendered=layout == "rendered")
    return TemplateResponse(
        request,
        "policies/compare.html",
        _page_context(page, comparison=comparison, layout=layout),
    )


@_kept()
def translation_detail(request, page, code):
    """A translation for readers: its text in its own language and direction, with a banner
    and, per section, the source changes it does not reflect yet."""
    view = selectors.translation_view(page, code)
    return TemplateResponse(
        request,
        "policies/translation.html",
        _page_context(page, view=view, code=code, source_language=settings.LANGUAGE_CODE),
    )


def translation_todo(request, page, *, upload_form=None, status=200):
    """For translators: per language, what is missing or outdated in the current version,
    section by section, with the source diff to carry over; and the form to upload a file."""
    version = selectors.current_version(page)
    if version is None:
        raise Http404("This policy has no published version.")
    statuses = selectors.language_statuses(version, with_rows=True)
    can_translate = rules.can_translate_policy(request.user, page)
    if can_translate and upload_form is None:
        upload_form = TranslationUploadForm(
            languages=selectors.translation_languages(), initial={"version": version.number}
        )
    return TemplateResponse(
        request,
        "policies/translation_todo.html",
        _page_context(
            page,
            version=version,
            statuses=statuses,
            source_language=settings.LANGUAGE_CODE,
            upload_form=upload_form if can_translate else None,
        ),
        status=status,
    )


@require_POST
def translation_upload(request, page):
    """Import an uploaded translation (policies.services.import_translation_markdown): on
    success the translation's page; otherwise the to-do page with the form's errors, and
    nothing written."""
    if not request.user.is_authenticated:
        return sign_in_first(request, f"{page.url}translations/")
    if not rules.can_translate_policy(request.user, page):
        raise PermissionDenied(_("Only translators and the policy's editors may upload."))
    form = TranslationUploadForm(
        request.POST, request.FILES, languages=selectors.translation_languages()
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            translation = services.import_translation_markdown(
                data=data["file"].read(),
                slug=page.slug,
                version_number=data["version"],
                language_code=data["language"],
                user=request.user,
                note=data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Imported the %(language)s translation of version %(number)s.")
                % {
                    "language": translation.locale.get_display_name(),
                    "number": translation.source_version.number,
                },
            )
            return redirect(f"{page.url}translations/{data['language']}/")
    return translation_todo(request, page, upload_form=form, status=400)
