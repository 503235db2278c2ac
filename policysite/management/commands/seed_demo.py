from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import seed_identities
from amendments.demo import seed_amendments
from communities.demo import seed_communities
from consultations.demo import seed_consultations
from policies.demo import DEMO_PASSWORD, demo_user, seed_policies, seed_translations
from policies.models import PolicyVersion
from ratification.demo import seed_ratification


class Command(BaseCommand):
    help = (
        "Load demo data through the services: an admin, editors, a facilitator, participants, a "
        "baseline policy with three versions and consultations. Running it again changes nothing."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        demo_user("admin", "Site Admin", superuser=True)
        page = seed_policies()
        translations = seed_translations(page)
        consultations = seed_consultations(page)
        seed_amendments(page)
        communities = seed_communities(page)
        votes = seed_ratification(page)
        seed_identities()
        versions = PolicyVersion.objects.filter(policy=page).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: “{page.title}” has {versions} versions and "
                f"{consultations} consultations at {page.url}; {communities} communities at "
                f"/communities/; {votes} votes at /votes/; {translations} translation(s) at "
                f"{page.url}translations/"
            )
        )
        self.stdout.write(
            f"Admin login: admin / {DEMO_PASSWORD}   (editors ana, ben; facilitator fran; "
            f"participants kim, lee, sam; dana, a delegate of Alder Wiki; bea, board secretary; "
            f"sara, scrutineer; tove, translator; voter01–voter23: same password; roles: "
            f"README.md, Roles)"
        )
