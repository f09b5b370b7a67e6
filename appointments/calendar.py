"""A user's calendar feed: their appointments, and what other apps say falls due for them.

The apps above register what they add from their AppConfig.ready(), since this app never
imports them:

    from appointments import calendar

    calendar.register_feed_items(ndt_reviews_due)   # (user, start, end) -> [calendar.Item]

Every item names the person only by `person_reference` (appointments.models.person_reference)
and links into the app: the feed leaves the app, to phones and calendar services, so it holds
no names, no places and nothing typed about anyone (ADR 0028). `feed_ics` writes it with the
icalendar library.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from appointments.models import Appointment, AppointmentStatus, person_reference

# What the feed shows for where an appointment is: the place a worker types may name a
# refuge, a hostel or someone's address, so it stays in the app.
PLACE_IN_FEED = "See the app"
# How far back and ahead the feed reaches.
PAST_DAYS = 30
AHEAD_DAYS = 180


@dataclass(frozen=True)
class Item:
    """One entry in a feed. `title` must name no one: a kind of thing and a person reference
    ("NDT review due · SMD-3F2A9C1B"). A `date` start is an all-day entry."""

    uid: str
    title: str
    start: date | datetime
    path: str  # the app's page for it, e.g. "/appointments/<id>/"
    end: datetime | None = None
    location: str = ""


_sources: list[Callable] = []


def register_feed_items(source):
    """`source(user, start, end)` -> the Items due for `user` between the dates (inclusive)."""
    if source not in _sources:
        _sources.append(source)


def appointment_items(user, start, end):
    """The user's own booked and attended appointments in the window. One query."""
    lo = timezone.make_aware(datetime.combine(start, datetime.min.time()))
    hi = timezone.make_aware(datetime.combine(end + timedelta(days=1), datetime.min.time()))
    appointments = (
        Appointment.objects.filter(worker=user, starts_at__gte=lo, starts_at__lt=hi)
        .exclude(status=AppointmentStatus.CANCELLED)
        .only("id", "person_id", "starts_at", "ends_at", "status", "kind")
    )
    return [
        Item(
            uid=f"appointment-{a.pk}@smd",
            title=f"{'Appointment' if a.is_booked else a.get_status_display()} · "
            f"{person_reference(a.person_id)}",
            start=a.starts_at,
            end=a.ends_at,
            location=PLACE_IN_FEED,
            path=a.get_absolute_url(),
        )
        for a in appointments
    ]


def feed_items(user, today=None):
    today = today or timezone.localdate()
    start, end = today - timedelta(days=PAST_DAYS), today + timedelta(days=AHEAD_DAYS)
    items = appointment_items(user, start, end)
    for source in _sources:
        items.extend(source(user, start, end))
    return items


def feed_ics(user, today=None):
    """The user's feed as iCalendar bytes."""
    cal = Calendar()
    cal.add("prodid", "-//smd//calendar feed//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "smd: my work")
    stamp = timezone.now()
    for item in feed_items(user, today):
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("summary", item.title)
        event.add("dtstart", item.start)
        if item.end is not None:
            event.add("dtend", item.end)
        elif isinstance(item.start, datetime):
            event.add("duration", timedelta(hours=1))
        if item.location:
            event.add("location", item.location)
        url = settings.SITE_URL.rstrip("/") + item.path
        event.add("url", url)
        event.add("description", f"Open in smd: {url}")
        cal.add_component(event)
    return cal.to_ical()
