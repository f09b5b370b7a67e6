import json

from django.core.management.base import BaseCommand, CommandError

from assessments.services import SchemeFileError, scheme_import


class Command(BaseCommand):
    help = "Publish an assessment scheme version from a JSON file (refused whole if invalid)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--make-current", action="store_true", help="New assessments use this version."
        )

    def handle(self, *args, file, make_current, **options):
        try:
            with open(file, encoding="utf-8") as f:
                data = json.load(f)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(f"{file} is not valid JSON (line {exc.lineno}): {exc.msg}.") from exc
        try:
            scheme = scheme_import(data=data, make_current=make_current)
        except SchemeFileError as exc:
            problems = "\n".join(f"  - {message}" for message in exc.messages)
            raise CommandError(f"{file} was not imported; nothing was saved:\n{problems}") from exc
        state = "current" if scheme.is_current else "not current"
        self.stdout.write(self.style.SUCCESS(f"Imported {scheme} ({state})."))
