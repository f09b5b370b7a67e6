from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from rights import erasure
from rights.collect import collect
from rights.services import retention_review_run
from smd.models import Team


class Command(BaseCommand):
    help = (
        "Bring each team's retention list up to date, as the weekly task does. With --dry-run, "
        "report who is due and what erasing them would change, and write nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="report only; write nothing")
        parser.add_argument("--team", help="one team, by name (default: every team)")

    def handle(self, *args, dry_run, team, **options):
        teams = Team.objects.filter(name=team) if team else Team.objects.all()
        today = timezone.localdate()
        years = settings.RETENTION_YEARS
        mode = "Dry run: nothing is written." if dry_run else "Retention lists updated."
        self.stdout.write(f"{mode} Retention period {years} years, as at {today:%Y-%m-%d}.")
        for t in teams:
            result = retention_review_run(team=t, today=today, dry_run=dry_run)
            due = result["due"]
            self.stdout.write(
                f"\n{t.name}: {len(due)} due, {len(result['new'])} newly listed, "
                f"{result['no_longer_due']} no longer due."
            )
            # Person ids only: this output may end up in a log.
            for d in due:
                self.stdout.write(
                    f"  {d.person_id}  last involvement {d.last_involvement_on:%Y-%m-%d}, "
                    f"due since {d.due_on:%Y-%m-%d}"
                )
            if due and dry_run:
                self.stdout.write("  Erasing them would change:")
                for line in erasure.preview(collect([d.person_id for d in due])):
                    cleared = ", ".join(line["cleared"]) or "every field"
                    history = (
                        f"; {line['history']} earlier versions deleted" if line["history"] else ""
                    )
                    what = "deleted" if line["action"] == "deleted" else f"cleared: {cleared}"
                    self.stdout.write(
                        f"    {line['name']}: {line['rows']} {line['action']} ({what}){history}"
                    )
