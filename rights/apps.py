from django.apps import AppConfig


class RightsConfig(AppConfig):
    """A person's rights over their record: subject access exports, and erasure once the
    retention period has passed."""

    name = "rights"
    label = "rights"
    default_auto_field = "django.db.models.BigAutoField"
