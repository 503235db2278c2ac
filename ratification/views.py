"""Ratification pages. Thin: parse input, ask rules, call a service or selector, render."""

import csv
import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors as account_selectors
from accounts.naming import public_name
from core.exports import spreadsheet_safe
from core.views import Confirmation, confirm_page, error_text, form_message, sign_in_first
from policies import selectors as policy_selectors
from policies.models import PolicyPage, PolicyVersion

from . import eligibility, receipt_handover, rules, selectors, services
from .forms import (
    BallotForm,
    BoardDecisionForm,
    CancelForm,
    ExternalTallyForm,
    ReceiptForm,
    StrikeForm,
    VoteForm,
)
from .models import Ballot, Vote


def _load(request, pk, *, for_ballot: bool = False) -> Vote:
    vote = selectors.get_vote(pk, for_ballot=for_ballot)
    if not rules.can_view_vote(request.user, vote):
        from django.http import Http404

        raise Http404(_("No such vote."))
    return vote


def _vote_url(vote: Vote) -> str:
    return reverse("ratification:vote", args=[vote.pk])


def _status_url(version: PolicyVersion) -> str:
    return reverse("ratification:status_version", args=[version.policy.slug, version.number])


# --- status page and records ------------------------------------------------------------------


def status(request, slug, number=None):
    version = selectors.get_version(slug, number)
    services.close_due_votes(version=version)  # results never wait for cron
    context = selectors.status_page(version)
    context.update(
        {
            "can_record_board": rules.can_record_board_decision(request.user),
            "can_record_external": rules.can_record_external_tally(request.user),
            "can_create_vote": rules.can_create_vote(request.user),
            "drafts": selectors.draft_votes() if rules.can_create_vote(request.user) else [],
        }
    )
    return TemplateResponse(request, "ratification/status.html", context)


def _record(request, slug, number, *, form_class, permitted, save, template, title):
    version = selectors.get_version(slug, number)
    if not request.user.is_authenticated:
        return sign_in_first(request, request.path)
    if not permitted(request.user):
        raise PermissionDenied
    form = form_class(request.POST if request.method == "POST" else None)
    status_code = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                save(version, form.cleaned_data)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error_text(exc))
            else:
                messages.success(request, _("Recorded."))
                return redirect(_status_url(version))
        status_code = 400
    return TemplateResponse(
        request,
        template,
        {"form": form, "version": version, "policy": version.policy, "title": title},
        status=status_code,
    )


@require_http_methods(["GET", "POST"])
def board_new(request, slug, number):
    def save(version, data):
        services.record_board_decision(version=version, user=request.user, **data)

    return _record(
        request,
        slug,
        number,
        form_class=BoardDecisionForm,
        permitted=rules.can_record_board_decision,
        save=save,
        template="ratification/record_form.html",
        title=_("Record the board's decision"),
    )


@require_http_methods(["GET", "POST"])
def external_new(request, slug, number):
    def save(version, data):
        services.record_external_tally(version=version, user=request.user, **data)

    return _record(
        request,
        slug,
        number,
        form_class=ExternalTallyForm,
        permitted=rules.can_record_external_tally,
        save=save,
        template="ratification/record_form.html",
        title=_("Record a vote held elsewhere"),
    )


# --- votes: list, set-up ------------------------------------------------------------------------


def vote_list(request):
    return TemplateResponse(
        request,
        "ratification/vote_list.html",
        {
            "votes": selectors.vote_list(),
            "drafts": selectors.draft_votes() if rules.can_create_vote(request.user) else [],
        },
    )


def _versions(policy) -> list[PolicyVersion]:
    return list(policy_selectors.versions_newest_first(policy))


def _apply_form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error_text(exc))


