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

        from caseload import selectors as caseload_selectors
        from sharing import selectors

        # The person page's sharing card reads the lawful basis from the person's own query.
        caseload_selectors.register_person_annotations(selectors.person_annotations, once=True)
