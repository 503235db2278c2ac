"""Consultation pages. Thin: parse input, ask rules, call a service or selector, render."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import get_template
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import page_cache
from core.views import (
    Confirmation,
    confirm_page,
    error_text,
    form_message,
    refusal_text,
    sign_in_first,
)
from policies import selectors as policy_selectors
from policies.models import PolicyPage

from . import exporting, extensions, fragments, rules, selectors, services
from .forms import (
    ConsultationForm,
    FeedbackForm,
    ModerateForm,
    PositionForm,
    ReplyForm,
    StateForm,
    SummaryIntroForm,
    SummarySectionForm,
    TargetForm,
)
from .models import WHOLE_TEXT, Consultation, Position, PrivateFeedback, Reply, Summary
from .tasks import prepare_export


def _load(request, slug, pk) -> Consultation:
    consultation = selectors.get_consultation(slug, pk)
    if not rules.can_view(request.user, consultation):
        raise Http404(_("No such consultation."))
    return consultation


def _int(value, default=1, ceiling=10_000):
    try:
        return min(max(1, int(value)), ceiling)
    except (TypeError, ValueError):
        return default


def _extensions():
    return extensions.registered()


def _render_detail(
    request, consultation, *, status=200, errors=None, section=None, order="newest", pinned=None
):
    sort = request.GET.get("sort", "document")
    stance = request.GET.get("stance", "")
    if section is None:
        section = request.GET.get("section", "")
    page_number = _int(request.GET.get("page"))
    user = request.user
    # The first view shows each section's digest, kept until the section changes; a page
    # showing a form's error shows the sections in full, with their forms.
    digests = None
    if not section and not errors:
        digests = fragments.Digests(
            consultation,
            facilitator=rules.can_moderate(user),
            language=get_language(),
            stance=stance if stance in selectors.STANCES else "",
        )
    data = selectors.consultation_page(
        consultation,
        user,
        sort=sort,
        stance=stance,
        section=section,
        page=page_number,
        order=order,
        digest=digests is not None,
        per_section=digests.per_section if digests else 5,
        kept=digests.load() if digests else (),
        pinned=pinned,
    )
    base_url = selectors.consultation_url(consultation)
    for view in data["sections"] if digests else []:
        view.digest = digests.render(
            view,
            {
                "base_url": base_url,
                "stance": stance,
                "reason_chars": fragments.FIRST_VIEW_REASON_CHARS,
            },
        )
    may_take = rules.can_take_position(user, consultation)
    if digests:
        links = [e.section_link for e in _extensions() if e.section_link]
        actions = fragments.section_actions(data["sections"], may_take=may_take, links=links)
        for view in data["sections"]:
            view.actions = actions.get(view.key, "")
    errors = dict(errors or {})
    if errors and not may_take:
        # The form that failed is no longer on the page (the consultation closed meanwhile):
        # say why at the top instead.
        for target in [t for t in errors if t.startswith(("position-", "reply-", "carry"))]:
            errors["page"] = errors.pop(target)
    context = {
        "request_user": user,
        "consultation": consultation,
        "version": consultation.version,
        "policy": consultation.version.policy,
        "base_url": base_url,
        "data": data,
        "sort": sort,
        "stance": stance,
        "focus": section,
        "page_number": page_number,
        "section_page": order == "relevance",
        "errors": errors,
        "can_take_position": may_take,
        "can_moderate": rules.can_moderate(user),
        "can_manage": rules.can_manage(user),
        "can_flag": rules.can_flag(user, consultation),
        "carry": selectors.carry_forward_candidates(consultation, user) if may_take else [],
        "open_flags": selectors.open_flags_count(consultation) if rules.can_moderate(user) else 0,
        "now": timezone.now(),
        "stances": Position.Stance.choices,
        "section_nav": fragments.navigator(data["sections"]) if digests else "",
        "section_end_templates": [
            e.section_end_template for e in _extensions() if e.section_end_template
        ],
        "facilitator_templates": [
            e.facilitator_template for e in _extensions() if e.facilitator_template
        ],
    }
    for extension in _extensions():
        if extension.detail_context:
            extension.detail_context(request, consultation, context)
    if digests:
        ends = [get_template(t) for t in context["section_end_templates"]]

        def section_end(view):
            return "".join(t.render({**context, "s": view}, request) for t in ends)

        context["first_view"] = fragments.first_view_sections(data["sections"], section_end)
    return TemplateResponse(request, "consultations/detail.html", context, status=status)


def section_positions(request, slug, pk, key):
    """Every position on one section, most relevant first (selectors.RELEVANCE), a page at a
    time: where the first view's "show all" leads. Forms on it post to the consultation page."""
    consultation = _load(request, slug, pk)
    pinned = _int(request.GET.get("position"), default=None, ceiling=2**62)
    return _render_detail(request, consultation, section=key, order="relevance", pinned=pinned)