@require_http_methods(["GET", "POST"])
def vote_new(request, slug):
    policy = PolicyPage.objects.live().filter(slug=slug).first()
    if policy is None:
        from django.http import Http404

        raise Http404(_("No such policy."))
    if not request.user.is_authenticated:
        return sign_in_first(request, request.path)
    if not rules.can_create_vote(request.user):
        raise PermissionDenied
    versions = _versions(policy)
    if not versions:
        messages.error(request, _("Publish a version before putting it to a vote."))
        return redirect(policy.url)
    now = timezone.now().replace(second=0, microsecond=0)
    form = VoteForm(
        request.POST if request.method == "POST" else None,
        versions=versions,
        initial={
            "version": versions[0].number,
            "question": _("Do you ratify %(policy)s, version %(number)s?")
            % {"policy": policy.title, "number": versions[0].number},
            "opens_at": now + dt.timedelta(days=1),
            "closes_at": now + dt.timedelta(days=15),
        },
    )
    status_code = 200
    if request.method == "POST":
        if form.is_valid():
            version = next(v for v in versions if v.number == form.cleaned_data["version"])
            try:
                vote = services.create_vote(
                    version=version, user=request.user, config=form.settings()
                )
            except ValidationError as exc:
                _apply_form_errors(form, exc)
            else:
                messages.success(request, _("Draft vote created. Check it, then open it."))
                return redirect(_vote_url(vote))
        status_code = 400
    return TemplateResponse(
        request,
        "ratification/vote_form.html",
        {"form": form, "policy": policy, "vote": None},
        status=status_code,
    )


@require_http_methods(["GET", "POST"])
def vote_edit(request, pk):
    vote = _load(request, pk)
    if not request.user.is_authenticated:
        return sign_in_first(request, request.path)
    if not rules.can_create_vote(request.user):
        raise PermissionDenied
    policy = vote.version.policy
    versions = _versions(policy)
    if request.method == "GET" and vote.state != Vote.State.DRAFT:
        messages.error(request, _("This vote has opened; its settings are frozen."))
        return redirect(_vote_url(vote))
    form = VoteForm(
        request.POST if request.method == "POST" else None,
        versions=versions,
        initial=VoteForm.initial_from(vote),
    )
    if request.method == "POST":
        if vote.state != Vote.State.DRAFT:
            try:
                services.refuse_frozen_change(vote=vote, user=request.user, what="its settings")
            except ValidationError as exc:
                return _render_detail(request, vote, status=409, error=error_text(exc))
        if form.is_valid():
            version = next(v for v in versions if v.number == form.cleaned_data["version"])
            try:
                services.update_vote(
                    vote=vote, user=request.user, config=form.settings(), version=version
                )
            except ValidationError as exc:
                _apply_form_errors(form, exc)
            else:
                messages.success(request, _("Draft vote saved."))
                return redirect(_vote_url(vote))
        return TemplateResponse(
            request,
            "ratification/vote_form.html",
            {"form": form, "policy": policy, "vote": vote},
            status=400,
        )
    return TemplateResponse(
        request, "ratification/vote_form.html", {"form": form, "policy": policy, "vote": vote}
    )


def _open_confirmation(vote: Vote) -> Confirmation:
    return Confirmation(
        title=_("Open the vote “%(question)s”?") % {"question": vote.question},
        happens=[
            _(
                "The question, options, threshold, quorum, eligibility rules, times and version "
                "below are frozen for good."
            ),
            _("Eligible voters can cast ballots between the opening and closing times."),
            _("The opening and its terms go into the vote's public log, with a checkable hash."),
        ],
        told=_("No one is emailed. The vote appears on the list of votes and in the votes feed."),
        undo=_(
            "This cannot be undone: the terms cannot be edited once open. You can still cancel "
            "the vote, with a public reason."
        ),
        confirm_label=_("Open the vote and freeze its terms"),
        back_url=_vote_url(vote),
        details_template="ratification/_terms.html",
        extra={"vote": vote},
    )


@require_http_methods(["GET", "POST"])
def vote_open(request, pk):
    """GET asks (the terms about to be frozen); POST opens the vote."""
    vote = _load(request, pk)
    if not request.user.is_authenticated:
        return sign_in_first(request, request.path)
    if not rules.can_create_vote(request.user):
        raise PermissionDenied
    if request.method == "GET":
        if vote.state != Vote.State.DRAFT:
            messages.error(request, _("This vote has already been opened."))
            return redirect(_vote_url(vote))
        return confirm_page(request, _open_confirmation(vote))
    try:
        services.open_vote(vote=vote, user=request.user)
    except ValidationError as exc:
        return _render_detail(request, vote, status=409, error=error_text(exc))
    messages.success(request, _("The vote is open and its settings are frozen."))
    return redirect(_vote_url(vote))


