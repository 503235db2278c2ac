"""Factories for people and policies. Policies are built through the services, so tests
exercise the same path as the admin and the import command."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from policies import services
from policies.models import PolicyPage


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
