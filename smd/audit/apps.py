from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit log: who viewed and who changed each person's record (ADR 0015)."""

    name = "smd.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from smd import person_records
        from smd.audit.models import AuditEvent

        person_records.register_excluded(
            AuditEvent,
            why=(
                "The audit log: who opened or changed the record, kept unchanged (append-only) "
                "so that access stays accountable after erasure. It holds the person's id only, "
                "never their details."
            ),
        )
