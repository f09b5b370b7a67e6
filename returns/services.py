from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from returns.models import QuarterlyReturn
from returns.notifications import return_finished_notify
from smd.outbox.services import outbox_add

BUILD_TASK = "returns.tasks.quarterly_return_build"
# Builds started for one version before the sweep stops queueing it and marks it failed.
MAX_BUILD_ATTEMPTS = 5
Status = QuarterlyReturn.Status


def _queue_build(qr):
    outbox_add(task=BUILD_TASK, kwargs={"return_id": str(qr.pk)})


def return_request(*, team, quarter, by):
    """Queue a new version of a quarter's return; earlier versions are never touched. The
    version and its build are stored together, so it is built even if the task queue is down
    now."""
    for _ in range(3):  # two managers asking at the same moment: retry for the next number
        try:
            with transaction.atomic():
                last = QuarterlyReturn.objects.filter(team=team, quarter=quarter.label).aggregate(
                    n=Max("version")
                )["n"]
                qr = QuarterlyReturn.objects.create(
                    team=team, quarter=quarter.label, version=(last or 0) + 1, requested_by=by
                )
                _queue_build(qr)
            break
        except IntegrityError:
            continue
    else:
        raise ValidationError("Could not queue the return; please try again.")
    return qr


@transaction.atomic
def return_retry(*, quarterly_return, by):
    """Queue a failed version's build again, with a fresh set of attempts."""
    qr = QuarterlyReturn.objects.select_for_update().get(pk=quarterly_return.pk)
    if qr.status != Status.FAILED:
        raise ValidationError("Only a failed return can be built again.")
    qr.status = Status.PENDING
    qr.error = ""
    qr.attempts = 0
    qr.lease_token = None
    qr.lease_expires_at = None
    qr.save(
        update_fields=[
            "status",
            "error",
            "attempts",
            "lease_token",
            "lease_expires_at",
            "updated_at",
        ]
    )
    _queue_build(qr)
    return qr


def return_builds_recover(*, now=None):
    """Run by the outbox sweep: queue again each build whose lease ran out (its worker died or
    lost the database), or mark it failed once it has been started MAX_BUILD_ATTEMPTS times."""
    now = now or timezone.now()
    stale = QuarterlyReturn.objects.filter(
        status__in=[Status.RUNNING, Status.RETRYING], lease_expires_at__lt=now
    ).values_list("pk", flat=True)
    recovered = 0
    for pk in stale:
        with transaction.atomic():
            qr = QuarterlyReturn.objects.select_for_update().get(pk=pk)
            # Checked again under the lock: the worker may have finished or renewed since.
            if qr.status not in {Status.RUNNING, Status.RETRYING} or qr.lease_expires_at >= now:
                continue
            qr.lease_token = None
            qr.lease_expires_at = None
            if qr.attempts >= MAX_BUILD_ATTEMPTS:
                qr.status = Status.FAILED
                qr.error = f"Stopped after {qr.attempts} attempts. {qr.error}".strip()[:2000]
                qr.finished_at = now
            else:
                qr.status = Status.RETRYING
                qr.error = qr.error or "The build stopped part-way; it is being started again."
                _queue_build(qr)
                recovered += 1
            qr.save()
            if qr.status == Status.FAILED:
                return_finished_notify(return_id=qr.pk)
    return recovered


@transaction.atomic
def return_sign_off(*, quarterly_return, by):
    qr = QuarterlyReturn.objects.select_for_update().get(pk=quarterly_return.pk)
    if qr.status != QuarterlyReturn.Status.DONE:
        raise ValidationError("Only a finished return can be signed off.")
    if qr.is_locked:
        raise ValidationError("This version is already signed off.")
    qr.signed_off_by = by
    qr.signed_off_at = timezone.now()
    qr.save(update_fields=["signed_off_by", "signed_off_at", "updated_at"])
    return qr
