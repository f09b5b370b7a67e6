"""Faults the app is tested against with the real services (docs/reliability.md): Redis
stopped and started again, a worker killed mid-build, PostgreSQL dropping every connection.

Redis here is a private redis-server each test starts on a spare port and stops; the shared
one is never touched.
"""

import os
import signal
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from referrals.models import Referral
from returns import services as returns
from returns.extract.forms import recent_quarters
from returns.models import EvaluationExtract, QuarterlyReturn
from smd.celery import app
from smd.models import Role
from smd.outbox.models import OutboxMessage
from smd.outbox.services import outbox_sweep
from smd.quarters import Quarter
from tests.conftest import sign_in
from tests.factories import EpisodeFactory, PersonFactory, ReferralFactory, UserFactory, new_key
from tests.outages import celery_broker, free_port, private_redis_or_skip, redis_cache
from tests.test_live_services import _worker

Q3 = Quarter(2025, 3)


@pytest.fixture
def private_redis(tmp_path, settings):
    """The cache and the broker on a redis-server of this test's own."""
    server = private_redis_or_skip(tmp_path)
    settings.CACHES = redis_cache(server.url)
    try:
        with celery_broker(server.url, task_default_queue=f"test-{uuid.uuid4().hex}"):
            yield server
    finally:
        server.stop()


