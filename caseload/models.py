"""People, their episodes of support, who they are allocated to, and contacts with them."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from smd.characteristics import Ethnicity, Gender, Religion, SexualOrientation, YesNo
from smd.models import TEAM_ROLES, BaseModel, Organisation, Role, Team
from smd.validators import validate_nhs_number


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one path to person data: team staff see their team's people, a peer mentor only
        the people currently allocated to them, everyone else nobody."""
        if not (user.is_authenticated and user.is_active and user.team_id):
            return self.none()
        if user.role in TEAM_ROLES:
            return self.filter(team_id=user.team_id)
        if user.role == Role.PEER_MENTOR:
            allocated = Allocation.objects.current().filter(worker=user).values("episode__person")
            return self.filter(team_id=user.team_id, pk__in=allocated)
        return self.none()


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


class Person(BaseModel):
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

    objects = PersonQuerySet.as_manager()

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
        on = on or timezone.localdate()
        if self.date_of_birth:
            dob = self.date_of_birth
            return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
        if self.approximate_age is not None:
            recorded = self.approximate_age_recorded_on or on
            return self.approximate_age + max(0, (on - recorded).days // 365)
        return None

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


class Allocation(BaseModel):
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

    objects = AllocationQuerySet.as_manager()

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


class Contact(BaseModel):
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