@require_http_methods(["GET", "POST"])
def detail(request, slug, pk):
    # A first view for a reader who is not signed in holds nothing of its reader's own: it is
    # kept whole (core.page_cache) while fragments.first_view_version holds, which is read
    # before anything the page shows.
    kept = (
        request.method == "GET"
        and not request.user.is_authenticated
        and set(request.GET) <= {"sort", "stance"}
    )
    if kept:
        page_cache.begin(request, validator=("consultations.first_view", (pk,)))
    consultation = _load(request, slug, pk)
    if request.method == "GET":
        response = _render_detail(request, consultation)
        return page_cache.keep(request, response, anonymous_only=True) if kept else response
    action = request.POST.get("action")
    handler = {
        "position": _post_position,
        "reply": _post_reply,
        "flag": _post_flag,
        "moderate": _post_moderate,
        "carry": _post_carry,
        **{name: view for e in _extensions() for name, view in e.actions.items()},
    }.get(action)
    if handler is None:
        return HttpResponse(_("Unknown action."), status=400, content_type="text/plain")
    if not request.user.is_authenticated:
        return sign_in_first(request, request.path)
    return handler(request, consultation)


def _section_url(consultation, key: str) -> str:
    """Where a position lives: amendments have their own focused page."""
    url = selectors.consultation_url(consultation)
    return f"{url}?section={key}" if key.startswith("amendment-") else url


def _thread_url(consultation, position) -> str:
    """Where a position is shown with its replies and tools: an amendment's focused page, or
    its section's page with the position first (the first view shows a digest)."""
    key = position.section_key
    if key.startswith("amendment-"):
        return _section_url(consultation, key)
    url = selectors.consultation_url(consultation)
    return f"{url}sections/{key}/positions/?position={position.pk}"


def _fail(request, consultation, target: str, message: str, form=None):
    """Re-render the page with the error beside the form that caused it; nothing was saved."""
    errors = {target: {"message": message, "form": form}}
    return _render_detail(request, consultation, status=400, errors=errors)


def _post_position(request, consultation):
    form = PositionForm(request.POST)
    target = f"position-{request.POST.get('section_key', '')}"
    if not form.is_valid():
        message = form_message(form)
        return _fail(request, consultation, target, message, form)
    data = form.cleaned_data
    try:
        position = services.take_position(
            consultation=consultation,
            section_key=data["section_key"],
            user=request.user,
            stance=data["stance"],
            strength=data["strength"] or "",
            reason=data["reason"],
        )
    except (PermissionDenied, ValidationError) as exc:
        return _fail(request, consultation, target, refusal_text(exc), form)
    messages.success(request, _("Your position is recorded."))
    return redirect(f"{_section_url(consultation, position.section_key)}#position-{position.pk}")


