"""Tests that need the real services: a live Celery worker on Redis, and PostgreSQL."""

import os
import threading
import uuid

import pytest
from django.core import mail
from django.db import connection

from referrals.models import EligibilityDecision, Referral
from referrals.services import referral_create_person, referral_decide
from referrals.tasks import referral_notify_team
from smd.celery import app
from smd.models import Role
from tests.factories import ReferralFactory, TeamFactory, UserFactory


@pytest.fixture
def live_worker():
    """A real Celery worker, in this process, consuming a private queue on REDIS_URL."""
    from celery.contrib.testing.worker import start_worker

    queue = f"test-{uuid.uuid4().hex}"
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "task_default_queue")}
    app.conf.update(
        broker_url=os.environ["REDIS_URL"], task_always_eager=False, task_default_queue=queue
    )
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue]) as worker:
            yield worker
    finally:
        app.conf.update(saved)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_live_worker_tells_the_team_about_a_new_referral(live_worker):
    team = TeamFactory(receives_public_referrals=True)
    UserFactory(role=Role.TEAM_LEADER, team=team, email="lead@example.org")
    referral = ReferralFactory(team=team, first_name="Private")
    result = referral_notify_team.delay(str(referral.pk))
    done = threading.Event()
    for _ in range(100):
        if mail.outbox:
            done.set()
            break
        done.wait(0.1)
    assert done.is_set(), f"the worker did not send the email (task {result.id})"
    (message,) = mail.outbox
    assert message.to == ["lead@example.org"]
    assert referral.reference in message.subject and "Private" not in message.body


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_team_leaders_deciding_at_once_record_one_decision():
    team = TeamFactory()
    leaders = [UserFactory(role=Role.TEAM_LEADER, team=team) for _ in range(2)]
    referral = ReferralFactory(team=team)
    referral_create_person(referral=referral, by=leaders[0])
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(leader):
        try:
            barrier.wait()
            referral_decide(referral=referral, outcome="eligible", by=leader)
            outcomes.append("decided")
        except Exception as exc:  # the loser is told it was already decided
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(leader,)) for leader in leaders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ValidationError", "decided"]
    assert EligibilityDecision.objects.filter(referral=referral).count() == 1
    assert Referral.objects.get(pk=referral.pk).person.episodes.count() == 1


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_live_worker_builds_a_quarterly_return(live_worker):
    from returns import services as returns
    from smd.quarters import Quarter

    team = TeamFactory()
    manager = UserFactory(role=Role.MANAGER, team=team)
    qr = returns.return_request(team=team, quarter=Quarter(2025, 3), by=manager)
    done = threading.Event()
    for _ in range(300):
        qr.refresh_from_db()
        if qr.status in {"done", "failed"}:
            done.set()
            break
        done.wait(0.1)
    assert qr.status == "done", qr.error
    assert qr.pdf.read(4) == b"%PDF"


def _worker(env, queue):
    import subprocess
    import sys

    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "smd",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--loglevel=warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_return_whose_worker_dies_is_redelivered_and_completes(tmp_path):
    """acks_late + reject_on_worker_lost: kill the worker (SIGKILL) while it builds a return; a
    second worker picks the same message up and, the dead worker's lease on the build having
    run out, finishes the same version."""
    import signal
    import time as clock

    from django.db import connection as db

    from returns.models import QuarterlyReturn
    from returns.tasks import quarterly_return_build
    from smd.quarters import Quarter

    team = TeamFactory()
    UserFactory(role=Role.MANAGER, team=team)
    for _ in range(30):  # enough to make the build take a moment
        ReferralFactory(team=team)
    qr = QuarterlyReturn.objects.create(team=team, quarter=Quarter(2025, 3).label, version=1)
    queue = f"test-kill-{uuid.uuid4().hex}"
    settings_db = db.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{settings_db['USER']}@{settings_db['HOST']}:{settings_db['PORT']}/{settings_db['NAME']}",
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "RETURN_LEASE_SECONDS": "2",
        "MEDIA_ROOT": str(tmp_path),
        "SECRET_KEY": "test-only-" + "k" * 40,
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=os.environ["REDIS_URL"], task_always_eager=False)
    first = _worker(env, queue)
    second = None
    try:
        quarterly_return_build.apply_async(args=[str(qr.pk)], queue=queue)
        deadline = clock.monotonic() + 60
        while clock.monotonic() < deadline:
            qr.refresh_from_db()
            if qr.status != "pending":
                break
            clock.sleep(0.05)
        assert qr.status == "running", "the first worker never started the return"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        qr.refresh_from_db()
        assert qr.status == "running"  # killed mid-way: nothing finished it
        # Redis hands an unacknowledged message out again once its visibility timeout (3 s
        # here) has passed; the next worker to start restores it.
        clock.sleep(4)
        second = _worker(env, queue)
        deadline = clock.monotonic() + 90
        while clock.monotonic() < deadline:
            qr.refresh_from_db()
            if qr.status in {"done", "failed"}:
                break
            clock.sleep(0.2)
        assert qr.status == "done", qr.error
        assert QuarterlyReturn.objects.filter(team=team).count() == 1
    finally:
        app.conf.update(saved)
        for worker in (first, second):
            if worker and worker.poll() is None:
                worker.kill()
                worker.wait(10)
