from django.core.management.base import BaseCommand

from assessments.management.definition_files import read_json, refused
from domestic_abuse.services import DashFileError, definition_errors, definition_import


class Command(BaseCommand):
    help = (
        "Load your organisation's copy of the DASH risk checklist's wording from a definition "
        "file (JSON; see docs/examples/dash-FICTIONAL-example.json). A file with any problem is "
        "refused whole."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--make-current",
            action="store_true",
            help="New checklists use this version (the first version loaded always does).",
        )
        parser.add_argument(
            "--check", action="store_true", help="Only check the file; load nothing."
        )

    def handle(self, *args, file, make_current, check, **options):
        data = read_json(file)
        if check:
            problems = definition_errors(data)
            if problems:
                raise refused(file, problems, verb="would not be loaded")
            self.stdout.write(self.style.SUCCESS(f"{file} is a valid DASH definition."))
            return
        try:
            definition = definition_import(data=data, make_current=make_current)
        except DashFileError as exc:
            raise refused(file, exc.messages, verb="was not loaded") from exc
        state = "current" if definition.is_current else "not current"
        self.stdout.write(self.style.SUCCESS(f"Loaded {definition} ({state})."))
