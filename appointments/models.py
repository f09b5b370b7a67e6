"""Appointments a worker books with a person, and each user's secret calendar feed address.

An appointment is booked ahead (date, start, optional end, where, who attends, a reminder
choice), changed while it is still booked, cancelled with a reason, and then either becomes a
contact (attended: the contact it became is linked) or is recorded as not attended (DNA).
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from caseload.models import Contact, ContactKind, Person
from smd.models import BaseModel
from smd.submission import submission_key_field
from smd.versioning import Versioned


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    ATTENDED = "attended", "Attended"
    NOT_ATTENDED = "not_attended", "Did not attend"
    CANCELLED = "cancelled", "Cancelled"


class AppointmentKind(models.TextChoices):
    """How the appointment happens: the contact it becomes takes the same type."""

    FACE_TO_FACE = ContactKind.FACE_TO_FACE.value, ContactKind.FACE_TO_FACE.label
    PHONE = ContactKind.PHONE.value, ContactKind.PHONE.label
    ACCOMPANIED = ContactKind.ACCOMPANIED.value, ContactKind.ACCOMPANIED.label
    OUTREACH = ContactKind.OUTREACH.value, ContactKind.OUTREACH.label


class Reminder(models.IntegerChoices):
    """How long before the start the worker wants reminding. Read by the reminder sweep
    (`Appointment.remind_at`); stored here so the choice is made once, when booking."""

    ONE_HOUR = 1, "1 hour before"
    TWO_HOURS = 2, "2 hours before"
    ONE_DAY = 24, "1 day before"
    TWO_DAYS = 48, "2 days before"


def person_reference(person_id):
    """The person's reference outside the app (the calendar feed): the start of their random id,
    which names nobody and means nothing without signing in. "SMD-3F2A9C1B"."""
    return f"SMD-{person_id.hex[:8].upper()}"


class AppointmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The appointments of the people the user may see (caseload's `visible_to`)."""
        return self.filter(person__in=Person.objects.visible_to(user))

    def booked(self):
        return self.filter(status=AppointmentStatus.BOOKED)

    def not_cancelled(self):
        return self.exclude(status=AppointmentStatus.CANCELLED)


class Appointment(Versioned, BaseModel):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="appointments")
    # The staff member who attends (and whose caseload and calendar show it).
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField("starts")
    ends_at = models.DateTimeField("ends", null=True, blank=True)
    kind = models.CharField(
        "how", max_length=16, choices=AppointmentKind.choices, default=AppointmentKind.FACE_TO_FACE
    )
    place = models.CharField("where", max_length=200)
    other_attendees = models.CharField("others attending", max_length=300, blank=True)
    remind_before_hours = models.PositiveSmallIntegerField(
        "reminder", choices=Reminder.choices, null=True, blank=True
    )
    status = models.CharField(
        max_length=16, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    # Attended: the contact it became. Did not attend or cancelled: who recorded it, when.
    contact = models.OneToOneField(
        Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="appointment"
    )
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField("why it was cancelled", max_length=500, blank=True)
    # The booking form's one-time key (smd.submission): sent twice, it books one.
    submission_key = submission_key_field()

    objects = AppointmentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["worker", "starts_at"], name="appointment_worker_starts"),
            models.Index(fields=["person", "-starts_at"], name="appointment_person_starts"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AppointmentStatus.values), name="appointment_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="appointment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status=AppointmentStatus.ATTENDED) | Q(contact__isnull=False),
                name="appointment_attended_has_contact",
            ),
            models.CheckConstraint(
                condition=~Q(status=AppointmentStatus.CANCELLED) | ~Q(cancel_reason=""),
                name="appointment_cancelled_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.starts_at:%d/%m/%Y %H:%M}"

    def get_absolute_url(self):
        return reverse("appointments:detail", args=[self.pk])

    @property
    def is_booked(self):
        return self.status == AppointmentStatus.BOOKED

    @property
    def person_reference(self):
        return person_reference(self.person_id)

    @property
    def remind_at(self):
        """When the reminder is due, or None: the hook for the reminder sweep."""
        if self.remind_before_hours is None or not self.is_booked:
            return None
        return self.starts_at - timedelta(hours=self.remind_before_hours)


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeedQuerySet(models.QuerySet):
    def for_token(self, token):
        """The feed whose address carries `token`, of an active user, or None."""
        if not token or len(token) > 100:
            return None
        return (
            self.filter(token_hash=_token_hash(token), user__is_active=True)
            .select_related("user")
            .first()
        )


class CalendarFeed(BaseModel):
    """A user's calendar feed address. Only a hash of its secret is stored, so the address is
    shown once, when made; making a new one replaces the hash, and the old address is dead."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    def __str__(self):
        return f"Calendar feed of {self.user}"

    @staticmethod
    def new_token():
        """256 bits from the system's secure source, URL-safe."""
        return secrets.token_urlsafe(32)

    def set_token(self, token):
        self.token_hash = _token_hash(token)
