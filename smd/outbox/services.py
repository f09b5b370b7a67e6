"""The outbox: later work recorded with the change that asks for it (ADR 0022).

A service calls `outbox_add` inside its own transaction. After commit the message is handed to
Celery; if the broker is down that fails quietly (a warning in the log) and the row waits.
`outbox_sweep`, queued by beat every minute, hands over whatever is still waiting, so nothing
is lost; each task runs its work under `outbox_once` (or calls `outbox_done`), so a message
handed over twice is still done once.
"""

import logging
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from smd.celery import app as celery_app
from smd.outbox.models import OutboxMessage

log = logging.getLogger(__name__)

Status = OutboxMessage.Status
WAITING = [Status.PENDING, Status.ENQUEUED]
# A message younger than this is left to its own after-commit hand-over.
SWEEP_GRACE = timedelta(seconds=30)
SWEEP_BATCH = 500
# One quick retry for a blip: the user's request is waiting, and the sweep covers the rest.
RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# Other apps' recoveries the sweep runs first (registered in their AppConfig.ready()), so a
# lower layer never imports a higher one.
_recoveries = []


def register_recovery(fn):
    """Run `fn(now=...)` at every sweep, before waiting messages are handed over."""
    if fn not in _recoveries:
        _recoveries.append(fn)
    return fn


def outbox_add(*, task, kwargs=None):
    """Record work for `task` (a Celery task's dotted path) in the caller's transaction, and
    hand it to Celery once that transaction commits."""
    import_string(task)  # a wrong name fails here, in the write, not later in a worker
    message = OutboxMessage.objects.create(task=task, kwargs=kwargs or {})
    # robust: whatever goes wrong after commit is logged, never shown to the user as a failure.
    transaction.on_commit(lambda: outbox_hand_over(message=message), robust=True)
    return message


def outbox_hand_over(*, message):
    """Give one message to Celery. Never raises: with the broker down the row keeps waiting
    for the sweep, and the user's change, already committed, is not reported as failed."""
    try:
        task = import_string(message.task)
        task.apply_async(
            kwargs={**message.kwargs, "outbox_id": str(message.pk)}, retry_policy=RETRY_POLICY
        )
    except Exception as exc:
        # Without a broker (local use, tests) the task ran in-process and this is its error.
        where = (
            "run %s (%s) in-process" if task_always_eager() else "hand %s (%s) to the task queue"
        )
        log.warning(
            f"Could not {where}; the outbox sweep will try again: %s",
            message.task,
            message.pk,
            exc,
        )
        OutboxMessage.objects.filter(pk=message.pk, status__in=WAITING).update(
            last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return False
    # Conditional: a task run in-process (or by a quick worker) may already have marked it done.
    OutboxMessage.objects.filter(pk=message.pk, status__in=WAITING).update(
        status=Status.ENQUEUED,
        enqueued_at=timezone.now(),
        attempts=F("attempts") + 1,
        updated_at=timezone.now(),
    )
    return True


def task_always_eager():
    return celery_app.conf.task_always_eager


def outbox_sweep(*, now=None, grace=SWEEP_GRACE):
    """Run the registered recoveries, then hand to Celery every message never handed over, or
    handed over so long ago without being done that the broker must have lost it. A message
    handed over `OUTBOX_MAX_ATTEMPTS` times is given up, with an error in the log. Messages
    done more than `OUTBOX_KEEP_DONE_DAYS` ago are deleted: what they carried (an account
    email's words) is not kept once it has gone."""
    now = now or timezone.now()
    for recover in _recoveries:
        recover(now=now)
    OutboxMessage.objects.filter(
        status=Status.DONE, done_at__lt=now - timedelta(days=settings.OUTBOX_KEEP_DONE_DAYS)
    ).delete()
    resend_before = now - timedelta(seconds=settings.OUTBOX_RESEND_AFTER_SECONDS)
    waiting = OutboxMessage.objects.filter(
        Q(status=Status.PENDING, created_at__lte=now - grace)
        | Q(status=Status.ENQUEUED, enqueued_at__lte=resend_before)
    ).order_by("created_at")[:SWEEP_BATCH]
    handed = 0
    for message in waiting:
        if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            OutboxMessage.objects.filter(pk=message.pk, status__in=WAITING).update(
                status=Status.FAILED, updated_at=now
            )
            log.error(
                "Gave up on %s (%s) after %s attempts: %s",
                message.task,
                message.pk,
                message.attempts,
                message.last_error or "never reported done",
            )
            continue
        handed += outbox_hand_over(message=message)
    return handed


@contextmanager
def outbox_once(message_id):
    """Do a task's work at most once per message. Yields True when the work is to be done;
    the message is marked done in the same transaction, and a second copy running at the
    same time waits on the row lock, then finds it done and yields False. Without a message
    (a task queued directly) the work is always done."""
    if message_id is None:
        yield True
        return
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status == Status.DONE:
            yield False
            return
        yield True
        outbox_done(message_id=message_id)


def outbox_done(*, message_id):
    """Mark a message done, for tasks whose work has its own once-only guard."""
    if message_id is None:
        return 0
    now = timezone.now()
    return (
        OutboxMessage.objects.filter(pk=message_id)
        .exclude(status=Status.DONE)
        .update(status=Status.DONE, done_at=now, updated_at=now)
    )


def notify_user(*, user, subject, body):
    """Email one user after the caller's transaction commits, through the outbox. Subject and
    body are stored until sent: name no person supported by the team in them."""
    return outbox_add(
        task="smd.outbox.tasks.user_notify",
        kwargs={"user_id": str(user.pk), "subject": subject, "body": body},
    )
