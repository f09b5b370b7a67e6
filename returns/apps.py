from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    """Quarterly returns: figures from every domain app, built by Celery into a PDF and CSV."""

    name = "returns"
    label = "returns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        import returns.extract.tasks  # noqa: F401 - the worker learns the extract's task
        from returns.extract.services import extract_builds_recover
        from returns.services import return_builds_recover
        from smd.outbox.services import register_recovery

        # The outbox sweep (every minute) also restarts builds whose worker died.
        register_recovery(return_builds_recover)
        register_recovery(extract_builds_recover)
