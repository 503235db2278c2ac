from django.core.management.base import BaseCommand

from consultations import services


class Command(BaseCommand):
    help = "Close every open consultation whose closing time has passed. Run it from cron."

    def handle(self, *args, **options):
        closed = services.close_due_consultations()
        self.stdout.write(f"Closed {closed} consultation(s).")
