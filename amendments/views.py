"""Amendment actions posted to the consultation page, and the merge page. Thin: parse input,
ask rules, call a service or selector, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from consultations import selectors as consultation_selectors
from consultations.models import WHOLE_TEXT
from consultations.views import _fail, _load, _section_url
from core.views import error_text, form_message, refusal_text, sign_in_first
from policies import selectors as policy_selectors

from . import rules, selectors, services
from .forms import AmendmentActionForm, AmendmentForm, DecideAmendmentForm, PublishMergeForm
from .models import Amendment

_AMENDMENT_TARGETS = ("amend-", "revise-", "withdraw-", "decide-", "position-amendment-")


def _errors_without_a_form(context) -> None:
    """An amendment action can fail after its form has left the page (the amendment was
    decided meanwhile, or the post named an unknown section): show that error at the top."""
    errors = context["errors"]
    if not errors:
        return
    user = context["request_user"]
    rendered = set()
    for s in context["data"]["sections"]:
        amendment = s.focus.amendment if s.focus else None
        proposed = amendment is None or amendment.state == Amendment.State.PROPOSED
        if context["can_take_position"] and proposed:
            rendered.add(f"position-{s.key}")
        if amendment is None and s.key != WHOLE_TEXT and context["can_take_position"]:
            rendered.add(f"amend-{s.key}")
        if amendment is not None and proposed:
            if amendment.author_id == user.pk:
                rendered.add(f"withdraw-{amendment.pk}")
                if context["consultation"].is_open:
                    rendered.add(f"revise-{amendment.pk}")
            if context["can_manage"]:
                rendered.add(f"decide-{amendment.pk}")
    for target, error in list(errors.items()):
        if target.startswith(_AMENDMENT_TARGETS) and target not in rendered:
            errors["page"] = error


def detail_context(request, consultation, context) -> None:
    """What the consultation page needs for its amendments: the kinds to choose from, whether
    the facilitator tools link to merging, and errors of forms no longer on the page."""
    context["amendment_kinds"] = Amendment.Kind.choices
    context["has_mergeable"] = rules.can_merge_into_policy(request.user, consultation) and any(
        av.amendment.state in Amendment.MERGEABLE
        for s in context["data"]["sections"]
        for av in s.extras.get("amendments", [])
    )
    _errors_without_a_form(context)


def _amendment_url(consultation, amendment: Amendment) -> str:
    """Where an action on an amendment lands: the amendment itself, on its own page."""
    return f"{_section_url(consultation, amendment.key)}#amendment-{amendment.pk}"


def _amendment(consultation, form) -> Amendment | None:
    return Amendment.objects.filter(
        pk=form.cleaned_data["amendment"], consultation=consultation
    ).first()


def post_amend(request, consultation, fail=_fail):
    """Propose an amendment; `fail(request, consultation, target, message, form)` shows an
    error (the consultation page, or the section's proposing page)."""
    form = AmendmentForm(request.POST)
    target = f"amend-{request.POST.get('section_key', '')}"
    if not form.is_valid():
        return fail(request, consultation, target, form_message(form), form)
    data = form.cleaned_data
    try:
        amendment = services.propose_amendment(
            consultation=consultation,
            user=request.user,
            section_key=data["section_key"],
            kind=data["kind"],
            heading=data["heading"],
            text=data["text"],
            rationale=data["rationale"],
        )
    except (PermissionDenied, ValidationError) as exc:
        return fail(request, consultation, target, refusal_text(exc), form)
    messages.success(request, _("Your amendment is proposed; others can now weigh it."))
    return redirect(_amendment_url(consultation, amendment))


def post_amend_revise(request, consultation):
    action = AmendmentActionForm(request.POST)
    form = AmendmentForm(request.POST)
    target = f"revise-{request.POST.get('amendment', '')}"
    if not (action.is_valid() and form.is_valid()):
        return _fail(
            request, consultation, target, form_message(action) or form_message(form), form
        )
    amendment = _amendment(consultation, action)
    if amendment is None:
        return _fail(request, consultation, target, _("That amendment does not exist."), form)
    data = form.cleaned_data
    try:
        services.revise_amendment(
            amendment=amendment,
            user=request.user,
            kind=data["kind"],
            heading=data["heading"],
            text=data["text"],
            rationale=data["rationale"],
        )
    except (PermissionDenied, ValidationError) as exc:
        return _fail(request, consultation, target, refusal_text(exc), form)
    messages.success(request, _("Your amendment is revised; the earlier wording stays visible."))
    return redirect(_amendment_url(consultation, amendment))


def post_amend_withdraw(request, consultation):
    action = AmendmentActionForm(request.POST)
    target = f"withdraw-{request.POST.get('amendment', '')}"
    amendment = _amendment(consultation, action) if action.is_valid() else None
    if amendment is None:
        return _fail(request, consultation, target, _("That amendment does not exist."))
    try:
        services.withdraw_amendment(amendment=amendment, user=request.user)
    except (PermissionDenied, ValidationError) as exc:
        return _fail(request, consultation, target, refusal_text(exc))
    messages.success(request, _("Your amendment is withdrawn."))
    return redirect(_amendment_url(consultation, amendment))


def post_amend_decide(request, consultation):
    form = DecideAmendmentForm(request.POST)
    target = f"decide-{request.POST.get('amendment', '')}"
    if not form.is_valid():
        message = (
            _("Give a public reason for the decision.")
            if "reason" in form.errors
            else _("Accept, partly accept or reject an existing amendment.")
        )
        return _fail(request, consultation, target, message, form)
    amendment = _amendment(consultation, form)
    if amendment is None:
        return _fail(request, consultation, target, _("That amendment does not exist."), form)
    try:
        services.decide_amendment(
            amendment=amendment,
            user=request.user,
            state=form.cleaned_data["state"],
            reason=form.cleaned_data["reason"],
        )
    except (PermissionDenied, ValidationError) as exc:
        return _fail(request, consultation, target, refusal_text(exc), form)
    messages.success(request, _("Decision recorded; the reason is public."))
    return redirect(_amendment_url(consultation, amendment))


def _propose_page(request, consultation, section, *, status=200, errors=None):
    return TemplateResponse(
        request,
        "amendments/propose.html",
        {
            "consultation": consultation,
            "base_url": consultation_selectors.consultation_url(consultation),
            "s": section,
            "section_html": policy_selectors.rendered_body(section),
            "amendment_kinds": Amendment.Kind.choices,
            "errors": errors or {},
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def propose(request, slug, pk, key):
    """One section's own page for proposing a change to it, the section's text above the form
    (prefilled with it): the consultation's first view links here from every section rather
    than holding thirty forms with thirty copies of the text."""
    consultation = _load(request, slug, pk)
    section = next(
        (
            s
            for s in consultation_selectors.published_sections(consultation.version)
            if s.key == key
        ),
        None,
    )
    if section is None:
        raise Http404(_("No such section in this consultation."))
    if not request.user.is_authenticated:
        return sign_in_first(request, request.path)
    if request.method == "POST":

        def fail(request, consultation, target, message, form=None):
            errors = {target: {"message": message, "form": form}}
            return _propose_page(request, consultation, section, status=400, errors=errors)

        return post_amend(request, consultation, fail=fail)
    if not rules.can_propose_amendment(request.user, consultation):
        messages.info(request, _("Amendments can be proposed only while the consultation is open."))
        return redirect(consultation_selectors.consultation_url(consultation))
    return _propose_page(request, consultation, section)


@require_http_methods(["GET", "POST"])
def merge(request, slug, pk):
    """Apply accepted amendments to the policy's next draft, one click each, then publish."""
    consultation = _load(request, slug, pk)
    if not request.user.is_authenticated:
        return sign_in_first(request, request.path)
    if not rules.can_merge_into_policy(request.user, consultation):
        raise PermissionDenied
    page = consultation.version.policy
    status = 200
    error = ""
    publish_form = PublishMergeForm(
        initial={"summary": services.merge_summary(consultation.version.policy_id)}
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "apply":
                form = AmendmentActionForm(request.POST)
                amendment = _amendment(consultation, form) if form.is_valid() else None
                if amendment is None:
                    raise ValidationError(_("Choose an accepted amendment of this consultation."))
                services.apply_amendment(amendment=amendment, user=request.user)
                messages.success(
                    request, _("Amendment #%(pk)s is in the draft.") % {"pk": amendment.pk}
                )
                return redirect(request.path)
            if action == "publish":
                publish_form = PublishMergeForm(request.POST)
                if not publish_form.is_valid():
                    raise ValidationError(_("The new version needs an edit summary."))
                version = services.publish_merged_draft(
                    consultation=consultation,
                    user=request.user,
                    summary=publish_form.cleaned_data["summary"],
                )
                if version is None:
                    raise ValidationError(_("The draft's text is the same as the current version."))
                messages.success(
                    request, _("Version %(number)s is published.") % {"number": version.number}
                )
                return redirect(f"{page.url}versions/")
            raise ValidationError(_("Unknown action."))
        except ValidationError as exc:
            error = error_text(exc)
            status = 409 if action in ("apply", "publish") else 400
    context = {
        "consultation": consultation,
        "policy": page,
        "base_url": consultation_selectors.consultation_url(consultation),
        "data": selectors.merge_page(consultation),
        "publish_form": publish_form,
        "error": error,
        "edit_url": f"/admin/pages/{page.pk}/edit/",
    }
    return TemplateResponse(request, "amendments/merge.html", context, status=status)
