from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The caseload learns of assessments here, never by importing them: the timeline's
        # sources, My caseload's latest NDT and the person page's NDT and ReQoL-10 cards.
        from appointments import calendar as appointments_calendar
        from assessments import calendar, notifications, selectors, timeline
        from assessments.reqol import selectors as reqol_selectors
        from caseload import selectors as caseload_selectors

        notifications.register()
        timeline.register()
        caseload_selectors.register_caseload_columns(selectors.caseload_columns)
        caseload_selectors.register_person_annotations(selectors.person_annotations, once=True)
        caseload_selectors.register_person_annotations(
            reqol_selectors.person_annotations, once=True
        )
        appointments_calendar.register_feed_items(calendar.ndt_reviews_due)

        # Records about a person: read by record history, exports and erasure.
        from assessments.models import (
            Assessment,
            AssessmentCorrection,
            ItemScore,
            ReqolAnswer,
            ReqolRecord,
        )
        from smd import person_records

        person_records.register(Assessment, path="person")
        person_records.register(ItemScore, path="assessment__person")
        person_records.register(AssessmentCorrection, path="assessment__person")
        person_records.register(ReqolRecord, path="person")
        person_records.register(ReqolAnswer, path="record__person")
