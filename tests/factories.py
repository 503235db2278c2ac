"""Factories for people, policies, communities, consultations, amendments and votes. Everything that
has a creating service is built through it, so tests exercise the same path as the admin, the
pages and the import commands (permission checks, validation, history)."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from amendments import services as amendment_services
from amendments.models import Amendment
from communities import services as community_services
from communities.models import Community, Membership
from consultations import services as consultation_services
from consultations.models import Consultation, Position, Reply
from policies import services
from policies.models import PolicyPage
from ratification import services as vote_services
from ratification.models import Vote


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("pw-for-tests-only")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        for name in extracted or []:
            self.groups.add(Group.objects.get(name=name))


class EditorFactory(UserFactory):
    """A member of Wagtail's Editors group: may edit and publish policies."""

    username = factory.Sequence(lambda n: f"editor{n}")
    is_staff = True
    groups = factory.PostGeneration(
        lambda user, create, extracted, **kw: user.groups.add(
            *Group.objects.filter(name__in=["Editors", "Moderators"])
        )
    )


class FacilitatorFactory(UserFactory):
    """A member of the Facilitators group: runs consultations, votes and the community registry."""

    username = factory.Sequence(lambda n: f"facilitator{n}")
    groups = factory.PostGeneration(
        lambda user, create, extracted, **kw: user.groups.add(
            Group.objects.get(name="Facilitators")
        )
    )


class SuperuserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"root{n}")
    is_staff = True
    is_superuser = True


def sections(n: int, *, words: int = 40, seed: str = "") -> list[tuple[None, str, str]]:
    return [
        (
            None,
            f"Section {i + 1}{seed}",
            " ".join(f"word{(i * 7 + j) % 97}{seed}" for j in range(words))
            + f"\n\nContact [CONTACT METHOD] about part {i + 1}.",
        )
        for i in range(n)
    ]


def make_policy(
    *,
    editor,
    slug: str = "baseline",
    title: str = "Baseline Code",
    n_sections: int = 3,
    n_versions: int = 1,
) -> PolicyPage:
    """A published policy with `n_versions` versions; each version edits one word per section."""
    page = services.create_policy_page(title=title, slug=slug, user=editor)
    secs = sections(n_sections)
    for v in range(n_versions):
        if v:
            keyed = [(s.key, s.heading, s.body) for s in page.versions.last().sections.all()]
            secs = [(k, h, b.replace("word", f"w{v}x", 1)) for k, h, b in keyed]
        services.publish_policy(page=page, user=editor, summary=f"Version {v + 1}", sections=secs)
    return PolicyPage.objects.get(pk=page.pk)


_policy_numbers = iter(range(1, 10**9))


def published_version():
    """The first version of a new three-section policy (for factories given no version)."""
    n = next(_policy_numbers)
    policy = make_policy(editor=EditorFactory(), slug=f"policy-{n}", title=f"Policy {n}")
    return policy.versions.get()


class ServiceFactory(factory.django.DjangoModelFactory):
    """A factory whose `_create` calls the app's service; `by` is the person acting."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return cls.create_through_service(**kwargs)


class CommunityFactory(ServiceFactory):
    """A community registered by a facilitator (communities.services.save_community)."""

    class Meta:
        model = Community

    by = factory.SubFactory(FacilitatorFactory)
    name = factory.Sequence(lambda n: f"Community {n}")
    slug = factory.LazyAttribute(lambda c: c.name.lower().replace(" ", "-"))
    kind = "wiki"
    language = ""
    url = ""
    delegates = None

    @staticmethod
    def create_through_service(*, by, **fields) -> Community:
        community, _ = community_services.save_community(user=by, **fields)
        return community


class MembershipFactory(ServiceFactory):
    """Someone's standing in a community, recorded by a facilitator (save_membership)."""

    class Meta:
        model = Membership

    by = factory.SubFactory(FacilitatorFactory)
    community = factory.SubFactory(CommunityFactory, by=factory.SelfAttribute("..by"))
    user = factory.SubFactory(UserFactory)
    edit_count = None
    registered_on = None
    blocked = False
    source = ""

    @staticmethod
    def create_through_service(*, by, user, **fields) -> Membership:
        return community_services.save_membership(user=by, member=user, **fields)


