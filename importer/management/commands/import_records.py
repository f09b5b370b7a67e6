"""Import records from a previous system's files: a dry run with --dry-run, then the real run.

manage.py import_records people.csv episodes.csv contacts.csv --source "Old CRM" --dry-run
manage.py import_records records.xlsx --source "Old CRM" --team "Northgate" --by manager1
"""

import sys
import time
import uuid
from contextlib import ExitStack, suppress
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from importer.reading import FileRefused, open_sheets
from importer.services import Importer, import_command_run, import_run_record, sheets_import
from smd.models import Team, User


class Command(BaseCommand):
    help = "Check (--dry-run) or import records from a previous system's CSV or XLSX files."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--source", default="previous system", help="The source system.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row; write nothing."
        )
        parser.add_argument("--team", help="Team name or id (needed when there is more than one).")
        parser.add_argument(
            "--by", help="Username recorded as importing (and for rows naming no staff member)."
        )

    def handle(self, *args, files, source, dry_run, team, by, **options):
        team = self._team(team)
        user = self._user(by, team)
        started = time.monotonic()
        with ExitStack() as stack:
            sheets = []
            for name in files:
                path = Path(name)
                if not path.is_file():
                    raise CommandError(f"No such file: {name}")
                handle = stack.enter_context(path.open("rb"))
                try:
                    sheets.extend(open_sheets(handle, path.name))
                except FileRefused as refused:
                    raise CommandError(f"{name}: {refused.message}") from refused
            names = ", ".join(Path(n).name for n in files)
            run = (
                None
                if dry_run
                else import_command_run(team=team, source=source, by=user, name=names)
            )
            importer = Importer(
                team=team,
                source=source,
                by=user,
                write=not dry_run,
                run=run,
                progress=self._progress,
            )
            outcome = sheets_import(importer=importer, sheets=sheets)
        sys.stderr.write("\n")
        elapsed = time.monotonic() - started
        self._report(outcome, dry_run, elapsed)
        if run is not None:
            import_run_record(run=run, outcome=outcome)
        if not outcome.ok:
            raise CommandError(f"{outcome.problem_count} problem(s): nothing was imported.")

    def _progress(self, done, total):
        percent = round(100 * done / total) if total else 100
        sys.stderr.write(f"\r{done:,} of about {total:,} rows ({percent}%)")
        sys.stderr.flush()

    def _report(self, outcome, dry_run, elapsed):
        for kind, counts in outcome.summary.items():
            parts = ", ".join(f"{n} {what}" for what, n in counts.items())
            self.stdout.write(f"{kind}: {parts}")
        for p in outcome.problems:
            where = f"{p['sheet']}, row {p['row']}" if p["row"] else p["sheet"]
            column = f", column {p['column']}" if p["column"] else ""
            self.stdout.write(f"{where}{column}: {p['message']}")
        if outcome.problem_count > len(outcome.problems):
            self.stdout.write(f"... and {outcome.problem_count - len(outcome.problems)} more.")
        verb = "Checked" if dry_run else ("Imported" if outcome.written else "Nothing imported")
        self.stdout.write(f"{verb} in {elapsed:.1f} s.")

    def _team(self, wanted):
        teams = Team.objects.all()
        if wanted:
            query = Q(name__iexact=wanted)
            with suppress(ValueError):
                query |= Q(pk=uuid.UUID(wanted))
            found = teams.filter(query).first()
            if found is None:
                raise CommandError(f"No team {wanted!r}.")
            return found
        if teams.count() != 1:
            raise CommandError("Name the team with --team.")
        return teams.get()

    def _user(self, username, team):
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user {username!r}.")
            return user
        user = User.objects.filter(team=team, role="manager", is_active=True).first()
        if user is None:
            raise CommandError("Name the user importing with --by.")
        return user
