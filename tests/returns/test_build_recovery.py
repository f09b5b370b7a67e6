"""A return asked for is never lost and never built twice: queued while the task queue is down,
rebuilt when its worker dies, shown honestly meanwhile, and retried on request when it failed."""

import posixpath
import uuid
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from returns import services
from returns.models import QuarterlyReturn
from returns.tasks import quarterly_return_build
from smd.models import Role
from smd.outbox.models import OutboxMessage
from smd.outbox.services import outbox_sweep
from smd.quarters import Quarter
from tests.factories import UserFactory
from tests.outages import celery_broker, free_port

Q3 = Quarter(2025, 3)
Status = QuarterlyReturn.Status


@pytest.fixture
def manager(team):
    return UserFactory(role=Role.MANAGER, team=team)


@pytest.fixture
def manager_client(client_for, manager):
    return client_for(manager)


def _version(team, **fields):
    return QuarterlyReturn.objects.create(team=team, quarter=Q3.label, version=1, **fields)


def _row(client, qr):
    return client.get(reverse("returns:status", args=[qr.pk])).content.decode()


def _files(qr):
    folder = posixpath.dirname(qr.pdf.name)
    return sorted(default_storage.listdir(folder)[1])


def test_with_the_task_queue_down_a_return_is_stored_and_shown_queued(
    manager_client, team, django_capture_on_commit_callbacks
):
    down = f"redis://127.0.0.1:{free_port()}/0"
    with celery_broker(down), django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            reverse("returns:generate"), {"quarter": Q3.label}, follow=True
        )
    assert response.status_code == 200
    qr = QuarterlyReturn.objects.get()
    assert qr.status == Status.PENDING
    page = response.content.decode()
    assert f"{qr} is queued to be built." in page
    assert "Queued" in page and "Waiting for a worker to start it" in page
    message = OutboxMessage.objects.get()
    assert message.status == OutboxMessage.Status.PENDING
    assert message.kwargs == {"return_id": str(qr.pk)}


def test_a_return_queued_for_long_says_why_and_that_nothing_is_lost(manager_client, team):
    qr = _version(team)
    QuarterlyReturn.objects.filter(pk=qr.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    row = _row(manager_client, qr)
    assert "busy or unavailable" in row and "nothing is lost" in row
    assert 'hx-trigger="every 2s"' in row


def test_a_build_in_progress_or_retrying_says_so_and_keeps_polling(manager_client, team):
    qr = _version(team, status=Status.RUNNING, attempts=2, started_at=timezone.now())
    row = _row(manager_client, qr)
    assert "Being built" in row and "(attempt 2)" in row and 'hx-trigger="every 2s"' in row
    QuarterlyReturn.objects.filter(pk=qr.pk).update(
        status=Status.RETRYING, error="Interrupted (OperationalError); trying again."
    )
    row = _row(manager_client, qr)
    assert "Retrying" in row and "trying again" in row and 'hx-trigger="every 2s"' in row


def test_a_failed_return_offers_a_retry_that_builds_it(
    manager_client, team, django_capture_on_commit_callbacks
):
    qr = _version(team, status=Status.FAILED, error="MemoryError: ", attempts=5)
    row = _row(manager_client, qr)
    assert "Failed:" in row and reverse("returns:retry", args=[qr.pk]) in row
    assert 'hx-trigger="every 2s"' not in row
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(reverse("returns:retry", args=[qr.pk]), follow=True)
    assert "queued to be built again" in response.content.decode()
    qr.refresh_from_db()
    assert qr.status == Status.DONE and qr.attempts == 1 and qr.error == ""
    assert _files(qr) == ["return-2025-26-Q3-v1.csv", "return-2025-26-Q3-v1.pdf"]


def test_only_a_failed_return_can_be_retried(manager_client, team):
    qr = _version(team, status=Status.RUNNING, started_at=timezone.now())
    response = manager_client.post(reverse("returns:retry", args=[qr.pk]), follow=True)
    assert "Only a failed return can be built again." in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_a_build_whose_worker_died_is_queued_again_by_the_sweep_and_built_once(
    team, manager, django_capture_on_commit_callbacks
):
    qr = _version(team, requested_by=manager)
    # The worker that took it died part-way: its lease ran out, and it left a stray file.
    QuarterlyReturn.objects.filter(pk=qr.pk).update(
        status=Status.RUNNING,
        attempts=1,
        lease_token=uuid.uuid4(),
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )
    stray = default_storage.save(
        f"returns/{team.pk}/2025-26-Q3/v1/return-2025-26-Q3-v1.pdf", ContentFile(b"%PDF-half")
    )
    with django_capture_on_commit_callbacks(execute=True):
        outbox_sweep()
    qr.refresh_from_db()
    assert qr.status == Status.DONE and qr.attempts == 2
    assert qr.pdf.name != stray
    assert _files(qr) == sorted([posixpath.basename(qr.pdf.name), posixpath.basename(qr.csv.name)])
    # The sweep after it finds nothing to do.
    with django_capture_on_commit_callbacks(execute=True):
        outbox_sweep()
    qr.refresh_from_db()
    assert qr.attempts == 2


def test_a_live_lease_is_left_to_its_worker(team):
    qr = _version(team)
    QuarterlyReturn.objects.filter(pk=qr.pk).update(
        status=Status.RUNNING,
        attempts=1,
        lease_token=uuid.uuid4(),
        lease_expires_at=timezone.now() + timedelta(seconds=60),
    )
    outbox_sweep()
    quarterly_return_build(str(qr.pk))  # a redelivered copy while the first still works
    qr.refresh_from_db()
    assert qr.status == Status.RUNNING and qr.attempts == 1 and not qr.pdf
    assert not OutboxMessage.objects.exists()


def test_a_build_overtaken_by_another_worker_removes_its_files(team, monkeypatch):
    qr = _version(team)
    from returns import tasks

    real = tasks.build_return

    def overtaken(*args, **kwargs):
        # This worker was thought dead: its lease ran out and another took the version over.
        QuarterlyReturn.objects.filter(pk=qr.pk).update(lease_token=uuid.uuid4())
        return real(*args, **kwargs)

    monkeypatch.setattr(tasks, "build_return", overtaken)
    quarterly_return_build(str(qr.pk))
    qr.refresh_from_db()
    assert qr.status == Status.RUNNING and not qr.pdf
    folder = f"returns/{team.pk}/2025-26-Q3/v1"
    assert default_storage.listdir(folder)[1] == []


def test_a_build_started_too_often_is_marked_failed_not_queued_again(team):
    qr = _version(team)
    QuarterlyReturn.objects.filter(pk=qr.pk).update(
        status=Status.RUNNING,
        attempts=services.MAX_BUILD_ATTEMPTS,
        lease_token=uuid.uuid4(),
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )
    outbox_sweep()
    qr.refresh_from_db()
    assert qr.status == Status.FAILED and qr.error.startswith("Stopped after 5 attempts")
    assert not OutboxMessage.objects.exists()


def test_a_transient_error_shows_retrying_and_the_retry_builds_it(team, monkeypatch):
    from django.db import OperationalError

    from returns import tasks

    qr = _version(team)
    real = tasks.build_return
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    monkeypatch.setattr(tasks, "build_return", flaky)
    with pytest.raises(OperationalError):
        quarterly_return_build.run(str(qr.pk))
    qr.refresh_from_db()
    assert qr.status == Status.RETRYING and "trying again" in qr.error
    quarterly_return_build(str(qr.pk))  # Celery's retry
    qr.refresh_from_db()
    assert qr.status == Status.DONE and qr.attempts == 2 and qr.error == ""
