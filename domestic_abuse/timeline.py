"""Domestic abuse on the person's timeline (caseload.timeline): each DASH checklist on the day
it was completed, each MARAC referral on the day it was made."""

from caseload import timeline
from caseload.models import records_of
from domestic_abuse.models import DashChecklist, MaracReferral


def register():
    """Registered by DomesticAbuseConfig.ready()."""
    timeline.register_group("domestic_abuse", "Domestic abuse", position=75)
    timeline.register(
        timeline.Source(
            kind="dash",
            group="domestic_abuse",
            template="domestic_abuse/timeline/checklist.html",
            records=lambda person, user: records_of(DashChecklist.objects, person, user),
            at="completed_on",
            eager=lambda qs: qs.select_related("assessor", "definition"),
            date_only=True,
        )
    )
    timeline.register(
        timeline.Source(
            kind="marac",
            group="domestic_abuse",
            template="domestic_abuse/timeline/marac.html",
            records=lambda person, user: records_of(MaracReferral.objects, person, user),
            at="referred_on",
            eager=lambda qs: qs.select_related("referred_by"),
            date_only=True,
        )
    )
