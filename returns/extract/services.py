"""Asking for an evaluation extract, and recovering builds whose worker died. Each request
makes a new extract and records its build in the outbox in the same transaction (ADR 0022),
so it is built even if the task queue is down now."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from returns.extract.models import EvaluationExtract
from smd.outbox.services import outbox_add
from smd.submission import once_per_submission

BUILD_TASK = "returns.extract.tasks.evaluation_extract_build"
# Builds started for one extract before the sweep stops queueing it and marks it failed.
MAX_BUILD_ATTEMPTS = 5
Status = EvaluationExtract.Status


def _queue_build(extract):
    outbox_add(task=BUILD_TASK, kwargs={"extract_id": str(extract.pk)})


@transaction.atomic
@once_per_submission(
    EvaluationExtract, same=lambda made, *, team, quarter, by: made.quarter == quarter.label
)
def extract_request(*, team, quarter, by, submission_key=None):
    """Queue a new extract of the team's people supported in `quarter`."""
    extract = EvaluationExtract.objects.create(
        team=team, quarter=quarter.label, requested_by=by, submission_key=submission_key
    )
    _queue_build(extract)
    return extract


@transaction.atomic
def extract_retry(*, extract, by):
    """Queue a failed extract's build again, with a fresh set of attempts."""
    extract = EvaluationExtract.objects.select_for_update().get(pk=extract.pk)
    if extract.status != Status.FAILED:
        raise ValidationError("Only a failed extract can be built again.")
    extract.status = Status.PENDING
    extract.error = ""
    extract.attempts = 0
    extract.lease_token = None
    extract.lease_expires_at = None
    extract.save(
        update_fields=[
            "status",
            "error",
            "attempts",
            "lease_token",
            "lease_expires_at",
            "updated_at",
        ]
    )
    _queue_build(extract)
    return extract


def extract_builds_recover(*, now=None):
    """Run by the outbox sweep: queue again each build whose lease ran out, or mark it failed
    once it has been started MAX_BUILD_ATTEMPTS times (as return_builds_recover does)."""
    now = now or timezone.now()
    stale = EvaluationExtract.objects.filter(
        status__in=[Status.RUNNING, Status.RETRYING], lease_expires_at__lt=now
    ).values_list("pk", flat=True)
    recovered = 0
    for pk in stale:
        with transaction.atomic():
            extract = EvaluationExtract.objects.select_for_update().get(pk=pk)
            if (
                extract.status not in {Status.RUNNING, Status.RETRYING}
                or extract.lease_expires_at >= now
            ):
                continue
            extract.lease_token = None
            extract.lease_expires_at = None
            if extract.attempts >= MAX_BUILD_ATTEMPTS:
                extract.status = Status.FAILED
                extract.error = (
                    f"Stopped after {extract.attempts} attempts. {extract.error}".strip()[:2000]
                )
                extract.finished_at = now
            else:
                extract.status = Status.RETRYING
                extract.error = (
                    extract.error or "The build stopped part-way; it is being started again."
                )
                _queue_build(extract)
                recovered += 1
            extract.save()
    return recovered
