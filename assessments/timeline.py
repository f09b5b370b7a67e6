"""NDT assessments and ReQoL-10 records on the person's timeline (caseload.timeline)."""

from assessments.models import Assessment, ReqolRecord
from caseload import timeline


def register():
    """Registered by AssessmentsConfig.ready()."""
    timeline.register_group("assessments", "Assessments (NDT, ReQoL-10)", position=70)
    timeline.register(
        timeline.Source(
            kind="ndt",
            group="assessments",
            template="assessments/timeline_entry.html",
            records=lambda person, user: Assessment.objects.completed().filter(person=person),
            at="completed_at",
            same_for_anyone=True,
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
            same_for_anyone=True,
            eager=lambda qs: qs.select_related("recorded_by"),
            date_only=True,
        )
    )
