"""NDT reminders for the lead navigator: a review (or baseline) coming due, and overdue.
Registered by AssessmentsConfig.ready(); the daily sweep makes each once per due date."""

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.urls import reverse

from assessments.models import Assessment
from assessments.selectors import review_status_from
from caseload.models import Allocation, EpisodeStatus
from smd.notifications.services import notify, register_kind, register_sweep

DUE_SOON = "ndt_review_due"
OVERDUE = "ndt_review_overdue"


def register():
    register_kind(DUE_SOON, label="NDT review coming due")
    register_kind(OVERDUE, label="NDT review overdue")
    register_sweep(ndt_reviews_sweep)


def ndt_reviews_sweep(*, today):
    """Each active or waiting episode's next NDT, told to its lead navigator
    NDT_REMINDER_DAYS before it is due, and again once it is overdue."""
    latest = (
        Assessment.objects.completed()
        .filter(episode=OuterRef("episode"))
        .order_by("-assessed_on")
        .values("assessed_on")[:1]
    )
    leads = (
        Allocation.objects.current()
        .filter(
            kind=Allocation.Kind.LEAD_NAVIGATOR,
            episode__status__in=[EpisodeStatus.ACTIVE, EpisodeStatus.AWAITING_ALLOCATION],
        )
        .annotate(latest_on=Subquery(latest))
        .select_related("episode", "worker")
    )
    made = 0
    for lead in leads:
        episode = lead.episode
        began = episode.start_date or episode.accepted_on
        if began is None and lead.latest_on is None:
            continue
        review = review_status_from(began, lead.latest_on, today=today)
        if review.days > settings.NDT_REMINDER_DAYS:
            continue
        what = "NDT review" if review.baseline_done else "NDT baseline"
        if review.overdue:
            kind, title = OVERDUE, f"{what} overdue since {review.due_on:%-d %B %Y}"
        else:
            kind, title = DUE_SOON, f"{what} due on {review.due_on:%-d %B %Y}"
        made += bool(
            notify(
                user=lead.worker,
                kind=kind,
                key=f"episode:{episode.pk}",
                due=review.due_on,
                title=f"{title} for a person on your caseload",
                url=reverse("assessments:history", args=[episode.person_id]),
            )
        )
    return made
