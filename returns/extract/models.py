"""The evaluation extract: one CSV row per person supported in a quarter, pseudonymised, in a
documented and versioned format (docs/evaluation-extract.md, ADR 0032)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from smd.models import BaseModel, Team
from smd.submission import submission_key_field


def _upload_to(instance, filename):
    return f"evaluation-extracts/{instance.team_id}/{instance.pk}/{filename}"


class EvaluationExtract(BaseModel):
    """One build of a team's evaluation extract for a quarter. Each request makes a new one;
    a finished extract is never rebuilt, so what was downloaded stays what was sent."""

    class Status(models.TextChoices):
        PENDING = "pending", "Queued"
        RUNNING = "running", "Being built"
        RETRYING = "retrying", "Retrying"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="evaluation_extracts")
    quarter = models.CharField(max_length=12, help_text='e.g. "2025/26 Q3"')
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The format the file was written in (its first column says the same), and how many people.
    format_version = models.PositiveSmallIntegerField(null=True, blank=True)
    rows = models.PositiveIntegerField(null=True, blank=True)
    csv = models.FileField(upload_to=_upload_to, max_length=200, blank=True)
    # The build's lease, as a quarterly return's (ADR 0022): only the holder may finish it.
    attempts = models.PositiveSmallIntegerField(default=0, help_text="builds started")
    lease_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # The request form's one-time key (smd.submission): sent twice, it queues one build.
    submission_key = submission_key_field()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "running", "retrying", "done", "failed"]),
                name="evaluation_extract_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.quarter} evaluation extract"

    @property
    def in_progress(self):
        return self.status in {self.Status.PENDING, self.Status.RUNNING, self.Status.RETRYING}

    @property
    def waiting_long(self):
        """Queued for over two minutes: the workers are busy or the task queue is down."""
        waited = timezone.now() - self.created_at
        return self.status == self.Status.PENDING and waited > timedelta(minutes=2)


class ExtractDownload(BaseModel):
    """Who downloaded which extract, and when (the audit log records it too)."""

    extract = models.ForeignKey(
        EvaluationExtract, on_delete=models.PROTECT, related_name="downloads"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