@contextmanager
def live_worker():
    """A real Celery worker, in this process, on the private Redis."""
    from celery.contrib.testing.worker import start_worker

    queue = app.conf.task_default_queue
    with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue]):
        yield


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def referral_data(organisation):
    return {
        "first_name": "Peggy",
        "last_name": "Kelly",
        "date_of_birth": "1979-03-05",
        "contact_details": "At St Anne's day centre most mornings.",
        "homelessness": "on",
        "mental_health": "on",
        "substance_misuse": "on",
        "why_now": "Lost her tenancy.",
        "consent": "yes",
        "referrer": str(organisation.pk),
        "referrer_name": "Sam Taylor",
        "referrer_contact": "sam@example.org",
        "gender": "woman",
        **new_key(),  # each call a page of its own
    }


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_writes_are_kept_and_their_work_done_once_when_it_is_back(
    private_redis, client, team, team_leader, navigator, partner_org
):
    manager = sign_in(client.__class__(), UserFactory(role=Role.MANAGER, team=team))
    staff = sign_in(client.__class__(), navigator)
    private_redis.stop()

    # A person referring themselves: stored and confirmed with its reference, no 500.
    public = client.post("/refer/", referral_data(partner_org), follow=True)
    assert public.status_code == 200
    public_referral = Referral.objects.get(channel=Referral.Channel.PUBLIC_FORM)
    assert public_referral.reference in public.content.decode()
    # A navigator: stored and confirmed once, so there is nothing to make them try again.
    data = {**referral_data(navigator.organisation), "first_name": "Rob"}
    answer = staff.post(reverse("referrals:new"), data, follow=True).content.decode()
    staff_referral = Referral.objects.get(channel=Referral.Channel.STAFF)
    assert answer.count(f"Referral {staff_referral.reference} is in the triage queue.") == 1
    # A manager: the return is stored and shown as queued.
    page = manager.post(reverse("returns:generate"), {"quarter": Q3.label}, follow=True)
    qr = QuarterlyReturn.objects.get()
    assert qr.status == QuarterlyReturn.Status.PENDING
    assert "Waiting for a worker to start it" in page.content.decode()
    # The work that follows waits in PostgreSQL; nothing has been sent.
    waiting = OutboxMessage.objects.all()
    assert [m.status for m in waiting] == [OutboxMessage.Status.PENDING] * 3
    assert mail.outbox == []

    private_redis.start()
    with live_worker():
        assert outbox_sweep(grace=timedelta(0)) == 3

        def all_done():
            qr.refresh_from_db()
            return len(mail.outbox) >= 2 and qr.status == QuarterlyReturn.Status.DONE

        assert wait_for(all_done, 90), f"{len(mail.outbox)} emails, return {qr.status}"
        # Sweeping again sends nothing twice.
        assert outbox_sweep(grace=timedelta(0)) == 0
        time.sleep(1)
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == sorted(
        f"New referral {r.reference} is waiting for triage"
        for r in (public_referral, staff_referral)
    )
    assert all(m.to == ["tara@example.org"] for m in mail.outbox)
    assert qr.attempts == 1 and qr.pdf.read(4) == b"%PDF"
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"done"}


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_an_evaluation_extract_asked_for_is_kept_and_built_later(
    private_redis, client, team
):
    """A manager asks for the evaluation extract while the task queue is down: the request is
    stored and shown as waiting, its build waits in PostgreSQL, and once Redis is back the
    sweep hands it to a worker, which builds it once."""
    manager = sign_in(client.__class__(), UserFactory(role=Role.MANAGER, team=team))
    EpisodeFactory(person=PersonFactory(team=team), start_date=Q3.start)
    quarter = recent_quarters()[1]
    private_redis.stop()

    page = manager.post(
        reverse("returns:extract_generate"), {"quarter": quarter.label, **new_key()}, follow=True
    )
    assert page.status_code == 200
    extract = EvaluationExtract.objects.get()
    assert extract.status == EvaluationExtract.Status.PENDING
    assert "Waiting for a worker to start it" in page.content.decode()
    assert list(OutboxMessage.objects.values_list("status", flat=True)) == ["pending"]

    private_redis.start()
    with live_worker():
        assert outbox_sweep(grace=timedelta(0)) == 1

        def done():
            extract.refresh_from_db()
            return extract.status == EvaluationExtract.Status.DONE

        assert wait_for(done, 90), f"the extract is still {extract.status}"
        assert outbox_sweep(grace=timedelta(0)) == 0
    assert extract.attempts == 1
    assert extract.csv.read().decode().startswith("format_version,")
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"done"}


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_build_is_replaced_at_the_next_sweep(private_redis, tmp_path, team):
    """SIGKILL the worker building a return. Its message stays unacknowledged in Redis for the
    visibility timeout (15 minutes), but the build's lease (2 s here) runs out, and the next
    sweep queues it again for a live worker: one version, one set of files."""
    for _ in range(30):  # enough to make the build take a moment
        ReferralFactory(team=team)
    db = connection.settings_dict
    media = tmp_path / "media"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": private_redis.url,
        "CELERY_VISIBILITY_TIMEOUT": "900",
        "RETURN_LEASE_SECONDS": "2",
        "MEDIA_ROOT": str(media),
        "SECRET_KEY": "test-only-" + "k" * 40,
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    queue = app.conf.task_default_queue
    first = _worker(env, queue)
    second = None
    try:
        qr = returns.return_request(team=team, quarter=Q3, by=None)

        def started():
            qr.refresh_from_db()
            return qr.status != QuarterlyReturn.Status.PENDING

        assert wait_for(started, 60), "the first worker never started the return"
        assert qr.status == QuarterlyReturn.Status.RUNNING
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        qr.refresh_from_db()
        assert qr.status == QuarterlyReturn.Status.RUNNING  # killed part-way
        second = _worker(env, queue)
        assert wait_for(lambda: qr.lease_expires_at < timezone.now(), 5)
        outbox_sweep()
        qr.refresh_from_db()
        assert qr.status in {QuarterlyReturn.Status.RETRYING, QuarterlyReturn.Status.RUNNING}

        def finished():
            qr.refresh_from_db()
            return qr.status in {QuarterlyReturn.Status.DONE, QuarterlyReturn.Status.FAILED}

        assert wait_for(finished, 90), f"the return is still {qr.status}"
        assert qr.status == QuarterlyReturn.Status.DONE, qr.error
        assert qr.attempts == 2
        folder = media / Path(qr.pdf.name).parent
        assert sorted(p.name for p in folder.iterdir()) == [
            Path(qr.csv.name).name,
            Path(qr.pdf.name).name,
        ]
        assert QuarterlyReturn.objects.filter(team=team).count() == 1
    finally:
        for worker in (first, second):
            if worker and worker.poll() is None:
                worker.kill()
                worker.wait(10)


@pytest.fixture
def gunicorn(transactional_db):
    """The app as production serves it: gunicorn with one sync worker, which keeps its database
    connection between requests (CONN_MAX_AGE)."""
    import subprocess
    import sys

    db = connection.settings_dict
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DEBUG": "true",  # static files from the finders: no collectstatic in a test
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "smd.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"

    def up():
        try:
            return urllib.request.urlopen(url + "/healthz", timeout=2).status == 200
        except OSError:
            return False

    try:
        assert wait_for(up, 60), "gunicorn did not start"
        yield url
    finally:
        server.terminate()
        server.wait(10)


@pytest.mark.postgres
def test_after_postgresql_drops_every_connection_the_next_request_works(gunicorn, team):
    """As after a PostgreSQL restart: the server's open connections are gone. The app checks a
    kept connection before using it (CONN_HEALTH_CHECKS) and opens a new one."""

    def get(path):
        try:
            with urllib.request.urlopen(gunicorn + path, timeout=20) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    assert get("/refer/") == 200  # the worker now holds a connection (CONN_MAX_AGE)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert cursor.fetchone()[0] >= 1
    assert get("/refer/") == 200
    assert get("/healthz") == 200
