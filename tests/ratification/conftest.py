"""People, a published policy and votes for the ratification tests, built through the
services. Times are explicit: each vote helper says where "now" stands in the vote's life."""

import datetime as dt
import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from communities.models import Community, Membership
from ratification import services
from ratification.models import Ballot, Vote
from tests.factories import UserFactory, make_policy

INLINE_TAG = re.compile(r"</?(a|abbr|b|code|del|em|i|ins|label|q|span|strong|time)\b[^>]*>", re.I)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@pytest.fixture
def policy(editor):
    return make_policy(editor=editor, slug="baseline", title="Baseline Code", n_versions=2)


@pytest.fixture
def version(policy):
    return policy.versions.order_by("-number").first()


@pytest.fixture
def facilitator(db):
    user = UserFactory(username="fran")
    user.groups.add(Group.objects.get(name="Facilitators"))
    return user


@pytest.fixture
def scrutineer(db):
    user = UserFactory(username="scott")
    user.groups.add(Group.objects.get(name="Scrutineers"))
    return user


@pytest.fixture
def secretary(db):
    user = UserFactory(username="sec")
    user.groups.add(Group.objects.get(name="Board secretaries"))
    return user


@pytest.fixture
def voters(db):
    return [UserFactory(username=f"voter{i}") for i in range(5)]


@pytest.fixture
def community(db):
    return Community.objects.create(name="Alder Wiki", slug="alder")


def member(user, community, *, edits=None, blocked=False):
    return Membership.objects.create(
        user=user, community=community, edit_count=edits, blocked=blocked
    )


def settings_for(**overrides) -> services.VoteSettings:
    now = timezone.now()
    values = {
        "question": "Do you ratify the Baseline Code?",
        "opens_at": now - HOUR,
        "closes_at": now + DAY,
    }
    values.update(overrides)
    return services.VoteSettings(**values)


def make_vote(version, facilitator, *, open_it=True, **overrides) -> Vote:
    """A vote that is (by default) open and taking ballots now."""
    vote = services.create_vote(version=version, user=facilitator, config=settings_for(**overrides))
    if open_it:
        vote = services.open_vote(vote=vote, user=facilitator)
    return vote


def close(vote: Vote) -> Vote:
    """Move the vote's closing time into the past (as the clock would) and close it."""
    Vote.objects.filter(pk=vote.pk).update(
        opens_at=vote.opens_at - 3 * DAY, closes_at=timezone.now() - dt.timedelta(seconds=1)
    )
    vote.refresh_from_db()
    return services.close_vote(vote=vote)


@pytest.fixture
def open_vote(version, facilitator):
    return make_vote(version, facilitator)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def page_text(html) -> str:
    """What a reader sees: the text of a page (or response), tags dropped, spaces collapsed."""
    if hasattr(html, "content"):
        html = html.content.decode()
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    html = re.sub(INLINE_TAG, "", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def cast_many(vote: Vote, options, *, community=None, prefix="v", now=None) -> list:
    """Cast one ballot per entry of `options` ("yes", "no", ...), each by a new account (a member
    of `community` if given). Returns the voters, in order."""
    start = Ballot.objects.filter(vote=vote).count()
    people = []
    for index, option in enumerate(options):
        user = UserFactory(username=f"{prefix}{vote.pk}-{start + index}")
        if community is not None:
            member(user, community)
        services.cast_ballot(vote=vote, user=user, option=option, now=now)
        people.append(user)
    return people


def counts(**by_option) -> list[str]:
    """counts(yes=2, no=1) -> ["yes", "yes", "no"]."""
    return [option for option, n in by_option.items() for _ in range(n)]


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self._caption = None
        self._rows = None
        self._cell = None
        self._in_caption = False
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._caption, self._rows = f"table{len(self.tables)}", []
        elif tag == "caption":
            self._in_caption, self._caption = True, ""
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._rows is not None and not self._in_head:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows and not self._in_head:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self._rows is not None:
            self.tables[self._caption] = self._rows
            self._rows = None
        elif tag == "caption":
            self._in_caption = False
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._in_caption:
            self._caption += data.strip()
        elif self._cell is not None:
            self._cell.append(data)


def tables(html) -> dict[str, list[list[str]]]:
    """Every table body on the page as rows of cell texts, by caption (or "table<N>")."""
    if hasattr(html, "content"):
        html = html.content.decode()
    parser = _Tables()
    parser.feed(html)
    return parser.tables