def _cancel_confirmation(vote: Vote, form) -> Confirmation:
    return Confirmation(
        title=_("Cancel the vote “%(question)s”?") % {"question": vote.question},
        happens=[
            _("Voting stops at once. Ballots already cast are kept, but never counted or shown."),
            _("Your reason is shown on the vote's page and in its public log."),
        ],
        told=_("No one is emailed. The vote's page and the list of votes show it as cancelled."),
        undo=_(
            "This cannot be undone: a cancelled vote cannot be reopened. To vote again, set up "
            "a new vote."
        ),
        confirm_label=_("Cancel the vote"),
        back_url=_vote_url(vote),
        form=form,
    )


@require_http_methods(["GET", "POST"])
def vote_cancel(request, pk):
    """GET asks (what cancelling does) and takes the public reason; POST cancels."""
    vote = _load(request, pk)
    if not request.user.is_authenticated:
        return sign_in_first(request, request.path)
    if not rules.can_cancel_vote(request.user, vote):
        raise PermissionDenied
    if request.method == "GET":
        return confirm_page(request, _cancel_confirmation(vote, CancelForm()))
    form = CancelForm(request.POST)
    if not form.is_valid():
        return confirm_page(request, _cancel_confirmation(vote, form), status=400)
    services.cancel_vote(vote=vote, user=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, _("The vote is cancelled."))
    return redirect(_vote_url(vote))


# --- votes: the voter's pages ---------------------------------------------------------------


def _render_detail(request, vote, *, status=200, error="", form=None):
    vote = services.close_if_due(vote=vote)
    user = request.user
    current = rules.phase(vote)
    check = eligibility.check(vote, user) if user.is_authenticated else None
    own = selectors.own_ballot(vote, user)
    communities = [m.community for m in check.voting_communities] if check else []
    if form is None and check and check.eligible and current == "voting":
        form = BallotForm(vote=vote, communities=communities, own_ballot=own)
    context = {
        "vote": vote,
        "version": vote.version,
        "policy": vote.version.policy,
        "phase": current,
        "eligibility": check,
        "own_ballot": own,
        "form": form,
        "error": error,
        "ballots": selectors.ballot_count(vote),
        "log": selectors.audit_log(vote, limit=10),
        "can_edit": rules.can_edit_vote(user, vote),
        "can_open": rules.can_open_vote(user, vote),
        "can_cancel": rules.can_cancel_vote(user, vote),
        "can_strike": rules.can_strike(user, vote),
        "status_url": _status_url(vote.version),
        "now": timezone.now(),
    }
    return TemplateResponse(request, "ratification/vote_detail.html", context, status=status)


def vote_detail(request, pk):
    return _render_detail(request, _load(request, pk))


