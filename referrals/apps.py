from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Records about a person: read by record history, exports and erasure.
        from referrals.models import EligibilityDecision, Referral
        from smd import person_records

        person_records.register(Referral, path="person")
        person_records.register(EligibilityDecision, path="referral__person")
