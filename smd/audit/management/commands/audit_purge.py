from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from smd.audit.services import audit_purge


class Command(BaseCommand):
    help = (
        "Delete audit entries older than AUDIT_RETENTION_DAYS (or --days). "
        "The only way entries are ever deleted (ADR 0015)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.AUDIT_RETENTION_DAYS)

    def handle(self, *args, days, **options):
        if days < 365:
            raise CommandError("Keep the audit log for at least a year (--days 365 or more).")
        before = timezone.now() - timedelta(days=days)
        deleted = audit_purge(before=before)
        self.stdout.write(f"{deleted} audit entries from before {before:%Y-%m-%d} deleted.")
