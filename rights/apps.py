from django.apps import AppConfig


class RightsConfig(AppConfig):
    """A person's rights over their record: subject access exports, and erasure once the
    retention period has passed."""

    name = "rights"
    label = "rights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from rights.models import RetentionReview
        from smd import person_records

        person_records.register_excluded(
            RetentionReview,
            why=(
                "The retention list: the record that the person was due for erasure and of the "
                "decision taken. It holds the person's id and dates only."
            ),
        )
