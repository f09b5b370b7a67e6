"""Import a team's records from another smd's API (docs/import.md, "From another smd"):

manage.py import_from_api https://old.example.org/api/ --token KEY --source "Old smd" --dry-run
manage.py import_from_api https://old.example.org/api/ --token KEY --source "Old smd" --by manager1
"""

import os
import sys
import time

from django.core.management.base import CommandError

from importer.from_api import fetch_all, sheets_from_api
from importer.management.commands import import_records
from importer.services import Importer, import_command_run, import_run_record, sheets_import


class Command(import_records.Command):
    help = "Check (--dry-run) or import a team's records from another smd's read-only API."

    def add_arguments(self, parser):
        parser.add_argument("url", help="The other installation's API, ending /api/.")
        parser.add_argument(
            "--token",
            default=os.environ.get("SMD_API_TOKEN", ""),
            help="Its token (or SMD_API_TOKEN): identifiable, made with notes.",
        )
        parser.add_argument("--source", default="previous smd", help="The source system.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row; write nothing."
        )
        parser.add_argument("--team", help="Team name or id (needed when there is more than one).")
        parser.add_argument(
            "--by", help="Username recorded as importing (and as the staff on every row)."
        )

    def handle(self, *args, url, token, source, dry_run, team, by, **options):
        if not token:
            raise CommandError("Give the API token with --token or SMD_API_TOKEN.")
        team = self._team(team)
        user = self._user(by, team)
        started = time.monotonic()
        try:
            records = fetch_all(url, token)
        except (OSError, ValueError) as error:
            raise CommandError(f"Could not read the API: {error}") from error
        run = None if dry_run else import_command_run(team=team, source=source, by=user, name=url)
        importer = Importer(
            team=team, source=source, by=user, write=not dry_run, run=run, progress=self._progress
        )
        outcome = sheets_import(importer=importer, sheets=sheets_from_api(records))
        sys.stderr.write("\n")
        self._report(outcome, dry_run, time.monotonic() - started)
        if run is not None:
            import_run_record(run=run, outcome=outcome)
        if not outcome.ok:
            raise CommandError(f"{outcome.problem_count} problem(s): nothing was imported.")
