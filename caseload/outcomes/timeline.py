"""The support plan's and outcomes' entries on the person's timeline (caseload.timeline)."""

from caseload import timeline
from caseload.models import (
    AccommodationChange,
    BudgetSpend,
    Goal,
    GoalReview,
    OutcomesStarRecord,
    PersonalBudget,
    ServiceEvent,
)


def register():
    """Registered by CaseloadConfig.ready()."""
    timeline.register_group("plan", "Support plan", position=50)
    timeline.register_group("outcomes", "Events, accommodation, budget and Stars", position=60)
    sources = [
        timeline.Source(
            kind="goal_added",
            group="plan",
            template="caseload/outcomes/timeline/goal_added.html",
            records=lambda person, user: Goal.objects.filter(person=person),
            at="created_at",
            same_for_anyone=True,
            eager=lambda qs: qs.select_related("recorded_by"),
        ),
        timeline.Source(
            kind="goal_reviewed",
            group="plan",
            template="caseload/outcomes/timeline/goal_reviewed.html",
            records=lambda person, user: GoalReview.objects.filter(goal__person=person),
            at="reviewed_at",
            same_for_anyone=True,
            eager=lambda qs: qs.select_related("goal", "reviewed_by"),
        ),
        timeline.Source(
            kind="service_event",
            group="outcomes",
            template="caseload/outcomes/timeline/service_event.html",
            records=lambda person, user: ServiceEvent.objects.filter(person=person),
            at="occurred_on",
            same_for_anyone=True,
            eager=lambda qs: qs.select_related("recorded_by"),
            date_only=True,
        ),
        timeline.Source(
            kind="accommodation",
            group="outcomes",
            template="caseload/outcomes/timeline/accommodation.html",
            records=lambda person, user: AccommodationChange.objects.filter(person=person),
            at="from_date",
            same_for_anyone=True,
            eager=lambda qs: qs.select_related("recorded_by"),
            date_only=True,
        ),
        timeline.Source(
            kind="budget_offered",
            group="outcomes",
            template="caseload/outcomes/timeline/budget_offered.html",
            records=lambda person, user: PersonalBudget.objects.filter(person=person),
            at="offered_on",
            same_for_anyone=True,
            eager=lambda qs: qs.select_related("offered_by"),
            date_only=True,
        ),
        timeline.Source(
            kind="budget_spend",
            group="outcomes",
            template="caseload/outcomes/timeline/budget_spend.html",
            records=lambda person, user: BudgetSpend.objects.filter(budget__person=person),
            at="spent_on",
            same_for_anyone=True,
            eager=lambda qs: qs.select_related("approved_by"),
            date_only=True,
        ),
        timeline.Source(
            kind="outcomes_star",
            group="outcomes",
            template="caseload/outcomes/timeline/outcomes_star.html",
            records=lambda person, user: OutcomesStarRecord.objects.filter(person=person),
            at="completed_on",
            same_for_anyone=True,
            date_only=True,
        ),
    ]
    for source in sources:
        timeline.register(source)
