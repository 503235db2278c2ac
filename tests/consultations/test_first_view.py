"""The consultation page's first view (issue 20): each section's digest, kept until something in
that section changes, its most relevant positions first, a "show all" page per section, at
most 60 KB for a 30-section consultation with 10,000 positions and 2,000 replies, and nothing
hidden or of one reader's own in what is kept for others."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.services import anonymise_user
from consultations import fragments, services
from consultations.models import WHOLE_TEXT, Position, Reply
from consultations.selectors import consultation_url
from tests.factories import make_policy

from .conftest import page_text

pytestmark = pytest.mark.django_db
User = get_user_model()

SENTENCES = [
    "This wording leaves too much room for interpretation by whoever enforces it.",
    "I support this, it matches what our community already does in practice.",
    "Please name who people should contact when the facilitators are involved.",
    "The section should say what happens after a report is made and how long it takes.",
]


def take(consultation, user, key, stance="support", reason=""):
    return services.take_position(
        consultation=consultation, section_key=key, user=user, stance=stance, reason=reason
    )


def _ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<li id="position-(\d+)"', html)]


def _section(html: str, key: str) -> str:
    return html.split(f'<section id="section-{key}"', 1)[1].split("</section>", 1)[0]


def _digest(section_html: str) -> str:
    """The kept positions of a section on the first view."""
    return section_html.split('<ol class="positions">', 1)[1].split("</ol>", 1)[0]


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def _section_page(consultation, key: str) -> str:
    return f"{consultation_url(consultation)}sections/{key}/positions/"


def _bulk(consultation, keys, *, n_people, per_person, n_replies, reasons=True):
    """Positions and replies written in bulk, as a large consultation holds them."""
    now = timezone.now()
    people = User.objects.bulk_create(
        User(username=f"person{i}", password="!")  # noqa: S106
        for i in range(n_people)
    )
    stances = ["support", "oppose", "neutral"]
    positions = Position.objects.bulk_create(
        Position(
            consultation=consultation,
            section_key=keys[(p * 7 + j) % len(keys)],
            user=people[p],
            stance=stances[(p * 11 + j * 5 + p // 7) % 3],
            reason=" ".join(SENTENCES[(p + j + k) % 4] for k in range(1 + p % 3))
            if reasons and (p + j) % 2 == 0
            else "",
            created_at=now - timedelta(minutes=p * per_person + j),
            updated_at=now - timedelta(minutes=p * per_person + j),
        )
        for p in range(n_people)
        for j in range(per_person)
    )
    Reply.objects.bulk_create(
        Reply(
            position=positions[(i * 13) % len(positions)],
            user=people[(i * 31) % n_people],
            body=SENTENCES[i % 4],
            created_at=now,
        )
        for i in range(n_replies)
    )
    return people, positions


@pytest.fixture
def big(editor, facilitator):
    """30 sections, 10,000 positions (half with a reason) from 500 people, 2,000 replies."""
    policy = make_policy(editor=editor, slug="big", title="Big Code", n_sections=30)
    version = policy.versions.get()
    consultation = services.create_consultation(
        version=version,
        user=facilitator,
        title="Big",
        open_now=True,
        closes_at=timezone.now() + timedelta(days=28),
    )
    keys = [s.key for s in version.sections.order_by("position")]
    _bulk(consultation, keys, n_people=500, per_person=20, n_replies=2_000)
    return consultation


def test_the_first_view_of_a_large_consultation_fits_in_60_kb(big, client, participant):
    url = consultation_url(big)
    html = client.get(url).content.decode()
    assert len(html.encode()) <= 60 * 1024, len(html.encode())
    per_section = fragments.positions_per_section(31)
    assert len(_ids(html)) == 30 * per_section  # the whole text has no positions
    keys = list(big.version.sections.order_by("position").values_list("key", flat=True))
    first = _section(html, keys[0])
    shown = Position.objects.filter(consultation=big, section_key=keys[0]).count()
    assert f"Show all {shown} positions on this section" in page_text(first)
    assert f'href="sections/{keys[0]}/positions/"' in first
    # Tallies still count everything.
    overall = page_text(html.split('class="overall"', 1)[1].split("</section>", 1)[0])
    supporting = Position.objects.filter(consultation=big, stance="support").count()
    assert f"Support: {supporting} " in overall
    assert f"Replies: {Reply.objects.count()}" in overall
    # The navigator lists every section with its count, linking to it on the page.
    nav = page_text(html.split('class="section-nav"', 1)[1].split("</nav>", 1)[0])
    assert f"1. {big.version.sections.get(key=keys[0]).heading} {shown} positions" in nav
    assert f'href="#section-{keys[29]}"' in html
    # Kept: the same page again. Signed in, the participant's own stance and links to the
    # section's forms are put around the same digests, and the page stays under 60 KB.
    assert _without_tokens(client.get(url).content.decode()) == _without_tokens(html)
    take(big, participant, keys[2], "oppose", "No.")
    client.force_login(participant)
    signed_in = client.get(url).content.decode()
    assert len(signed_in.encode()) <= 60 * 1024, len(signed_in.encode())
    assert len(_ids(signed_in)) == 30 * per_section
    assert 'name="action" value="position"' not in signed_in
    assert 'name="action" value="amend"' not in signed_in
    # every section but the one they took a position on, the whole text included
    assert signed_in.count(">Take a position</a>") == 30
    assert signed_in.count(">Propose a change to this section</a>") == 30
    third = page_text(_section(signed_in, keys[2]))
    assert "Change your position (now: Oppose)" in third
    assert f'href="sections/{keys[2]}/positions/#take-{keys[2]}"' in _section(signed_in, keys[2])


def test_show_all_pages_through_every_position_most_relevant_first(
    consultation, keys, client, facilitator
):
    people, _ = _bulk(consultation, keys[:1], n_people=120, per_person=1, n_replies=0)
    positions = list(Position.objects.filter(section_key=keys[0]).order_by("-updated_at"))
    replied = positions[-1]  # the oldest, without a reason, but replied to
    Reply.objects.bulk_create(
        Reply(position=replied, user=people[i], body="Indeed.", created_at=timezone.now())
        for i in range(3)
    )
    newest_with_reason = next(p for p in positions if p.reason)
    hidden = positions[2]
    services.moderate(item=hidden, user=facilitator, hide=True, reason="Off topic")

    first_view = client.get(consultation_url(consultation)).content.decode()
    top = _ids(_section(first_view, keys[0]))
    assert len(top) == fragments.positions_per_section(len(keys) + 1)
    # With a reason first, the newest of those (none has a reply); hidden ones last.
    assert top[0] == newest_with_reason.pk
    assert hidden.pk not in top

    seen, page = [], 1
    while True:
        r = client.get(_section_page(consultation, keys[0]), {"page": page})
        assert r.status_code == 200
        html = r.content.decode()
        seen += _ids(html)
        if 'rel="next"' not in html:
            break
        page += 1
    assert page == 3  # 50 a page
    assert sorted(seen) == sorted(p.pk for p in positions)  # every one, once
    assert seen[: len(top)] == top  # the first view shows the top of the same order
    assert seen[-1] == hidden.pk
    # Of those without a reason, the one replied to comes first.
    without_reason = [pk for pk in seen if not Position.objects.get(pk=pk).reason]
    assert without_reason[0] == replied.pk
    assert "Page 3" in page_text(html) and 'rel="prev"' in html
    assert "Off topic" in page_text(html) and hidden.reason not in page_text(html)
    # The section's page holds its text (shown on wide screens, folded on a phone by CSS) and
    # the reader's position form, open.
    assert '<details class="section-text" id="section-text">' in html
    assert "Read the section text" in page_text(html)


def test_hidden_text_is_never_kept_for_anyone_but_facilitators(
    consultation, url, keys, participants, facilitator, client
):
    pat, quinn, _ = participants
    position = take(consultation, pat, keys[0], "oppose", "You are all idiots.")
    take(consultation, quinn, keys[0], "support", "Fine by me.")
    services.moderate(item=position, user=facilitator, hide=True, reason="Personal attack")

    def first_view(user):
        client.logout()
        if user:
            client.force_login(user)
        return client.get(url).content.decode()

    for viewer in (None, quinn, facilitator, pat, None, quinn):
        html = first_view(viewer)
        digest = _digest(_section(html, keys[0]))
        assert "Hidden by fran" in page_text(digest)
        if viewer == facilitator:
            assert "Show the hidden text (visible to facilitators)" in page_text(digest)
            assert "You are all idiots." in page_text(digest)
        else:
            assert "You are all idiots." not in page_text(digest)
            assert "visible to" not in page_text(digest)
    # The author finds their text on the section's page, as before.
    client.force_login(pat)
    own = page_text(client.get(_section_page(consultation, keys[0])))
    assert "Show the hidden text (visible to you only)" in own and "You are all idiots." in own
    client.force_login(quinn)
    assert "You are all idiots." not in page_text(client.get(_section_page(consultation, keys[0])))


def test_a_new_position_reply_or_name_changes_the_kept_digest(
    consultation, url, keys, participants, client, django_capture_on_commit_callbacks
):
    pat, quinn, rey = participants
    take(consultation, pat, keys[0], "support", "Good.")
    take(consultation, quinn, keys[1], "oppose", "Unclear.")
    before = client.get(url).content.decode()
    assert "Support: 1 (100%)" in page_text(_section(before, keys[0]))
    untouched = _digest(_section(before, keys[1]))

    client.force_login(rey)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            {"action": "position", "section_key": keys[0], "stance": "oppose", "reason": "No."},
        )
    after = client.get(url).content.decode()
    first = page_text(_section(after, keys[0]))
    assert "Support: 1 (50%) · Oppose: 1 (50%)" in first and "rey" in first
    assert _digest(_section(after, keys[1])) == untouched

    theirs = Position.objects.get(user=pat)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "reply", "position": theirs.pk, "body": "Why?"})
    digest = _section(client.get(url).content.decode(), keys[0])
    assert f'href="sections/{keys[0]}/positions/#position-{theirs.pk}">1 reply</a>' in digest

    with django_capture_on_commit_callbacks(execute=True):
        anonymise_user(user=pat)
    text = page_text(_section(client.get(url).content.decode(), keys[0]))
    assert "pat" not in text.split() and "former participant" in text


def test_own_position_and_forms_are_the_readers_own_on_a_kept_digest(
    consultation, url, keys, participants, client
):
    pat, quinn, _ = participants
    take(consultation, pat, keys[0], "oppose", "My own reason.")
    take(consultation, quinn, keys[0], "support", "Quinn's reason.")
    client.get(url)  # kept by an anonymous reader first

    client.force_login(pat)
    html = client.get(url).content.decode()
    assert "Change your position (now: Oppose)" in page_text(_section(html, keys[0]))
    assert "csrfmiddlewaretoken" not in _section(html, keys[0])  # no form on the first view
    # The form is on the section's page, with the reader's own stance and reason.
    section_page = client.get(_section_page(consultation, keys[0])).content.decode()
    assert "Change your position (now: Oppose)" in page_text(_section(section_page, keys[0]))
    assert re.search(r"<textarea[^>]*>My own reason\.</textarea>", section_page)
    r = client.post(
        url,
        {"action": "position", "section_key": keys[0], "stance": "neutral", "reason": "Changed."},
    )
    assert r.status_code == 302
    assert "Change your position (now: Neutral)" in page_text(
        _section(client.get(url).content.decode(), keys[0])
    )

    client.force_login(quinn)
    html = client.get(url).content.decode()
    assert "Change your position (now: Support)" in page_text(_section(html, keys[0]))
    assert "Take a position" in page_text(_section(html, keys[1]))
    section_page = client.get(_section_page(consultation, keys[0])).content.decode()
    assert "Changed." not in re.findall(r"<textarea[^>]*>([^<]*)</textarea>", section_page)


def test_the_first_view_is_kept_per_language(consultation, url, keys, participants, client):
    _bulk(consultation, keys, n_people=12, per_person=2, n_replies=0)
    english = client.get(url).content.decode()
    assert "Show all" in english
    client.cookies["django_language"] = "de"
    german = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Show all" not in german and "Alle" in page_text(german)
    assert client.get(_section_page(consultation, WHOLE_TEXT)).status_code == 200
    assert client.get(_section_page(consultation, "no-such-section")).status_code == 404


def test_an_anonymous_first_view_is_kept_whole_until_the_consultation_changes(
    consultation,
    url,
    keys,
    participants,
    facilitator,
    client,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    pat, quinn, _ = participants
    take(consultation, pat, keys[0], "support", "Good.")
    first = client.get(url)
    with django_assert_max_num_queries(3):  # the page cache's state, the row, the amendments
        again = client.get(url)
    assert again["ETag"] == first["ETag"]
    assert _without_tokens(again.content.decode()) == _without_tokens(first.content.decode())

    # A new position shows at once, its tally too (once its transaction commits).
    with django_capture_on_commit_callbacks(execute=True):
        take(consultation, quinn, keys[0], "oppose", "Unclear.")
    text = page_text(_section(client.get(url).content.decode(), keys[0]))
    assert "Unclear." in text and "Oppose: 1 (50%)" in text
    # So does closing it.
    services.close_consultation(consultation=consultation, user=facilitator, note="Thanks.")
    assert "This consultation is closed and read-only." in page_text(client.get(url))
    # A signed-in reader never gets the page kept for anonymous readers.
    client.force_login(quinn)
    assert "Sign out quinn" in page_text(client.get(url))


def test_forms_on_the_section_page_carry_each_readers_own_token(
    consultation, url, keys, participants
):
    from django.test import Client

    pat, quinn, _ = participants
    for person, stance in ((pat, "support"), (quinn, "oppose")):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(person)
        browser.get(url)
        html = browser.get(_section_page(consultation, keys[1])).content.decode()
        form = html.split(f'id="take-{keys[1]}"', 1)[1].split("</form>", 1)[0]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        r = browser.post(
            url,
            {
                "csrfmiddlewaretoken": token,
                "action": "position",
                "section_key": keys[1],
                "stance": stance,
                "reason": "Because.",
            },
        )
        assert r.status_code == 302
    assert set(Position.objects.values_list("user__username", "stance")) == {
        ("pat", "support"),
        ("quinn", "oppose"),
    }


def test_a_reply_lands_on_its_thread_first_on_the_section_page(
    consultation, url, keys, participants, client
):
    pat, quinn, _ = participants
    _bulk(consultation, keys[:1], n_people=80, per_person=1, n_replies=0)
    oldest = Position.objects.filter(section_key=keys[0]).order_by("updated_at").first()
    client.force_login(quinn)
    r = client.post(url, {"action": "reply", "position": oldest.pk, "body": "An old one."})
    page = client.get(r["Location"]).content.decode()
    assert _ids(page)[0] == oldest.pk  # first, although the least relevant
    assert len(_ids(page)) == 50 and len(set(_ids(page))) == 50
    assert "An old one." in page_text(page) and "Your reply is posted." in page_text(page)