@require_POST
@transaction.non_atomic_requests
def ballot(request, pk):
    vote = _load(request, pk, for_ballot=True)
    if not request.user.is_authenticated:
        return sign_in_first(request, request.path)
    check = eligibility.check(vote, request.user)
    form = BallotForm(
        request.POST, vote=vote, communities=[m.community for m in check.voting_communities]
    )
    if not form.is_valid():
        message = form_message(form)
        return _render_detail(request, vote, status=400, error=message, form=form)
    try:
        cast, receipt = services.cast_ballot(
            vote=vote,
            user=request.user,
            option=form.cleaned_data["option"],
            community_id=form.cleaned_data["community"],
            checked=check,
            based_on=form.cleaned_data["based_on"],
        )
    except services.NotEligible as exc:
        return _render_detail(request, vote, status=403, error=str(exc))
    except services.BallotAlreadyCast as exc:
        # A fresh form, based on the ballot as it now stands.
        return _render_detail(request, vote, status=409, error=error_text(exc))
    except ValidationError as exc:
        return _render_detail(request, vote, status=409, error=error_text(exc), form=form)
    # Post/redirect/get: reloading the confirmation must not post the ballot again. The receipt
    # travels to that one page in a sealed cookie (receipt_handover), removed once shown.
    response = redirect("ratification:ballot_recorded", vote.pk)
    response.set_cookie(
        receipt_handover.cookie_name(vote.pk),
        receipt_handover.seal(
            vote_id=vote.pk,
            user_id=request.user.pk,
            ballot_id=cast.pk,
            times_changed=cast.times_changed,
            receipt=receipt,
            option=form.cleaned_data["option"],
        ),
        max_age=receipt_handover.MAX_AGE,
        path=response["Location"],
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


@require_GET
@transaction.non_atomic_requests
def ballot_recorded(request, pk):
    """The confirmation after casting: the receipt, once. Reloaded, it says the ballot is
    recorded and the receipt is no longer shown (it was never stored readable)."""
    if not request.user.is_authenticated:
        _load(request, pk)  # an unknown vote is a 404 for everyone
        return sign_in_first(request, request.path)
    own = selectors.own_ballot_with_vote(pk, request.user)
    if own is None or not rules.can_view_vote(request.user, own.vote):
        vote = _load(request, pk)
        return redirect("ratification:vote", vote.pk)
    vote = own.vote
    name = receipt_handover.cookie_name(vote.pk)
    shown = receipt_handover.unseal(
        request.COOKIES.get(name, ""), vote_id=vote.pk, user_id=request.user.pk, ballot=own
    )
    response = TemplateResponse(
        request,
        "ratification/ballot_recorded.html",
        {
            "vote": vote,
            "ballot": own,
            "receipt": shown[0] if shown else "",
            "option_label": vote.option_labels().get(shown[1], "") if shown else "",
        },
    )
    if name in request.COOKIES:
        response.delete_cookie(name, path=request.path, samesite="Lax")
    # Neither the browser nor a proxy keeps the page that shows the receipt.
    response["Cache-Control"] = "no-store"
    return response


def eligibility_check(request, pk):
    vote = _load(request, pk)
    if not request.user.is_authenticated:
        return sign_in_first(request, request.path)
    return TemplateResponse(
        request,
        "ratification/eligibility.html",
        {
            "vote": vote,
            "eligibility": eligibility.check(vote, request.user),
            # What the home wikis said, and any failed fetch: shown, never blocking the page.
            "wiki_activity": account_selectors.wiki_activity_of(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def receipt(request, pk):
    vote = _load(request, pk)
    form = ReceiptForm(request.POST if request.method == "POST" else None)
    result = None
    status_code = 200
    if request.method == "POST":
        if form.is_valid():
            result = services.check_receipt(vote=vote, receipt=form.cleaned_data["receipt"])
            if result.status == "unknown":
                status_code = 404
        else:
            status_code = 400
    return TemplateResponse(
        request,
        "ratification/receipt.html",
        {"vote": vote, "form": form, "result": result, "phase": rules.phase(vote)},
        status=status_code,
    )


def _closed_vote(request, pk) -> tuple[Vote, bool]:
    vote = services.close_if_due(vote=_load(request, pk))
    return vote, rules.can_see_results(request.user, vote)


def results(request, pk):
    vote, visible = _closed_vote(request, pk)
    if not visible:
        return TemplateResponse(
            request,
            "ratification/results_hidden.html",
            {"vote": vote, "phase": rules.phase(vote)},
            status=403,
        )
    return TemplateResponse(
        request,
        "ratification/results.html",
        {
            "vote": vote,
            "version": vote.version,
            "policy": vote.version.policy,
            "results": selectors.results(vote),
            "status_url": _status_url(vote.version),
        },
    )


def results_json(request, pk):
    vote, visible = _closed_vote(request, pk)
    if not visible:
        return JsonResponse({"error": _("Results are hidden until the vote closes.")}, status=403)
    return JsonResponse(selectors.results_payload(vote))


def results_csv(request, pk):
    vote, visible = _closed_vote(request, pk)
    if not visible:
        return HttpResponse(
            _("Results are hidden until the vote closes."), status=403, content_type="text/plain"
        )
    payload = selectors.results_payload(vote)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="vote-{vote.pk}-results.csv"'
    writer = csv.writer(response)
    writer.writerow(["option", "counts_as", "ballots"])
    for option in payload["options"]:
        writer.writerow([spreadsheet_safe(option["label"]), option["counts_as"], option["count"]])
    writer.writerow([])
    for key in (
        "counted",
        "struck",
        "threshold",
        "threshold_met",
        "quorum_met",
        "outcome",
        "content_hash",
    ):
        writer.writerow([key, payload[key]])
    return response


def _ballots_hidden() -> str:
    return _(
        "The ballot list is published when the vote closes, with its results; until then it is "
        "hidden from everyone."
    )


def ballots_json(request, pk):
    vote, visible = _closed_vote(request, pk)
    if not visible:
        return JsonResponse({"error": _ballots_hidden()}, status=403)
    return JsonResponse(selectors.ballot_list(vote))


def ballots_csv(request, pk):
    """One row per ballot: counted ones with their option, then struck ones with the public
    reason; the terms and results are in ballots.json and results.csv."""
    vote, visible = _closed_vote(request, pk)
    if not visible:
        return HttpResponse(_ballots_hidden(), status=403, content_type="text/plain")
    listed = selectors.ballot_list(vote)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="vote-{vote.pk}-ballots.csv"'
    writer = csv.writer(response)
    named = not vote.secret
    writer.writerow(["fingerprint", "option", "status", "reason"] + (["voter"] if named else []))
    for row in listed["ballots"]:
        voter = [spreadsheet_safe(row.get("voter", ""))] if named else []
        writer.writerow(
            [row["fingerprint"], spreadsheet_safe(row["option"]), "counted", ""] + voter
        )
    for row in listed["struck"]:
        voter = [""] if named else []
        writer.writerow([row["fingerprint"], "", "struck", spreadsheet_safe(row["reason"])] + voter)
    return response


def voters(request, pk):
    vote = _load(request, pk)
    roll = selectors.voter_roll(vote)
    show_choices = not vote.secret and rules.can_see_results(request.user, vote)
    choices = selectors.open_choices(vote) if show_choices else {}
    for entry in roll:
        entry.choice_label = choices.get(entry.voter_id, "")
    return TemplateResponse(
        request,
        "ratification/voters.html",
        {
            "vote": vote,
            "roll": roll,
            "show_choices": show_choices,
            "can_strike": rules.can_strike(request.user, vote),
            "strike_form": StrikeForm(),
        },
    )


def _roll_names(vote: Vote) -> list[dict]:
    return [
        {
            "voter": public_name(entry.voter),
            "community": entry.community.name if entry.community else "",
            "struck": entry.struck,
            "struck_reason": entry.struck_reason,
        }
        for entry in selectors.voter_roll(vote)
    ]


def voters_json(request, pk):
    vote = _load(request, pk)
    return JsonResponse({"vote": vote.pk, "voters": _roll_names(vote)})


def voters_csv(request, pk):
    vote = _load(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="vote-{vote.pk}-voters.csv"'
    writer = csv.writer(response)
    writer.writerow(["voter", "community", "struck", "struck_reason"])
    for row in _roll_names(vote):
        writer.writerow(
            [
                spreadsheet_safe(row["voter"]),
                spreadsheet_safe(row["community"]),
                "yes" if row["struck"] else "",
                spreadsheet_safe(row["struck_reason"]),
            ]
        )
    return response


@require_POST
def strike(request, pk):
    vote = _load(request, pk)
    if not request.user.is_authenticated:
        return sign_in_first(request, request.path)
    if not rules.can_strike(request.user, vote):
        raise PermissionDenied
    form = StrikeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a public reason for striking the ballot."))
        return redirect(reverse("ratification:voters", args=[vote.pk]))
    target = Ballot.objects.filter(vote=vote, pk=form.cleaned_data["ballot"]).first()
    if target is None:
        return HttpResponse(
            _("No such ballot in this vote."), status=404, content_type="text/plain"
        )
    try:
        services.strike_ballot(ballot=target, user=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(reverse("ratification:voters", args=[vote.pk]))
    messages.success(request, _("Ballot struck; the reason is public."))
    return redirect(reverse("ratification:voters", args=[vote.pk]))


def audit(request, pk):
    vote = _load(request, pk)
    return TemplateResponse(
        request, "ratification/audit.html", {"vote": vote, "log": selectors.audit_log(vote)}
    )
