from datetime import UTC, datetime, time

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from consultations import services
from policies import selectors as policy_selectors
from policies.models import PolicyPage


def _parse_when(value: str) -> datetime:
    try:
        day = parse_date(value)
        moment = datetime.combine(day, time(23, 59)) if day else parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        raise CommandError(f"“{value}” is not a date (YYYY-MM-DD) or date-time (ISO 8601).")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment


class Command(BaseCommand):
    help = (
        "Open a consultation on a published policy version and print its id. "
        "Times are UTC; a bare date closes at 23:59 UTC that day."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Our --version is the policy version; Django's own --version flag gives way.
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--policy", required=True, help="Slug of the policy.")
        parser.add_argument("--version", type=int, help="Version number (default: the latest).")
        parser.add_argument("--title", required=True)
        parser.add_argument("--closes", required=True, help="YYYY-MM-DD or an ISO 8601 date-time.")
        parser.add_argument("--description", default="")
        parser.add_argument(
            "--as-user", default=None, help="Facilitator username (default: first superuser)."
        )

    def handle(self, *args, **options):
        page = PolicyPage.objects.filter(slug=options["policy"]).first()
        if page is None:
            raise CommandError(f"No policy with the slug “{options['policy']}”.")
        versions = policy_selectors.versions_newest_first(page)
        if options["version"]:
            versions = versions.filter(number=options["version"])
        version = versions.first()
        if version is None:
            raise CommandError("That policy has no such published version.")
        User = get_user_model()
        if options["as_user"]:
            user = User.objects.filter(username=options["as_user"]).first()
        else:
            user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError("No such user; pass --as-user with a facilitator's username.")
        closes = _parse_when(options["closes"])
        now = timezone.now()
        try:
            consultation = services.create_consultation(
                version=version,
                user=user,
                title=options["title"],
                description=options["description"],
                opens_at=now,
                closes_at=closes,
                open_now=True,
            )
        except PermissionDenied as exc:
            raise CommandError(f"{user.get_username()} is not a facilitator.") from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(str(consultation.pk))
