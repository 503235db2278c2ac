from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.text import strip_control_characters
from policies import services


class Command(BaseCommand):
    help = (
        "Import a Markdown file as a new published version of a policy (creating the policy "
        "when the slug is new); with --draft as the policy's working draft, to be checked and "
        "published in the editor; or with --locale and --translates as a translation of one "
        "published version. Nothing is written if the file cannot be imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--policy", required=True, help="Slug of the policy page.")
        parser.add_argument(
            "--summary",
            default=None,
            help="Edit summary for the version (required); for a translation, a note on it.",
        )
        parser.add_argument(
            "--draft",
            action="store_true",
            help="Save the file as the policy's working draft instead of publishing it; the "
            "summary, when given, is filled in for publishing.",
        )
        parser.add_argument("--label", default="", help='Version label, such as "2.1".')
        parser.add_argument("--title", default=None, help="Title (default: from the file).")
        parser.add_argument(
            "--level", type=int, default=2, help="Heading level that starts a section."
        )
        parser.add_argument(
            "--author", default=None, help="Username of the author (default: first superuser)."
        )
        parser.add_argument(
            "--locale", default=None, help="Language code of a translation, such as de."
        )
        parser.add_argument(
            "--translates",
            type=int,
            default=None,
            metavar="VERSION",
            help="Number of the published version the file translates (with --locale).",
        )

    def handle(self, *args, **options):
        # Cleaned like text typed into a form (core.fields); the file is cleaned as it is parsed.
        for name in ("summary", "label", "title"):
            if options[name]:
                options[name] = strip_control_characters(options[name])
        User = get_user_model()
        if options["author"]:
            user = User.objects.filter(username=options["author"]).first()
            if user is None:
                raise CommandError(f"No user named “{options['author']}”.")
        else:
            user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
            if user is None:
                raise CommandError("No superuser exists; pass --author USERNAME.")
        try:
            data = options["file"].read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc.strerror}.") from exc
        if options["draft"] and (
            options["locale"] is not None or options["translates"] is not None
        ):
            raise CommandError("--draft imports a policy's text; translations are published.")
        if options["locale"] is not None or options["translates"] is not None:
            return self._import_translation(data, user, options)
        if not options["summary"] and not options["draft"]:
            raise CommandError("--summary is required: say what changed and why.")
        try:
            result = services.import_policy_markdown(
                data=data,
                slug=options["policy"],
                user=user,
                summary=options["summary"],
                label=options["label"],
                level=options["level"],
                title=options["title"],
                publish=not options["draft"],
            )
        except PermissionDenied as exc:
            verb = "edit" if options["draft"] else "publish"
            raise CommandError(f"{user.username} may not {verb} this policy.") from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if result.draft is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Saved a draft of “{result.page.title}” ({result.matched_keys} sections kept "
                    f"their key, {result.new_keys} new); nothing is published. Check it and "
                    f"publish it in the editor: /admin/pages/{result.page.pk}/edit/"
                )
            )
            if result.replaced_draft_by:
                self.stdout.write(
                    f"It replaces unpublished changes saved by {result.replaced_draft_by}; "
                    "they stay in the page's revision history."
                )
            return
        if result.version is None:
            self.stdout.write("Text identical to the current version; no new version created.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Published version {result.version.number} of “{result.page.title}” "
                f"({len(result.version.sections.all())} sections: {result.matched_keys} kept their "
                f"key, {result.new_keys} new) at {result.page.url}"
            )
        )

    def _import_translation(self, data, user, options):
        if options["locale"] is None or options["translates"] is None:
            raise CommandError("A translation needs both --locale CODE and --translates VERSION.")
        try:
            translation = services.import_translation_markdown(
                data=data,
                slug=options["policy"],
                version_number=options["translates"],
                language_code=options["locale"],
                user=user,
                note=options["summary"] or "",
                level=options["level"],
            )
        except PermissionDenied as exc:
            raise CommandError(f"{user.username} may not translate this policy.") from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        page = translation.source_version.policy
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported the {translation.locale.language_code} translation of version "
                f"{translation.source_version.number} of “{page.title}” (revision "
                f"{translation.revision}, {len(translation.sections.all())} sections) at "
                f"{page.url}translations/{translation.locale.language_code}/"
            )
        )
