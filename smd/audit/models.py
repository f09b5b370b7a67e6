"""The audit log: one append-only row per access to, or change of, a person's record.

Rows are written (`smd.audit.services.audit_record`) and read, never changed or deleted: the
model, its queryset and, on PostgreSQL, a trigger refuse it (ADR 0015).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or delete an audit entry."""


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"
    DOWNLOAD = "download", "Downloaded"
    ERASE = "erase", "Erased"
    DENIED = "denied", "Denied (not found or not allowed)"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("Audit entries cannot be changed.")

    def delete(self):
        raise AuditLogIsAppendOnly("Audit entries cannot be deleted.")

    update.queryset_only = True
    delete.queryset_only = True


class AuditEvent(models.Model):
    """Who did what to whose record, when, and from where. Holds no personal data about the
    person beyond their id: the description says what kind of thing was seen or changed."""

    Action = AuditAction

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(default=timezone.now)
    # PROTECT: a user with audit entries is deactivated, never deleted. The username is kept
    # as it was, so the entry reads the same if the account is later renamed.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    # Deliberately not a foreign key: erasing a person must neither delete nor break the
    # record of who saw them.
    person_id = models.UUIDField(null=True, blank=True)
    object_type = models.CharField(max_length=100, blank=True, help_text='e.g. "caseload.contact"')
    object_id = models.CharField(max_length=64, blank=True)
    description = models.CharField(max_length=255, blank=True)
    path = models.CharField(max_length=500, blank=True, help_text="Without the query string.")
    method = models.CharField(max_length=10, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["person_id", "-at"], name="audit_person_at"),
            models.Index(fields=["user", "-at"], name="audit_user_at"),
            models.Index(fields=["-at"], name="audit_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=AuditAction.values),
                name="audit_action_valid",
            )
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or 'anonymous'} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogIsAppendOnly("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("Audit entries cannot be deleted.")
