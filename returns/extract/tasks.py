import logging
import uuid

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import OperationalError, transaction
from django.utils import timezone

from returns.extract.columns import FORMAT_VERSION
from returns.extract.models import EvaluationExtract
from returns.extract.selectors import extract_rows, to_csv
from returns.tasks import LeaseHeartbeat, lease_end
from smd.outbox.services import outbox_done
from smd.quarters import Quarter
from smd.replica import reports

log = logging.getLogger(__name__)
Status = EvaluationExtract.Status


def _claim(extract_id):
    """Take the build's lease, or None when there is nothing to do: the extract is done or
    failed, or another worker holds a live lease on it."""
    with transaction.atomic():
        extract = (
            EvaluationExtract.objects.select_for_update().select_related("team").get(pk=extract_id)
        )
        if extract.status in {Status.DONE, Status.FAILED}:
            return None
        held = extract.lease_expires_at is not None and extract.lease_expires_at > timezone.now()
        if extract.status == Status.RUNNING and held:
            return None
        extract.status = Status.RUNNING
        extract.started_at = timezone.now()
        extract.attempts += 1
        extract.lease_token = uuid.uuid4()
        extract.lease_expires_at = lease_end()
        extract.save(
            update_fields=[
                "status",
                "started_at",
                "attempts",
                "lease_token",
                "lease_expires_at",
                "updated_at",
            ]
        )
    return extract


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
def evaluation_extract_build(self, extract_id, outbox_id=None):
    """Build one extract's CSV. Safe to run again or twice at once: only the lease holder
    builds it and only the holder may finish it; a finished extract is left as it is."""
    extract = _claim(extract_id)
    outbox_done(message_id=outbox_id)  # from here the extract's own lease guards the build
    if extract is None:
        return str(extract_id)
    mine = EvaluationExtract.objects.filter(pk=extract.pk, lease_token=extract.lease_token)
    heartbeat = LeaseHeartbeat(extract)
    heartbeat.start()
    try:
        quarter = Quarter.from_label(extract.quarter)
        # The rows from the replica once it has every change made before the build began;
        # the file and the extract's row are written on the primary after.
        with reports(up_to_date_within=settings.REPLICA_BUILD_WAIT_SECONDS):
            rows = extract_rows(extract.team, quarter)
        stem = f"evaluation-extract-{quarter.label.replace('/', '-').replace(' ', '-')}"
        name = extract.csv.storage.save(
            extract.csv.field.generate_filename(extract, f"{stem}-format-{FORMAT_VERSION}.csv"),
            ContentFile(to_csv(rows).encode()),
        )
        with transaction.atomic():
            finished = mine.filter(status=Status.RUNNING).update(
                csv=name,
                rows=len(rows),
                format_version=FORMAT_VERSION,
                status=Status.DONE,
                error="",
                finished_at=timezone.now(),
                lease_token=None,
                lease_expires_at=None,
                updated_at=timezone.now(),
            )
        if not finished:
            # Overtaken by another worker, which finished first: one file per extract.
            extract.csv.storage.delete(name)
    except (OperationalError, ConnectionError) as exc:
        try:
            mine.filter(status=Status.RUNNING).update(
                status=Status.RETRYING,
                error=f"Interrupted ({type(exc).__name__}); trying again.",
                lease_expires_at=lease_end(),
            )
        except Exception:
            log.warning("Could not record the retry of extract %s", extract.pk, exc_info=True)
        raise
    except Exception as exc:
        log.exception("Evaluation extract %s failed", extract.pk)
        mine.filter(status=Status.RUNNING).update(
            status=Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
            lease_token=None,
            lease_expires_at=None,
        )
    finally:
        heartbeat.stopped.set()
    return str(extract.pk)
