import logging
import posixpath
import threading
import uuid
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import OperationalError, connections, transaction
from django.utils import timezone

from returns.figures import build_return
from returns.models import QuarterlyReturn
from returns.notifications import return_finished_notify
from returns.render import to_csv, to_pdf
from returns.services import return_request
from smd.models import Team
from smd.outbox.services import outbox_done
from smd.quarters import Quarter
from smd.replica import reports

log = logging.getLogger(__name__)
Status = QuarterlyReturn.Status


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


def lease_end():
    return timezone.now() + timedelta(seconds=settings.RETURN_LEASE_SECONDS)


def _claim(return_id):
    """Take the build's lease, or None when there is nothing to do: the version is done,
    signed off or failed, or another worker holds a live lease on it."""
    with transaction.atomic():
        qr = QuarterlyReturn.objects.select_for_update().select_related("team").get(pk=return_id)
        if qr.status in {Status.DONE, Status.FAILED} or qr.is_locked:
            return None
        held = qr.lease_expires_at is not None and qr.lease_expires_at > timezone.now()
        if qr.status == Status.RUNNING and held:
            return None
        qr.status = Status.RUNNING
        qr.started_at = timezone.now()
        qr.attempts += 1
        qr.lease_token = uuid.uuid4()
        qr.lease_expires_at = lease_end()
        qr.save(
            update_fields=[
                "status",
                "started_at",
                "attempts",
                "lease_token",
                "lease_expires_at",
                "updated_at",
            ]
        )
    return qr


class LeaseHeartbeat(threading.Thread):
    """Renews a build's lease every quarter of its length while the build runs. A worker that
    dies takes its heartbeat with it, so the lease runs out and the sweep queues the build
    again. `build` is a return version or an evaluation extract: anything with a lease."""

    def __init__(self, build):
        super().__init__(daemon=True)
        self.qr, self.stopped = build, threading.Event()

    def run(self):
        try:
            while not self.stopped.wait(settings.RETURN_LEASE_SECONDS / 4):
                type(self.qr)._default_manager.filter(
                    pk=self.qr.pk, lease_token=self.qr.lease_token
                ).update(lease_expires_at=lease_end())
        except Exception:
            log.warning("Could not renew the lease on return %s", self.qr.pk, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connection


def _remove_strays(qr, *, keep):
    """Files a worker that died part-way left in this version's folder: one set per version."""
    storage = qr.pdf.storage
    folder = posixpath.dirname(next(iter(keep)))
    try:
        _, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        path = posixpath.join(folder, name)
        if path not in keep:
            storage.delete(path)


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
def quarterly_return_build(self, return_id, outbox_id=None):
    """Build one version's figures, PDF and CSV. Safe to run again or twice at once: only the
    holder of the version's lease builds it, only the holder may finish it, and a version that
    is done or signed off is left as it is."""
    qr = _claim(return_id)
    outbox_done(message_id=outbox_id)  # from here the version's own lease guards the build
    if qr is None:
        return str(return_id)
    mine = QuarterlyReturn.objects.filter(pk=qr.pk, lease_token=qr.lease_token)
    heartbeat = LeaseHeartbeat(qr)
    heartbeat.start()
    try:
        quarter = Quarter.from_label(qr.quarter)
        # The figures are all reads: from the replica once it has replayed every change made
        # before this build began. The version (read above, in _claim) and everything written
        # below stay on the primary.
        with reports(up_to_date_within=settings.REPLICA_BUILD_WAIT_SECONDS):
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
        # Finish only a version this run still holds: a worker thought dead may have been
        # overtaken by another, which finished first, and a manager may have signed that off
        # since. Never overwrite it: the loser removes its files, so a version has one set.
        with transaction.atomic():
            finished = mine.filter(status=Status.RUNNING, signed_off_at__isnull=True).update(
                figures=figures,
                pdf=pdf_name,
                csv=csv_name,
                status=Status.DONE,
                error="",
                finished_at=timezone.now(),
                lease_token=None,
                lease_expires_at=None,
                updated_at=timezone.now(),
            )
            if finished:
                return_finished_notify(return_id=qr.pk)
        if finished:
            _remove_strays(qr, keep={pdf_name, csv_name})
        else:
            qr.pdf.storage.delete(pdf_name)
            qr.csv.storage.delete(csv_name)
    except (OperationalError, ConnectionError) as exc:
        # Transient: shown as retrying while Celery tries again with backoff. If that update
        # fails too (the database is down), the lease runs out and the sweep takes over.
        try:
            mine.filter(status=Status.RUNNING).update(
                status=Status.RETRYING,
                error=f"Interrupted ({type(exc).__name__}); trying again.",
                lease_expires_at=lease_end(),
            )
        except Exception:
            log.warning("Could not record the retry of return %s", qr.pk, exc_info=True)
        raise
    except Exception as exc:
        log.exception("Quarterly return %s failed", qr.pk)
        with transaction.atomic():
            failed = mine.filter(status=Status.RUNNING).update(
                status=Status.FAILED,
                error=f"{type(exc).__name__}: {exc}"[:2000],
                finished_at=timezone.now(),
                lease_token=None,
                lease_expires_at=None,
            )
            if failed:
                return_finished_notify(return_id=qr.pk)
    finally:
        heartbeat.stopped.set()
    return str(qr.pk)


@shared_task
def previous_quarter_returns():
    """Queued by Celery beat at 02:00 on the first day of each quarter: last quarter's return
    for every team."""
    quarter = Quarter.containing(timezone.localdate()).previous()
    for team in Team.objects.all():
        return_request(team=team, quarter=quarter, by=None)
