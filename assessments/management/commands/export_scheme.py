import json

from django.core.management.base import BaseCommand, CommandError

from assessments.models import AssessmentScheme
from assessments.services import scheme_export


class Command(BaseCommand):
    help = "Write an assessment scheme version as JSON (the format import_scheme reads)."

    def add_arguments(self, parser):
        parser.add_argument("code", help="e.g. ndt-amended")
        parser.add_argument(
            "--scheme-version", type=int, dest="version", help="default: the current version"
        )
        parser.add_argument("--output", "-o", help="file to write; default: standard output")

    def handle(self, *args, code, version, output, **options):
        schemes = AssessmentScheme.objects.filter(code=code)
        scheme = (
            schemes.filter(version=version) if version else schemes.filter(is_current=True)
        ).first()
        if scheme is None:
            raise CommandError(f"No scheme {code}" + (f" version {version}." if version else "."))
        text = json.dumps(scheme_export(scheme=scheme), indent=2, ensure_ascii=False) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as f:
                f.write(text)
            self.stdout.write(self.style.SUCCESS(f"Wrote {scheme} to {output}."))
        else:
            self.stdout.write(text, ending="")
