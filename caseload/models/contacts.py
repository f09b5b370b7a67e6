"""Contacts with a person and the versions an edited contact keeps."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property

from caseload.models.people import Person
from caseload.models.support import Episode
from smd.links import id_url
from smd.models import BaseModel, Organisation
from smd.versioning import Versioned


class ContactKind(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face to face"
    PHONE = "phone", "Phone call"
    MESSAGE = "message", "Text or message"
    OUTREACH = "outreach", "Outreach"
    ACCOMPANIED = "accompanied", "Accompanied to an appointment"
    ATTEMPTED = "attempted", "Attempted — no contact made"


class Topic(models.TextChoices):
    HOUSING = "housing", "Housing"
    HEALTH = "health", "Health"
    MENTAL_HEALTH = "mental_health", "Mental health"
    SUBSTANCE_USE = "substance_use", "Substance use"
    JUSTICE = "justice", "Justice"
    MONEY = "money", "Money"
    FAMILY = "family", "Family"
    SAFETY = "safety", "Safety"
    WORK_TRAINING = "work_training", "Work or training"


# A contact longer than a working day is a typo (hours typed as minutes), not a contact.
CONTACT_MAX_MINUTES = 480


class ContactQuerySet(models.QuerySet):
    def made(self):
        """Contacts where the person was reached: an attempt is not contact."""
        return self.exclude(kind=ContactKind.ATTEMPTED)

    def open_follow_ups(self):
        return self.exclude(follow_up_action="").filter(follow_up_done_at__isnull=True)


class Contact(Versioned, BaseModel):
    """One contact with (or attempt to reach) a person, logged by the worker who made it."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="contacts")
    # The episode open when the contact happened; none when the person had no open episode.
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="contacts", null=True, blank=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contacts_logged"
    )
    occurred_at = models.DateTimeField("when", default=timezone.now)
    kind = models.CharField("type of contact", max_length=16, choices=ContactKind.choices)
    duration_minutes = models.PositiveSmallIntegerField("how long, in minutes")
    with_person = models.BooleanField("with the person", default=True)
    agencies = models.ManyToManyField(Organisation, related_name="contacts", blank=True)
    summary = models.TextField("what happened", max_length=2000)
    topics = models.JSONField(default=list, blank=True)
    follow_up_action = models.CharField("next action", max_length=300, blank=True)
    follow_up_due = models.DateField("next action due", null=True, blank=True)
    follow_up_done_at = models.DateTimeField(null=True, blank=True)
    follow_up_done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="follow_ups_done",
        null=True,
        blank=True,
    )
    # Sent with the form and unique, so a double-submitted form records one contact.
    submission_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["person", "-occurred_at"], name="contact_person_time"),
            # A person's next action (the earliest due open follow-up) and their last attempt,
            # read for every caseload row: without these each read filtered all the person's
            # contacts (hundreds for someone supported for years) to find a few.
            models.Index(
                fields=["person", "follow_up_due", "occurred_at"],
                name="contact_open_follow_up",
                condition=Q(follow_up_done_at__isnull=True) & ~Q(follow_up_action=""),
            ),
            models.Index(
                fields=["person", "-occurred_at"],
                name="contact_attempts",
                condition=Q(kind="attempted"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ContactKind.values), name="contact_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1) & Q(duration_minutes__lte=CONTACT_MAX_MINUTES),
                name="contact_duration_range",
            ),
            models.CheckConstraint(condition=~Q(summary=""), name="contact_summary_required"),
            models.CheckConstraint(
                condition=Q(follow_up_due__isnull=True) | ~Q(follow_up_action=""),
                name="contact_follow_up_due_has_action",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} with {self.person_id} at {self.occurred_at}"

    def get_absolute_url(self):
        return id_url("caseload:contact_detail", self.person_id, self.pk)

    @cached_property
    def agency_names(self):
        """The names of the agencies the contact was with, in order (the timeline reads them
        with the contacts, caseload.timeline)."""
        return [agency.name for agency in self.agencies.all()]

    def get_topics_display(self):
        labels = dict(Topic.choices)
        return [labels.get(topic, topic) for topic in self.topics or []]


class ContactVersion(BaseModel):
    """What a contact said before an edit. Every edit adds one; none is ever changed."""

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=ContactKind.choices)
    duration_minutes = models.PositiveSmallIntegerField()
    with_person = models.BooleanField()
    agency_names = models.JSONField(default=list, blank=True)
    summary = models.TextField(max_length=2000)
    topics = models.JSONField(default=list, blank=True)
    follow_up_action = models.CharField(max_length=300, blank=True)
    follow_up_due = models.DateField(null=True, blank=True)
    # The edit that replaced this version: who, when and (for late edits) why.
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contact_edits"
    )
    edited_at = models.DateTimeField()
    edit_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "number"], name="contact_version_unique"),
        ]

    def __str__(self):
        return f"{self.contact_id} v{self.number}"

    def get_topics_display(self):
        labels = dict(Topic.choices)
        return [labels.get(topic, topic) for topic in self.topics or []]


# --- support plans and outcomes ----------------------------------------------------------------
# What the quarterly return counts about each person, beside the NDT: their goals, service use
# and crisis events, where they live, their personal budget, and Outcomes Stars done elsewhere.
# Every record belongs to a person; the episode is the one open when it was recorded (none if
# the person had no open episode).
