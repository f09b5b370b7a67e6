"""Appointment reminders: made when the reminder chosen at booking falls due, once however
often the five-minute task runs, only to the worker who attends, never for a cancelled
appointment, and at a moved appointment's new time only."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from appointments import services
from appointments.notifications import REMINDER, appointment_reminders_send
from appointments.tasks import appointment_reminders
from caseload.models import Allocation
from smd.models import Role
from smd.notifications.models import Delivery, Notification
from smd.outbox.models import OutboxMessage
from tests.factories import AllocationFactory, EpisodeFactory, PersonFactory, booked_appointment


@pytest.fixture
def person(team, navigator):
    person = PersonFactory(team=team, first_name="Marigold", last_name="Featherstonehaugh")
    AllocationFactory(
        episode=EpisodeFactory(person=person),
        worker=navigator,
        kind=Allocation.Kind.LEAD_NAVIGATOR,
    )
    return person


def reminders():
    return list(Notification.objects.filter(kind=REMINDER).select_related("user"))


def _soon(hours):
    """A start `hours` from now, on the minute (as the booking form makes them)."""
    return (timezone.now() + timedelta(hours=hours)).replace(second=0, microsecond=0)


def test_a_due_reminder_is_made_once_however_often_the_task_runs(navigator, person):
    starts = _soon(3)
    appointment = booked_appointment(
        person, worker=navigator, starts_at=starts, remind_before_hours=2
    )
    before = starts - timedelta(hours=2) - timedelta(minutes=1)
    assert appointment_reminders_send(now=before) == 0  # not before its time
    assert reminders() == []
    at = starts - timedelta(hours=2) + timedelta(minutes=3)
    assert appointment_reminders_send(now=at) == 1
    assert appointment_reminders_send(now=at + timedelta(minutes=5)) == 0
    assert appointment_reminders_send(now=at + timedelta(minutes=10)) == 0
    (reminder,) = reminders()
    assert reminder.user == navigator
    assert reminder.due == timezone.localdate(starts)
    assert reminder.url == appointment.get_absolute_url()
    assert reminder.title.startswith(f"Appointment at {timezone.localtime(starts):%H:%M} ")
    assert reminder.title.endswith("with a person on your caseload")
    assert "Marigold" not in reminder.title and "Featherstonehaugh" not in reminder.title
    # Straight away by default: the email is in the outbox, saying nothing of the appointment.
    assert reminder.delivery == Delivery.IMMEDIATELY
    assert OutboxMessage.objects.filter(task="smd.notifications.tasks.notification_email").exists()


def test_the_email_names_nobody(navigator, person, django_capture_on_commit_callbacks):
    starts = _soon(0.5)
    booked_appointment(person, worker=navigator, starts_at=starts, remind_before_hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert appointment_reminders() == 1
    (email,) = mail.outbox
    assert email.subject == "smd: Appointment reminder"
    assert "Marigold" not in email.body and "library" not in email.body


def test_a_missed_run_is_caught_up_but_a_begun_appointment_is_not_reminded(navigator, person):
    starts = _soon(1)
    booked_appointment(person, worker=navigator, starts_at=starts, remind_before_hours=1)
    begun = booked_appointment(
        person, worker=navigator, starts_at=_soon(-0.25), remind_before_hours=1
    )
    # Due an hour before; nothing ran until forty minutes later.
    assert appointment_reminders_send(now=starts - timedelta(minutes=20)) == 1
    assert [r.url for r in reminders()] != [begun.get_absolute_url()]
    assert len(reminders()) == 1


def test_a_cancelled_appointment_is_not_reminded(navigator, person):
    starts = _soon(1.5)
    appointment = booked_appointment(
        person, worker=navigator, starts_at=starts, remind_before_hours=2
    )
    services.appointment_cancel(appointment=appointment, by=navigator, reason="They moved away")
    assert appointment_reminders_send(now=starts - timedelta(minutes=30)) == 0
    assert reminders() == []


def test_only_the_attending_worker_is_reminded(team, navigator, person, make_user):
    colleague = make_user(Role.NAVIGATOR, first_name="Colm")
    # Booked by the navigator, for a colleague to attend.
    services.appointment_book(
        person=person,
        by=navigator,
        worker=colleague,
        starts_at=_soon(0.5),
        kind="face_to_face",
        place="The library café",
        remind_before_hours=1,
    )
    assert appointment_reminders_send(now=timezone.now()) == 1
    assert {r.user for r in reminders()} == {colleague}


def test_a_moved_appointment_is_reminded_at_its_new_time_only(navigator, person):
    starts = _soon(2)
    appointment = booked_appointment(
        person, worker=navigator, starts_at=starts, remind_before_hours=1
    )
    # Reminded an hour before its first time...
    assert appointment_reminders_send(now=starts - timedelta(minutes=55)) == 1
    # ...then moved three hours later the same day (or the next): not reminded at the old time
    # again, nor early, but at the new one.
    moved = starts + timedelta(hours=3)
    services.appointment_change(
        appointment=appointment, by=navigator, starts_at=moved, ends_at=None, remind_before_hours=1
    )
    assert appointment_reminders_send(now=starts - timedelta(minutes=50)) == 0
    assert appointment_reminders_send(now=moved - timedelta(minutes=65)) == 0
    assert appointment_reminders_send(now=moved - timedelta(minutes=55)) == 1
    assert appointment_reminders_send(now=moved - timedelta(minutes=50)) == 0
    first, second = sorted(reminders(), key=lambda r: r.created_at)
    assert first.key != second.key
    assert f"{timezone.localtime(moved):%H:%M}" in second.title


def test_a_worker_who_can_no_longer_see_the_person_is_not_reminded(navigator, person, other_team):
    starts = _soon(0.5)
    booked_appointment(person, worker=navigator, starts_at=starts, remind_before_hours=1)
    navigator.team = other_team  # moved to another team since booking
    navigator.save()
    assert appointment_reminders_send(now=timezone.now()) == 0


def test_the_task_runs_every_five_minutes_from_the_database_schedule(db):
    task = PeriodicTask.objects.get(task="appointments.tasks.appointment_reminders")
    assert (task.interval.every, task.interval.period) == (5, "minutes")
    assert task.enabled
