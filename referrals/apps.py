from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The caseload and the project package learn of referrals here, never by importing
        # them: the timeline's sources, the person page's referrals, the triage count at home.
        from caseload import selectors as caseload_selectors
        from referrals import notifications, selectors, timeline
        from smd import home

        notifications.register()
        timeline.register()
        caseload_selectors.register_person_prefetch(selectors.person_referrals)
        home.register(selectors.home_figures)

        # Records about a person: read by record history, exports and erasure.
        from referrals.models import EligibilityDecision, Referral
        from smd import person_records

        person_records.register(Referral, path="person")
        person_records.register(EligibilityDecision, path="referral__person")
