from django.core.management.base import BaseCommand

from ratification.services import close_due_votes


class Command(BaseCommand):
    help = "Close every vote whose closing time has passed and publish its results (run from cron)."

    def handle(self, *args, **options):
        closed = close_due_votes()
        self.stdout.write(f"Closed {closed} vote{'s' if closed != 1 else ''}.")
