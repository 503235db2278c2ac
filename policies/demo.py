"""Demo data for policies, built on the services. Used by `manage.py seed_demo`."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from . import demo_content, services
from .models import PolicyPage, PolicyTranslation, PolicyVersion

DEMO_SLUG = "shared-conduct-baseline"
DEMO_PASSWORD = "accord-demo"  # noqa: S105  (printed on the console; demo only)


def demo_user(username: str, full_name: str, *, groups=(), staff=False, superuser=False):
    User = get_user_model()
    first, _, last = full_name.partition(" ")
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "is_staff": staff or superuser,
            "is_superuser": superuser,
            "email": f"{username}@example.org",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    if groups:
        user.groups.add(*Group.objects.filter(name__in=groups))
    return user


def seed_policies() -> PolicyPage:
    """The demo baseline with three versions by two editors (ana and ben)."""
    editors = {
        "ana": demo_user("ana", "Ana Ortega", groups=["Editors", "Moderators"], staff=True),
        "ben": demo_user("ben", "Ben Okafor", groups=["Editors", "Moderators"], staff=True),
    }
    page = PolicyPage.objects.filter(slug=DEMO_SLUG).first()
    existing = PolicyVersion.objects.filter(policy=page).count() if page else 0
    for index, (username, label, text, summary) in enumerate(demo_content.VERSIONS):
        if index < existing:
            continue
        services.import_policy_markdown(
            data=text.encode(), slug=DEMO_SLUG, user=editors[username], summary=summary, label=label
        )
    page = PolicyPage.objects.get(slug=DEMO_SLUG)
    services.set_baseline_policy(page=page, user=editors["ana"])
    return page


def seed_translations(page: PolicyPage) -> int:
    """A German translation of version 2, imported by ana; version 3 makes it outdated in the
    renamed and new sections. Returns how many translations the demo policy has."""
    demo_user("tove", "Tove Berg", groups=["Translators"])
    german = PolicyTranslation.objects.filter(
        source_version__policy=page, locale__language_code="de"
    )
    if not german.exists():
        services.import_translation_markdown(
            data=demo_content.V2_DE.encode(),
            slug=page.slug,
            version_number=2,
            language_code="de",
            user=get_user_model().objects.get(username="ana"),
            note="Übersetzt von Ana Ortega.",
        )
    return PolicyTranslation.objects.filter(source_version__policy=page).count()
