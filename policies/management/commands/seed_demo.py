from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from policies import demo_content, services
from policies.models import PolicyPage, PolicyVersion

DEMO_SLUG = "shared-conduct-baseline"
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "accord-demo"  # noqa: S105  (printed on the console; demo only)


class Command(BaseCommand):
    help = (
        "Load demo data: an admin, two editors and a baseline policy with three versions. "
        "Running it again changes nothing."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        admin, created = User.objects.get_or_create(
            username=ADMIN_USERNAME,
            defaults={"is_staff": True, "is_superuser": True, "email": "admin@example.org"},
        )
        if created:
            admin.set_password(ADMIN_PASSWORD)
            admin.save()
        editors = Group.objects.get(name="Editors")
        moderators = Group.objects.get(name="Moderators")
        people = {}
        for username, full_name in [("ana", "Ana Ortega"), ("ben", "Ben Okafor")]:
            first, last = full_name.split(" ", 1)
            user, made = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "is_staff": True},
            )
            if made:
                user.set_password(ADMIN_PASSWORD)
                user.save()
            user.groups.add(editors, moderators)
            people[username] = user

        page = PolicyPage.objects.filter(slug=DEMO_SLUG).first()
        existing = PolicyVersion.objects.filter(policy=page).count() if page else 0
        for index, (username, label, text, summary) in enumerate(demo_content.VERSIONS):
            if index < existing:
                continue
            services.import_policy_markdown(
                data=text.encode(),
                slug=DEMO_SLUG,
                user=people[username],
                summary=summary,
                label=label,
            )
        page = PolicyPage.objects.get(slug=DEMO_SLUG)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: {page.title} has {PolicyVersion.objects.filter(policy=page).count()} "
                f"versions at {page.url}"
            )
        )
        self.stdout.write(
            f"Admin login: {ADMIN_USERNAME} / {ADMIN_PASSWORD}  (editors: ana, ben; same password)"
        )
