"""What every app shares: the base model, organisations, teams and staff users."""

import uuid
from decimal import Decimal

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from smd.access import Permissions, Role
from smd.characteristics import Gender
from smd.quarters import financial_year_label
from smd.submission import submission_key_field
from smd.versioning import Versioned


class BaseModel(models.Model):
    """UUID primary key (nothing guessable in URLs) and timestamps."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def validate_unique(self, exclude=None):
        # A one-time submission key (smd.submission) is unique, and the database alone holds
        # it: `create_once` answers a repeat with the row it made. Checked here too, a form sent
        # twice at the same moment could find the other's row committed between its own lookup
        # and its insert, and be told "already exists" instead of being answered.
        super().validate_unique(exclude={*(exclude or ()), "submission_key"})


class Sector(models.TextChoices):
    HEALTH = "health", "Health"
    MENTAL_HEALTH = "mental_health", "Mental health"
    HOUSING = "housing", "Housing"
    PROBATION = "probation", "Probation"
    POLICE = "police", "Police"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    VOLUNTARY = "voluntary", "Voluntary sector"
    COUNCIL = "council", "Council"
    OTHER = "other", "Other"


class Organisation(Versioned, BaseModel):
    """A partner agency (or the organisation that hosts a team)."""

    name = models.CharField(max_length=200, unique=True)
    sector = models.CharField(max_length=32, choices=Sector.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Team(Versioned, BaseModel):
    """A frontline team; people and referrals belong to exactly one team."""

    name = models.CharField(max_length=200, unique=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    receives_public_referrals = models.BooleanField(
        default=False, help_text="Referrals made on the public form at /refer/ come to this team."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["receives_public_referrals"],
                condition=models.Q(receives_public_referrals=True),
                name="one_team_receives_public_referrals",
            )
        ]

    def __str__(self):
        return self.name


class Specialism(models.TextChoices):
    NONE = "", "None"
    WOMEN = "women", "Women"
    ETHNIC_MINORITY = "ethnic_minority", "Ethnic minority communities"
    LIVED_EXPERIENCE = "lived_experience", "Lived experience"
    SOCIAL_WORKER = "social_worker", "Social worker"


# The fields whose versions the staff profile history keeps: what capacity is worked out from.
STAFF_HISTORY_FIELDS = {"role", "team", "is_active", "fte", "planned_hours", "specialism"}


class SmdUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(Permissions, Versioned, AbstractUser):
    """A member of staff (or a partner's MDT member, or an admin). What they may do is a property
    for each permission in smd.access (`user.can_triage`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    role = models.CharField(max_length=20, choices=Role.choices)
    specialism = models.CharField(
        max_length=20, choices=Specialism.choices, blank=True, default=Specialism.NONE
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="members", null=True, blank=True
    )
    phone = models.CharField(max_length=40, blank=True)

    # The staff profile that allocation and capacity use (ADR 0008): kept on the user, because
    # every worker is a user and capacity is read wherever users are listed.
    gender = models.CharField(
        max_length=12,
        choices=Gender.choices,
        default=Gender.NOT_KNOWN,
        help_text="Shown when allocating, for people who ask for a woman (or a man) worker.",
    )
    fte = models.DecimalField(
        "FTE",
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        help_text="Full-time equivalent: 1 for full time, 0.5 for half time. "
        "Sets a navigator's capacity.",
    )
    planned_hours = models.DecimalField(
        "planned hours a week",
        max_digits=4,
        decimal_places=1,
        default=Decimal("0"),
        help_text="Peer mentors: hours a week planned for one-to-one support. "
        "Sets a peer mentor's capacity.",
    )
    languages = models.CharField(
        "languages spoken",
        max_length=200,
        blank=True,
        help_text="Separated by commas, for example: English, Polish, Bengali.",
    )

    objects = SmdUserManager()

    # Capacity at a past quarter end needs the profile as it was then (ADR 0019): versions of
    # the fields capacity reads, and nothing else (no password hashes, no sign-in times).
    history = HistoricalRecords(
        excluded_fields=[
            "password",
            "last_login",
            "is_superuser",
            "is_staff",
            "first_name",
            "last_name",
            "email",
            "date_joined",
            "organisation",
            "phone",
            "gender",
            "languages",
            # The edit-conflict counter (smd.versioning) says nothing about capacity.
            "version",
        ]
    )

    class Meta:
        ordering = ["first_name", "last_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
            # Specialism describes navigators only.
            models.CheckConstraint(
                condition=models.Q(specialism="") | models.Q(role=Role.NAVIGATOR),
                name="user_specialism_only_for_navigators",
            ),
            models.CheckConstraint(
                condition=models.Q(fte__gte=0) & models.Q(fte__lte=1), name="user_fte_range"
            ),
            models.CheckConstraint(
                condition=models.Q(planned_hours__gte=0) & models.Q(planned_hours__lte=60),
                name="user_planned_hours_range",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and not set(update_fields) & STAFF_HISTORY_FIELDS:
            # Signing in saves last_login alone: no new version of the staff profile.
            self.skip_history_when_saving = True
        elif self._state.adding and self.date_joined:
            # The first version holds from the day the worker joined, which an admin may set
            # earlier than the day the account is made.
            self._history_date = self.date_joined
        try:
            super().save(*args, **kwargs)
        finally:
            self.__dict__.pop("skip_history_when_saving", None)
            self.__dict__.pop("_history_date", None)

    @property
    def language_list(self):
        return [name.strip() for name in self.languages.split(",") if name.strip()]


class PlanTarget(Versioned, BaseModel):
    """The delivery plan's target of people supported in a financial year, entered by a
    manager and shown beside the projection from the team's capacity."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="plan_targets")
    year = models.PositiveSmallIntegerField(
        "financial year",
        validators=[MinValueValidator(2000), MaxValueValidator(2999)],
        help_text="The first calendar year of the financial year: 2026 for 2026/27.",
    )
    people = models.PositiveIntegerField(
        "people supported in the year",
        validators=[MaxValueValidator(100_000)],
        help_text="The number the delivery plan sets for the year.",
    )
    set_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, related_name="plan_targets_set", null=True
    )
    submission_key = submission_key_field()

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["team", "year"], name="one_plan_target_per_team_year"),
            models.CheckConstraint(
                condition=models.Q(year__gte=2000) & models.Q(year__lte=2999),
                name="plan_target_year_range",
            ),
            models.CheckConstraint(
                condition=models.Q(people__lte=100_000), name="plan_target_people_range"
            ),
        ]

    def __str__(self):
        return f"{self.team}: {self.people} people in {self.year_label}"

    @property
    def year_label(self):
        return financial_year_label(self.year)
