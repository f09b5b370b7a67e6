from django.core.management.base import BaseCommand, CommandError

from returns.figures import build_return
from returns.render import to_csv, to_pdf
from returns.tasks import figures_as_data
from smd.models import Team
from smd.quarters import Quarter


class Command(BaseCommand):
    help = "Build a quarterly return now, synchronously: e.g. quarterly_return 2025/26-Q3 --pdf r.pdf --csv r.csv"

    def add_arguments(self, parser):
        parser.add_argument("quarter", help='"2025/26-Q3" or "2025/26 Q3"')
        parser.add_argument("--pdf", help="write the PDF here")
        parser.add_argument("--csv", help="write the CSV here")
        parser.add_argument("--team", help="the team's name (default: the only team)")

    def handle(self, *args, quarter, pdf, csv, team, **options):
        try:
            quarter = Quarter.from_label(quarter.replace("-Q", " Q"))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        teams = Team.objects.filter(name=team) if team else Team.objects.all()
        if teams.count() != 1:
            names = ", ".join(Team.objects.values_list("name", flat=True)) or "none"
            raise CommandError(f"Name one team with --team (teams: {names}).")
        team = teams.get()
        if not (pdf or csv):
            raise CommandError("Say where to write it: --pdf FILE and/or --csv FILE.")
        figures = figures_as_data(build_return(team, quarter))
        if csv:
            with open(csv, "w", encoding="utf-8", newline="") as f:
                f.write(to_csv(figures, quarter=quarter, team=team))
        if pdf:
            with open(pdf, "wb") as f:
                f.write(to_pdf(figures, quarter=quarter, team=team, version="CLI"))
        self.stdout.write(self.style.SUCCESS(f"{team}: return for {quarter.label} written."))
