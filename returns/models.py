from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# The evaluation extract's models, registered under this app's label.
from returns.extract.models import EvaluationExtract, ExtractDownload  # noqa: F401
from smd.models import BaseModel, Team


def _upload_to(instance, filename):
    return f"returns/{instance.team_id}/{instance.quarter.replace('/', '-').replace(' ', '-')}/v{instance.version}/{filename}"


class QuarterlyReturn(BaseModel):
    """One version of a team's return for a quarter. A new request makes a new version; a
    signed-off version is locked: its figures are the stored snapshot, never recomputed."""

    class Status(models.TextChoices):
        PENDING = "pending", "Queued"
        RUNNING = "running", "Being built"
        RETRYING = "retrying", "Retrying"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="returns")
    quarter = models.CharField(max_length=12, help_text='e.g. "2025/26 Q3"')
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    figures = models.JSONField(null=True, blank=True)
    pdf = models.FileField(upload_to=_upload_to, blank=True)
    csv = models.FileField(upload_to=_upload_to, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    # The build's lease: the worker building this version holds `lease_token` and renews
    # `lease_expires_at` while it works. A lease that ran out means the worker died; the outbox
    # sweep then queues the build again, and only the token holder may finish the version.
    attempts = models.PositiveSmallIntegerField(default=0, help_text="builds started")
    lease_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "quarter", "version"], name="return_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(signed_off_at__isnull=True) | Q(status="done"),
                name="return_signed_off_only_when_done",
            ),
        ]

    def __str__(self):
        return f"{self.quarter} return, version {self.version}"

    @property
    def is_locked(self):
        return self.signed_off_at is not None

    @property
    def in_progress(self):
        return self.status in {self.Status.PENDING, self.Status.RUNNING, self.Status.RETRYING}

    @property
    def waiting_long(self):
        """Queued for over two minutes: the workers are busy or the task queue is down."""
        waited = timezone.now() - self.created_at
        return self.status == self.Status.PENDING and waited > timedelta(minutes=2)


class ReturnDownload(BaseModel):
    """Who downloaded which version, as what, and when."""

    quarterly_return = models.ForeignKey(
        QuarterlyReturn, on_delete=models.PROTECT, related_name="downloads"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=4, choices=[("pdf", "PDF"), ("csv", "CSV")])

    class Meta:
        ordering = ["-created_at"]