def _post_reply(request, consultation):
    form = ReplyForm(request.POST)
    target = f"reply-{request.POST.get('position', '')}-{request.POST.get('parent', '') or ''}"
    if not form.is_valid():
        message = form_message(form)
        return _fail(request, consultation, target, message, form)
    data = form.cleaned_data
    position = Position.objects.filter(pk=data["position"], consultation=consultation).first()
    if position is None:
        return _fail(request, consultation, target, _("That position does not exist."), form)
    parent = None
    if data.get("parent"):
        parent = Reply.objects.filter(pk=data["parent"], position=position).first()
        if parent is None:
            return _fail(request, consultation, target, _("That reply does not exist."), form)
    try:
        reply = services.add_reply(
            position=position, user=request.user, body=data["body"], parent=parent
        )
    except (PermissionDenied, ValidationError) as exc:
        message = error_text(exc) if isinstance(exc, ValidationError) else str(exc)
        return _fail(request, consultation, target, message, form)
    messages.success(request, _("Your reply is posted."))
    return redirect(f"{_thread_url(consultation, position)}#reply-{reply.pk}")


def _target(consultation, kind, item_id):
    if kind == "position":
        return Position.objects.filter(pk=item_id, consultation=consultation).first()
    return (
        Reply.objects.filter(pk=item_id, position__consultation=consultation)
        .select_related("position")
        .first()
    )


def _post_flag(request, consultation):
    form = TargetForm(request.POST)
    target = f"flag-{request.POST.get('kind')}-{request.POST.get('item')}"
    if not form.is_valid():
        return _fail(
            request, consultation, target, _("Say briefly why this needs attention."), form
        )
    item = _target(consultation, form.cleaned_data["kind"], form.cleaned_data["item"])
    if item is None:
        return _fail(request, consultation, target, _("Nothing to flag there."), form)
    try:
        services.flag_item(item=item, user=request.user, reason=form.cleaned_data["reason"])
    except (PermissionDenied, ValidationError) as exc:
        message = error_text(exc) if isinstance(exc, ValidationError) else str(exc)
        return _fail(request, consultation, target, message, form)
    messages.success(request, _("Thank you: the facilitators will look at it."))
    position = item if isinstance(item, Position) else item.position
    return redirect(f"{_thread_url(consultation, position)}#{form.cleaned_data['kind']}-{item.pk}")


