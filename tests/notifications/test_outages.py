"""With Redis stopped, a notification and its email are kept in PostgreSQL; once Redis is
back the outbox sweep sends each email once (ADR 0022, 0027)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from caseload import services as caseload_services
from caseload.models import Allocation
from mdt.notifications import OVERDUE
from smd.models import Role
from smd.notifications.models import Digest, Notification
from smd.notifications.services import digest_send, notify
from smd.outbox.models import OutboxMessage
from smd.outbox.services import outbox_sweep
from tests.factories import EpisodeFactory, PersonFactory, UserFactory
from tests.test_outages import live_worker, private_redis, wait_for  # noqa: F401 - a fixture


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_notifications_are_kept_and_emailed_once_when_it_is_back(
    private_redis,  # noqa: F811
    team,
):
    leader = UserFactory(role=Role.TEAM_LEADER, team=team)
    worker = UserFactory(role=Role.NAVIGATOR, team=team, email="nadia@example.org")
    chair = UserFactory(role=Role.MDT_CHAIR, team=team, email="charles@example.org")
    episode = EpisodeFactory(
        person=PersonFactory(team=team), status="awaiting_allocation", start_date=None
    )
    private_redis.stop()

    # An allocation (emailed straight away) and a reminder for the daily summary.
    caseload_services.allocation_create(
        episode=episode, worker=worker, kind=Allocation.Kind.LEAD_NAVIGATOR, by=leader
    )
    notify(
        user=chair,
        kind=OVERDUE,
        key="action:1",
        due=timezone.localdate(),
        title="An MDT action from the meeting you chaired is overdue",
        url="/mdt/",
    )
    assert digest_send() == 1
    assert Notification.objects.count() == 2 and Digest.objects.count() == 1
    waiting = OutboxMessage.objects.all()
    assert [m.status for m in waiting] == [OutboxMessage.Status.PENDING] * 2
    assert mail.outbox == []

    private_redis.start()
    with live_worker():
        assert outbox_sweep(grace=timedelta(0)) == 2
        assert wait_for(lambda: len(mail.outbox) >= 2, 60), f"{len(mail.outbox)} emails"
        # Sweeping and the daily task again send nothing twice.
        assert outbox_sweep(grace=timedelta(0)) == 0
        assert digest_send() == 0
        assert wait_for(
            lambda: set(OutboxMessage.objects.values_list("status", flat=True)) == {"done"}, 10
        )
    assert sorted(m.to[0] for m in mail.outbox) == ["charles@example.org", "nadia@example.org"]
    assert len(mail.outbox) == 2
    assert all(n.emailed_at for n in Notification.objects.all())
