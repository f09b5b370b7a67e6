"""The outbox: work recorded with the write that asks for it, handed to Celery after commit,
swept until done, done once."""

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from smd.models import Role
from smd.outbox.models import OutboxMessage
from smd.outbox.services import notify_user, outbox_add, outbox_hand_over, outbox_sweep
from smd.outbox.tasks import user_notify
from tests.factories import UserFactory

NOTIFY = "smd.outbox.tasks.user_notify"
Status = OutboxMessage.Status


@pytest.fixture
def broker_down(monkeypatch):
    """The task queue refuses every message, as kombu does when Redis is not there."""

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr("celery.app.task.Task.apply_async", refuse)


@pytest.fixture
def alice(team):
    return UserFactory(role=Role.NAVIGATOR, team=team, email="alice@example.org")


def test_the_message_is_stored_with_the_write_and_gone_with_its_rollback(alice):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify_user(user=alice, subject="Hello", body="Body")
        raise RuntimeError("the write failed")
    assert not OutboxMessage.objects.exists()


def test_after_commit_the_task_runs_and_marks_the_message_done(
    alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = notify_user(user=alice, subject="Your role changed", body="Sign in to see.")
    (sent,) = mail.outbox
    assert sent.to == ["alice@example.org"] and sent.subject == "Your role changed"
    message.refresh_from_db()
    assert message.status == Status.DONE and message.done_at is not None


def test_a_broker_that_is_down_never_fails_the_write_and_says_so_in_the_log(
    alice, broker_down, django_capture_on_commit_callbacks, caplog
):
    with (
        caplog.at_level(logging.WARNING, "smd.outbox"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        message = notify_user(user=alice, subject="Hello", body="Body")
    message.refresh_from_db()
    assert message.status == Status.PENDING and message.attempts == 0
    assert "Connection refused" in message.last_error
    assert "the outbox sweep will try again" in caplog.text
    assert mail.outbox == []


def test_the_sweep_hands_over_what_never_reached_the_queue(alice, broker_down, monkeypatch):
    old = outbox_add(task=NOTIFY, kwargs={"user_id": str(alice.pk), "subject": "S", "body": "B"})
    new = outbox_add(task=NOTIFY, kwargs={"user_id": str(alice.pk), "subject": "S", "body": "B"})
    OutboxMessage.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    monkeypatch.undo()  # the broker is back
    assert outbox_sweep() == 1  # the young one is left to its own after-commit hand-over
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.get(pk=old.pk).status == Status.DONE
    assert OutboxMessage.objects.get(pk=new.pk).status == Status.PENDING


def test_a_message_handed_over_twice_is_done_once(alice):
    message = outbox_add(
        task=NOTIFY, kwargs={"user_id": str(alice.pk), "subject": "S", "body": "B"}
    )
    assert outbox_hand_over(message=message)
    assert outbox_hand_over(message=message)
    user_notify(str(alice.pk), "S", "B", outbox_id=str(message.pk))  # a redelivered copy
    assert len(mail.outbox) == 1


def test_a_failed_send_leaves_the_message_waiting(alice, monkeypatch):
    message = outbox_add(
        task=NOTIFY, kwargs={"user_id": str(alice.pk), "subject": "S", "body": "B"}
    )

    def smtp_down(*args, **kwargs):
        raise ConnectionRefusedError("smtp")

    monkeypatch.setattr("smd.outbox.tasks.send_mail", smtp_down)
    with pytest.raises(OSError):
        user_notify.run(str(alice.pk), "S", "B", outbox_id=str(message.pk))
    message.refresh_from_db()
    assert message.status == Status.PENDING


def test_a_message_lost_by_the_broker_is_sent_again_and_given_up_in_the_end(
    alice, settings, monkeypatch, caplog
):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = outbox_add(
        task=NOTIFY, kwargs={"user_id": str(alice.pk), "subject": "S", "body": "B"}
    )
    lost = []
    monkeypatch.setattr("celery.app.task.Task.apply_async", lambda *a, **kw: lost.append(kw))
    long_ago = timezone.now() - timedelta(seconds=settings.OUTBOX_RESEND_AFTER_SECONDS + 1)
    for _ in range(2):
        OutboxMessage.objects.filter(pk=message.pk).update(
            created_at=long_ago, enqueued_at=long_ago
        )
        assert outbox_sweep() == 1
    assert len(lost) == 2
    OutboxMessage.objects.filter(pk=message.pk).update(enqueued_at=long_ago)
    with caplog.at_level(logging.ERROR, "smd.outbox"):
        assert outbox_sweep() == 0
    message.refresh_from_db()
    assert message.status == Status.FAILED and message.attempts == 2
    assert "Gave up on smd.outbox.tasks.user_notify" in caplog.text


def test_an_inactive_user_or_one_without_email_is_sent_nothing(team):
    gone = UserFactory(role=Role.NAVIGATOR, team=team, email="gone@example.org", is_active=False)
    silent = UserFactory(role=Role.NAVIGATOR, team=team, email="")
    for user in (gone, silent):
        message = notify_user(user=user, subject="S", body="B")
        user_notify(str(user.pk), "S", "B", outbox_id=str(message.pk))
        message.refresh_from_db()
        assert message.status == Status.DONE
    assert mail.outbox == []


def test_a_task_name_that_does_not_exist_is_refused_at_the_write(db):
    with pytest.raises(ImportError):
        outbox_add(task="smd.outbox.tasks.no_such_task", kwargs={})


def test_the_sweep_runs_every_minute_from_the_database(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="smd.outbox.tasks.outbox_sweep_each_minute")
    assert (task.interval.every, task.interval.period) == (1, "minutes")


def test_the_sweep_deletes_work_done_more_than_a_week_ago_and_keeps_the_rest(
    alice, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_KEEP_DONE_DAYS = 7
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        old = notify_user(user=alice, subject="Old", body="Sent last month.")
        recent = notify_user(user=alice, subject="Recent", body="Sent yesterday.")
    OutboxMessage.objects.filter(pk=old.pk).update(done_at=now - timedelta(days=8))
    OutboxMessage.objects.filter(pk=recent.pk).update(done_at=now - timedelta(days=1))
    given_up = outbox_add(
        task=NOTIFY, kwargs={"user_id": str(alice.pk), "subject": "S", "body": "B"}
    )
    OutboxMessage.objects.filter(pk=given_up.pk).update(
        status=Status.FAILED, created_at=now - timedelta(days=30)
    )
    outbox_sweep(now=now)
    # Done and old: gone with the words it carried. Done lately, or given up: still there.
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, given_up.pk}
