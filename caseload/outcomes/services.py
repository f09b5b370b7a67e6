"""Writes on support plans and outcomes. Each runs in one transaction: all of it or none of it.

Dates of things that happened are never in the future; an old date is usually a typo, so
anything before OLDEST_RECORD_YEARS ago is refused too.
"""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from caseload.models import Person
from caseload.outcomes.models import (
    EVENT_UNITS,
    MAX_GOAL_STEPS,
    OPEN_GOAL_STATUSES,
    AccommodationChange,
    AccommodationStatus,
    BudgetSpend,
    EventKind,
    EventSource,
    Goal,
    GoalReview,
    GoalStatus,
    Money,
    OutcomesStarRecord,
    PersonalBudget,
    ServiceEvent,
)
from smd.models import Role, User
from smd.quarters import Quarter
from smd.submission import once_per_submission
from smd.versioning import UNCHECKED, version_claim

OLDEST_RECORD_YEARS = 5
# How far ahead a goal's review may be set: a plan is looked at again within the year.
LONGEST_REVIEW_DAYS = 366


def _past_date(day, *, field, what, errors):
    today = timezone.localdate()
    if day is None:
        errors[field] = f"Give the date {what}."
    elif day > today:
        errors[field] = "That date is in the future: record it once it has happened."
    elif day < today - timedelta(days=365 * OLDEST_RECORD_YEARS):
        errors[field] = f"Check the year: that is more than {OLDEST_RECORD_YEARS} years ago."


def _review_date(day, *, errors, field="review_on"):
    today = timezone.localdate()
    if day is None:
        errors[field] = "Give a date to look at this goal again."
    elif day < today:
        errors[field] = "That date has passed: choose today or later."
    elif day > today + timedelta(days=LONGEST_REVIEW_DAYS):
        errors[field] = "Choose a date within the next year."


def _clean_steps(steps):
    cleaned = []
    for step in steps:
        what = " ".join((step.get("what") or "").split())
        who = " ".join((step.get("who") or "").split())
        if what or who:
            cleaned.append({"what": what, "who": who})
    return cleaned


def _goal_errors(*, in_their_words, steps):
    errors = {}
    if not in_their_words.strip():
        errors["in_their_words"] = "Write the goal as the person said it."
    if any(not s["what"] for s in steps):
        errors["steps"] = "Each step needs to say what will be done."
    elif len(steps) > MAX_GOAL_STEPS:
        errors["steps"] = f"Keep to {MAX_GOAL_STEPS} steps: split a bigger goal in two."
    return errors


@transaction.atomic
@once_per_submission(Goal, same=lambda row, *, person, **_: row.person_id == person.pk)
def goal_add(
    *,
    person,
    by,
    in_their_words,
    review_on,
    strengths="",
    steps=(),
    status=GoalStatus.NOT_STARTED,
    submission_key=None,
):
    """Add a goal to the person's support plan, in their words, with a review date."""
    steps = _clean_steps(steps)
    errors = _goal_errors(in_their_words=in_their_words, steps=steps)
    if status not in OPEN_GOAL_STATUSES:
        errors["status"] = "A new goal is not started yet or in progress."
    _review_date(review_on, errors=errors)
    if errors:
        raise ValidationError(errors)
    return Goal.objects.create(
        person=person,
        episode=person.episodes.open().first(),
        in_their_words=in_their_words.strip(),
        strengths=strengths.strip(),
        steps=steps,
        status=status,
        review_on=review_on,
        recorded_by=by,
        submission_key=submission_key,
    )


@transaction.atomic
def goal_edit(*, goal, by, in_their_words, strengths="", steps=(), seen_version=UNCHECKED):
    """Change how a goal is written down: its words, strengths and steps (not its status)."""
    steps = _clean_steps(steps)
    errors = _goal_errors(in_their_words=in_their_words, steps=steps)
    if errors:
        raise ValidationError(errors)
    version_claim(record=goal, seen=seen_version)
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    goal.in_their_words = in_their_words.strip()
    goal.strengths = strengths.strip()
    goal.steps = steps
    goal.save(update_fields=["in_their_words", "strengths", "steps", "updated_at"])
    return goal


