"""Support plans and outcomes: goals and their reviews, service events, accommodation, personal
budgets and their spending, Outcomes Star readings."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.models import HistoricalRecords

from smd.models import BaseModel
from smd.submission import submission_key_field
from smd.versioning import Versioned


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

    person = models.ForeignKey("caseload.Person", on_delete=models.PROTECT, related_name="goals")
    episode = models.ForeignKey(
        "caseload.Episode", on_delete=models.PROTECT, related_name="goals", null=True, blank=True
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
    # Domestic abuse: an incident makes the DASH checklist due again; police call-outs in
    # twelve months can raise the risk to high (escalation, domestic_abuse).
    DOMESTIC_ABUSE_INCIDENT = "domestic_abuse_incident", "Domestic abuse incident"
    DOMESTIC_ABUSE_POLICE = "domestic_abuse_police", "Police call-out for domestic abuse"


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

    person = models.ForeignKey(
        "caseload.Person", on_delete=models.PROTECT, related_name="service_events"
    )
    episode = models.ForeignKey(
        "caseload.Episode",
        on_delete=models.PROTECT,
        related_name="service_events",
        null=True,
        blank=True,
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
        "caseload.Person", on_delete=models.PROTECT, related_name="accommodation_changes"
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

    person = models.ForeignKey("caseload.Person", on_delete=models.PROTECT, related_name="budgets")
    episode = models.OneToOneField(
        "caseload.Episode", on_delete=models.PROTECT, related_name="budget"
    )
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

    person = models.ForeignKey(
        "caseload.Person", on_delete=models.PROTECT, related_name="outcomes_stars"
    )
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
