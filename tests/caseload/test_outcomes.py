"""Support plans and outcomes: goals and their reviews, service use and crisis events counted by
quarter, accommodation over time, personal budgets in exact money, Outcomes Stars."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from caseload.models import (
    AccommodationChange,
    BudgetSpend,
    EventKind,
    Goal,
    GoalReview,
    GoalStatus,
    Person,
    ServiceEvent,
)
from caseload.outcomes import selectors as outcomes
from caseload.outcomes import services
from smd.models import Role
from smd.quarters import Quarter
from tests.factories import EpisodeFactory, PersonFactory

Q3 = Quarter(2025, 3)  # 1 October to 31 December 2025


def record(person, by, kind, on, quantity=None, source="self_reported"):
    return services.service_event_record(
        person=person, by=by, kind=kind, occurred_on=on, quantity=quantity, source=source
    )


# --- the support plan --------------------------------------------------------------------------


def test_a_goal_is_kept_in_their_words_with_steps(person, episode, navigator):
    goal = services.goal_add(
        person=person,
        by=navigator,
        in_their_words="  Get my own flat near my sister  ",
        strengths="Knows the area; good with her nephew",
        steps=[
            {"what": "Register for housing", "who": "Peggy"},
            {"what": "", "who": ""},
            {"what": "Ring the housing officer", "who": "Nadia"},
        ],
        review_on=timezone.localdate() + timedelta(weeks=6),
    )
    assert goal.in_their_words == "Get my own flat near my sister"
    assert goal.steps == [
        {"what": "Register for housing", "who": "Peggy"},
        {"what": "Ring the housing officer", "who": "Nadia"},
    ]
    assert goal.status == GoalStatus.NOT_STARTED and goal.episode == episode


def test_a_goal_needs_words_and_a_review_date_not_in_the_past(person, navigator):
    with pytest.raises(ValidationError) as error:
        services.goal_add(
            person=person,
            by=navigator,
            in_their_words=" ",
            steps=[{"what": "", "who": "Nadia"}],
            review_on=timezone.localdate() - timedelta(days=1),
        )
    assert set(error.value.message_dict) == {"in_their_words", "steps", "review_on"}
    assert not Goal.objects.exists()


@pytest.fixture
def goal(person, episode, navigator):
    return services.goal_add(
        person=person,
        by=navigator,
        in_their_words="Stop drinking in the mornings",
        review_on=timezone.localdate() + timedelta(weeks=4),
    )


def test_reviewing_a_goal_keeps_its_history(goal, navigator, peer_mentor):
    later = timezone.localdate() + timedelta(weeks=8)
    services.goal_review(
        goal=goal, by=navigator, to_status=GoalStatus.IN_PROGRESS, review_on=later, note="Started"
    )
    # A review that keeps the status moves the review date on.
    services.goal_review(
        goal=goal,
        by=peer_mentor,
        to_status=GoalStatus.IN_PROGRESS,
        review_on=later + timedelta(weeks=4),
    )
    services.goal_review(goal=goal, by=navigator, to_status=GoalStatus.ACHIEVED, note="Done!")
    goal.refresh_from_db()
    assert goal.status == GoalStatus.ACHIEVED and goal.review_on is None
    history = list(goal.reviews.order_by("reviewed_at").values_list("from_status", "to_status"))
    assert history == [
        ("not_started", "in_progress"),
        ("in_progress", "in_progress"),
        ("in_progress", "achieved"),
    ]
    assert [r.changed_status for r in goal.reviews.order_by("reviewed_at")] == [True, False, True]


def test_an_open_goal_needs_its_next_review_date(goal, navigator):
    with pytest.raises(ValidationError) as error:
        services.goal_review(goal=goal, by=navigator, to_status=GoalStatus.IN_PROGRESS)
    assert "review_on" in error.value.message_dict
    assert not GoalReview.objects.exists()


def test_a_finished_goal_cannot_be_finished_twice_but_can_reopen(goal, navigator):
    services.goal_review(goal=goal, by=navigator, to_status=GoalStatus.NO_LONGER_RELEVANT)
    with pytest.raises(ValidationError):
        services.goal_review(goal=goal, by=navigator, to_status=GoalStatus.NO_LONGER_RELEVANT)
    services.goal_review(
        goal=goal,
        by=navigator,
        to_status=GoalStatus.IN_PROGRESS,
        review_on=timezone.localdate(),
    )
    goal.refresh_from_db()
    assert goal.is_open and goal.review_on == timezone.localdate()


def test_the_database_refuses_an_open_goal_without_a_review_date(goal):
    with pytest.raises(IntegrityError), transaction.atomic():
        Goal.objects.filter(pk=goal.pk).update(review_on=None)


def test_the_plan_lists_open_goals_by_review_date_then_finished_ones(person, episode, navigator):
    today = timezone.localdate()
    late = services.goal_add(
        person=person, by=navigator, in_their_words="Later", review_on=today + timedelta(days=30)
    )
    soon = services.goal_add(
        person=person, by=navigator, in_their_words="Soon", review_on=today + timedelta(days=3)
    )
    done = services.goal_add(person=person, by=navigator, in_their_words="Done", review_on=today)
    services.goal_review(goal=done, by=navigator, to_status=GoalStatus.ACHIEVED)
    current, finished = outcomes.support_plan(person)
    assert current == [soon, late] and finished == [done]
    summary = outcomes.person_outcomes(person)
    assert summary["open_goal_count"] == 2 and summary["goal_count"] == 3
    assert summary["next_review"] == soon.review_on


# --- service use and crisis events -------------------------------------------------------------


def test_events_on_the_first_and_last_day_of_a_quarter_count_in_it(person, navigator):
    record(person, navigator, EventKind.AE_ATTENDANCE, date(2025, 9, 30))  # Q2's last day
    record(person, navigator, EventKind.AE_ATTENDANCE, date(2025, 10, 1))  # Q3's first day
    record(person, navigator, EventKind.ARREST, date(2025, 12, 31))  # Q3's last day
    record(person, navigator, EventKind.ARREST, date(2026, 1, 1))  # Q4's first day
    people = Person.objects.all()
    q3 = outcomes.event_counts(people, Q3.start, Q3.end)[person.pk]
    assert q3[EventKind.AE_ATTENDANCE] == 1 and q3[EventKind.ARREST] == 1
    q2 = outcomes.event_counts(people, Quarter(2025, 2).start, Quarter(2025, 2).end)[person.pk]
    assert q2[EventKind.AE_ATTENDANCE] == 1 and q2[EventKind.ARREST] == 0
    q4 = outcomes.event_counts(people, Quarter(2025, 4).start, Quarter(2025, 4).end)[person.pk]
    assert q4[EventKind.ARREST] == 1 and q4[EventKind.AE_ATTENDANCE] == 0


def test_stays_count_nights_and_are_split_at_quarter_edges(person, navigator):
    # Three nights sleeping rough from 30 December: two in Q3, one in Q4.
    made = record(person, navigator, EventKind.ROUGH_SLEEPING, date(2025, 12, 30), quantity=3)
    assert [(e.occurred_on, e.quantity) for e in made] == [
        (date(2025, 12, 30), 2),
        (date(2026, 1, 1), 1),
    ]
    record(person, navigator, EventKind.CUSTODY, date(2025, 10, 1), quantity=5)
    record(person, navigator, EventKind.AMBULANCE, date(2025, 11, 5))
    q3 = outcomes.event_counts(Person.objects.all(), Q3.start, Q3.end)[person.pk]
    assert q3[EventKind.ROUGH_SLEEPING] == 2
    assert q3[EventKind.CUSTODY] == 5
    assert q3[EventKind.AMBULANCE] == 1


def test_a_stay_needs_its_length_and_other_events_are_one_each(person, navigator):
    with pytest.raises(ValidationError) as error:
        record(person, navigator, EventKind.CUSTODY, date(2025, 10, 1))
    assert error.value.message_dict["quantity"] == ["Say how many nights."]
    with pytest.raises(ValidationError) as error:
        record(person, navigator, EventKind.ARREST, date(2025, 10, 1), quantity=3)
    assert "quantity" in error.value.message_dict
    assert not ServiceEvent.objects.exists()


def test_events_cannot_be_in_the_future_nor_run_past_today(person, navigator):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        record(person, navigator, EventKind.EVICTION, today + timedelta(days=1))
    assert "occurred_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        record(person, navigator, EventKind.ROUGH_SLEEPING, today - timedelta(days=1), quantity=3)
    assert "quantity" in error.value.message_dict
    record(person, navigator, EventKind.ROUGH_SLEEPING, today - timedelta(days=1), quantity=2)


def test_the_database_refuses_a_night_count_on_an_arrest(person, navigator):
    (event,) = record(person, navigator, EventKind.ARREST, date(2025, 10, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceEvent.objects.filter(pk=event.pk).update(quantity=2)


def test_the_same_form_sent_twice_records_one_event(person, navigator):
    import uuid

    key = uuid.uuid4()
    for _ in range(2):
        services.service_event_record(
            person=person,
            by=navigator,
            kind=EventKind.ARREST,
            occurred_on=date(2025, 10, 1),
            source="partner_record",
            submission_key=key,
        )
    assert ServiceEvent.objects.count() == 1


def test_this_quarter_against_the_first_quarter_on_the_programme(team, navigator, count_queries):
    # Peggy started in the last days of Q1 2025/26; Lee on the first day of Q2.
    peggy = PersonFactory(team=team)
    EpisodeFactory(person=peggy, accepted_on=date(2025, 6, 20), start_date=date(2025, 6, 30))
    lee = PersonFactory(team=team)
    EpisodeFactory(person=lee, accepted_on=date(2025, 6, 25), start_date=None)
    # A later episode does not move Lee's first quarter.
    EpisodeFactory(
        person=lee, accepted_on=date(2025, 7, 1), start_date=date(2025, 7, 1), closed=True
    )
    nobody = PersonFactory(team=team)  # no episode: no first quarter
    record(peggy, navigator, EventKind.AE_ATTENDANCE, date(2025, 4, 1))
    record(peggy, navigator, EventKind.AE_ATTENDANCE, date(2025, 6, 30))
    record(peggy, navigator, EventKind.ROUGH_SLEEPING, date(2025, 6, 1), quantity=10)
    record(peggy, navigator, EventKind.ROUGH_SLEEPING, date(2025, 7, 1), quantity=1)  # Q2
    record(peggy, navigator, EventKind.AE_ATTENDANCE, date(2025, 10, 1))  # Q3
    record(lee, navigator, EventKind.ARREST, date(2025, 6, 25))  # Lee's first quarter: Q1
    record(lee, navigator, EventKind.ARREST, date(2025, 12, 31))
    record(lee, navigator, EventKind.ARREST, date(2025, 12, 31))

    with count_queries.during() as counted:
        found = outcomes.event_comparison(Person.objects.filter(team=team), Q3)
    assert len(counted) == 2

    p = found[peggy.pk]
    assert p.first_quarter == Quarter(2025, 1) and p.comparable
    assert p.first[EventKind.AE_ATTENDANCE] == 2 and p.first[EventKind.ROUGH_SLEEPING] == 10
    assert p.this[EventKind.AE_ATTENDANCE] == 1 and p.this[EventKind.ROUGH_SLEEPING] == 0
    le = found[lee.pk]
    assert le.first_quarter == Quarter(2025, 1)
    assert le.first[EventKind.ARREST] == 1 and le.this[EventKind.ARREST] == 2
    assert found[nobody.pk].first_quarter is None and not found[nobody.pk].comparable
    # The return adds up each person's counts for this quarter, kind by kind.
    totals = {kind: sum(c.this[kind] for c in found.values()) for kind in EventKind.values}
    assert totals[EventKind.ARREST] == 2 and totals[EventKind.AE_ATTENDANCE] == 1


def test_event_figures_cost_the_same_for_many_people(team, navigator, count_queries):
    people = [PersonFactory(team=team) for _ in range(12)]
    for someone in people:
        EpisodeFactory(person=someone, accepted_on=date(2025, 5, 1), start_date=date(2025, 5, 2))
        record(someone, navigator, EventKind.ARREST, date(2025, 5, 3))
        record(someone, navigator, EventKind.ARREST, date(2025, 11, 3))
    with count_queries.during() as counted:
        found = outcomes.event_comparison(Person.objects.filter(team=team), Q3)
        outcomes.event_counts(Person.objects.filter(team=team), Q3.start, Q3.end)
    assert len(counted) == 3
    assert all(
        c.first[EventKind.ARREST] == 1 and c.this[EventKind.ARREST] == 1 for c in found.values()
    )


# --- accommodation -----------------------------------------------------------------------------


def test_accommodation_history_and_where_they_lived_on_a_day(person, navigator):
    services.accommodation_record(
        person=person, by=navigator, status="rough_sleeping", from_date=date(2025, 6, 1)
    )
    services.accommodation_record(
        person=person, by=navigator, status="hostel", from_date=date(2025, 9, 30)
    )
    other = PersonFactory(team=person.team)
    people = Person.objects.all()
    assert outcomes.accommodation_on(people, date(2025, 9, 29)) == {
        person.pk: "rough_sleeping",
        other.pk: None,
    }
    assert outcomes.accommodation_on(people, date(2025, 9, 30))[person.pk] == "hostel"
    summary = outcomes.person_outcomes(person)
    assert (summary["home_status"], summary["home_since"]) == ("hostel", date(2025, 9, 30))
    assert [c.status for c in outcomes.accommodation_history(person)] == [
        "hostel",
        "rough_sleeping",
    ]


def test_accommodation_refuses_no_change_other_without_a_note_and_the_future(person, navigator):
    services.accommodation_record(
        person=person, by=navigator, status="sofa_surfing", from_date=date(2025, 6, 1)
    )
    with pytest.raises(ValidationError) as error:
        services.accommodation_record(
            person=person, by=navigator, status="sofa_surfing", from_date=date(2025, 7, 1)
        )
    assert "already recorded as sofa surfing" in error.value.message_dict["status"][0]
    with pytest.raises(ValidationError) as error:
        services.accommodation_record(
            person=person, by=navigator, status="other", from_date=date(2025, 7, 1)
        )
    assert "note" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.accommodation_record(
            person=person,
            by=navigator,
            status="settled",
            from_date=timezone.localdate() + timedelta(days=1),
        )
    assert "from_date" in error.value.message_dict
    assert AccommodationChange.objects.count() == 1


# --- personal budgets --------------------------------------------------------------------------


@pytest.fixture
def budget(person, episode, navigator):
    return services.budget_offer(
        person=person,
        by=navigator,
        amount_offered=Decimal("100.00"),
        offered_on=timezone.localdate() - timedelta(days=10),
    )


def spend(budget, by, amount, approved_by=None, reason=""):
    return services.budget_spend_record(
        budget=budget,
        by=by,
        spent_on=timezone.localdate(),
        amount=Decimal(amount),
        purpose="Bus pass",
        approved_by=approved_by or by,
        over_budget_reason=reason,
    )


def test_budget_arithmetic_is_exact_in_pounds_and_pence(budget, navigator):
    # Ten spends of 10p and three of £32.97: as floats these would not sum exactly.
    for _ in range(10):
        spend(budget, navigator, "0.10")
    for _ in range(3):
        spend(budget, navigator, "32.97")
    found = outcomes.person_budgets(budget.person).get()
    assert found.spent == Decimal("99.91")
    assert found.balance == Decimal("0.09")
    assert isinstance(found.balance, Decimal)
    # Spending exactly what is left is not an overspend.
    last = spend(budget, navigator, "0.09")
    assert not last.over_budget
    assert outcomes.person_budgets(budget.person).get().balance == Decimal("0.00")
    summary = outcomes.person_outcomes(budget.person)
    assert summary["budget_balance"] == Decimal("0.00")
    assert summary["budget_offered"] == Decimal("100.00")


def test_an_overspend_needs_a_team_leader_and_a_reason(budget, navigator, team_leader):
    spend(budget, navigator, "99.99")
    with pytest.raises(ValidationError) as error:
        spend(budget, navigator, "0.02", approved_by=team_leader)
    assert "£0.01 more than the £0.01 left" in error.value.message_dict["amount"][0]
    assert "team leader" in error.value.message_dict["amount"][0]
    with pytest.raises(ValidationError) as error:
        spend(budget, team_leader, "0.02")
    assert "over_budget_reason" in error.value.message_dict
    over = spend(budget, team_leader, "0.02", reason="Deposit shortfall; the landlord won't wait")
    assert over.over_budget and over.approved_by == team_leader
    assert outcomes.person_budgets(budget.person).get().balance == Decimal("-0.01")


def test_the_database_refuses_an_overspend_without_a_reason(budget, navigator, team_leader):
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetSpend.objects.create(
            budget=budget,
            spent_on=timezone.localdate(),
            amount=Decimal("500"),
            purpose="Furniture",
            approved_by=team_leader,
            recorded_by=team_leader,
            over_budget=True,
        )


def test_money_must_be_positive_pounds_and_pence(person, episode, navigator, budget):
    with pytest.raises(ValidationError) as error:
        spend(budget, navigator, "0")
    assert "more than £0" in error.value.message_dict["amount"][0]
    with pytest.raises(ValidationError) as error:
        spend(budget, navigator, "1.005")
    assert "two digits" in error.value.message_dict["amount"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetSpend.objects.create(
            budget=budget,
            spent_on=timezone.localdate(),
            amount=Decimal("-5"),
            purpose="Refund",
            approved_by=navigator,
            recorded_by=navigator,
        )


def test_an_ordinary_spend_is_approved_by_someone_in_the_team(budget, navigator, make_user):
    peer = make_user(Role.PEER_MENTOR)
    with pytest.raises(ValidationError) as error:
        spend(budget, navigator, "5.00", approved_by=peer)
    assert "approved_by" in error.value.message_dict


def test_one_budget_per_episode(budget, person, navigator):
    with pytest.raises(ValidationError):
        services.budget_offer(
            person=person,
            by=navigator,
            amount_offered=Decimal("50"),
            offered_on=timezone.localdate(),
        )


# --- Outcomes Star -----------------------------------------------------------------------------


def test_an_outcomes_star_is_recorded_by_date_and_place_only(person, navigator):
    services.outcomes_star_record(
        person=person,
        by=navigator,
        completed_on=date(2025, 10, 1),
        held_at="Turning Point's Star Online account",
    )
    services.outcomes_star_record(
        person=person, by=navigator, completed_on=date(2025, 12, 31), held_at="Paper file"
    )
    counted = outcomes.outcomes_star_count(Person.objects.all(), Q3.start, Q3.end)
    assert counted == {"stars": 2, "people": 1}
    assert outcomes.person_outcomes(person)["star_count"] == 2
    with pytest.raises(ValidationError):
        services.outcomes_star_record(
            person=person, by=navigator, completed_on=date(2025, 10, 1), held_at=""
        )


def test_demo_data_gives_peggy_a_plan_and_outcomes_once(db, settings, shipped_schemes):
    import io

    from django.core.management import call_command

    from assessments.models import ReqolDefinition

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    peggy = Person.objects.get(known_as="Peggy")
    current, finished = outcomes.support_plan(peggy)
    assert len(current) == 2 and len(finished) == 1
    summary = outcomes.person_outcomes(peggy)
    assert summary["home_status"] == "hostel" and summary["star_count"] == 1
    assert summary["budget_balance"] == Decimal("244.51")
    assert ServiceEvent.objects.filter(person=peggy).count() >= 8
    # ReQoL-10's wording is licensed: the demo loads none, so the page says it is unavailable.
    assert not ReqolDefinition.objects.exists()