def move_consultation(consultation: Consultation, state: str, *, user) -> Consultation:
    """Move an open (or draft) consultation to `state` the way a facilitator would."""
    if state == consultation.state:
        return consultation
    if state == "draft":
        raise ValueError("a consultation cannot go back to draft")
    if consultation.state == "draft":
        consultation = consultation_services.open_consultation(consultation=consultation, user=user)
    if state in ("closed", "summarised") and consultation.state == "open":
        consultation = consultation_services.close_consultation(
            consultation=consultation, user=user, note="The period ended."
        )
    if state == "summarised":
        consultation_services.save_summary(
            consultation=consultation,
            user=user,
            intro="What we heard.",
            sections=[{"section_key": "__whole__", "outcome": "no_change", "text": "Thanks."}],
        )
        consultation_services.publish_summary(consultation=consultation, user=user)
    return Consultation.objects.select_related("version__policy").get(pk=consultation.pk)


class ConsultationFactory(ServiceFactory):
    """A consultation created by a facilitator (create_consultation) and moved to `state`:
    draft, open (the default), closed or summarised."""

    class Meta:
        model = Consultation

    by = factory.SubFactory(FacilitatorFactory)
    version = factory.LazyFunction(published_version)
    title = "Consultation on the code"
    description = ""
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=28))
    state = "open"

    @staticmethod
    def create_through_service(*, by, state, **fields) -> Consultation:
        consultation = consultation_services.create_consultation(
            user=by, open_now=state != "draft", **fields
        )
        consultation = move_consultation(consultation, state, user=by)
        return Consultation.objects.select_related("version__policy").get(pk=consultation.pk)


def first_section_key(consultation: Consultation) -> str:
    return consultation.version.sections.first().key


class PositionFactory(ServiceFactory):
    """A participant's position on a section (take_position); by default support for the first
    section of a new open consultation."""

    class Meta:
        model = Position

    consultation = factory.SubFactory(ConsultationFactory)
    section_key = factory.LazyAttribute(lambda p: first_section_key(p.consultation))
    user = factory.SubFactory(UserFactory)
    stance = "support"
    reason = ""
    strength = ""

    @staticmethod
    def create_through_service(**fields) -> Position:
        return consultation_services.take_position(**fields)


class ReplyFactory(ServiceFactory):
    """A reply to a position, or to a reply under it (add_reply)."""

    class Meta:
        model = Reply

    position = factory.SubFactory(PositionFactory)
    user = factory.SubFactory(UserFactory)
    body = "I agree with this."
    parent = None

    @staticmethod
    def create_through_service(**fields) -> Reply:
        return consultation_services.add_reply(**fields)


class AmendmentFactory(ServiceFactory):
    """Proposed wording for a section (propose_amendment); by default a replacement text for the
    first section of a new open consultation."""

    class Meta:
        model = Amendment

    consultation = factory.SubFactory(ConsultationFactory)
    user = factory.SubFactory(UserFactory)
    section_key = factory.LazyAttribute(lambda a: first_section_key(a.consultation))
    kind = "replace"
    text = "Clearer words for this section."
    heading = ""
    rationale = "The current text is hard to follow."

    @staticmethod
    def create_through_service(**fields) -> Amendment:
        return amendment_services.propose_amendment(**fields)


class VoteFactory(ServiceFactory):
    """A vote set up by a facilitator (create_vote) and, unless `open_it=False`, opened: by
    default it opened an hour ago and closes in a day. Any other keyword is a VoteSettings field
    (secret=False, eligible_communities=..., ...)."""

    class Meta:
        model = Vote

    by = factory.SubFactory(FacilitatorFactory)
    version = factory.LazyFunction(published_version)
    question = "Do you ratify the text?"
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    open_it = True

    @staticmethod
    def create_through_service(*, by, version, open_it, **settings) -> Vote:
        vote = vote_services.create_vote(
            version=version, user=by, config=vote_services.VoteSettings(**settings)
        )
        return vote_services.open_vote(vote=vote, user=by) if open_it else vote
