"""Reads shared by the ratification pages, exports and commands, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from fractions import Fraction

from django.db.models import Count, F, Q
from django.http import Http404
from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.naming import public_name
from communities import selectors as community_selectors
from communities.models import Community
from policies import selectors as policy_selectors
from policies.models import PolicyPage, PolicyVersion

from . import rules
from .ballot_list import in_published_order, shown_fingerprint, terms_hash
from .models import AuditEntry, Ballot, BoardRatification, Choice, ExternalTally, Vote
from .terms import TERMS, Kind, Term


def get_vote(pk, *, for_ballot: bool = False) -> Vote:
    """The vote with its version and policy page.

    `for_ballot` is the lean form for casting a ballot, the one hot path of a vote: the policy
    page (a Wagtail page joined across two tables) is replaced by its title, annotated as
    `policy_title`. Through gunicorn the gain was within the benchmark's noise; the page of a
    recorded ballot needs nothing else of the policy."""
    votes = Vote.objects.all()
    if for_ballot:
        votes = votes.select_related("version").annotate(policy_title=F("version__policy__title"))
    else:
        votes = votes.select_related("version", "version__policy")
    try:
        return votes.get(pk=pk)
    except (Vote.DoesNotExist, ValueError, TypeError):
        raise Http404("No such vote.") from None


def get_version(slug: str, number: int | None = None) -> PolicyVersion:
    policy = PolicyPage.objects.live().filter(slug=slug).first()
    if policy is None:
        raise Http404("No such policy.")
    versions = policy_selectors.versions_newest_first(policy).select_related("policy", "author")
    version = versions.filter(number=number).first() if number is not None else versions.first()
    if version is None:
        raise Http404("No such version.")
    return version


@dataclass
class OptionCount:
    key: str
    label: str
    counts_as: str
    count: int
    percent: int = 0


@dataclass
class Results:
    options: list[OptionCount]
    votes_for: int
    votes_against: int
    votes_abstain: int
    counted: int
    struck: int
    communities_represented: int
    threshold_met: bool
    quorum_ballots_met: bool
    quorum_communities_met: bool
    outcome: str  # "passed", "failed", "no quorum"
    share_for: str  # e.g. "71.4%" of for + against, or "—"
    breakdown: list[dict] = field(default_factory=list)
    pooled: dict | None = None


def results(vote: Vote) -> Results:
    """Counts, threshold, quorum and outcome of a closed vote."""
    return results_for_votes([vote])[vote.pk]


def results_for_votes(votes: list[Vote]) -> dict[int, Results]:
    """Results of several closed votes in three queries, however many votes and ballots."""
    ids = [vote.pk for vote in votes]
    # Counts were worked out when each vote closed (secret options are encrypted).
    counts = {vote.pk: dict(vote.tally or {}) for vote in votes}
    stats = {
        row["vote_id"]: row
        for row in Ballot.objects.filter(vote_id__in=ids)
        .order_by()
        .values("vote_id")
        .annotate(
            n_struck=Count("pk", filter=Q(struck=True)),
            n_communities=Count("community", filter=Q(struck=False), distinct=True),
        )
    }
    community_ids = {
        int(cid) for vote in votes for cid in ((vote.breakdown or {}).get("communities") or {})
    }
    names = (
        dict(Community.objects.filter(pk__in=community_ids).values_list("pk", "name"))
        if community_ids
        else {}
    )
    return {
        vote.pk: _results(vote, counts[vote.pk], stats.get(vote.pk, {}), names) for vote in votes
    }


def _results(vote: Vote, counts: dict[str, int], stats: dict, names: dict) -> Results:
    totals = {"for": 0, "against": 0, "abstain": 0}
    options = []
    counted = sum(counts.values())
    for option in vote.options:
        n = counts.get(option["key"], 0)
        totals[option["counts_as"]] += n
        options.append(
            OptionCount(
                option["key"],
                option["label"],
                option["counts_as"],
                n,
                round(n * 100 / counted) if counted else 0,
            )
        )
    decisive = totals["for"] + totals["against"]
    threshold = Fraction(vote.threshold_numerator, vote.threshold_denominator)
    threshold_met = decisive > 0 and Fraction(totals["for"], decisive) >= threshold
    represented = stats.get("n_communities", 0)
    quorum_ballots_met = counted >= vote.quorum_ballots
    quorum_communities_met = represented >= vote.quorum_communities
    if not (quorum_ballots_met and quorum_communities_met):
        outcome = "no quorum"
    else:
        outcome = "passed" if threshold_met else "failed"
    breakdown, pooled = _breakdown_rows(vote, names)
    return Results(
        options=options,
        votes_for=totals["for"],
        votes_against=totals["against"],
        votes_abstain=totals["abstain"],
        counted=counted,
        struck=stats.get("n_struck", 0),
        communities_represented=represented,
        threshold_met=threshold_met,
        quorum_ballots_met=quorum_ballots_met,
        quorum_communities_met=quorum_communities_met,
        outcome=outcome,
        share_for=f"{totals['for'] * 100 / decisive:.1f}%" if decisive else "—",
        breakdown=breakdown,
        pooled=pooled,
    )


def results_payload(vote: Vote) -> dict:
    """A closed vote's results as plain data: the one payload of the page's JSON and CSV
    exports and of the API. The vote's terms, the counts, threshold, quorum (both quorums and
    the two together) and outcome, the communities shown on their own and the pool of the rest,
    each count keyed by option."""
    data = results(vote)
    keys = [option.key for option in data.options]
    return {
        "vote": vote.pk,
        "question": vote.question,
        "policy": vote.version.policy.title,
        "version": vote.version.number,
        "content_hash": vote.content_hash,
        "opens_at": vote.opens_at.isoformat(),
        "closes_at": vote.closes_at.isoformat(),
        "secret": vote.secret,
        "threshold": vote.threshold_text,
        "quorum_ballots": vote.quorum_ballots,
        "quorum_communities": vote.quorum_communities,
        "breakdown_minimum_group": vote.breakdown_min_group,
        "options": [asdict(option) for option in data.options],
        "votes_for": data.votes_for,
        "votes_against": data.votes_against,
        "votes_abstain": data.votes_abstain,
        "counted": data.counted,
        "struck": data.struck,
        "communities_represented": data.communities_represented,
        "threshold_met": data.threshold_met,
        "quorum_ballots_met": data.quorum_ballots_met,
        "quorum_communities_met": data.quorum_communities_met,
        "quorum_met": data.quorum_ballots_met and data.quorum_communities_met,
        "outcome": data.outcome,
        "share_for": data.share_for,
        "breakdown": [
            {
                "community": row["community"],
                "counts": dict(zip(keys, row["counts"], strict=True)),
                "total": row["total"],
            }
            for row in data.breakdown
        ],
        "pooled": {
            "counts": dict(zip(keys, data.pooled["counts"], strict=True)),
            "total": data.pooled["total"],
        }
        if data.pooled
        else None,
    }


def _breakdown_rows(vote: Vote, names: dict) -> tuple[list[dict], dict | None]:
    data = vote.breakdown or {}
    groups = data.get("communities") or {}
    labels = vote.options
    rows = []
    for cid, counts in groups.items():
        rows.append(
            {
                "community": names.get(int(cid), "(removed community)"),
                "counts": [counts.get(o["key"], 0) for o in labels],
                "total": sum(counts.values()),
            }
        )
    rows.sort(key=lambda r: r["community"].lower())
    pooled = None
    if data.get("pooled_voters"):
        pooled_counts = data.get("pooled") or {}
        pooled = {
            "counts": [pooled_counts.get(o["key"], 0) for o in labels],
            "total": data["pooled_voters"],
        }
    return rows, pooled


def audit_log(vote: Vote, limit: int = 200) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(vote=vote)
        .select_related("actor", "subject")
        .order_by("-created_at", "-pk")[:limit]
    )


def voter_roll(vote: Vote) -> list[Ballot]:
    """Everyone who voted, with the community they voted as; never what they chose in a secret
    vote (open votes add the choice after close, in the view)."""
    return list(
        Ballot.objects.filter(vote=vote)
        .select_related("voter", "community", "struck_by")
        .annotate(voter_home=account_selectors.home_community_name("voter"))
        .order_by("voter__username")
    )


def open_choices(vote: Vote) -> dict[int, str]:
    """Voter id → option label, for open (non-secret) votes only."""
    if vote.secret:
        return {}
    labels = vote.option_labels()
    return {
        voter_id: labels.get(option, option)
        for voter_id, option in Choice.objects.filter(
            vote=vote, voter__isnull=False, sealed_option=""
        ).values_list("voter_id", "option")
    }


def ballot_count(vote: Vote) -> int:
    return Ballot.objects.filter(vote=vote, struck=False).count()


def own_ballot(vote: Vote, user) -> Ballot | None:
    if not getattr(user, "pk", None):
        return None
    return Ballot.objects.filter(vote=vote, voter=user).select_related("community").first()


def own_ballot_with_vote(vote_id, user) -> Ballot | None:
    """The user's ballot in a vote with the vote as the page of a recorded ballot shows it
    (get_vote's lean form), in one query; None when there is no such ballot."""
    ballot = (
        Ballot.objects.filter(vote_id=vote_id, voter=user)
        .select_related("vote__version")
        .annotate(policy_title=F("vote__version__policy__title"))
        .first()
    )
    if ballot is not None:
        ballot.vote.policy_title = ballot.policy_title
    return ballot


def vote_list() -> list[Vote]:
    votes = list(
        Vote.objects.exclude(state=Vote.State.DRAFT)
        .select_related("version", "version__policy")
        .annotate(voters=Count("ballots"))
        .order_by("-opens_at", "-pk")
    )
    now = timezone.now()
    for vote in votes:
        vote.phase = rules.phase(vote, now)
    return votes


def draft_votes() -> list[Vote]:
    return list(
        Vote.objects.filter(state=Vote.State.DRAFT)
        .select_related("version", "version__policy")
        .order_by("-created_at")
    )


def status_page(version: PolicyVersion) -> dict:
    """Board track and community track for one version, side by side, plus the adoption
    picture: a fixed number of queries."""
    board = list(BoardRatification.objects.filter(version=version).select_related("recorded_by"))
    votes = list(
        Vote.objects.filter(version=version)
        .exclude(state=Vote.State.DRAFT)
        .annotate(voters=Count("ballots"))
        .order_by("-opens_at")
    )
    now = timezone.now()
    closed = [vote for vote in votes if vote.state == Vote.State.CLOSED]
    closed_results = results_for_votes(closed) if closed else {}
    for vote in votes:
        vote.phase = rules.phase(vote, now)
        vote.result = closed_results.get(vote.pk)
    external = list(
        ExternalTally.objects.filter(version=version).select_related("community", "recorded_by")
    )
    log = list(
        AuditEntry.objects.filter(version=version, vote__isnull=True)
        .select_related("actor", "subject")
        .order_by("-created_at")[:50]
    )
    versions = list(
        policy_selectors.versions_newest_first(version.policy_id).only(
            "number", "label", "policy_id"
        )
    )
    return {
        "version": version,
        "policy": version.policy,
        "board": board,
        "votes": votes,
        "external": external,
        "adoption": community_selectors.adoption_picture(version),
        "log": log,
        "versions": versions,
    }


# --- the ballot list and the frozen terms (ballot_list.py) -------------------------------------


def _public_term(vote: Vote, term: Term):
    value = getattr(vote, term.name)
    if term.kind is Kind.MOMENT:
        return value.isoformat() if value else None
    if term.kind is Kind.OPTIONS:
        return [{"key": o["key"], "label": o["label"], "counts_as": o["counts_as"]} for o in value]
    if term.kind is Kind.COMMUNITIES:
        # .all() rather than a query of its own: the API prefetches the communities.
        return sorted(community.slug for community in value.all())
    if term.kind is Kind.LANGUAGES:
        return list(value)
    return value


def frozen_terms(vote: Vote) -> dict:
    """The vote's public terms as plain data: the text voted on (by its content hash) and every
    term of terms.py but the include and exclude lists, which name people. What the log's
    entry for the opening hashes, what the API shows as `terms` and the ballot list repeats."""
    terms = {
        "vote": vote.pk,
        "version_content_hash": vote.content_hash,
    }
    for name, term in TERMS.items():
        if term.kind is not Kind.PEOPLE:
            terms[name] = _public_term(vote, term)
    return terms


def ballot_list(vote: Vote) -> dict:
    """A closed vote's published ballots: counted ones as fingerprint and option (and the
    voter's public name in an open ballot, whose voter list shows choices after close), struck
    ones as fingerprint and public reason, each sorted by fingerprint (ballot_list.py says
    why), with the frozen terms and the results, so a recount needs nothing else. Never a
    voter in a secret vote. Three queries."""
    from .services import choice_option, owner_tag

    reasons = {
        owner_tag(vote.pk, voter_id): reason
        for voter_id, reason in Ballot.objects.filter(vote=vote, struck=True).values_list(
            "voter_id", "struck_reason"
        )
    }
    counted, struck = [], []
    choices = Choice.objects.filter(vote=vote)
    if not vote.secret:
        choices = choices.select_related("voter")
    for choice in choices:
        row = {"fingerprint": shown_fingerprint(choice.fingerprint, choice.receipt_digest)}
        if choice.struck:
            row["reason"] = reasons.get(choice.owner_tag, "")
            struck.append(row)
            continue
        row["option"] = choice_option(choice)
        if not vote.secret and choice.voter is not None:
            row["voter"] = public_name(choice.voter)
        counted.append(row)
    terms = frozen_terms(vote)
    return {
        "vote": vote.pk,
        "fingerprint": "SHA-256 of 'accord-ballot-fingerprint:' followed by the receipt",
        "terms": terms,
        "terms_hash": terms_hash(terms),
        "ballots": in_published_order(counted),
        "struck": in_published_order(struck),
        "results": results_payload(vote),
    }
