from django.core.management.base import BaseCommand

from assessments.management.definition_files import read_json, refused
from assessments.services import SchemeFileError, scheme_import


class Command(BaseCommand):
    help = "Publish an assessment scheme version from a JSON file (refused whole if invalid)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--make-current", action="store_true", help="New assessments use this version."
        )

    def handle(self, *args, file, make_current, **options):
        data = read_json(file)
        try:
            scheme = scheme_import(data=data, make_current=make_current)
        except SchemeFileError as exc:
            raise refused(file, exc.messages, verb="was not imported") from exc
        state = "current" if scheme.is_current else "not current"
        self.stdout.write(self.style.SUCCESS(f"Imported {scheme} ({state})."))
