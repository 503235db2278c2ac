"""Anonymise an account on an erasure request that reached the site by other means (email,
a letter): the same as the person's own "Delete your account", done by a site administrator."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import services


class Command(BaseCommand):
    help = "Anonymise USERNAME's account; --by names the administrator acting on the request."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--by", required=True, help="the superuser acting on the request")

    def handle(self, *args, username, by, **options):
        User = get_user_model()
        people = {u.get_username(): u for u in User.objects.filter(username__in=[username, by])}
        for name in (username, by):
            if name not in people:
                raise CommandError(f"There is no account {name!r}.")
        try:
            with transaction.atomic():
                record = services.anonymise_user(user=people[username], by=people[by])
        except (PermissionDenied, ValidationError) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(f"Anonymised account {record.user_id}; its contributions stay.")
