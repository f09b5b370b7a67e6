"""What every app shares: the base model, organisations, teams and staff users."""

import uuid
from decimal import Decimal

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from smd.characteristics import Gender
from smd.versioning import Versioned


class BaseModel(models.Model):
    """UUID primary key (nothing guessable in URLs) and timestamps."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


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


class Role(models.TextChoices):
    NAVIGATOR = "navigator", "Navigator"
    PEER_MENTOR = "peer_mentor", "Peer mentor"
    TEAM_LEADER = "team_leader", "Team leader"
    MDT_CHAIR = "mdt_chair", "MDT chair"
    MDT_MEMBER = "mdt_member", "MDT member"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Admin"


class Specialism(models.TextChoices):
    NONE = "", "None"
    WOMEN = "women", "Women"
    ETHNIC_MINORITY = "ethnic_minority", "Ethnic minority communities"
    LIVED_EXPERIENCE = "lived_experience", "Lived experience"
    SOCIAL_WORKER = "social_worker", "Social worker"


# Roles that work inside a team and share its person records. Peer mentors see only the
# people allocated to them; MDT members only what an MDT grants; admins manage users and
# organisations and see no person data at all (least privilege).
TEAM_ROLES = frozenset({Role.NAVIGATOR, Role.TEAM_LEADER, Role.MDT_CHAIR, Role.MANAGER})


class SmdUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(Versioned, AbstractUser):
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

    @property
    def in_team(self):
        return self.is_active and self.team_id is not None and self.role in TEAM_ROLES

    @property
    def can_triage(self):
        return self.in_team and self.role == Role.TEAM_LEADER

    @property
    def can_see_referral_overview(self):
        return self.in_team and self.role in {Role.TEAM_LEADER, Role.MANAGER}

    @property
    def language_list(self):
        return [name.strip() for name in self.languages.split(",") if name.strip()]

    @property
    def holds_caseload(self):
        """Navigators and peer mentors have people allocated to them: "My caseload"."""
        return (
            self.is_active
            and self.team_id is not None
            and self.role in {Role.NAVIGATOR, Role.PEER_MENTOR}
        )

    @property
    def can_allocate(self):
        return self.in_team and self.role == Role.TEAM_LEADER

    @property
    def can_see_team_capacity(self):
        return self.in_team and self.role in {Role.TEAM_LEADER, Role.MANAGER}

    @property
    def can_log_contacts(self):
        """The roles that work with people day to day (a peer mentor only with their own)."""
        return self.holds_caseload or (self.in_team and self.role == Role.TEAM_LEADER)

    @property
    def can_change_episodes(self):
        """Pausing, resuming and closing support: the lead's and the team leader's call."""
        return self.in_team and self.role in {Role.NAVIGATOR, Role.TEAM_LEADER}

    @property
    def can_record_outcomes(self):
        """Goals, events, accommodation, personal budgets, ReQoL-10 and Outcomes Stars: the
        work of navigators and team leaders. MDT chairs and managers read them."""
        return self.in_team and self.role in {Role.NAVIGATOR, Role.TEAM_LEADER}

    @property
    def can_record_with_person(self):
        """Goals, crisis events and accommodation changes are also recorded by a peer mentor,
        for the people allocated to them (the only people they can open)."""
        return self.can_record_outcomes or (
            self.is_active and self.team_id is not None and self.role == Role.PEER_MENTOR
        )

    @property
    def can_read_audit(self):
        """Who saw whose record, and what a staff member opened: managers, as the people
        answerable for information governance in their team (ADR 0015)."""
        return self.in_team and self.role == Role.MANAGER

    @property
    def can_see_record_history(self):
        """Earlier values of a person's record, who changed them and when."""
        return self.in_team and self.role in {Role.TEAM_LEADER, Role.MANAGER}

    @property
    def can_make_referrals(self):
        return (
            self.is_active
            and self.team_id is not None
            and (self.role in TEAM_ROLES or self.role == Role.PEER_MENTOR)
        )
