"""One data set with the whole XSS corpus in every user-writable text field, built through the
services (the path every form, command and import takes), and the list of pages that show it.

Fields have length limits, so payloads are packed into chunks that fit (`payloads.pack`) and
spread over as many objects as it takes for every payload to land in every field kind:

* unlimited or 5,000+ character fields get the whole corpus (Markdown fields with blank lines
  between payloads, so block-level tricks such as reference links work);
* shorter fields (titles, names, reasons, labels) get one chunk per object, with enough objects
  for the chunks to cover the corpus; a payload longer than the field can never be stored
  there, and `Corpus.coverage` records how many payloads each field kind received.

Amendments refuse HTML tags outright (amendments.services._amendment_text). The builder
checks that refusal, then also writes the refused payloads straight into the rows, as data
imported before the rule existed would be: the pages must still escape them.

Both tests/browser/test_xss_corpus.py (Chromium) and tests/security/test_escaping.py (raw HTML)
use `build()` and `Corpus.pages`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify

from amendments import services as amendment_services
from amendments.models import Amendment, AmendmentRevision
from communities import services as community_services
from consultations import services as consultation_services
from consultations.models import WHOLE_TEXT
from consultations.selectors import consultation_url
from policies import services as policy_services
from policies.models import PolicyPage
from ratification import services as vote_services
from ratification.models import Ballot
from tests.factories import EditorFactory, UserFactory

from . import payloads as P

SLUG = "xss"
EQUIV_SLUG = "xss-equiv"
FACILITATOR = "fran"
PARTICIPANT = "u00"
PASSWORD = "pw-for-tests-only"

MD = P.pack(P.TEXTS, limit=5000, sep="\n\n")  # Markdown fields of 5,000 characters
ALL_MD = "\n\n".join(P.TEXTS)  # unlimited Markdown fields: the whole corpus at once
ALL_LINE = " ".join(P.TEXTS)  # unlimited plain-text fields


def _amendment_refuses(text: str) -> bool:
    return bool(amendment_services._HTML_TAG.search(text))


ACCEPTED = [t for t in P.TEXTS if not _amendment_refuses(t)]
REFUSED = [t for t in P.TEXTS if _amendment_refuses(t)]


@dataclass
class Page:
    url: str
    role: str  # "anonymous", FACILITATOR or PARTICIPANT
    kind: str = "html"  # html, feed, svg, text, json

    def __str__(self):
        return f"{self.url} ({self.role})"


@dataclass
class Corpus:
    pages: list[Page] = field(default_factory=list)
    coverage: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, url: str, role: str = "anonymous", kind: str = "html") -> None:
        self.pages.append(Page(url, role, kind))

    def landed(self, kind: str, texts: list[str]) -> None:
        """Record that these chunks were written to a field kind (counted in payloads)."""
        joined = "\n".join(texts)
        self.coverage[kind] = sum(1 for t in P.TEXTS if t in joined)


def _users():
    fran = EditorFactory(username=FACILITATOR)
    fran.groups.add(*Group.objects.filter(name__in=["Facilitators", "Scrutineers"]))
    people = [UserFactory(username=f"u{i:02d}") for i in range(24)]
    return fran, people


# --- policies ------------------------------------------------------------------------------


def _placeholders(n: int) -> list[str]:
    return [f"[PARAM-{i:02d}]" for i in range(n)]


def _build_policies(corpus: Corpus, fran, now):
    titles = P.pack(P.TEXTS, limit=255)
    headings = P.pack(P.TEXTS, limit=255)
    summaries = P.pack(P.TEXTS, limit=500)
    labels = P.fitting(P.TEXTS, 20)
    params = P.pack(P.TEXTS, limit=200)
    placeholders = _placeholders(len(params))
    n_versions = max(len(titles), len(summaries), len(labels)) + 1

    page = policy_services.create_policy_page(title="XSS corpus", slug=SLUG, user=fran)
    body_1 = ALL_MD
    body_2 = "Placeholders to fill: " + " ".join(placeholders)
    sections = [(None, headings[0], body_1), (None, headings[1 % len(headings)], body_2)]
    sections += [(None, h, f"Plain body of section {i}.") for i, h in enumerate(headings[2:], 2)]
    policy_services.publish_policy(
        page=page,
        user=fran,
        summary=summaries[0],
        title=titles[0],
        label=labels[0],
        sections=sections,
    )
    keys = [s.key for s in page.versions.get().sections.all()]

    def publish(number, secs):
        policy_services.publish_policy(
            page=page,
            user=fran,
            summary=summaries[(number - 1) % len(summaries)],
            title=titles[(number - 1) % len(titles)],
            label=labels[(number - 1) % len(labels)],
            sections=secs,
        )

    # v2 renames every heading to another chunk, reverses the corpus in section 1 and adds a
    # section; v3 removes it again. Compare pages then show renamed, changed, added and removed
    # rows, each built from payload text.
    rotated = [
        (key, headings[(i + 1) % len(headings)], body)
        for i, (key, (_, _, body)) in enumerate(zip(keys, sections, strict=True))
    ]
    rotated[0] = (keys[0], rotated[0][1], "\n\n".join(reversed(P.TEXTS)))
    publish(2, [*rotated, (None, ALL_LINE[:255], ALL_MD)])
    current = rotated
    publish(3, current)
    for number in range(4, n_versions):
        current = [*current]
        current[2] = (keys[2], current[2][1], f"Plain body, edited for version {number}.")
        publish(number, current)
    consulted = n_versions - 1

    page = PolicyPage.objects.get(pk=page.pk)
    corpus.landed("policy title", titles)
    corpus.landed("section heading", headings)
    corpus.landed("section body", [ALL_MD])
    corpus.landed("version summary", summaries)
    corpus.landed("version label", labels)

    equiv = policy_services.create_policy_page(title="Plain baseline", slug=EQUIV_SLUG, user=fran)
    policy_services.publish_policy(
        page=equiv,
        user=fran,
        summary="First.",
        sections=[(None, "Scope", "Plain."), (None, "Reporting", "Plain.")],
    )
    return page, equiv, keys, current, consulted, params, placeholders


def _publish_final(page, fran, keys, current, number):
    """The version after the consulted one: section 1 changes, so summaries, carried-over
    positions and stale overrides all show a diff of payload text."""
    final = [*current]
    final[0] = (keys[0], final[0][1], ALL_MD + "\n\nOne more sentence in the final version.")
    policy_services.publish_policy(
        page=page, user=fran, summary=f"Final version {number}.", sections=final
    )


# --- consultations ----------------------------------------------------------------------------


def _amendment_raw(amendment: Amendment, **fields) -> None:
    """Write refused text straight into an amendment and its revisions, as old data might hold."""
    Amendment.objects.filter(pk=amendment.pk).update(**fields)
    revision_fields = {k: v for k, v in fields.items() if k in ("text", "heading", "rationale")}
    AmendmentRevision.objects.filter(amendment=amendment).update(**revision_fields)


def _build_consultation(corpus: Corpus, page, fran, people, keys, consulted, now):
    version = page.versions.get(number=consulted)
    titles = P.pack(P.TEXTS, limit=200)
    notes = P.pack(P.TEXTS, limit=500)
    main = consultation_services.create_consultation(
        version=version,
        user=fran,
        title=titles[0],
        description=MD[0],
        closes_at=now + dt.timedelta(days=28),
        open_now=True,
    )
    url = consultation_url(main)
    u = people

    # Positions, replies, flags, private feedback.
    positions = [
        consultation_services.take_position(
            consultation=main, section_key=keys[0], user=u[i], stance=stance, reason=MD[i % 2]
        )
        for i, stance in enumerate(["oppose", "support"])
    ]
    for i, chunk in enumerate(MD):
        consultation_services.take_position(
            consultation=main, section_key=WHOLE_TEXT, user=u[2 + i], stance="neutral", reason=chunk
        )
    first_reply = consultation_services.add_reply(position=positions[0], user=u[1], body=MD[0])
    consultation_services.add_reply(
        position=positions[0], user=u[2], body=MD[1 % len(MD)], parent=first_reply
    )
    moderated = consultation_services.add_reply(
        position=positions[1], user=u[3], body="A reply the facilitator hides and restores."
    )
    flags = P.pack(P.TEXTS, limit=500)
    for i, reason in enumerate(flags):
        consultation_services.flag_item(item=positions[0], user=u[4 + i], reason=reason)
    for i, chunk in enumerate(MD):
        consultation_services.give_private_feedback(
            consultation=main, user=u[i], body=chunk, section_key=keys[0]
        )

    # Amendments: accepted payloads through the service, the refused ones checked and then
    # written into the rows directly.
    for text in REFUSED[:10]:
        try:
            amendment_services.propose_amendment(
                consultation=main,
                user=fran,
                section_key=keys[1],
                kind="replace",
                text=text,
                rationale=text,
            )
        except ValidationError:
            continue
        raise AssertionError(f"An amendment accepted HTML: {text!r}")
    accepted_chunks = P.pack(ACCEPTED, limit=5000, sep="\n\n")
    replaced = []
    for i, chunk in enumerate(accepted_chunks):
        replaced.append(
            amendment_services.propose_amendment(
                consultation=main,
                user=fran,
                section_key=keys[i + 1],
                kind="replace",
                text=chunk,
                rationale=chunk,
            )
        )
    amendment_services.revise_amendment(
        amendment=replaced[0],
        user=fran,
        kind="replace",
        text="\n\n".join(reversed(accepted_chunks[0].split("\n\n"))),
        rationale=accepted_chunks[-1],
    )
    accepted_headings = P.pack(ACCEPTED, limit=255)
    for heading in accepted_headings:
        amendment_services.propose_amendment(
            consultation=main,
            user=fran,
            section_key=keys[0],
            kind="insert",
            heading=heading,
            text="A new section.",
            rationale="Because.",
        )
    refused_headings = P.pack(REFUSED, limit=255)
    raw = []
    for heading in refused_headings:
        amendment = amendment_services.propose_amendment(
            consultation=main,
            user=fran,
            section_key=keys[2],
            kind="insert",
            heading="Placeholder heading",
            text="Placeholder text.",
            rationale="Placeholder rationale.",
        )
        _amendment_raw(amendment, heading=heading, text="\n\n".join(REFUSED), rationale=heading)
        raw.append(amendment)
    # A second revision of a raw amendment, so "Earlier wordings" diffs refused text too.
    AmendmentRevision.objects.create(
        amendment=raw[0],
        number=2,
        kind="insert",
        heading=raw[0].heading,
        text="\n\n".join(reversed(REFUSED)),
        rationale="Revised.",
        created_at=now,
    )
    Amendment.objects.filter(pk=raw[0].pk).update(revision=2, text="\n\n".join(reversed(REFUSED)))
    for amendment in replaced:
        consultation_services.take_position(
            consultation=main,
            section_key=amendment.key,
            user=u[0],
            stance="oppose",
            reason=MD[0],
        )
    decision = [t for t in ACCEPTED if len(t) < 5000]
    for amendment in replaced:
        amendment_services.decide_amendment(
            amendment=amendment,
            user=fran,
            state="accepted",
            reason=P.pack(decision, limit=5000, sep="\n\n")[0],
        )
    Amendment.objects.filter(pk=raw[1 % len(raw)].pk).update(
        state="partly",
        decided_by=fran,
        decided_at=now,
        decision_reason=ALL_LINE,
    )

    corpus.landed("consultation title", titles)
    corpus.landed("consultation description", MD)
    corpus.landed("position reason", MD)
    corpus.landed("reply", MD)
    corpus.landed("flag reason", flags)
    corpus.landed("private feedback", MD)
    corpus.landed(
        "amendment text/rationale (service + direct)", [*accepted_chunks, "\n\n".join(REFUSED)]
    )
    corpus.landed("amendment heading (service + direct)", [*accepted_headings, *refused_headings])
    corpus.landed(
        "amendment decision reason", [*P.pack(decision, limit=5000, sep="\n\n"), ALL_LINE]
    )
    corpus.notes.append(
        f"amendments: {len(ACCEPTED)} payloads through propose/revise/decide; the {len(REFUSED)} "
        "with HTML tags are refused by the service (checked) and written into the rows directly"
    )

    # Moderation: hide and restore one reply with every reason chunk, ending hidden.
    reasons = P.pack(P.TEXTS, limit=500)
    hide = True
    for reason in [*reasons, reasons[0]] if len(reasons) % 2 == 0 else reasons:
        consultation_services.moderate(item=moderated, user=fran, hide=hide, reason=reason)
        moderated.refresh_from_db()
        hide = not hide
    corpus.landed("moderation reason", reasons)

    # Close, summarise, publish.
    consultation_services.close_consultation(consultation=main, user=fran, note=notes[0])
    sections = [
        {"section_key": keys[0], "outcome": "partly", "text": MD[0], "cited": [positions[0].pk]},
        {
            "section_key": keys[1],
            "outcome": "accepted",
            "text": MD[1 % len(MD)],
            "cited": [positions[1].pk],
        },
    ]
    consultation_services.save_summary(
        consultation=main, user=fran, intro=MD[1 % len(MD)], sections=sections
    )
    consultation_services.publish_summary(consultation=main, user=fran)
    corpus.landed("summary intro and sections", MD)

    # The other titles, each its own consultation; the state notes close them.
    others = []
    for i, title in enumerate(titles[1:], 1):
        other = consultation_services.create_consultation(
            version=version,
            user=fran,
            title=title,
            description=MD[i % len(MD)] if i <= len(MD) else "",
            closes_at=now + dt.timedelta(days=28),
            open_now=True,
        )
        if i <= len(notes):
            consultation_services.close_consultation(
                consultation=other, user=fran, note=notes[i - 1]
            )
        others.append(other)
    corpus.landed("consultation state note", notes)

    for path in ("", "moderation/", "summary/", "feedback/"):
        corpus.add(url + path)
        corpus.add(url + path, FACILITATOR)
    for key in (keys[0], keys[1], WHOLE_TEXT):
        corpus.add(f"{url}?section={key}")
    for amendment in [*replaced, *raw[:2]]:
        corpus.add(f"{url}?section={amendment.key}")
        corpus.add(f"{url}?section={amendment.key}", FACILITATOR)
    corpus.add(url + "summary/edit/", FACILITATOR)
    corpus.add(url + "merge/", FACILITATOR)
    corpus.add(url + "export.json", kind="json")
    corpus.add(f"/{SLUG}/consultations/")
    for other in others:
        corpus.add(consultation_url(other))
    return main


def _build_open_consultation(corpus: Corpus, page, fran, people, keys, now):
    """A consultation on the final version, still open: signed-in people see their own words
    again in the forms (textareas and inputs), and the carry-over panel with a diff."""
    latest = page.versions.order_by("-number").first()
    consultation = consultation_services.create_consultation(
        version=latest,
        user=fran,
        title="Open consultation on the final version",
        description=MD[-1],
        closes_at=now + dt.timedelta(days=28),
        open_now=True,
    )
    consultation_services.take_position(
        consultation=consultation,
        section_key=keys[1],
        user=people[0],
        stance="oppose",
        reason=MD[0],
    )
    amendment = amendment_services.propose_amendment(
        consultation=consultation,
        user=fran,
        section_key=keys[2],
        kind="insert",
        heading="Placeholder heading",
        text="Placeholder text.",
        rationale="Placeholder rationale.",
    )
    _amendment_raw(
        amendment,
        heading=P.pack(REFUSED, limit=255)[0],
        text="\n\n".join(REFUSED),
        rationale="\n\n".join(REFUSED),
    )
    url = consultation_url(consultation)
    corpus.add(url, PARTICIPANT)
    corpus.add(url, FACILITATOR)
    corpus.add(f"{url}?section={amendment.key}", FACILITATOR)
    corpus.add(url + "feedback/", PARTICIPANT)
    return consultation


# --- communities --------------------------------------------------------------------------


def _build_communities(corpus, page, equiv, fran, people, keys, consulted, params, placeholders):
    names = P.pack(P.TEXTS, limit=200)
    languages = P.fitting(P.TEXTS, 20)
    mapping_notes = P.pack(P.TEXTS, limit=500)
    pinned = page.versions.get(number=consulted)
    equiv_keys = [s.key for s in equiv.versions.get().sections.all()]
    communities = []
    for i, name in enumerate(names):
        community, _ = community_services.save_community(
            user=fran,
            name=name,
            slug=f"xss-{i:02d}",
            kind=["wiki", "project", "chapter", "event", "other"][i % 5],
            language=languages[i % len(languages)],
            url=f"https://example.org/community/{i}",
            delegates=[people[23]],
        )
        communities.append(community)
        first = i == 0
        community_services.declare_adoption(
            community=community,
            policy=page,
            user=fran,
            status="opted_out" if i == 2 else "adopted",
            version=pinned,
            rationale=ALL_MD if first else f"Rationale {i}.",
            enforcement_body=names[i],
            report_contact=names[(i + 1) % len(names)],
            appeal_process=ALL_LINE if first else "",
            parameters=dict(zip(placeholders, params, strict=True)) if first else {},
        )
        adoption = community_services.declare_adoption(
            community=community,
            policy=equiv,
            user=fran,
            status="own_equivalent",
            rationale=names[i],
            equivalent_title=names[i],
            equivalent_url=f"https://example.org/equivalent/{i}",
        )
        if i < len(mapping_notes):
            community_services.set_mappings(
                adoption=adoption,
                user=fran,
                mappings=[
                    {"section_key": equiv_keys[0], "coverage": "partly", "note": mapping_notes[i]}
                ],
            )
    adoption_0 = communities[0].adoptions.get(policy=page)
    community_services.set_override(
        adoption=adoption_0,
        section_key=keys[0],
        user=fran,
        action="replace",
        text=ALL_MD,
        rationale=ALL_LINE,
    )
    adoption_1 = communities[1].adoptions.get(policy=page)
    community_services.set_override(
        adoption=adoption_1, section_key=keys[1], user=fran, action="omit", rationale=ALL_LINE
    )
    for i, person in enumerate(people):
        community_services.save_membership(
            community=communities[i % 2], member=person, user=fran, edit_count=100 + i
        )

    corpus.landed("community name", names)
    corpus.landed("community language", languages)
    corpus.landed("adoption rationale", [ALL_MD])
    corpus.landed("enforcement body / report contact", names)
    corpus.landed("appeal process", [ALL_LINE])
    corpus.landed("placeholder parameters", params)
    corpus.landed("equivalent title", names)
    corpus.landed("mapping note", mapping_notes)
    corpus.landed("override text", [ALL_MD])
    corpus.landed("override rationale", [ALL_LINE])

    corpus.add("/communities/")
    corpus.add(f"/communities/?policy={EQUIV_SLUG}")
    for community in communities:
        corpus.add(f"/communities/{community.slug}/")
    corpus.add(f"/communities/{communities[0].slug}/", FACILITATOR)
    for community in communities[:2]:
        corpus.add(f"/communities/{community.slug}/{SLUG}/effective/")
        corpus.add(f"/communities/{community.slug}/{SLUG}/effective.md", kind="text")
        corpus.add(f"/communities/{community.slug}/{SLUG}/effective.wiki", kind="text")
    base = f"/communities/{communities[0].slug}/{SLUG}/"
    corpus.add(base + "declare/", FACILITATOR)
    corpus.add(base + f"override/?section={keys[0]}", FACILITATOR)
    corpus.add(base + f"rebase/{keys[0]}/", FACILITATOR)
    corpus.add(f"/communities/{communities[0].slug}/{EQUIV_SLUG}/mapping/", FACILITATOR)
    corpus.add("/adoption/")
    corpus.add(f"/adoption/?policy={EQUIV_SLUG}")
    corpus.add("/adoption/export.json", kind="json")
    corpus.add(f"/adoption/badge/{communities[0].slug}/{SLUG}.svg", kind="svg")
    corpus.add(f"/adoption/badge/{communities[1].slug}/{EQUIV_SLUG}.svg", kind="svg")
    return communities


# --- ratification --------------------------------------------------------------------------------


def _option_groups(labels: list[str]) -> list[list[dict]]:
    """Vote options from payload labels: at most 12 a vote, unique keys, one "for" and one
    "against" in each."""
    groups: list[list[dict]] = []
    pending = list(labels)
    while pending:
        group, keys, rest = [], set(), []
        for label in pending:
            key = slugify(label)[:40]
            if not key or key in keys or len(group) == vote_services.MAX_OPTIONS:
                rest.append(label)
                continue
            keys.add(key)
            group.append({"key": key, "label": label, "counts_as": "abstain"})
        if len(group) < 2:  # labels whose keys are empty or clash everywhere: give them names
            group = [
                {"key": f"opt-{i}", "label": label, "counts_as": "abstain"}
                for i, label in enumerate(rest[: vote_services.MAX_OPTIONS])
            ]
            rest = rest[vote_services.MAX_OPTIONS :]
            if len(group) < 2:
                group.append({"key": "opt-extra", "label": "Extra", "counts_as": "abstain"})
        group[0]["counts_as"], group[1]["counts_as"] = "for", "against"
        groups.append(group)
        pending = rest
    return groups


def _build_ratification(corpus, page, fran, people, communities, now):
    version = page.versions.order_by("-number").first()
    questions = P.pack(P.TEXTS, limit=300)
    labels = P.pack(P.ONE_LINE, limit=80)
    option_groups = _option_groups(labels)
    cancel_reasons = P.pack(P.TEXTS, limit=500)
    strike_reasons = P.pack(P.TEXTS, limit=500)
    n_votes = max(len(questions), len(option_groups) + len(cancel_reasons) + 2)

    def settings(i, *, opens, closes, secret=True):
        return vote_services.VoteSettings(
            question=questions[i % len(questions)],
            description=MD[i] if i < len(MD) else "",
            options=tuple(option_groups[i % len(option_groups)]),
            opens_at=opens,
            closes_at=closes,
            secret=secret,
            breakdown_min_group=2,
        )

    # Vote 0: open ballot, closed, with struck ballots, so results and voters show everything.
    closed = vote_services.create_vote(
        version=version,
        user=fran,
        config=settings(
            0, opens=now - dt.timedelta(days=3), closes=now - dt.timedelta(days=1), secret=False
        ),
        now=now - dt.timedelta(days=4),
    )
    closed = vote_services.open_vote(vote=closed, user=fran, now=now - dt.timedelta(days=3))
    options = [o["key"] for o in closed.options]
    for i, person in enumerate(people):
        vote_services.cast_ballot(
            vote=closed,
            user=person,
            option=options[i % len(options)],
            now=now - dt.timedelta(days=2),
        )
    ballots = list(Ballot.objects.filter(vote=closed).order_by("pk"))
    for ballot, reason in zip(ballots, strike_reasons, strict=False):
        vote_services.strike_ballot(
            ballot=ballot, user=fran, reason=reason, now=now - dt.timedelta(days=1, hours=12)
        )
    closed = vote_services.close_vote(vote=closed, now=now)

    votes = [closed]
    for i in range(1, n_votes):
        vote = vote_services.create_vote(
            version=version,
            user=fran,
            config=settings(
                i, opens=now - dt.timedelta(hours=1), closes=now + dt.timedelta(days=7)
            ),
            now=now,
        )
        votes.append(vote)
    draft = votes[-1]
    for vote in votes[1:-1]:
        vote_services.open_vote(vote=vote, user=fran, now=now)
    cancelled = votes[len(option_groups) + 1 : len(option_groups) + 1 + len(cancel_reasons)]
    for vote, reason in zip(cancelled, cancel_reasons, strict=True):
        vote_services.cancel_vote(vote=vote, user=fran, reason=reason, now=now)

    bodies = P.pack(P.TEXTS, limit=200)
    for i, body in enumerate(bodies):
        vote_services.record_board_decision(
            version=version,
            user=fran,
            body=body,
            decided_on=now.date() - dt.timedelta(days=1),
            outcome=["ratified", "rejected", "deferred"][i % 3],
            minutes_url=f"https://example.org/minutes/{i}",
            note=MD[i] if i < len(MD) else "",
            now=now,
        )
        vote_services.record_external_tally(
            version=version,
            user=fran,
            title=body,
            held_until=now.date() - dt.timedelta(days=1),
            votes_for=i,
            votes_against=1,
            votes_abstain=0,
            outcome=["passed", "failed", "inconclusive"][i % 3],
            source_url=f"https://example.org/tally/{i}",
            community=communities[i % len(communities)],
            note=MD[i] if i < len(MD) else "",
            now=now,
        )

    corpus.landed("vote question", questions)
    corpus.landed("vote description", MD)
    corpus.landed("vote option label", labels)
    corpus.landed("vote cancel reason", cancel_reasons)
    corpus.landed("ballot strike reason", strike_reasons)
    corpus.landed("board decision body", bodies)
    corpus.landed("board decision note", MD)
    corpus.landed("external tally title", bodies)
    corpus.landed("external tally note", MD)

    corpus.add("/votes/")
    corpus.add("/votes/", FACILITATOR)
    base = f"/votes/{closed.pk}/"
    for path in ("", "results/", "voters/", "log/", "receipt/"):
        corpus.add(base + path)
    corpus.add(base + "voters/", FACILITATOR)
    corpus.add(base + "eligibility/", PARTICIPANT)
    corpus.add(base + "results.json", kind="json")
    corpus.add(base + "voters.json", kind="json")
    for vote in votes[1 : len(option_groups) + 1]:
        corpus.add(f"/votes/{vote.pk}/")
    corpus.add(f"/votes/{votes[1].pk}/", PARTICIPANT)
    corpus.add(f"/votes/{votes[1].pk}/", FACILITATOR)
    corpus.add(f"/votes/{cancelled[0].pk}/")
    corpus.add(f"/votes/{cancelled[0].pk}/results/")
    corpus.add(f"/votes/{draft.pk}/", FACILITATOR)
    corpus.add(f"/votes/{draft.pk}/edit/", FACILITATOR)
    corpus.add(f"/{SLUG}/ratification/")
    corpus.add(f"/{SLUG}/ratification/{version.number}/")
    corpus.add(f"/{SLUG}/ratification/{version.number}/", FACILITATOR)
    corpus.add(f"/{SLUG}/ratification/votes/new/", FACILITATOR)
    corpus.add(f"/{SLUG}/ratification/{version.number}/board/new/", FACILITATOR)
    corpus.add(f"/{SLUG}/ratification/{version.number}/external/new/", FACILITATOR)


# --- pages that are not tied to one app --------------------------------------------------------


REFLECTED = [
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "'><img src=x onerror=window.__xss=1>",
]


def _add_policy_pages(corpus: Corpus, final: int) -> None:
    base = f"/{SLUG}/"
    corpus.add("/")
    corpus.add(base)
    corpus.add(base, FACILITATOR)
    corpus.add(base + "versions/")
    for number in (1, 2, final - 1, final):
        corpus.add(f"{base}versions/{number}/")
    for fmt in ("markdown", "wikitext"):
        corpus.add(f"{base}versions/1/{fmt}/", kind="text")
        corpus.add(f"{base}versions/2/{fmt}/", kind="text")
    for a, b in ((1, 2), (2, 3), (final - 1, final), (1, final)):
        corpus.add(f"{base}compare/{a}/{b}/")
        corpus.add(f"{base}compare/{a}/{b}/?view=side")
        corpus.add(f"{base}compare/{a}/{b}/?view=rendered")


def _add_site_pages(corpus: Corpus, main) -> None:
    from urllib.parse import quote

    for q in ("alert", "script onerror", "javascript", "pwned", "svg"):
        corpus.add(f"/search/?q={quote(q)}")
    corpus.add("/search/?q=alert&kind=positions")
    corpus.add("/search/?phrase=" + quote("onerror=alert(1)"))
    for feed in (
        "/feeds/versions/",
        f"/feeds/policies/{SLUG}/versions/",
        "/feeds/summaries/",
        "/feeds/adoption/",
        "/feeds/votes/",
    ):
        corpus.add(feed, kind="feed")
    # Reflected: the payload arrives in the address, not the database.
    url = consultation_url(main)
    for payload in REFLECTED:
        p = quote(payload)
        corpus.add(f"/search/?q={p}&phrase={p}&language={p}")
        corpus.add(f"{url}?sort={p}&stance={p}&section={p}")
        corpus.add(f"/communities/?q={p}&language={p}&kind={p}&status={p}&policy={p}")
        corpus.add(f"/adoption/?policy={p}&sort={p}")
        corpus.add(f"/accounts/login/?next={p}")
    corpus.add(f"{url}feedback/?section={quote(REFLECTED[0])}", PARTICIPANT)


def build() -> Corpus:
    """Create the whole data set (a few seconds) and list the pages that show it."""
    now = timezone.now().replace(microsecond=0)
    corpus = Corpus()
    fran, people = _users()
    page, equiv, keys, current, consulted, params, placeholders = _build_policies(corpus, fran, now)
    main = _build_consultation(corpus, page, fran, people, keys, consulted, now)
    communities = _build_communities(
        corpus, page, equiv, fran, people, keys, consulted, params, placeholders
    )
    final = consulted + 1
    _publish_final(page, fran, keys, current, final)
    _build_open_consultation(corpus, page, fran, people, keys, now)
    _build_ratification(corpus, page, fran, people, communities, now)
    _add_policy_pages(corpus, final)
    _add_site_pages(corpus, main)
    return corpus
