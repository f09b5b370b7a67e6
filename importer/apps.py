from django.apps import AppConfig


class ImporterConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "importer"
    verbose_name = "Import from a previous system"

    def ready(self):
        from importer import timeline
        from importer.models import HeldPerson, ImportedRecord
        from smd import person_records

        timeline.register()
        person_records.register(ImportedRecord, path="person")
        person_records.register_excluded(
            HeldPerson,
            why=(
                "An incoming row waiting for a person to decide whether it is someone already "
                "on the record: it names the candidate, and may describe someone else."
            ),
        )
