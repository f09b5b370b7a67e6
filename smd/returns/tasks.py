import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import OperationalError, transaction
from django.utils import timezone

from smd.quarters import Quarter
from smd.returns.figures import build_return
from smd.returns.models import QuarterlyReturn
from smd.returns.render import to_csv, to_pdf

log = logging.getLogger(__name__)


def figures_as_data(result):
    return [
        {
            k: getattr(f, k)
            for k in (
                "section",
                "key",
                "label",
                "definition",
                "kind",
                "values",
                "bases",
                "counts_people",
                "money",
            )
        }
        for f in result.figures
    ]


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, ConnectionError),
    retry_backoff=True,
    max_retries=5,
    time_limit=600,
    soft_time_limit=540,
)
def quarterly_return_build(self, return_id):
    """Build one version's figures, PDF and CSV. Safe to run again: a version that is done or
    signed off is left as it is; a half-built one is rebuilt from scratch."""
    with transaction.atomic():
        qr = QuarterlyReturn.objects.select_for_update().select_related("team").get(pk=return_id)
        if qr.status == QuarterlyReturn.Status.DONE or qr.is_locked:
            return str(qr.pk)
        qr.status = QuarterlyReturn.Status.RUNNING
        qr.started_at = timezone.now()
        qr.error = ""
        qr.save(update_fields=["status", "started_at", "error", "updated_at"])
    try:
        quarter = Quarter.from_label(qr.quarter)
        figures = figures_as_data(build_return(qr.team, quarter))
        pdf = to_pdf(figures, quarter=quarter, team=qr.team, version=qr.version)
        text = to_csv(figures, quarter=quarter, team=qr.team)
        stem = f"return-{quarter.label.replace('/', '-').replace(' ', '-')}-v{qr.version}"
        pdf_name = qr.pdf.storage.save(
            qr.pdf.field.generate_filename(qr, f"{stem}.pdf"), ContentFile(pdf)
        )
        csv_name = qr.csv.storage.save(
            qr.csv.field.generate_filename(qr, f"{stem}.csv"), ContentFile(text.encode())
        )
        # Finish only a version still being built: a redelivered copy of this task may have
        # finished it first, and a manager may have signed that off since. Never overwrite it.
        with transaction.atomic():
            finished = QuarterlyReturn.objects.filter(
                pk=qr.pk, status=QuarterlyReturn.Status.RUNNING, signed_off_at__isnull=True
            ).update(
                figures=figures,
                pdf=pdf_name,
                csv=csv_name,
                status=QuarterlyReturn.Status.DONE,
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
        if not finished:
            qr.pdf.storage.delete(pdf_name)
            qr.csv.storage.delete(csv_name)
    except (OperationalError, ConnectionError):
        raise  # transient: Celery retries with backoff
    except Exception as exc:
        log.exception("Quarterly return %s failed", qr.pk)
        QuarterlyReturn.objects.filter(pk=qr.pk, status=QuarterlyReturn.Status.RUNNING).update(
            status=QuarterlyReturn.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
    return str(qr.pk)


@shared_task
def previous_quarter_returns():
    """Queued by Celery beat at 02:00 on the first day of each quarter: last quarter's return
    for every team."""
    from smd.models import Team
    from smd.returns.services import return_request

    quarter = Quarter.containing(timezone.localdate()).previous()
    for team in Team.objects.all():
        return_request(team=team, quarter=quarter, by=None)
