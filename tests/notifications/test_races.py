"""Two sweeps or two daily summaries at the same moment (two beats, a task redelivered while
the first copy still runs): the unique constraints let one through and nothing is made or
sent twice."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from mdt.notifications import OVERDUE
from smd.notifications.models import Digest, Notification
from smd.notifications.services import digest_send, notify
from smd.outbox.models import OutboxMessage


def _at_once(work):
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            with transaction.atomic():
                work()
        except Exception as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_reminder_made_twice_at_once_is_made_once(navigator):
    def remind():
        notify(
            user=navigator,
            kind=OVERDUE,
            key="action:1",
            due=timezone.localdate(),
            title="An MDT action of yours is overdue",
            url="/mdt/actions/",
        )

    _at_once(remind)
    assert Notification.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_daily_summaries_at_once_send_one(navigator):
    for n in range(3):
        notify(
            user=navigator,
            kind=OVERDUE,
            key=f"action:{n}",
            due=timezone.localdate(),
            title="An MDT action of yours is overdue",
            url="/mdt/actions/",
        )
    _at_once(digest_send)
    assert Digest.objects.count() == 1
    assert Digest.objects.get().counts == {"MDT action overdue": 3}
    assert OutboxMessage.objects.filter(task="smd.notifications.tasks.digest_email").count() == 1