def _post_moderate(request, consultation):
    if not rules.can_moderate(request.user):
        raise PermissionDenied
    form = ModerateForm(request.POST)
    target = f"moderate-{request.POST.get('kind')}-{request.POST.get('item')}"
    if not form.is_valid():
        message = (
            _("Moderation needs a reason; it is shown publicly.")
            if "reason" in form.errors
            else _("Choose to hide or to restore an existing position or reply.")
        )
        return _fail(request, consultation, target, message, form)
    item = _target(consultation, form.cleaned_data["kind"], form.cleaned_data["item"])
    if item is None:
        return _fail(request, consultation, target, _("Nothing to moderate there."), form)
    try:
        services.moderate(
            item=item,
            user=request.user,
            hide=form.cleaned_data["hide"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        return _fail(request, consultation, target, error_text(exc), form)
    messages.success(request, _("Done; the moderation log shows it."))
    position = item if isinstance(item, Position) else item.position
    return redirect(f"{_thread_url(consultation, position)}#{form.cleaned_data['kind']}-{item.pk}")


def _post_carry(request, consultation):
    keys = request.POST.getlist("section_key")
    if not keys:
        return _fail(request, consultation, "carry", _("Tick at least one position to carry over."))
    try:
        carried = services.carry_forward(
            consultation=consultation, user=request.user, section_keys=keys
        )
    except (PermissionDenied, ValidationError) as exc:
        message = error_text(exc) if isinstance(exc, ValidationError) else str(exc)
        return _fail(request, consultation, "carry", message)
    messages.success(
        request,
        ngettext(
            "Carried over %(count)d position(s).",
            "Carried over %(count)d position(s).",
            len(carried),
        )
        % {"count": len(carried)},
    )
    return redirect(selectors.consultation_url(consultation))


def moderation_log(request, slug, pk):
    consultation = _load(request, slug, pk)
    return TemplateResponse(
        request,
        "consultations/moderation_log.html",
        {
            "consultation": consultation,
            "base_url": selectors.consultation_url(consultation),
            "actions": selectors.moderation_log(consultation),
            "flags": consultation.flags.filter(resolved_at__isnull=True).select_related("user")
            if rules.can_moderate(request.user)
            else None,
        },
    )


@require_http_methods(["GET", "POST"])
def feedback(request, slug, pk):
    consultation = _load(request, slug, pk)
    user = request.user
    form = FeedbackForm(
        request.POST if request.method == "POST" else None,
        initial={"section_key": request.GET.get("section", "")},
    )
    status = 200
    if request.method == "POST":
        if not user.is_authenticated:
            return sign_in_first(request, request.path)
        if form.is_valid():
            try:
                services.give_private_feedback(
                    consultation=consultation,
                    user=user,
                    body=form.cleaned_data["body"],
                    section_key=form.cleaned_data["section_key"],
                )
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(request, _("Sent privately to the facilitators."))
                return redirect(selectors.consultation_url(consultation) + "feedback/")
        status = 400
    received = None
    if rules.can_read_private_feedback(user):
        received = list(
            PrivateFeedback.objects.filter(consultation=consultation).select_related("user")
        )
    return TemplateResponse(
        request,
        "consultations/feedback.html",
        {
            "consultation": consultation,
            "base_url": selectors.consultation_url(consultation),
            "form": form,
            "can_send": rules.can_give_private_feedback(user, consultation),
            "received": received,
        },
        status=status,
    )


def _state_confirmation(consultation, to: str, form) -> Confirmation:
    base = selectors.consultation_url(consultation)
    title = consultation.title
    if to == "closed":
        return Confirmation(
            title=_("Close “%(title)s”?") % {"title": title},
            happens=[
                _("Nobody can take or change a position, reply or send private feedback."),
                _("The page says the consultation is closed, with your note or your name."),
                _("You can then write and publish the summary."),
            ],
            told=_(
                "No one is emailed. Everyone who opens the consultation page sees that it is "
                "closed."
            ),
            undo=_("You can reopen it until a summary is published; after that it stays closed."),
            confirm_label=_("Close the consultation"),
            back_url=base,
            form=form,
        )
    reopening = consultation.state == Consultation.State.CLOSED
    return Confirmation(
        title=(_("Reopen “%(title)s”?") if reopening else _("Open “%(title)s”?"))
        % {"title": title},
        happens=[
            _("Signed-in participants can take positions, reply and send private feedback."),
            _("The consultation becomes visible to everyone, with its closing date.")
            if not reopening
            else _("Positions and replies given before it closed stay as they are."),
        ],
        told=_(
            "No one is emailed. The consultation appears on the policy's list of consultations."
        ),
        undo=_("You can close it again at any time."),
        confirm_label=_("Reopen the consultation") if reopening else _("Open the consultation"),
        back_url=base,
        form=form,
    )


@require_http_methods(["GET", "POST"])
def change_state(request, slug, pk):
    """GET asks (what will happen, who is told); POST opens or closes."""
    consultation = _load(request, slug, pk)
    if not rules.can_manage(request.user):
        raise PermissionDenied
    url = selectors.consultation_url(consultation)
    if request.method == "GET":
        to = "closed" if consultation.state == Consultation.State.OPEN else "open"
        if consultation.state == Consultation.State.SUMMARISED:
            messages.error(request, _("A summarised consultation stays closed."))
            return redirect(url)
        form = StateForm(initial={"to": to})
        return confirm_page(request, _state_confirmation(consultation, to, form))
    form = StateForm(request.POST)
    if not form.is_valid():
        if "to" in form.errors:
            return HttpResponse(_("Choose open or closed."), status=400, content_type="text/plain")
        to = form.data.get("to")
        return confirm_page(request, _state_confirmation(consultation, to, form), status=400)
    try:
        if form.cleaned_data["to"] == "open":
            services.open_consultation(
                consultation=consultation, user=request.user, note=form.cleaned_data["note"]
            )
            messages.success(request, _("The consultation is open."))
        else:
            services.close_consultation(
                consultation=consultation, user=request.user, note=form.cleaned_data["note"]
            )
            messages.success(request, _("The consultation is closed."))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect(url)


def summary(request, slug, pk):
    consultation = _load(request, slug, pk)
    can_write = rules.can_write_summary(request.user, consultation)
    view = selectors.summary_view(consultation, include_unpublished=can_write)
    return TemplateResponse(
        request,
        "consultations/summary.html",
        {
            "consultation": consultation,
            "base_url": selectors.consultation_url(consultation),
            "view": view,
            "can_write": can_write,
            "sections": {s.key: s for s in consultation.version.sections.all()},
            "summary_templates": [e.summary_template for e in _extensions() if e.summary_template],
        },
        status=200,
    )


@require_http_methods(["GET", "POST"])
def summary_edit(request, slug, pk):
    consultation = _load(request, slug, pk)
    if not rules.can_manage(request.user):
        raise PermissionDenied
    if not rules.can_write_summary(request.user, consultation):
        messages.error(request, _("Summaries are written at or after close."))
        return redirect(selectors.consultation_url(consultation))
    existing = selectors.summary_view(consultation, include_unpublished=True)
    current = {r["row"].section_key: r["row"] for r in existing["rows"]} if existing else {}
    sections = [(s.key, s.heading) for s in consultation.version.sections.all()]
    sections.append((WHOLE_TEXT, selectors.WHOLE_TEXT_HEADING))
    positions = list(
        selectors.visible_positions()
        .filter(consultation=consultation)
        .select_related("user")
        .order_by("pk")
    )
    choices: dict[str, list] = {}
    for p in positions:
        stance = p.get_stance_display() or _("comment")
        label = f"#{p.pk} {p.author_name}: {stance} — {p.reason[:80]}"
        choices.setdefault(p.section_key, []).append((p.pk, label))

    def build(key, data=None):
        row = current.get(key)
        initial = {"section_key": key}
        if row:
            initial.update(
                outcome=row.outcome, text=row.text, cited=[p.pk for p in row.cited_positions.all()]
            )
        form = SummarySectionForm(data, prefix=f"s-{key}", initial=initial)
        form.fields["cited"].choices = choices.get(key, [])
        return form

    data = request.POST if request.method == "POST" else None
    forms = [(key, heading, build(key, data)) for key, heading in sections]
    later = list(services.answering_versions(consultation))
    answer = existing["summary"].answered_by if existing else None
    intro_form = SummaryIntroForm(
        data,
        versions=later,
        initial={
            "intro": existing["summary"].intro if existing else "",
            # A first summary starts from the latest version published since the consultation.
            "answered_by": answer.number
            if answer
            else (later[-1].number if later and not existing else None),
        },
    )
    status = 200
    if data is not None:
        if intro_form.is_valid() and all(f.is_valid() for _, _, f in forms):
            try:
                services.save_summary(
                    consultation=consultation,
                    user=request.user,
                    intro=intro_form.cleaned_data["intro"],
                    sections=[{**f.cleaned_data, "section_key": key} for key, _, f in forms],
                    answered_by=intro_form.cleaned_data["answered_by"],
                )
                if "publish" in request.POST:
                    # Saved; publishing (and emailing everyone) is confirmed on its own page.
                    messages.success(request, _("Summary saved. Check, then confirm publishing."))
                    return redirect(selectors.consultation_url(consultation) + "summary/publish/")
                messages.success(request, _("Summary saved (not yet published)."))
                return redirect(selectors.consultation_url(consultation) + "summary/")
            except ValidationError as exc:
                intro_form.add_error(None, error_text(exc))
        status = 400
    return TemplateResponse(
        request,
        "consultations/summary_edit.html",
        {
            "consultation": consultation,
            "base_url": selectors.consultation_url(consultation),
            "forms": forms,
            "intro_form": intro_form,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def summary_publish(request, slug, pk):
    """GET asks (what publishing does, who is emailed); POST publishes the saved summary."""
    consultation = _load(request, slug, pk)
    if not rules.can_manage(request.user):
        raise PermissionDenied
    url = selectors.consultation_url(consultation)
    if not rules.can_write_summary(request.user, consultation):
        messages.error(request, _("Summaries are written at or after close."))
        return redirect(url)
    if request.method == "POST":
        try:
            services.publish_summary(consultation=consultation, user=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect(url + "summary/edit/")
        messages.success(request, _("Summary published; participants are being told."))
        return redirect(url + "summary/")
    first = not Summary.objects.filter(
        consultation=consultation, published_at__isnull=False
    ).exists()
    confirmation = Confirmation(
        title=_("Publish the summary of “%(title)s”?") % {"title": consultation.title},
        happens=[
            _("Everyone can read the summary, with the positions it cites."),
            _("The consultation is marked as summarised and cannot be reopened."),
            _("The summary is added to the public transparency log and the summaries feed."),
        ],
        told=_("Everyone who took a position or replied is emailed a link to the summary.")
        if first
        else _("No one is emailed again: participants were told when it was first published."),
        undo=_(
            "This cannot be undone: the summary stays public. You can still edit it later, "
            "but not unpublish it."
        ),
        confirm_label=_("Publish the summary"),
        back_url=url + "summary/",
    )
    return confirm_page(request, confirmation)


def export(request, slug, pk, fmt):
    """Small consultations download at once; large ones are prepared by a background task
    (django-tasks) and served from storage once ready, so no web process spends minutes on
    one request."""
    consultation = _load(request, slug, pk)
    filename = f"consultation-{consultation.pk}-positions.{fmt}"
    content_type = "application/json" if fmt == "json" else "text/csv; charset=utf-8"
    if exporting.size(consultation) <= settings.ACCORD_SYNC_EXPORT_LIMIT:
        response = HttpResponse(exporting.render(consultation, fmt), content_type=content_type)
    else:
        name = exporting.stored_name(consultation, fmt, exporting.fingerprint(consultation))
        if not default_storage.exists(name):
            prepare_export.enqueue(consultation.pk, fmt, name)
        if not default_storage.exists(name):  # still being prepared by a worker
            return TemplateResponse(
                request,
                "consultations/export_pending.html",
                {
                    "consultation": consultation,
                    "base_url": selectors.consultation_url(consultation),
                },
                status=202,
            )
        response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def policy_consultations(request, slug):
    page = PolicyPage.objects.filter(slug=slug).first()
    if page is None:
        raise Http404(_("No such policy."))
    items = selectors.consultations_for_policy(page, request.user)
    return TemplateResponse(
        request,
        "consultations/list.html",
        {"policy": page, "consultations": items, "can_manage": rules.can_manage(request.user)},
    )


@require_http_methods(["GET", "POST"])
def create(request, slug):
    page = PolicyPage.objects.filter(slug=slug).first()
    if page is None:
        raise Http404(_("No such policy."))
    if not rules.can_manage(request.user):
        raise PermissionDenied
    versions = list(policy_selectors.versions_newest_first(page))
    if not versions:
        messages.error(request, _("Publish a version before opening a consultation on it."))
        return redirect(page.url)
    now = timezone.now().replace(second=0, microsecond=0)
    form = ConsultationForm(
        request.POST if request.method == "POST" else None,
        versions=versions,
        initial={
            "version": versions[0].number,
            "opens_at": now,
            "closes_at": now + timezone.timedelta(days=28),
            "open_now": True,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            version = next(v for v in versions if v.number == data["version"])
            try:
                consultation = services.create_consultation(
                    version=version,
                    user=request.user,
                    title=data["title"],
                    description=data["description"],
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                    open_now=data["open_now"],
                    required_languages=data["required_languages"],
                )
            except ValidationError as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(request, _("Consultation created."))
                return redirect(selectors.consultation_url(consultation))
        status = 400
    return TemplateResponse(
        request, "consultations/create.html", {"policy": page, "form": form}, status=status
    )


def export_json(request, slug, pk):
    return export(request, slug, pk, "json")


def export_csv(request, slug, pk):
    return export(request, slug, pk, "csv")
