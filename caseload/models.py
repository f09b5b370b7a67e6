"""People, their episodes of support, and who they are allocated to."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from smd.characteristics import Ethnicity, Gender, Religion, SexualOrientation, YesNo
from smd.models import TEAM_ROLES, BaseModel, Role, Team
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

    class Meta:
        ordering = ["-accepted_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=~Q(status=EpisodeStatus.CLOSED),
                name="one_open_episode_per_person",
            ),
        ]

    def __str__(self):
        return f"{self.person} — {self.get_status_display()}"


class AllocationQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ended_at__isnull=True)


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

    objects = AllocationQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "kind"],
                condition=Q(ended_at__isnull=True),
                name="one_current_allocation_per_kind",
            ),
        ]

    def __str__(self):
        return f"{self.worker} — {self.get_kind_display()}"
