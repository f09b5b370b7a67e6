from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from smd.models import BaseModel, Team


class RetentionReview(BaseModel):
    """A person on the retention list: their record passed the retention period, and a manager
    decides whether to erase it. The row stays after erasure as the record of that decision."""

    class Status(models.TextChoices):
        DUE = "due", "Due for erasure"
        ERASED = "erased", "Erased"
        NO_LONGER_DUE = "no_longer_due", "No longer due"

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="retention_reviews")
    person = models.ForeignKey(
        "caseload.Person", on_delete=models.PROTECT, related_name="retention_reviews"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DUE)
    last_involvement_on = models.DateField(
        help_text="The day support, or the last referral, ended: the retention clock's start."
    )
    due_on = models.DateField(help_text="The day the retention period ended.")
    retention_years = models.PositiveSmallIntegerField()
    listed_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    # What erasure did: {model label: [action, rows]} and the history rows removed. Counts only.
    outcome = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["due_on", "listed_at"]
        indexes = [models.Index(fields=["team", "status"], name="retention_team_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=["due", "erased"]),
                name="retention_one_listing_per_person",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["due", "erased", "no_longer_due"]),
                name="retention_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="erased")
                | (Q(decided_at__isnull=False) & Q(decided_by__isnull=False) & ~Q(reason="")),
                name="retention_erased_has_decision",
            ),
        ]

    def __str__(self):
        return f"Retention review {self.pk} ({self.get_status_display()})"
