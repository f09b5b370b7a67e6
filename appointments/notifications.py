"""Appointment reminders, to the worker who attends, when the reminder chosen at booking falls
due (`Appointment.remind_at`). The daily sweep is too coarse for "1 hour before", so a task
of this app's own (`appointments.tasks.appointment_reminders_send`, every five minutes from
the database beat schedule) makes them. Registered by AppointmentsConfig.ready().

Each run looks back over LOOK_BACK, not just since the last run, so a run missed (a worker
down, a deploy) is caught up by the next; `notify` makes each reminder once. Its key is the
appointment and the time it was due to remind: moved to another time (or given another
reminder), the appointment is reminded at its new time, never again at the old one; cancelled,
or recorded as attended or not, it is not booked and is not reminded at all. An appointment
that has already begun is not reminded late.
"""

from datetime import timedelta

from django.utils import timezone

from appointments.models import Appointment
from appointments.selectors import reminders_due
from smd.notifications.models import Delivery
from smd.notifications.services import notify, register_kind

REMINDER = "appointment_reminder"
LOOK_BACK = timedelta(hours=12)


def register():
    register_kind(REMINDER, label="Appointment reminder", default=Delivery.IMMEDIATELY)


def _when(starts_at, now):
    """ "14:00 today", "09:30 tomorrow", "10:00 on Saturday 6 December": in local time."""
    start = timezone.localtime(starts_at)
    days = (start.date() - timezone.localdate(now)).days
    day = {0: "today", 1: "tomorrow"}.get(days, f"on {start:%A %-d %B}")
    return f"{start:%H:%M} {day}"


def reminder_notify(*, appointment, now):
    """The attending worker's reminder of `appointment`, by reference, once for the time it
    falls due. Nothing for a worker who can no longer see the person."""
    worker = appointment.worker
    if not Appointment.objects.visible_to(worker).filter(pk=appointment.pk).exists():
        return None
    return notify(
        user=worker,
        kind=REMINDER,
        key=f"appointment:{appointment.pk}:{appointment.remind_at:%Y%m%dT%H%MZ}",
        due=timezone.localdate(appointment.starts_at),
        title=f"Appointment at {_when(appointment.starts_at, now)} with a person on your caseload",
        url=appointment.get_absolute_url(),
    )


def appointment_reminders_send(*, now=None):
    """Remind each worker of their booked appointments whose reminder has fallen due (within
    LOOK_BACK) and which have not yet begun. Returns the number made."""
    now = now or timezone.now()
    made = 0
    for appointment in reminders_due(since=now - LOOK_BACK, until=now):
        if appointment.starts_at > now:
            made += bool(reminder_notify(appointment=appointment, now=now))
    return made
