"""Writes for appointments: booking, changing, cancelling, recording what happened, and the
calendar feed's address."""

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus, CalendarFeed
from caseload.models import Contact, ContactKind
from caseload.services import contact_log
from smd.submission import once_per_submission, submission_made
from smd.versioning import UNCHECKED, version_claim

DETAILS = ("worker", "starts_at", "ends_at", "kind", "place", "other_attendees")


def _same_booking(existing, *, person, starts_at, place, **_):
    return (
        existing.person_id == person.pk
        and existing.starts_at == starts_at
        and existing.place == place.strip()
    )


def _check_worker(person, worker):
    if worker.team_id != person.team_id or not worker.is_active:
        raise ValidationError({"worker": "Choose someone in the person's team."})


@transaction.atomic
@once_per_submission(Appointment, same=_same_booking)
def appointment_book(
    *,
    person,
    by,
    worker,
    starts_at,
    kind,
    place,
    ends_at=None,
    other_attendees="",
    remind_before_hours=None,
    submission_key=None,
):
    """Book an appointment with a person. Sent twice, it books one."""
    _check_worker(person, worker)
    appointment = Appointment(
        person=person,
        booked_by=by,
        worker=worker,
        starts_at=starts_at,
        ends_at=ends_at,
        kind=kind,
        place=place.strip(),
        other_attendees=other_attendees.strip(),
        remind_before_hours=remind_before_hours,
        submission_key=submission_key,
    )
    appointment.full_clean(exclude=["submission_key", "contact"])
    appointment.save()
    return appointment


def _claim_booked(appointment, seen_version):
    version_claim(record=appointment, seen=seen_version)
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if locked.status != AppointmentStatus.BOOKED:
        raise ValidationError(
            f"This appointment is already recorded as {locked.get_status_display().lower()}."
        )
    return locked


@transaction.atomic
def appointment_change(*, appointment, by, seen_version=UNCHECKED, remind_before_hours, **changes):
    """Change a booked appointment's time, place or who attends; refused if someone saved it
    since the form was opened (ADR 0023)."""
    appointment = _claim_booked(appointment, seen_version)
    for name in DETAILS:
        if name in changes:
            setattr(appointment, name, changes[name])
    _check_worker(appointment.person, appointment.worker)
    appointment.place = appointment.place.strip()
    appointment.other_attendees = appointment.other_attendees.strip()
    appointment.remind_before_hours = remind_before_hours
    appointment.full_clean(exclude=["submission_key", "contact"])
    appointment.save()
    return appointment


@transaction.atomic
def appointment_cancel(*, appointment, by, reason, seen_version=UNCHECKED):
    if not reason.strip():
        raise ValidationError({"reason": "Say why the appointment is cancelled."})
    appointment = _claim_booked(appointment, seen_version)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancel_reason = reason.strip()
    appointment.outcome_at = timezone.now()
    appointment.outcome_by = by
    appointment.save()
    return appointment


@transaction.atomic
def appointment_not_attended(*, appointment, by, seen_version=UNCHECKED):
    """Record that the person did not attend (DNA): counted in the quarterly return."""
    appointment = _claim_booked(appointment, seen_version)
    if appointment.starts_at > timezone.now():
        raise ValidationError("The appointment has not started yet.")
    appointment.status = AppointmentStatus.NOT_ATTENDED
    appointment.outcome_at = timezone.now()
    appointment.outcome_by = by
    appointment.save()
    return appointment


@transaction.atomic
def appointment_attend(*, appointment, by, submission_key, **contact):
    """The appointment happened: log the contact it became (caseload's `contact_log`) and mark
    it attended, linked to that contact, in one transaction. The contact form's one-time key
    makes a repeat find the contact and appointment the first one recorded. Returns
    (appointment, created)."""
    if contact.get("kind") == ContactKind.ATTEMPTED:
        raise ValidationError(
            {"kind": "An attempt is not an attended appointment: use “Did not attend” instead."}
        )
    if submission_key is None:  # not from a form (demo data, another service): a key of its own
        submission_key = uuid.uuid4()
    made = submission_made(Contact, submission_key)
    if made is not None:
        linked = Appointment.objects.filter(pk=appointment.pk, contact=made).first()
        if linked is not None:
            return linked, False
        raise ValidationError(
            "This form was already used for another contact, so nothing was saved. Check what "
            "you typed and send it again."
        )
    locked = _claim_booked(appointment, UNCHECKED)
    logged, _ = contact_log(person=locked.person, by=by, submission_key=submission_key, **contact)
    locked.contact = logged
    locked.status = AppointmentStatus.ATTENDED
    locked.outcome_at = timezone.now()
    locked.outcome_by = by
    locked.save()
    return locked, True


@transaction.atomic
def calendar_feed_reset(*, user):
    """A new secret address for the user's calendar feed; the old one stops working at once.
    Returns the secret, which is shown once and never stored."""
    token = CalendarFeed.new_token()
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is None:
        feed = CalendarFeed(user=user)
    feed.set_token(token)
    feed.last_fetched_at = None
    feed.save()
    return token


def calendar_feed_fetched(*, feed):
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=timezone.now())
