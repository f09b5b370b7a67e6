from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from assessments.models import Assessment, ReqolRecord
        from caseload import timeline

        timeline.register_group("assessments", "Assessments (NDT, ReQoL-10)")
        timeline.register(
            timeline.Source(
                kind="ndt",
                group="assessments",
                template="assessments/timeline_entry.html",
                records=lambda person, user: Assessment.objects.completed().filter(person=person),
                at="completed_at",
                eager=lambda qs: qs.select_related("scheme", "assessor"),
            )
        )
        timeline.register(
            timeline.Source(
                kind="reqol",
                group="assessments",
                template="assessments/reqol_timeline_entry.html",
                records=lambda person, user: ReqolRecord.objects.filter(person=person),
                at="completed_on",
                eager=lambda qs: qs.select_related("recorded_by"),
                date_only=True,
            )
        )

        # Records about a person: read by record history, exports and erasure.
        from assessments.models import AssessmentCorrection, ItemScore, ReqolAnswer
        from smd import person_records

        person_records.register(Assessment, path="person")
        person_records.register(ItemScore, path="assessment__person")
        person_records.register(AssessmentCorrection, path="assessment__person")
        person_records.register(ReqolRecord, path="person")
        person_records.register(ReqolAnswer, path="record__person")
