"""People, their episodes of support, who they are allocated to, and contacts with them."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from smd.characteristics import (
    Ethnicity,
    Gender,
    Religion,
    SexualOrientation,
    YesNo,
    age_on,
)
from smd.models import TEAM_ROLES, BaseModel, Organisation, Role, Team
from smd.submission import submission_key_field
from smd.validators import validate_nhs_number
from smd.versioning import Versioned


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one path to person data: team staff see their team's people, a peer mentor only
        the people currently allocated to them, everyone else nobody. An erased record is
        nobody's to open: it remains only in the team's figures (ADR 0017)."""
        if not (user.is_authenticated and user.is_active and user.team_id):
            return self.none()
        if user.role in TEAM_ROLES:
            return self.filter(team_id=user.team_id).not_erased()
        if user.role == Role.PEER_MENTOR:
            allocated = Allocation.objects.current().filter(worker=user).values("episode__person")
            return self.filter(team_id=user.team_id, pk__in=allocated).not_erased()
        return self.none()

    def not_erased(self):
        return self.exclude(retention_reviews__status="erased")


class WorkerGender(models.TextChoices):
    """Who a person would rather work with: a stated preference, honoured where the team can."""

    NO_PREFERENCE = "", "No preference"
    WOMAN = "woman", "A woman"
    MAN = "man", "A man"


class RiskFlag(models.TextChoices):
    """What a worker must know before seeing the person; the detail lives in the record."""

    VISIT_IN_PAIRS = "visit_in_pairs", "Visit in pairs"
    RISK_TO_OTHERS = "risk_to_others", "Risk to others"
    RISK_FROM_OTHERS = "risk_from_others", "Risk from others or exploitation"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse: the abuser may be present"
    SELF_HARM = "self_harm", "Self-harm or suicide risk"
    OVERDOSE = "overdose", "Overdose risk"
    SAFEGUARDING_CHILDREN = "safeguarding_children", "Safeguarding: children"


