from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    """Quarterly returns: figures from every domain app, built by Celery into a PDF and CSV."""

    name = "smd.returns"
    label = "returns"
    default_auto_field = "django.db.models.BigAutoField"
