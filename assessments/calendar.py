"""NDT reviews in the lead navigator's calendar feed (appointments.calendar), registered by
AssessmentsConfig.ready(). Each names the person only by reference."""

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from appointments import calendar
from appointments.models import person_reference
from assessments.models import Assessment
from assessments.selectors import review_status_from
from caseload.models import Allocation, Episode, EpisodeStatus


def ndt_reviews_due(user, start, end):
    """The NDT baseline or review due for each person whose open episode the user leads, on
    the day it falls due (today, when already overdue). One query."""
    latest = (
        Assessment.objects.completed()
        .filter(episode=OuterRef("pk"))
        .order_by("-assessed_on")
        .values("assessed_on")[:1]
    )
    led = Allocation.objects.current().filter(worker=user, kind=Allocation.Kind.LEAD_NAVIGATOR)
    episodes = (
        Episode.objects.exclude(status=EpisodeStatus.CLOSED)
        .filter(pk__in=led.values("episode_id"))
        .annotate(latest_on=Subquery(latest))
        .values("person_id", "start_date", "accepted_on", "latest_on")
    )
    today = timezone.localdate()
    items = []
    for e in episodes:
        review = review_status_from(e["start_date"] or e["accepted_on"], e["latest_on"], today)
        on = max(review.due_on, today)
        if not start <= on <= end:
            continue
        what = "NDT review" if review.baseline_done else "NDT baseline"
        state = "overdue" if review.overdue else "due"
        items.append(
            calendar.Item(
                uid=f"ndt-{e['person_id']}-{review.due_on:%Y%m%d}@smd",
                title=f"{what} {state} · {person_reference(e['person_id'])}",
                start=on,
                path=reverse("assessments:history", args=[e["person_id"]]),
            )
        )
    return items
