"""Admin wiring: edit-conflict refusal, the Markdown import screen, deletion guard."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import rules, selectors, services
from .forms import ImportPolicyForm
from .models import PolicyPage, PolicyVersion, SetAsideDraft


@hooks.register("before_publish_page")
def refuse_conflicting_publish(request, page):
    """Wagtail has already saved the editor's text as a draft revision at this point, so
    refusing here loses nothing."""
    if not isinstance(page.specific, PolicyPage):
        return None
    raw = request.POST.get("base_version", "")
    base_version = int(raw) if raw.isdigit() else None
    try:
        services.check_publish_conflict(page=page, base_version=base_version)
    except services.PublishConflict as exc:
        # The refused text must not become the draft the next editor opens and publishes.
        draft = services.set_aside_refused_draft(
            page=page,
            revision=page.get_latest_revision(),
            user=request.user,
            base_version=base_version,
        )
        messages.error(request, exc.messages[0])
        return redirect("policies_set_aside_draft", draft.pk)
    return None


def _version_name(version) -> str:
    """display_name in the editor's language (display_name itself goes into stored logs)."""
    name = _("version %(number)s") % {"number": version.number}
    return name + (f" ({version.label})" if version.label else "")


@hooks.register("after_publish_page")
def report_version(request, page):
    if not isinstance(page.specific, PolicyPage):
        return
    version = PolicyVersion.objects.filter(revision_id=page.live_revision_id).first()
    if version is None:
        messages.info(request, _("The text is identical to the current version: no new version."))
    else:
        messages.success(
            request,
            _("Published %(version)s of “%(title)s”.")
            % {"version": _version_name(version), "title": version.title},
        )


@hooks.register("before_delete_page")
def refuse_deleting_versioned_policy(request, page):
    if isinstance(page.specific, PolicyPage) and PolicyVersion.objects.filter(policy=page).exists():
        messages.error(
            request,
            _(
                "This policy has published versions, which are a public record and cannot be "
                "deleted. Unpublish it instead."
            ),
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


def import_view(request):
    if not rules.can_import_policies(request.user):
        raise PermissionDenied
    bound = request.method == "POST"
    form = ImportPolicyForm(request.POST if bound else None, request.FILES if bound else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        publish = data["then"] == ImportPolicyForm.PUBLISH
        try:
            result = services.import_policy_markdown(
                data=data["file"].read(),
                slug=data["slug"],
                user=request.user,
                summary=data["summary"],
                label=data["label"],
                level=data["level"],
                title=data["title"] or None,
                publish=publish,
            )
        except PermissionDenied:
            form.add_error(
                None,
                _("You may not publish this policy.")
                if publish
                else _("You may not edit this policy."),
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0] if exc.messages else str(exc))
        else:
            _report_import(request, result)
            return redirect("wagtailadmin_pages:edit", result.page.pk)
    return TemplateResponse(request, "policies/admin/import.html", {"form": form})


def _report_import(request, result: services.ImportResult) -> None:
    counts = {"title": result.page.title, "kept": result.matched_keys, "new": result.new_keys}
    if result.draft is not None:
        messages.success(
            request,
            _(
                "Saved as a draft of “%(title)s” (%(kept)s sections kept their identity, "
                "%(new)s new); nothing is published yet. Preview it, correct what needs it, "
                "then publish: your summary is filled in."
            )
            % counts,
        )
        if result.replaced_draft_by:
            messages.warning(
                request,
                _(
                    "The import replaced unpublished changes saved by %(name)s as the working "
                    "draft; they are still in the page's revision history."
                )
                % {"name": result.replaced_draft_by},
            )
    elif result.version is None:
        messages.info(request, _("The file matches the current version; nothing new."))
    else:
        messages.success(
            request,
            _(
                "Published %(version)s of “%(title)s” (%(kept)s sections kept their "
                "identity, %(new)s new)."
            )
            % {**counts, "version": _version_name(result.version)},
        )


def set_aside_draft_view(request, pk):
    """A draft refused for conflict: what it changes, what was published meanwhile, and the
    choice to carry it onto the current text or discard it."""
    draft = get_object_or_404(SetAsideDraft.objects.select_related("page", "author"), pk=pk)
    if not rules.can_resolve_set_aside_draft(request.user, draft):
        raise PermissionDenied
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "carry":
                merge = services.carry_set_aside_draft(draft=draft, user=request.user)
            elif action == "discard":
                services.discard_set_aside_draft(draft=draft, user=request.user)
                messages.success(request, _("The set-aside draft was discarded."))
                return redirect("wagtailadmin_pages:edit", draft.page_id)
            else:
                return HttpResponseBadRequest(_("Choose to carry the draft over or discard it."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("policies_set_aside_draft", draft.pk)
        if merge.conflicts:
            messages.warning(
                request,
                ngettext(
                    "Carried over. %(count)s section was also changed by the new version and "
                    "was left as it is now: copy your wording into it by hand if it still "
                    "applies (it is listed on the set-aside draft's page).",
                    "Carried over. %(count)s sections were also changed by the new version and "
                    "were left as they are now: copy your wording into them by hand if it still "
                    "applies (they are listed on the set-aside draft's page).",
                    len(merge.conflicts),
                )
                % {"count": len(merge.conflicts)},
            )
        elif merge.changes_anything:
            messages.success(
                request,
                _("Your changes are now in the draft: check them, write a summary, and publish."),
            )
        else:
            messages.info(request, _("The set-aside draft changed nothing that is not already in."))
        return redirect("wagtailadmin_pages:edit", draft.page_id)
    return TemplateResponse(
        request,
        "policies/admin/set_aside_draft.html",
        {"review": selectors.set_aside_review(draft), "draft": draft},
    )


@hooks.register("register_admin_urls")
def register_import_url():
    return [
        path("policies/import/", import_view, name="policies_import"),
        path(
            "policies/set-aside-drafts/<int:pk>/",
            set_aside_draft_view,
            name="policies_set_aside_draft",
        ),
    ]


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return rules.can_import_policies(request.user)


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return ImportMenuItem(
        gettext_lazy("Import policy"), reverse("policies_import"), icon_name="upload", order=250
    )


@hooks.register("insert_global_admin_css")
def draft_diff_styles():
    return format_html('<link rel="stylesheet" href="{}">', static("accord/admin-drafts.css"))


@hooks.register("before_bulk_action")
def refuse_bulk_publishing_policies(request, action_type, objects, action_class_instance):
    """Bulk publishing has no place for an edit summary, and a policy version needs one."""
    if action_type != "publish":
        return None
    policies = [o for o in objects if isinstance(getattr(o, "specific", o), PolicyPage)]
    if not policies:
        return None
    messages.error(
        request,
        _(
            "Policies are published one at a time, from their edit page, with an edit summary: "
            "%(titles)s. Nothing was published."
        )
        % {"titles": ", ".join(p.title for p in policies)},
    )
    return redirect("wagtailadmin_explore", policies[0].get_parent().pk)


@hooks.register("register_log_actions")
def register_policy_log_actions(actions):
    actions.register_action(
        services.NAMES_FORGOTTEN,
        gettext_lazy("Forget a name"),
        gettext_lazy("A forgotten person's name replaced on published versions"),
    )