@transaction.atomic
@once_per_submission(GoalReview, same=lambda row, *, goal, **_: row.goal_id == goal.pk)
def goal_review(
    *, goal, by, to_status, review_on=None, note="", seen_version=UNCHECKED, submission_key=None
):
    """Review a goal: a new status (or the same one, still being worked on), a note, and the
    next review date while it stays open. Finishing a goal clears its review date."""
    version_claim(record=goal, seen=seen_version)
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    errors = {}
    if to_status not in GoalStatus.values:
        errors["to_status"] = "Choose how the goal is going."
    elif to_status in OPEN_GOAL_STATUSES:
        _review_date(review_on, errors=errors)
    else:
        if to_status == goal.status:
            errors["to_status"] = (
                f"This goal is already “{goal.get_status_display().lower()}”. "
                "Choose another status, or leave it as it is."
            )
        review_on = None
    if errors:
        raise ValidationError(errors)
    review = GoalReview.objects.create(
        goal=goal,
        from_status=goal.status,
        to_status=to_status,
        note=note.strip(),
        review_on=review_on,
        reviewed_by=by,
        submission_key=submission_key,
    )
    goal.status = to_status
    goal.review_on = review_on
    goal.save(update_fields=["status", "review_on", "updated_at"])
    return review


def _stay_parts(start, nights):
    """A stay of `nights` from `start`, cut at quarter edges: [(first day, nights)...]."""
    parts = []
    while nights > 0:
        quarter_end = Quarter.containing(start).end
        here = min(nights, (quarter_end - start).days + 1)
        parts.append((start, here))
        start += timedelta(days=here)
        nights -= here
    return parts


# A stay recorded in one go: longer than a year is a typo.
MAX_STAY = 366


@transaction.atomic
@once_per_submission(
    ServiceEvent,
    same=lambda first, *, person, **_: first.person_id == person.pk,
    found=lambda first: [first],
)
def service_event_record(
    *, person, by, kind, occurred_on, source, quantity=None, note="", submission_key=None
):
    """Record a service-use or crisis event. A stay (days in a mental-health ward, nights in
    custody or sleeping rough) is given from its first day or night and its length, and is
    split at quarter edges so each quarter counts its own nights. Returns the events made; the
    same form sent twice returns the first submission's event and records nothing."""
    errors = {}
    if kind not in EventKind.values:
        errors["kind"] = "Choose what happened."
    if source not in EventSource.values:
        errors["source"] = "Say how we know."
    _past_date(occurred_on, field="occurred_on", what="it happened", errors=errors)
    unit = EVENT_UNITS.get(kind)
    if unit:
        if not quantity or quantity < 1:
            errors["quantity"] = f"Say how many {unit}."
        elif quantity > MAX_STAY:
            errors["quantity"] = f"That is more than a year: check the number of {unit}."
        elif (
            "occurred_on" not in errors
            and occurred_on + timedelta(days=quantity - 1) > timezone.localdate()
        ):
            errors["quantity"] = (
                f"That runs past today: count the {unit} so far, and record the rest later."
            )
    elif kind in EventKind.values and quantity not in (None, 1):
        errors["quantity"] = "Record each one on its own: leave the number blank."
    if errors:
        raise ValidationError(errors)
    episode = person.episodes.open().first()
    parts = _stay_parts(occurred_on, quantity) if unit else [(occurred_on, 1)]
    events = [
        ServiceEvent(
            person=person,
            episode=episode,
            kind=kind,
            occurred_on=day,
            quantity=n,
            source=source,
            note=note.strip(),
            recorded_by=by,
            submission_key=submission_key if i == 0 else None,
        )
        for i, (day, n) in enumerate(parts)
    ]
    ServiceEvent.objects.bulk_create(events)
    return events


@transaction.atomic
@once_per_submission(
    AccommodationChange, same=lambda row, *, person, **_: row.person_id == person.pk
)
def accommodation_record(*, person, by, status, from_date, note="", submission_key=None):
    """Record where the person lives from a date on. Refuses a "change" to where they already
    lived on that date."""
    errors = {}
    if status not in AccommodationStatus.values:
        errors["status"] = "Choose where they live now."
    _past_date(from_date, field="from_date", what="this started", errors=errors)
    if status == AccommodationStatus.OTHER and not note.strip():
        errors["note"] = "Say where they live, as “other” tells the team nothing."
    if not errors:
        # Lock the person, so two workers recording at once don't both pass this check.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        before = (
            AccommodationChange.objects.filter(person=person, from_date__lte=from_date)
            .order_by("-from_date", "-created_at")
            .first()
        )
        if before is not None and before.status == status and status != AccommodationStatus.OTHER:
            errors["status"] = (
                f"They were already recorded as {before.get_status_display().lower()} "
                f"from {before.from_date:%-d %B %Y}."
            )
    if errors:
        raise ValidationError(errors)
    return AccommodationChange.objects.create(
        person=person,
        status=status,
        from_date=from_date,
        note=note.strip(),
        recorded_by=by,
        submission_key=submission_key,
    )


