"""A period of support (episode), its status changes, and who the person is allocated to."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from caseload.models.people import Person
from smd.models import BaseModel
from smd.submission import submission_key_field
from smd.versioning import Versioned


class EpisodeStatus(models.TextChoices):
    AWAITING_ALLOCATION = "awaiting_allocation", "Awaiting allocation"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    CLOSED = "closed", "Closed"


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
