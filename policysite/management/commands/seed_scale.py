"""A deployment the size of the largest real one, for rehearsals (`make loadtest`).

At --scale 1 (the default): 900 communities with declarations in every status (overrides on
the ones that adopt with local changes, coverage maps on the equivalents), one 30-section
policy with 5 versions and 6 translations, an open consultation with 20,000 positions and 4,000
replies from 5,000 people, a smaller earlier consultation closed with a published summary, and
an open vote with 3,000 eligible voters (a tenth of whom have voted) beside the board's
decision. --scale 0.01 builds 1% of every count (tests).

Through the services, as an administrator would (permission checks, validation, history, the
transparency log): the policy, its versions and translations, communities, declarations,
overrides and mappings, consultations and their state changes, moderation, the summary, the
vote, the board decision and every ballot.

In bulk (bulk_create), where the services would take far too long and nothing public is
logged for the rows: the 5,000 people (one password hash shared by all, the demo password),
their memberships (the standing vote eligibility reads), and the positions and replies (a
position's history row is written alongside it, as take_position's save would; the search
index is filled in batches at the end, as the import commands do).

Refuses to run twice: a second run stops with an error before writing anything, since half
the rows would clash with the first run's. Use a fresh database (`make loadtest` makes one)."""

from __future__ import annotations

import datetime as dt
import sys
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from communities import services as community_services
from communities.demo import status_terms
from communities.models import Adoption, Community, Membership
from consultations import fragments
from consultations import services as consultation_services
from consultations.models import WHOLE_TEXT, Position, Reply
from core.indexing import index_rows, indexing_deferred
from policies import services as policy_services
from policies.demo import DEMO_PASSWORD, demo_user
from policies.models import PolicyPage
from ratification import services as vote_services

SLUG = "global-conduct"
PEOPLE_PREFIX = "scale-person-"
SECTIONS = 30  # the policy's shape does not scale down: every page shows all of it
VERSIONS = 5
# (version number, language): six translations, two of them of the older version.
TRANSLATIONS = [(4, "de"), (4, "fr"), (5, "de"), (5, "fr"), (5, "es"), (5, "ar")]
Status = Adoption.Status
# Of every 20 communities: how many declare each status (None: no declaration at all).
STATUS_MIX = (
    [Status.ADOPTED] * 8
    + [Status.OVERRIDES] * 3
    + [Status.EQUIVALENT] * 2
    + [Status.OPTED_OUT] * 1
    + [Status.DISCUSSING] * 3
    + [None] * 3
)
KINDS = ["wiki", "project", "chapter", "event"]
LANGUAGES = ["en", "de", "fr", "es", "pt", "ar", "ja", "sw", "hi", "id"]
STANCES = ["support", "support", "oppose", "neutral", "support"]
MIN_EDITS = 100
VOTE_COMMUNITIES = 40


@dataclass(frozen=True)
class Sizes:
    communities: int
    people: int
    positions: int
    replies: int
    voters: int
    ballots: int
    earlier_positions: int

    @classmethod
    def at(cls, scale: float) -> Sizes:
        def n(full: int, least: int = 1) -> int:
            return max(least, round(full * scale))

        people = n(5000, 8)
        return cls(
            communities=n(900, 20),
            people=people,
            # Four positions each at most: one person, one position per section.
            positions=min(n(20_000, 8), people * 4),
            replies=n(4000, 4),
            voters=min(n(3000, 4), people),
            ballots=n(300, 2),
            earlier_positions=n(600, 4),
        )


