"""Referrals into the team, and the eligibility decisions made on them."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from smd.characteristics import Ethnicity, Gender
from smd.models import BaseModel, Organisation, Team
from smd.submission import submission_key_field
from smd.versioning import Versioned

ELIGIBILITY_THRESHOLD = 3

# The five sources of disadvantage, in the order the form and the queue show them.
DISADVANTAGES = [
    (
        "homelessness",
        "Homelessness",
        "Including rough sleeping, sofa surfing, temporary accommodation.",
    ),
    ("mental_health", "Mental ill-health", "Diagnosed or not."),
    ("substance_misuse", "Substance misuse", "Drugs or alcohol."),
    ("offending", "Offending", "Or other contact with the criminal justice system."),
    ("domestic_abuse", "Domestic abuse", "As a victim or survivor."),
]
DISADVANTAGE_KEYS = [key for key, _, _ in DISADVANTAGES]


def eligibility_summary(count):
    """How the queue and the decision page state the 3-of-5 rule."""
    verdict = "eligible" if count >= ELIGIBILITY_THRESHOLD else "below threshold"
    return f"{count} of 5 — {verdict}"


# Readable, unambiguous reference numbers (no 0/O, 1/I/L).
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference():
    return "R-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Referrals are person data: team staff see their own team's, nobody else any."""
        if user.is_authenticated and user.in_team:
            return self.filter(team_id=user.team_id)
        return self.none()

    def awaiting_decision(self):
        return self.filter(status=Referral.Status.NEW)


class Referral(Versioned, BaseModel):
    class Status(models.TextChoices):
        NEW = "new", "Waiting for a decision"
        ELIGIBLE = "eligible", "Eligible"
        DISCRETION = "discretion", "Accepted on discretion"
        NOT_ELIGIBLE = "not_eligible", "Not eligible"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Channel(models.TextChoices):
        PUBLIC_FORM = "public_form", "Public form"
        STAFF = "staff", "Entered by staff"

    class Consent(models.TextChoices):
        YES = "yes", "Yes, they agreed to this referral"
        NO = "no", "No"
        NOT_ASKED = "not_asked", "Not yet asked"

    reference = models.CharField(max_length=12, unique=True, default=new_reference, editable=False)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="referrals")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    person = models.ForeignKey(
        "caseload.Person",
        on_delete=models.PROTECT,
        related_name="referrals",
        null=True,
        blank=True,
    )

    # The person
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    known_as = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    contact_details = models.TextField(max_length=1000, blank=True)
    gender = models.CharField(max_length=12, choices=Gender.choices, blank=True)
    ethnicity = models.CharField(max_length=32, choices=Ethnicity.choices, blank=True)

    # The five disadvantages: a yes/no and an optional line each.
    homelessness = models.BooleanField(default=False)
    homelessness_note = models.CharField(max_length=300, blank=True)
    mental_health = models.BooleanField(default=False)
    mental_health_note = models.CharField(max_length=300, blank=True)
    substance_misuse = models.BooleanField(default=False)
    substance_misuse_note = models.CharField(max_length=300, blank=True)
    offending = models.BooleanField(default=False)
    offending_note = models.CharField(max_length=300, blank=True)
    domestic_abuse = models.BooleanField(default=False)
    domestic_abuse_note = models.CharField(max_length=300, blank=True)

    why_now = models.TextField(max_length=2000)
    consent = models.CharField(max_length=12, choices=Consent.choices)
    safety_information = models.TextField(max_length=2000, blank=True)

    # Who is referring
    is_self_referral = models.BooleanField(default=False)
    referrer_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    referrer_organisation_name = models.CharField(max_length=200, blank=True)
    referrer_name = models.CharField(max_length=200)
    referrer_contact = models.CharField(max_length=200)
    referrer_continuing_support = models.TextField(max_length=2000, blank=True)
    referred_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_made",
    )
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    objects = ReferralQuerySet.as_manager()

    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["team", "status", "created_at"], name="referral_queue"),
            models.Index(fields=["team", "created_at"], name="referral_team_received"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["new", "eligible", "discretion", "not_eligible", "withdrawn"]
                ),
                name="referral_status_valid",
            ),
            # Accepted referrals always name the person whose episode they opened.
            models.CheckConstraint(
                condition=~Q(status__in=["eligible", "discretion"]) | Q(person__isnull=False),
                name="referral_accepted_has_person",
            ),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("referrals:detail", args=[self.pk])

    @property
    def person_name(self):
        full = f"{self.first_name} {self.last_name}".strip()
        return f"{full} ({self.known_as})" if self.known_as else full

    @property
    def disadvantages(self):
        """(key, label, note) for each disadvantage ticked."""
        return [
            (key, label, getattr(self, f"{key}_note"))
            for key, label, _ in DISADVANTAGES
            if getattr(self, key)
        ]

    @property
    def disadvantage_count(self):
        return sum(1 for key in DISADVANTAGE_KEYS if getattr(self, key))

    @property
    def meets_threshold(self):
        return self.disadvantage_count >= ELIGIBILITY_THRESHOLD

    @property
    def eligibility_summary(self):
        return eligibility_summary(self.disadvantage_count)

    @property
    def source_name(self):
        if self.is_self_referral:
            return "Self-referral"
        if self.referrer_organisation_id:
            return self.referrer_organisation.name
        return self.referrer_organisation_name or "Not recorded"


class EligibilityDecision(BaseModel):
    """One decision on a referral. Append-only: a new decision never overwrites an old one."""

    class Outcome(models.TextChoices):
        ELIGIBLE = "eligible", "Eligible (3 or more of 5)"
        DISCRETION = "discretion", "Accept on discretion (below 3, with a reason)"
        NOT_ELIGIBLE = "not_eligible", "Not eligible"
        WITHDRAWN = "withdrawn", "Withdrawn"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    disadvantage_count = models.PositiveSmallIntegerField()
    reason = models.TextField(max_length=2000, blank=True)
    signposted_to = models.TextField(max_length=1000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="eligibility_decisions"
    )
    decided_at = models.DateTimeField()
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(disadvantage_count__lte=5), name="decision_count_of_five"
            ),
            models.CheckConstraint(
                condition=~Q(outcome="eligible") | Q(disadvantage_count__gte=ELIGIBILITY_THRESHOLD),
                name="decision_eligible_meets_threshold",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="discretion")
                | Q(disadvantage_count__lt=ELIGIBILITY_THRESHOLD),
                name="decision_discretion_below_threshold",
            ),
            models.CheckConstraint(
                condition=~Q(outcome__in=["discretion", "not_eligible"]) | ~Q(reason=""),
                name="decision_reason_required",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="not_eligible") | ~Q(signposted_to=""),
                name="decision_signposting_required",
            ),
        ]

    def __str__(self):
        return f"{self.referral} — {self.get_outcome_display()}"
