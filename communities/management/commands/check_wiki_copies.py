"""Compare every watched wiki page with its declaration (for cron; the same work as the
periodic task communities.tasks.check_wiki_copies_task)."""

from django.core.management.base import BaseCommand, CommandError

from communities import wiki_services


class Command(BaseCommand):
    help = (
        "Fetch the current revision of every declaration's wiki page (50 titles per request "
        "and wiki) and record whether it matches what the declaration says. Pages the wiki "
        "could not answer are recorded as failed and tried again on the next run; the "
        "command then exits with status 1, so cron reports it."
    )

    def handle(self, *args, **options):
        def progress(report):
            if options["verbosity"] > 1:
                self.stdout.write(f"… {report.checked} checked")

        report = wiki_services.check_wiki_copies(progress=progress)
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Checked {report.checked} wiki copies with {report.requests} API requests: "
                f"{report.matches} match, {report.agreed} differ as agreed, "
                f"{report.differs} differ, {report.failed} failed."
            )
            for error in dict.fromkeys(report.errors):
                self.stderr.write(error)
        if report.failed:
            raise CommandError(
                f"{report.failed} wiki copies could not be checked; they are tried again on "
                "the next run."
            )