class Progress:
    """A plain text progress bar on stderr: one line per step, redrawn in place on a terminal."""

    def __init__(self, stream, enabled: bool):
        self.stream = stream
        self.enabled = enabled
        self.tty = enabled and stream.isatty()
        self.started = time.monotonic()

    def step(self, label: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if not self.tty and done not in (0, total) and done % max(1, total // 10):
            return
        width = 30
        filled = width * done // max(total, 1)
        line = (
            f"{label:<24} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
            f"  {time.monotonic() - self.started:6.1f}s"
        )
        end = "\n" if done >= total or not self.tty else ""
        self.stream.write(("\r" if self.tty else "") + line + end)
        self.stream.flush()


def section_texts(version: int) -> list[tuple[str, str]]:
    """(heading, Markdown body) of the 30 sections as of `version`: each version rewords a few
    sections, so compare pages and stale overrides have something to show."""
    texts = []
    for i in range(SECTIONS):
        revised = [v for v in range(2, version + 1) if (i + v) % 6 == 0]
        wording = f" (revised in version {revised[-1]})" if revised else ""
        body = (
            f"Participants in every space this code covers treat one another with respect in "
            f"matter {i + 1}{wording}. Disagreement about content is welcome; attacks on people "
            f"are not.\n\n- Say what you saw, where and when.\n- Report it through "
            f"[CONTACT METHOD] within {7 + (i + version) % 5} days.\n- The "
            f"[GOVERNING BODY] answers every report.\n\n"
            + " ".join(f"Clause {i + 1}.{j} applies in good faith." for j in range(1, 9))
        )
        texts.append((f"Part {i + 1}: conduct in area {i + 1}", body))
    return texts


def translated_markdown(version, language: str) -> str:
    parts = [f"# [{language}] {version.title}"]
    for section in version.sections.all():
        parts.append(f"## [{language}] {section.heading}")
        parts.append(f"[{language}] {section.body}")
    return "\n\n".join(parts) + "\n"


def rehearsal_pages(sample: int = 5) -> dict[str, list[str]]:
    """The public pages of the rehearsal deployment, by kind: what `make loadtest` reads and
    the tests render. `sample`: how many of each many-of-a-kind page (communities, sections)."""
    from consultations.models import Consultation
    from ratification.models import Vote

    page = PolicyPage.objects.get(slug=SLUG)
    base = page.url
    current = Consultation.objects.filter(version__policy=page, state="open").get()
    earlier = Consultation.objects.filter(version__policy=page).exclude(pk=current.pk).get()
    vote = Vote.objects.get(version__policy=page)
    keys = [s.key for s in current.version.sections.all()]
    step = max(1, len(keys) // sample)
    communities = list(
        Adoption.objects.filter(policy=page)
        .order_by("community__slug")
        .values_list("community__slug", flat=True)
    )
    chosen = communities[:: max(1, len(communities) // sample)][:sample]
    adopting = list(
        Adoption.objects.filter(policy=page, status__in=Adoption.ADOPTING)
        .order_by("community__slug")
        .values_list("community__slug", flat=True)
    )
    effective = adopting[:: max(1, len(adopting) // sample)][:sample]
    consultation = f"{base}consultations/{current.pk}/"
    return {
        "policy": [base],
        "version": [f"{base}versions/{n}/" for n in range(1, VERSIONS + 1)],
        "history": [f"{base}versions/"],
        "compare": [f"{base}compare/{n}/{n + 1}/" for n in range(1, VERSIONS)],
        "download": [
            f"{base}versions/{VERSIONS}/markdown/",
            f"{base}versions/{VERSIONS}/wikitext/",
        ],
        "translation": [f"{base}translations/{language}/" for _, language in TRANSLATIONS[2:]],
        "consultation": [consultation],
        "positions": [f"{consultation}sections/{key}/positions/" for key in keys[::step]],
        "summary": [f"{base}consultations/{earlier.pk}/summary/"],
        "registry": ["/communities/"],
        "community": [f"/communities/{slug}/" for slug in chosen],
        "effective": [f"/communities/{slug}/{SLUG}/effective/" for slug in effective],
        "dashboard": ["/adoption/"],
        "export": ["/adoption/export.csv", f"/votes/{vote.pk}/voters.csv"],
        # Every position and reply: megabytes at full size, so a kind of its own.
        "consultation_export": [f"{consultation}export.csv", f"{consultation}export.json"],
        "feed": ["/feeds/versions/", "/feeds/adoption/", "/feeds/votes/", "/feeds/summaries/"],
        "votes": ["/votes/", f"/votes/{vote.pk}/"],
        "ratification": [f"{base}ratification/"],
        "log": ["/log/"],
    }


class Command(BaseCommand):
    help = (
        "Build a deployment the size of the largest real one (900 communities, a 30-section "
        "policy with 5 versions and 6 translations, 20,000 positions and 4,000 replies from "
        "5,000 people, a vote with 3,000 eligible voters). Refuses to run on a database that "
        "already has it. Progress on stderr."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="fraction of every count to build (e.g. 0.01 for tests); default 1",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, scale: float, no_progress: bool, **options):
        if not 0 < scale <= 1:
            raise CommandError("--scale is a fraction of the full size: more than 0, at most 1.")
        if PolicyPage.objects.filter(slug=SLUG).exists():
            raise CommandError(
                f"This database already holds the rehearsal deployment (policy “{SLUG}”): "
                "seed_scale builds it once. Run it on a fresh database."
            )
        started = time.monotonic()
        self.progress = Progress(sys.stderr, enabled=not no_progress and options["verbosity"])
        self.sizes = Sizes.at(scale)
        with transaction.atomic():
            self.build()
        self.stdout.write(
            self.style.SUCCESS(
                f"Rehearsal deployment ready in {time.monotonic() - started:.0f} s: "
                f"{self.page.url} ({VERSIONS} versions, {len(TRANSLATIONS)} translations), "
                f"{self.sizes.communities} communities, {self.sizes.positions} positions and "
                f"{self.sizes.replies} replies from {self.sizes.people} people, "
                f"vote {self.vote.pk} with {self.sizes.voters} eligible voters."
            )
        )

    def build(self) -> None:
        self.admin = demo_user("scale-admin", "Scale Admin", superuser=True)
        self.editor = demo_user(
            "scale-editor", "Scale Editor", groups=["Editors", "Moderators"], staff=True
        )
        self.facilitator = demo_user(
            "scale-facilitator", "Scale Facilitator", groups=["Facilitators"]
        )
        self.build_policy()
        self.people = self.build_people()
        self.build_communities()
        self.build_consultations()
        self.build_vote()

    # --- the policy ------------------------------------------------------------------------

    def build_policy(self) -> None:
        total = VERSIONS + len(TRANSLATIONS)
        self.progress.step("policy and translations", 0, total)
        page = policy_services.create_policy_page(
            title="Global Conduct Code",
            slug=SLUG,
            user=self.editor,
            intro="The shared code of conduct, as consulted on worldwide.",
        )
        keys = [None] * SECTIONS
        for number in range(1, VERSIONS + 1):
            texts = section_texts(number)
            version = policy_services.publish_policy(
                page=page,
                user=self.editor,
                summary=f"Version {number}: rewording after round {number - 1}"
                if number > 1
                else "First published text",
                sections=[(key, h, b) for key, (h, b) in zip(keys, texts, strict=True)],
                label=f"{number}.0",
            )
            keys = [s.key for s in version.sections.all()]
            self.progress.step("policy and translations", number, total)
        self.page = PolicyPage.objects.get(pk=page.pk)
        if not PolicyPage.objects.exclude(pk=page.pk).filter(live=True).exists():
            policy_services.set_baseline_policy(page=self.page, user=self.admin)
        self.versions = {v.number: v for v in self.page.versions.prefetch_related("sections")}
        for n, (number, language) in enumerate(TRANSLATIONS, start=1):
            policy_services.import_translation_markdown(
                data=translated_markdown(self.versions[number], language),
                slug=SLUG,
                version_number=number,
                language_code=language,
                user=self.editor,
                note=f"Translated for the rehearsal ({language}).",
            )
            self.progress.step("policy and translations", VERSIONS + n, total)
        self.keys = keys

    # --- people ----------------------------------------------------------------------------

    def build_people(self) -> list[int]:
        User = get_user_model()
        password = make_password(DEMO_PASSWORD)  # hashed once: the hash is the slow part
        total = self.sizes.people
        self.progress.step("people", 0, total)
        batch = 1000
        for start in range(0, total, batch):
            User.objects.bulk_create(
                [
                    User(
                        username=f"{PEOPLE_PREFIX}{i:05d}",
                        first_name="Person",
                        last_name=f"{i:05d}",
                        email=f"{PEOPLE_PREFIX}{i:05d}@example.org",
                        password=password,
                    )
                    for i in range(start, min(start + batch, total))
                ]
            )
            self.progress.step("people", min(start + batch, total), total)
        return list(
            User.objects.filter(username__startswith=PEOPLE_PREFIX)
            .order_by("username")
            .values_list("pk", flat=True)
        )

    # --- communities -----------------------------------------------------------------------

    def build_communities(self) -> None:
        total = self.sizes.communities
        self.progress.step("communities", 0, total)
        self.communities = []
        with indexing_deferred(Community):
            for i in range(total):
                community = self.build_community(i)
                self.communities.append(community)
                self.progress.step("communities", i + 1, total)

    def build_community(self, i: int) -> Community:
        slug = f"community-{i:04d}"
        community, _ = community_services.save_community(
            user=self.facilitator,
            name=f"Community {i:04d} {KINDS[i % len(KINDS)].title()}",
            slug=slug,
            kind=KINDS[i % len(KINDS)],
            language=LANGUAGES[i % len(LANGUAGES)],
            url=f"https://{slug}.example.org/",
        )
        status = STATUS_MIX[i % len(STATUS_MIX)]
        if status is None:
            return community
        # Most follow the latest version; some lag one or two behind (stale declarations).
        version = self.versions[VERSIONS - (0 if i % 5 else 1 + i % 2)]
        adopting = status in (Status.ADOPTED, Status.OVERRIDES)
        kwargs = status_terms(community, status)
        adoption = community_services.declare_adoption(
            community=community,
            policy=self.page,
            user=self.facilitator,
            status=Status.ADOPTED if status == Status.OVERRIDES else status,
            version=version,
            decided_on=dt.date(2026, 1, 1) + dt.timedelta(days=i % 300),
            evidence_url=f"{community.url}discussion/conduct",
            enforcement_body=f"{community.name} conduct team" if adopting else "",
            report_contact=f"conduct@{slug}.example.org" if adopting else "",
            parameters={
                "[CONTACT METHOD]": f"conduct@{slug}.example.org",
                "[GOVERNING BODY]": f"{community.name} conduct team",
            }
            if adopting
            else {},
            **kwargs,
        )
        if status == Status.OVERRIDES:
            sections = list(version.sections.all())
            for n in range(1 + i % 3):
                section = sections[(i + 7 * n) % len(sections)]
                community_services.set_override(
                    adoption=adoption,
                    section_key=section.key,
                    user=self.facilitator,
                    action="omit" if n == 2 else "replace",
                    text="" if n == 2 else f"Locally: {section.body[:200]} Ask in the chat too.",
                    rationale="Our community reports in its chat first.",
                )
        if status == Status.EQUIVALENT:
            community_services.set_mappings(
                adoption=adoption,
                user=self.facilitator,
                mappings=[
                    {"section_key": s.key, "coverage": ("covered", "partly", "not_covered")[n % 3]}
                    for n, s in enumerate(version.sections.all())
                ],
            )
        return community

    # --- consultations ---------------------------------------------------------------------

    def build_consultations(self) -> None:
        now = timezone.now()
        # An earlier round on version 4, closed and answered by version 5.
        earlier = consultation_services.create_consultation(
            version=self.versions[4],
            user=self.facilitator,
            title="Consultation on version 4",
            description="Four weeks on the fourth text.",
            opens_at=now - dt.timedelta(days=60),
            closes_at=now + dt.timedelta(hours=1),
            open_now=True,
        )
        keys4 = [s.key for s in self.versions[4].sections.all()]
        self.bulk_positions(earlier, keys4, self.sizes.earlier_positions, label="earlier")
        consultation_services.close_consultation(
            consultation=earlier, user=self.facilitator, note="The four weeks ended."
        )
        cited = list(earlier.positions.order_by("pk").values_list("pk", flat=True)[:2])
        consultation_services.save_summary(
            consultation=earlier,
            user=self.facilitator,
            intro="Thank you to everyone who took part. Version 5 takes up what most asked for.",
            answered_by=5,
            sections=[
                {
                    "section_key": WHOLE_TEXT,
                    "outcome": "accepted",
                    "text": "Version 5 shortens the reporting times.",
                    "cited": cited,
                }
            ],
        )
        consultation_services.publish_summary(consultation=earlier, user=self.facilitator)

        self.consultation = consultation_services.create_consultation(
            version=self.versions[5],
            user=self.facilitator,
            title="Global consultation on version 5",
            description="Take a position on each section you care about, and say why.",
            closes_at=now + dt.timedelta(days=28),
            open_now=True,
        )
        positions = self.bulk_positions(
            self.consultation, self.keys, self.sizes.positions, label="positions"
        )
        self.bulk_replies(positions)
        # A few positions hidden by a moderator, through the service (it logs them).
        for position in positions[:: max(1, len(positions) // 10)][:10]:
            consultation_services.moderate(
                item=position,
                user=self.facilitator,
                hide=True,
                reason="Off topic; please argue about the text.",
            )
        fragments.consultation_changed(self.consultation.pk)

    def bulk_positions(self, consultation, keys, count, *, label) -> list[Position]:
        keys = [*keys, WHOLE_TEXT]
        now = timezone.now()
        rows = []
        for n in range(count):
            person, j = divmod(n, 4)
            # Four different sections per person (8 is prime to 31, so 8·j mod 31 differ).
            key = keys[(person * 7 + j * 8) % len(keys)]
            stance = STANCES[(person + j) % len(STANCES)]
            when = now - dt.timedelta(minutes=(count - n) * 2)
            verdict = "works" if stance == "support" else "needs work"
            reason = (
                f"Position {n}: the wording of this part {verdict}"
                f" for community {(person * 13) % 900:04d}; "
                + ("we report in our chat first, so name it. " if stance == "oppose" else "")
                + "Thanks for the careful drafting."
                if stance != "neutral" or n % 3
                else ""
            )
            rows.append(
                Position(
                    consultation=consultation,
                    section_key=key,
                    user_id=self.people[person % len(self.people)],
                    stance=stance,
                    strength=("", "strong", "weak")[n % 7 % 3] if n % 7 < 3 else "",
                    reason=reason,
                    created_at=when,
                    updated_at=when,
                )
            )
        created = []
        batch = 2000
        self.progress.step(label, 0, count)
        for start in range(0, count, batch):
            created += bulk_create_with_history(
                rows[start : start + batch],
                Position,
                batch_size=batch,
                default_user=None,
                default_date=now,
            )
            self.progress.step(label, min(start + batch, count), count)
        positions = list(Position.objects.filter(consultation=consultation).order_by("pk"))
        index_rows(Position, positions)
        return positions

    def bulk_replies(self, positions: list[Position]) -> None:
        count = self.sizes.replies
        now = timezone.now()
        self.progress.step("replies", 0, count)
        first = []
        # Four in five answer a position; the rest answer one of those replies.
        n_first = count - count // 5
        for n in range(n_first):
            position = positions[(n * 37) % len(positions)]
            first.append(
                Reply(
                    position=position,
                    depth=1,
                    user_id=self.people[(n * 11 + 3) % len(self.people)],
                    body=f"Reply {n}: I see it differently; the clause works in our community.",
                    created_at=max(position.created_at, now - dt.timedelta(minutes=n % 600)),
                )
            )
        Reply.objects.bulk_create(first, batch_size=2000)
        self.progress.step("replies", n_first, count)
        first = list(Reply.objects.filter(position__in=positions).order_by("pk"))
        second = [
            Reply(
                position_id=parent.position_id,
                parent=parent,
                depth=2,
                user_id=self.people[(n * 17 + 5) % len(self.people)],
                body=f"Reply {n_first + n}: agreed, and it should say so.",
                created_at=parent.created_at + dt.timedelta(minutes=1),
            )
            for n, parent in enumerate(first[: count - n_first])
        ]
        Reply.objects.bulk_create(second, batch_size=2000)
        index_rows(Reply, Reply.get_indexed_objects().filter(position__in=positions))
        self.progress.step("replies", count, count)

    # --- the vote --------------------------------------------------------------------------

    def build_vote(self) -> None:
        now = timezone.now()
        version = self.versions[VERSIONS]
        vote_policy = self.communities[: min(VOTE_COMMUNITIES, len(self.communities))]
        total = self.sizes.voters
        self.progress.step("voters", 0, total)
        # Standing as the registry import would record it: each voter in one eligible community
        # with enough edits; as many again below the threshold (members who may not vote).
        memberships = [
            Membership(
                community=vote_policy[n % len(vote_policy)],
                user_id=self.people[n],
                edit_count=MIN_EDITS + (n * 37) % 5000,
                registered_on=dt.date(2018, 1, 1) + dt.timedelta(days=n % 2000),
                source="seed_scale",
            )
            for n in range(total)
        ]
        memberships += [
            Membership(
                community=vote_policy[n % len(vote_policy)],
                user_id=self.people[n],
                edit_count=n % MIN_EDITS,
                source="seed_scale",
            )
            for n in range(total, min(len(self.people), 2 * total))
        ]
        Membership.objects.bulk_create(memberships, batch_size=2000)
        self.progress.step("voters", total, total)
        vote_services.record_board_decision(
            version=version,
            user=self.admin,
            body="Board of Trustees",
            decided_on=(now - dt.timedelta(days=2)).date(),
            outcome="ratified",
            minutes_url="https://governance.example.org/minutes/global-conduct",
            note="Ratified subject to the community vote.",
        )
        vote = vote_services.create_vote(
            version=version,
            user=self.facilitator,
            config=vote_services.VoteSettings(
                question=f"Do you ratify the Global Conduct Code, version {VERSIONS}?",
                description="Abstentions count towards the quorum. You may change your ballot "
                "until the vote closes.",
                opens_at=now - dt.timedelta(hours=1),
                closes_at=now + dt.timedelta(days=14),
                quorum_ballots=max(1, total // 10),
                quorum_communities=2,
                min_community_edits=MIN_EDITS,
                eligible_communities=tuple(vote_policy),
            ),
            now=now - dt.timedelta(hours=2),
        )
        self.vote = vote_services.open_vote(
            vote=vote, user=self.facilitator, now=now - dt.timedelta(hours=2)
        )
        User = get_user_model()
        ballots = min(self.sizes.ballots, total)
        voters = User.objects.filter(pk__in=self.people[:ballots]).order_by("pk")
        for n, voter in enumerate(voters, start=1):
            vote_services.cast_ballot(
                vote=self.vote, user=voter, option=("yes", "yes", "no", "abstain")[n % 4]
            )
            self.progress.step("ballots", n, ballots)