class Person(Versioned, BaseModel):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="people")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    known_as = models.CharField(
        "known as", max_length=100, blank=True, help_text="The name the person likes to be called."
    )
    date_of_birth = models.DateField(null=True, blank=True)
    approximate_age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Only when the date of birth is not known."
    )
    approximate_age_recorded_on = models.DateField(null=True, blank=True)
    nhs_number = models.CharField(
        "NHS number", max_length=10, blank=True, validators=[validate_nhs_number]
    )

    phone = models.CharField(max_length=40, blank=True)
    safe_to_text = models.CharField(max_length=12, choices=YesNo.choices, default=YesNo.NOT_KNOWN)
    safe_to_leave_voicemail = models.CharField(
        max_length=12, choices=YesNo.choices, default=YesNo.NOT_KNOWN
    )
    contact_notes = models.TextField("how to reach them safely", max_length=2000, blank=True)

    gender = models.CharField(max_length=12, choices=Gender.choices, default=Gender.NOT_KNOWN)
    gender_same_as_sex_at_birth = models.CharField(
        "gender identity the same as sex registered at birth",
        max_length=12,
        choices=YesNo.choices,
        default=YesNo.NOT_KNOWN,
    )
    ethnicity = models.CharField(
        max_length=32, choices=Ethnicity.choices, default=Ethnicity.NOT_KNOWN
    )
    sexual_orientation = models.CharField(
        max_length=12, choices=SexualOrientation.choices, default=SexualOrientation.NOT_KNOWN
    )
    religion = models.CharField(
        "religion or belief", max_length=12, choices=Religion.choices, default=Religion.NOT_KNOWN
    )
    disability = models.CharField(
        "long-term condition that limits day-to-day activities",
        max_length=12,
        choices=YesNo.choices,
        default=YesNo.NOT_KNOWN,
    )
    preferred_language = models.CharField(max_length=60, blank=True)
    interpreter_needed = models.CharField(
        max_length=12, choices=YesNo.choices, default=YesNo.NOT_KNOWN
    )

    # Who they would like to work with, read by the team leader when allocating.
    worker_gender_preference = models.CharField(
        "would like a worker who is",
        max_length=12,
        choices=WorkerGender.choices,
        blank=True,
        default=WorkerGender.NO_PREFERENCE,
    )
    wants_lived_experience = models.BooleanField(
        "would like someone with lived experience", default=False
    )
    allocation_notes = models.CharField(
        "anything else about who they work well with", max_length=500, blank=True
    )
    # A short list of RiskFlag values, shown on the caseload and person page.
    risk_flags = models.JSONField(default=list, blank=True)
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    objects = PersonQuerySet.as_manager()

    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["team", "last_name"], name="person_team_last_name"),
            models.Index(fields=["date_of_birth"], name="person_dob"),
            models.Index(fields=["nhs_number"], name="person_nhs_number"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(approximate_age__isnull=True)
                | (Q(approximate_age__gte=16) & Q(approximate_age__lte=120)),
                name="person_approximate_age_range",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        full = f"{self.first_name} {self.last_name}".strip()
        if self.known_as and self.known_as != self.first_name:
            return f"{full} ({self.known_as})"
        return full

    def get_absolute_url(self):
        return reverse("caseload:person_detail", args=[self.pk])

    def age(self, on=None):
        return age_on(
            date_of_birth=self.date_of_birth,
            approximate_age=self.approximate_age,
            approximate_age_recorded_on=self.approximate_age_recorded_on,
            on=on or timezone.localdate(),
        )

    def get_risk_flags_display(self):
        labels = dict(RiskFlag.choices)
        return [labels.get(flag, flag) for flag in self.risk_flags or []]

    def all_names(self):
        """Every name the person is known by, for matching referrals."""
        names = [f"{self.first_name} {self.last_name}"]
        if self.known_as:
            names.append(f"{self.known_as} {self.last_name}")
            names.append(self.known_as)
        names.extend(alias.name for alias in self.aliases.all())
        return names


class PersonAlias(BaseModel):
    """Another name the person has used (a previous surname, a street name)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "name"], name="person_alias_unique"),
        ]

    def __str__(self):
        return self.name


class EpisodeStatus(models.TextChoices):
    AWAITING_ALLOCATION = "awaiting_allocation", "Awaiting allocation"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = [
    EpisodeStatus.AWAITING_ALLOCATION,
    EpisodeStatus.ACTIVE,
    EpisodeStatus.PAUSED,
]


class ExitDestination(models.TextChoices):
    OTHER_SUPPORT = "other_support", "Moved to other support"
    NO_LONGER_NEEDED = "no_longer_needed", "No longer needs support"
    DISENGAGED = "disengaged", "Disengaged"
    PRISON = "prison", "Prison"
    HOSPITAL = "hospital", "Hospital"
    DECEASED = "deceased", "Deceased"
    MOVED_AWAY = "moved_away", "Moved out of area"
    EXCLUDED = "excluded", "Excluded"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class PauseReason(models.TextChoices):
    PRISON = "prison", "In prison"
    HOSPITAL = "hospital", "In hospital"
    PERSON_ASKED = "person_asked", "The person asked for a break"
    OTHER = "other", "Other"


class EpisodeQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=EpisodeStatus.CLOSED)


class Episode(BaseModel):
    """A period of support for a person, opened when a referral is accepted."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="episodes")
    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.PROTECT, related_name="episode", null=True
    )
    status = models.CharField(
        max_length=24, choices=EpisodeStatus.choices, default=EpisodeStatus.AWAITING_ALLOCATION
    )
    accepted_on = models.DateField(default=timezone.localdate)
    start_date = models.DateField(null=True, blank=True, help_text="The day engagement began.")
    end_date = models.DateField(null=True, blank=True)
    exit_destination = models.CharField(
        "where they went", max_length=24, choices=ExitDestination.choices, blank=True
    )
    ending_planned = models.BooleanField("ending planned with the person", null=True, blank=True)
    closing_note = models.CharField(max_length=500, blank=True)

    objects = EpisodeQuerySet.as_manager()

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-accepted_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=~Q(status=EpisodeStatus.CLOSED),
                name="one_open_episode_per_person",
            ),
            models.CheckConstraint(
                condition=Q(status__in=EpisodeStatus.values), name="episode_status_valid"
            ),
            # Closing says when, where the person went and whether the ending was planned;
            # an open episode has none of those.
            models.CheckConstraint(
                condition=(
                    Q(status=EpisodeStatus.CLOSED)
                    & Q(end_date__isnull=False)
                    & ~Q(exit_destination="")
                    & Q(ending_planned__isnull=False)
                )
                | (
                    ~Q(status=EpisodeStatus.CLOSED)
                    & Q(end_date__isnull=True)
                    & Q(exit_destination="")
                ),
                name="episode_closed_has_destination",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="episode_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.person} — {self.get_status_display()}"

    @property
    def is_open(self):
        return self.status != EpisodeStatus.CLOSED


class EpisodeStatusChange(BaseModel):
    """One change of an episode's status, kept as append-only history for the timeline."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=24, choices=EpisodeStatus.choices)
    to_status = models.CharField(max_length=24, choices=EpisodeStatus.choices)
    pause_reason = models.CharField(max_length=16, choices=PauseReason.choices, blank=True)
    note = models.CharField(max_length=500, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="episode_status_changes",
        null=True,
        blank=True,
    )
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    class Meta:
        ordering = ["-changed_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_status=models.F("to_status")),
                name="episode_change_changes_status",
            ),
            models.CheckConstraint(
                condition=~Q(to_status=EpisodeStatus.PAUSED) | ~Q(pause_reason=""),
                name="episode_pause_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class AllocationQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ended_at__isnull=True)

    def holding(self):
        """Current allocations on open episodes: what counts against a worker's capacity."""
        return self.current().exclude(episode__status=EpisodeStatus.CLOSED)


class Allocation(Versioned, BaseModel):
    """A worker allocated to a person's episode; ending one keeps it as history."""

    class Kind(models.TextChoices):
        LEAD_NAVIGATOR = "lead_navigator", "Lead navigator"
        PEER_MENTOR = "peer_mentor", "Peer mentor"

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="allocations")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocations"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="allocations_made",
        null=True,
        blank=True,
    )
    reason = models.CharField("why this worker", max_length=500, blank=True)
    # The allocation this one took over from: a handover, kept as a chain of history.
    handed_over_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        related_name="handed_over_to",
        null=True,
        blank=True,
    )
    # A capacity warning never blocks allocation; going over is allowed with a reason.
    over_capacity = models.BooleanField(default=False)
    over_capacity_reason = models.CharField(max_length=500, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="allocations_ended",
        null=True,
        blank=True,
    )
    end_reason = models.CharField(max_length=500, blank=True)
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    objects = AllocationQuerySet.as_manager()

    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "kind"],
                condition=Q(ended_at__isnull=True),
                name="one_current_allocation_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(over_capacity=False) | ~Q(over_capacity_reason=""),
                name="allocation_over_capacity_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="allocation_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.worker} — {self.get_kind_display()}"


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
        return reverse("caseload:contact_detail", args=[self.person_id, self.pk])

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


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    CHANGED = "changed", "Changed"
    NO_LONGER_RELEVANT = "no_longer_relevant", "No longer relevant"


