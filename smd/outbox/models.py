from django.db import models
from django.db.models import Q

from smd.models import BaseModel


class OutboxMessage(BaseModel):
    """One piece of later work: a Celery task by name and its keyword arguments. Written in the
    same transaction as the change that asks for it, so the work exists exactly when the
    change does; Celery is told after commit, and again by the sweep until the task says done."""

    class Status(models.TextChoices):
        PENDING = "pending", "Not yet handed to the task queue"
        ENQUEUED = "enqueued", "Handed to the task queue"
        DONE = "done", "Done"
        FAILED = "failed", "Given up"

    task = models.CharField(max_length=200, help_text="dotted path of a Celery task")
    kwargs = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Times the task queue accepted the message; a broker that was down does not count.
    attempts = models.PositiveSmallIntegerField(default=0)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            # The sweep reads only the rows still waiting; done rows are the vast majority.
            models.Index(
                fields=["created_at"],
                name="outbox_waiting",
                condition=Q(status__in=["pending", "enqueued"]),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="done", done_at__isnull=False) | ~Q(status="done"),
                name="outbox_done_has_time",
            )
        ]

    def __str__(self):
        return f"{self.task} ({self.get_status_display()})"
