"""Reads for appointments, with their own eager loading."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus, Reminder
from caseload.models import records_of, was_read_for
from smd.prepared import PreparedQuery, ScopedQuery

RECENT = 5


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


@dataclass
class Week:
    today: list
    later: list  # the rest of the next seven days


# What My caseload's appointments panel shows of each: when, what kind, where, and with whom.
MY_WEEK_SHOWN = (
    "starts_at",
    "kind",
    "place",
    "person__first_name",
    "person__last_name",
    "person__known_as",
)


def _my_week(user, today, only=None):
    appointments = (
        Appointment.objects.visible_to(user)
        .booked()
        .filter(
            worker=user,
            starts_at__gte=_day_start(today),
            starts_at__lt=_day_start(today + timedelta(days=7)),
        )
        .select_related("person")
        .order_by("starts_at")
    )
    if only:
        appointments = appointments.only(*only)
    return appointments


def _week(appointments, today):
    tomorrow = _day_start(today + timedelta(days=1))
    return Week(
        today=[a for a in appointments if a.starts_at < tomorrow],
        later=[a for a in appointments if a.starts_at >= tomorrow],
    )


def my_week(user, today=None, *, only=None):
    """The user's booked appointments today and over the next six days, soonest first, with
    the person. One query; `only` names the columns to read, when a page shows fewer than all
    (My caseload's panel: `MY_WEEK_SHOWN`)."""
    today = today or timezone.localdate()
    return _week(list(_my_week(user, today, only)), today)


# My caseload's panel: its query built and compiled once per process, day and kind of user,
# with the user's ids filled in at each run (ADR 0043).
_my_week_shown = ScopedQuery(
    Appointment, lambda user, *, today: _my_week(user, today, MY_WEEK_SHOWN)
)


def my_week_shown(user):
    """`my_week(user, only=MY_WEEK_SHOWN)`, for My caseload's panel."""
    today = timezone.localdate()
    return _week(_my_week_shown.rows(user, today=today), today)


@dataclass
class PersonAppointments:
    upcoming: list
    recent: list


def _newest_first(appointments):
    return appointments.select_related("worker").order_by("-starts_at")


# The person page's card, for a person read for the user: compiled once per process (ADR 0039).
_of_person = PreparedQuery(
    Appointment, lambda pk: _newest_first(Appointment.objects.filter(person_id=pk))
)


def person_appointments(person, user, now=None):
    """A person's booked appointments still to come (or today's not yet recorded), and the
    most recent others, newest first. One query: compiled once per process when the person was
    read for this user."""
    now = now or timezone.now()
    day = _day_start(timezone.localdate(now))
    if was_read_for(person, user):
        rows = _of_person.objects(person.pk)
    else:
        rows = list(_newest_first(records_of(Appointment.objects, person, user)))
    upcoming = [a for a in rows if a.is_booked and a.starts_at >= day]
    recent = [a for a in rows if a not in upcoming][:RECENT]
    return PersonAppointments(upcoming=upcoming[::-1], recent=recent)


def earlier_places(person, limit=8):
    """Places the person's earlier appointments were held, most used first: offered when
    booking, since somewhere they met safely before is the likeliest safe place again."""
    counts = {}
    for place in (
        Appointment.objects.filter(person=person)
        .exclude(status=AppointmentStatus.CANCELLED)
        .values_list("place", flat=True)
    ):
        counts[place] = counts.get(place, 0) + 1
    return sorted(counts, key=lambda p: (-counts[p], p))[:limit]


def reminders_due(*, since, until):
    """Booked appointments whose reminder (`Appointment.remind_at`) falls in (since, until],
    with the person and worker: what a reminder sweep sends. One query."""
    longest = timedelta(hours=max(Reminder.values))
    candidates = (
        Appointment.objects.booked()
        .filter(
            remind_before_hours__isnull=False,
            starts_at__gt=since,
            starts_at__lte=until + longest,
        )
        .select_related("person", "worker")
        .order_by("starts_at")
    )
    return [a for a in candidates if since < a.remind_at <= until]


def appointment_detail(user, pk):
    return (
        Appointment.objects.visible_to(user)
        .select_related("person", "worker", "booked_by", "outcome_by", "contact")
        .filter(pk=pk)
        .first()
    )
