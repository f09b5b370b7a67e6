from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit log: who viewed and who changed each person's record (ADR 0015)."""

    name = "smd.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"
