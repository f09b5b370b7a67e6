from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "sharing"
    label = "sharing"
    verbose_name = "Consent and information sharing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from sharing import notifications

        notifications.register()

        from sharing.models import LawfulBasis, SharingAgreement
        from smd import person_records

        # Consent and sharing records about a person: in their history, export and erasure.
        person_records.register(LawfulBasis, path="person")
        person_records.register(SharingAgreement, path="person")
