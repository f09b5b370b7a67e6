from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """Work that follows a write (an email, a build), recorded in the write's own transaction
    and handed to Celery after commit; a sweep hands over whatever never reached it."""

    name = "smd.outbox"
    label = "outbox"
    default_auto_field = "django.db.models.BigAutoField"