# A goal being worked on has a review date; one that is finished has none.
OPEN_GOAL_STATUSES = [GoalStatus.NOT_STARTED, GoalStatus.IN_PROGRESS]

# Goals are few: a plan with more than this many steps per goal is a plan to split.
MAX_GOAL_STEPS = 8


class GoalQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_GOAL_STATUSES)


class Goal(Versioned, BaseModel):
    """A goal the person set, in their own words, with the strengths they bring and the steps
    agreed (who does what). Together a person's goals are their support plan."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="goals")
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="goals", null=True, blank=True
    )
    in_their_words = models.TextField("the goal, in their words", max_length=1000)
    strengths = models.TextField("strengths they bring", max_length=1000, blank=True)
    # [{"what": "...", "who": "..."}], in the order agreed.
    steps = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=20, choices=GoalStatus.choices)
    review_on = models.DateField("review date", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="goals_recorded"
    )
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    objects = GoalQuerySet.as_manager()

    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["person", "status"], name="goal_person_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=GoalStatus.values), name="goal_status_valid"
            ),
            models.CheckConstraint(condition=~Q(in_their_words=""), name="goal_words_required"),
            models.CheckConstraint(
                condition=(Q(status__in=OPEN_GOAL_STATUSES) & Q(review_on__isnull=False))
                | (~Q(status__in=OPEN_GOAL_STATUSES) & Q(review_on__isnull=True)),
                name="goal_open_has_review_date",
            ),
        ]

    def __str__(self):
        return self.in_their_words[:60]

    @property
    def is_open(self):
        return self.status in OPEN_GOAL_STATUSES


class GoalReview(BaseModel):
    """A review of a goal, kept as append-only history: its status afterwards (a change, or the
    same status again), what was said, and the next review date while it is still open."""

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="reviews")
    from_status = models.CharField(max_length=20, choices=GoalStatus.choices)
    to_status = models.CharField(max_length=20, choices=GoalStatus.choices)
    note = models.CharField(max_length=500, blank=True)
    review_on = models.DateField("next review", null=True, blank=True)
    reviewed_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="goal_reviews"
    )
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    class Meta:
        ordering = ["-reviewed_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(to_status__in=OPEN_GOAL_STATUSES) & Q(review_on__isnull=False))
                | (~Q(to_status__in=OPEN_GOAL_STATUSES) & Q(review_on__isnull=True)),
                name="goal_review_open_has_next_date",
            ),
        ]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"

    @property
    def changed_status(self):
        return self.from_status != self.to_status


class EventKind(models.TextChoices):
    AE_ATTENDANCE = "ae_attendance", "A&E attendance"
    EMERGENCY_ADMISSION = "emergency_admission", "Emergency hospital admission"
    MENTAL_HEALTH_INPATIENT = "mental_health_inpatient", "Mental-health inpatient stay"
    ARREST = "arrest", "Arrest"
    CUSTODY = "custody", "Prison or custody"
    EVICTION = "eviction", "Eviction"
    ROUGH_SLEEPING = "rough_sleeping", "Rough sleeping"
    AMBULANCE = "ambulance", "Ambulance call-out"


# Stays are counted in days or nights; every other event once.
EVENT_UNITS = {
    EventKind.MENTAL_HEALTH_INPATIENT: "days",
    EventKind.CUSTODY: "nights",
    EventKind.ROUGH_SLEEPING: "nights",
}
DURATION_EVENT_KINDS = list(EVENT_UNITS)
# One entry counts at most a quarter's nights: longer stays are split at quarter edges when
# recorded, so each quarter counts its own nights.
MAX_EVENT_QUANTITY = 92


class EventSource(models.TextChoices):
    SELF_REPORTED = "self_reported", "Self-reported"
    PARTNER_RECORD = "partner_record", "Partner record"
    STAFF_OBSERVED = "staff_observed", "Staff observed"


class ServiceEvent(BaseModel):
    """A dated use of a crisis service (A&E, an arrest, a night sleeping rough...). A stay's
    date is its first day or night, and `quantity` its days or nights; other events are one
    each."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="service_events")
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="service_events", null=True, blank=True
    )
    kind = models.CharField("what happened", max_length=32, choices=EventKind.choices)
    occurred_on = models.DateField("when")
    quantity = models.PositiveSmallIntegerField(default=1)
    source = models.CharField("how we know", max_length=20, choices=EventSource.choices)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="service_events_recorded"
    )
    # Sent with the form and unique, so a double-submitted form records one event.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-occurred_on", "-created_at"]
        indexes = [
            models.Index(fields=["person", "occurred_on"], name="event_person_date"),
            models.Index(fields=["occurred_on", "kind"], name="event_date_kind"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_kind_valid"),
            models.CheckConstraint(
                condition=Q(source__in=EventSource.values), name="event_source_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=DURATION_EVENT_KINDS)
                    & Q(quantity__gte=1)
                    & Q(quantity__lte=MAX_EVENT_QUANTITY)
                )
                | (~Q(kind__in=DURATION_EVENT_KINDS) & Q(quantity=1)),
                name="event_quantity_fits_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.occurred_on}"

    @property
    def unit(self):
        return EVENT_UNITS.get(self.kind, "")

    @property
    def description(self):
        """ "A&E attendance", "Rough sleeping: 3 nights"."""
        label = self.get_kind_display()
        if self.unit:
            unit = self.unit if self.quantity != 1 else self.unit[:-1]
            return f"{label}: {self.quantity} {unit}"
        return label


class AccommodationStatus(models.TextChoices):
    ROUGH_SLEEPING = "rough_sleeping", "Rough sleeping"
    SOFA_SURFING = "sofa_surfing", "Sofa surfing"
    TEMPORARY = "temporary", "Temporary or emergency accommodation"
    HOSTEL = "hostel", "Hostel or supported accommodation"
    SETTLED = "settled", "Settled tenancy"
    PRISON = "prison", "Prison"
    HOSPITAL = "hospital", "Hospital"
    OTHER = "other", "Other"


class AccommodationChange(BaseModel):
    """Where the person lives from a date on. The latest change (by date) is where they live
    now; earlier ones are their history."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="accommodation_changes"
    )
    status = models.CharField(
        "where they live now", max_length=20, choices=AccommodationStatus.choices
    )
    from_date = models.DateField("since")
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="accommodation_recorded"
    )
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-from_date", "-created_at"]
        indexes = [models.Index(fields=["person", "from_date"], name="accommodation_person_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AccommodationStatus.values),
                name="accommodation_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=AccommodationStatus.OTHER) | ~Q(note=""),
                name="accommodation_other_has_note",
            ),
        ]

    def __str__(self):
        return f"{self.get_status_display()} from {self.from_date}"


class Money(models.DecimalField):
    """The output field for sums of money. PostgreSQL adds decimals exactly; SQLite (the
    zero-config fallback) adds them as floats, so what comes back is rounded to the penny."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return Decimal(value).quantize(PENNY)


PENNY = Decimal("0.01")


class PersonalBudgetQuerySet(models.QuerySet):
    def with_balance(self):
        """Adds `spent` and `balance`, summed in the database."""
        money = Money()
        return self.annotate(
            spent=Coalesce(
                models.Sum("spends__amount"), models.Value(Decimal("0")), output_field=money
            ),
        ).annotate(
            balance=models.ExpressionWrapper(
                models.F("amount_offered") - models.F("spent"), output_field=money
            )
        )


class PersonalBudget(BaseModel):
    """Money offered to a person for their goals, one budget per episode of support."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="budgets")
    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="budget")
    amount_offered = models.DecimalField(max_digits=10, decimal_places=2)
    offered_on = models.DateField()
    note = models.CharField("what it is for", max_length=500, blank=True)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="budgets_offered"
    )
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    objects = PersonalBudgetQuerySet.as_manager()

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-offered_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_offered__gt=0), name="budget_amount_positive"
            ),
        ]

    def __str__(self):
        return f"£{self.amount_offered} offered on {self.offered_on}"


class BudgetSpend(BaseModel):
    """One spend from a personal budget. A spend that takes the total past the amount offered
    is an overspend: a team leader approves it, with a reason, by recording it themself."""

    budget = models.ForeignKey(PersonalBudget, on_delete=models.PROTECT, related_name="spends")
    spent_on = models.DateField("date")
    amount = models.DecimalField("amount (£)", max_digits=10, decimal_places=2)
    purpose = models.CharField("what it was for", max_length=300)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="spends_approved"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="spends_recorded"
    )
    over_budget = models.BooleanField(default=False)
    over_budget_reason = models.CharField(max_length=500, blank=True)
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-spent_on", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="spend_amount_positive"),
            models.CheckConstraint(condition=~Q(purpose=""), name="spend_purpose_required"),
            # The service checks the approver is a team leader; the database that an overspend
            # has a reason and was recorded by the person who approved it.
            models.CheckConstraint(
                condition=Q(over_budget=False)
                | (~Q(over_budget_reason="") & Q(approved_by=models.F("recorded_by"))),
                name="spend_over_budget_approved_with_reason",
            ),
        ]

    def __str__(self):
        return f"£{self.amount} on {self.spent_on}: {self.purpose}"


class OutcomesStarRecord(BaseModel):
    """That an Outcomes Star was completed elsewhere: when and where it is held. The Star's
    content is its owner's and is never recorded here."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="outcomes_stars")
    completed_on = models.DateField("date completed")
    held_at = models.CharField("where it is held", max_length=200)
    star_name = models.CharField("which Star", max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stars_recorded"
    )
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    class Meta:
        ordering = ["-completed_on", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(held_at=""), name="star_held_at_required"),
        ]

    def __str__(self):
        return f"Outcomes Star on {self.completed_on}"