def _money(value, *, field, errors, what):
    if value is None:
        errors[field] = f"Give the {what} in pounds and pence, like 25.50."
    elif value <= 0:
        errors[field] = f"The {what} must be more than £0."
    elif value.as_tuple().exponent < -2:
        errors[field] = "Use pounds and pence: at most two digits after the point."


@transaction.atomic
@once_per_submission(PersonalBudget, same=lambda row, *, person, **_: row.person_id == person.pk)
def budget_offer(*, person, by, amount_offered, offered_on, note="", submission_key=None):
    """Offer the person a personal budget for this episode of support (one per episode)."""
    errors = {}
    _money(amount_offered, field="amount_offered", errors=errors, what="amount")
    _past_date(offered_on, field="offered_on", what="it was offered", errors=errors)
    episode = person.episodes.open().select_for_update().first()
    if episode is None:
        errors[NON_FIELD_ERRORS] = "A personal budget needs an open episode of support."
    elif PersonalBudget.objects.filter(episode=episode).exists():
        errors[NON_FIELD_ERRORS] = "This episode of support already has a personal budget."
    if errors:
        raise ValidationError(errors)
    return PersonalBudget.objects.create(
        person=person,
        episode=episode,
        amount_offered=amount_offered,
        offered_on=offered_on,
        note=note.strip(),
        offered_by=by,
        submission_key=submission_key,
    )


def spend_approvers(team):
    """Who may approve an ordinary spend: the team's active navigators and team leaders."""
    return User.objects.filter(
        team=team, is_active=True, role__in=[Role.NAVIGATOR, Role.TEAM_LEADER]
    )


@transaction.atomic
@once_per_submission(BudgetSpend, same=lambda row, *, budget, **_: row.budget_id == budget.pk)
def budget_spend_record(
    *,
    budget,
    by,
    spent_on,
    amount,
    purpose,
    approved_by,
    over_budget_reason="",
    submission_key=None,
):
    """Record a spend from a personal budget. Amounts are exact decimals. A spend that takes
    the total past the amount offered needs a team leader's approval with a reason: the team
    leader records it themself."""
    # Locked, so two spends recorded at once cannot both fit in the same balance.
    budget = PersonalBudget.objects.select_for_update().get(pk=budget.pk)
    errors = {}
    _money(amount, field="amount", errors=errors, what="amount")
    _past_date(spent_on, field="spent_on", what="of the spend", errors=errors)
    if "spent_on" not in errors and spent_on < budget.offered_on:
        errors["spent_on"] = (
            f"The budget was offered on {budget.offered_on:%-d %B %Y}: a spend can't be earlier."
        )
    if not purpose.strip():
        errors["purpose"] = "Say what the money was for."
    if errors:
        raise ValidationError(errors)
    spent = budget.spends.aggregate(total=Sum("amount", output_field=Money()))["total"] or Decimal(
        "0"
    )
    over = spent + amount > budget.amount_offered
    if over:
        balance = budget.amount_offered - spent
        if not by.can_overrule:
            raise ValidationError(
                {
                    "amount": f"This is £{amount - balance:.2f} more than the £{balance:.2f} left. "
                    "Spending beyond the budget needs a team leader's approval: ask a team "
                    "leader to record it, with the reason."
                }
            )
        if not over_budget_reason.strip():
            raise ValidationError(
                {
                    "over_budget_reason": f"This is £{amount - balance:.2f} more than the "
                    f"£{balance:.2f} left. Say why it should be spent anyway."
                }
            )
        approved_by = by
    elif approved_by is None or approved_by not in spend_approvers(budget.person.team_id):
        raise ValidationError({"approved_by": "Choose a navigator or team leader in the team."})
    return BudgetSpend.objects.create(
        budget=budget,
        spent_on=spent_on,
        amount=amount,
        purpose=purpose.strip(),
        approved_by=approved_by,
        recorded_by=by,
        over_budget=over,
        over_budget_reason=over_budget_reason.strip() if over else "",
        submission_key=submission_key,
    )


@transaction.atomic
@once_per_submission(
    OutcomesStarRecord, same=lambda row, *, person, **_: row.person_id == person.pk
)
def outcomes_star_record(*, person, by, completed_on, held_at, star_name="", submission_key=None):
    """Record that an Outcomes Star was completed elsewhere: the date and where it is held.
    Never its content."""
    errors = {}
    _past_date(completed_on, field="completed_on", what="it was completed", errors=errors)
    if not held_at.strip():
        errors["held_at"] = "Say where the Star is held, so the team can find it."
    if errors:
        raise ValidationError(errors)
    return OutcomesStarRecord.objects.create(
        person=person,
        completed_on=completed_on,
        held_at=held_at.strip(),
        star_name=star_name.strip(),
        recorded_by=by,
        submission_key=submission_key,
    )
