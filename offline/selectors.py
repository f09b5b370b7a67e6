"""What a phone may keep for offline use: the caseload rows and the worker's appointments for
the week My caseload shows, and nothing more (ADR 0033)."""

from django.utils import timezone

from appointments import selectors as appointment_selectors
from appointments.models import Appointment
from caseload import selectors as caseload_selectors
from caseload.models import ContactKind

# A caseload is eight people a full-time navigator; this only bounds a mistake.
MOST_ROWS = 200


def _day(value):
    return timezone.localdate(value).isoformat() if value else None


def _moment(value):
    return timezone.localtime(value).isoformat() if value else None


def _appointments(user, people):
    """My caseload's "My appointments" (today and the next six days), only those with someone
    on the caseload: when, with whom, what kind and where, as that card shows them. One query."""
    week = appointment_selectors.my_week(user)
    return [
        {
            "id": str(appointment.pk),
            "person": str(appointment.person_id),
            "starts_at": _moment(appointment.starts_at),
            "ends_at": _moment(appointment.ends_at),
            "kind": appointment.kind,
            "kind_label": appointment.get_kind_display(),
            "place": appointment.place,
        }
        for appointment in week.today + week.later
        if str(appointment.person_id) in people
    ]


def caseload_snapshot(user):
    """My caseload as its page shows it (names, support paused, safety flags, last contact and
    next action, and the worker's appointments today and this week), as plain data for the
    phone. Two queries, however many people and appointments."""
    people = _people(user)
    return {"people": people, "appointments": _appointments(user, {p["id"] for p in people})}


def _people(user):
    kinds = dict(ContactKind.choices)
    people = []
    for person in caseload_selectors.my_caseload(user)[:MOST_ROWS]:
        attempted = person.last_attempt_at is not None and (
            person.last_contact_at is None or person.last_attempt_at > person.last_contact_at
        )
        people.append(
            {
                "id": str(person.pk),
                "name": str(person),
                "short_name": person.known_as or person.first_name,
                "paused": person.episode_status == "paused",
                "flags": person.get_risk_flags_display(),
                "last_contact_on": _day(person.last_contact_at),
                "last_contact_kind": kinds.get(person.last_contact_kind, ""),
                "last_attempt_on": _day(person.last_attempt_at) if attempted else None,
                "next_action": person.next_action or "",
                "next_action_due": person.next_action_due.isoformat()
                if person.next_action_due
                else None,
            }
        )
    return people


def on_caseload(user, person):
    """Whether `person` is on the user's caseload now (one query)."""
    return caseload_selectors.my_caseload(user).filter(pk=person.pk).exists()


def appointment_for(user, pk):
    """One of the user's own appointments, with its person, or None (one query): the phone
    only records what happened at the appointments it was given (`caseload_snapshot`)."""
    return (
        Appointment.objects.visible_to(user)
        .filter(pk=pk, worker=user)
        .select_related("person")
        .first()
    )
