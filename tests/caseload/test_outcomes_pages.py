"""The plan and outcomes pages: what each role can do there, forms that keep what was typed,
the plan as a PDF, the events card on the person page, and what the page costs."""

import io
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from caseload.models import (
    AccommodationChange,
    Allocation,
    BudgetSpend,
    EventKind,
    Goal,
    GoalStatus,
    OutcomesStarRecord,
    ServiceEvent,
)
from caseload.outcomes import services
from smd.models import Role
from tests.factories import AllocationFactory, PersonFactory, current_version, new_key


@pytest.fixture
def peggy(person, episode, navigator, peer_mentor):
    AllocationFactory(episode=episode, worker=navigator, kind=Allocation.Kind.LEAD_NAVIGATOR)
    AllocationFactory(episode=episode, worker=peer_mentor, kind=Allocation.Kind.PEER_MENTOR)
    return person


def url(name, person, *args):
    return reverse(f"caseload:{name}", args=[person.pk, *args])


def in_weeks(n):
    return (timezone.localdate() + timedelta(weeks=n)).isoformat()


# --- the support plan --------------------------------------------------------------------------


def test_a_navigator_adds_a_goal_in_the_persons_words(navigator_client, peggy):
    response = navigator_client.post(
        url("goal_new", peggy),
        {
            **new_key(),
            "in_their_words": "Get my own flat near my sister",
            "strengths": "Knows the area",
            "step_1_what": "Register for housing",
            "step_1_who": "Peggy",
            "step_2_what": "Ring the housing officer",
            "step_2_who": "Nadia",
            "status": "not_started",
            "review_on": in_weeks(6),
        },
    )
    assert response.status_code == 302 and response["Location"] == url("plan", peggy)
    goal = Goal.objects.get()
    assert goal.steps[1] == {"what": "Ring the housing officer", "who": "Nadia"}
    page = navigator_client.get(url("plan", peggy)).content.decode()
    assert "“Get my own flat near my sister”" in page and "Ring the housing officer" in page


def test_a_goal_form_with_errors_keeps_what_was_typed(navigator_client, peggy):
    response = navigator_client.post(
        url("goal_new", peggy),
        {
            **new_key(),
            "in_their_words": "",
            "strengths": "Brave, funny",
            "step_1_who": "Peggy",
            "status": "in_progress",
            "review_on": "2001-01-01",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: " in page
    assert "Write the goal as Peggy said it." in page
    assert "Say what will be done, or clear who does it." in page
    assert "Brave, funny" in page
    assert not Goal.objects.exists()


def test_a_review_changes_the_status_and_the_next_date(navigator_client, peggy, navigator):
    goal = services.goal_add(
        person=peggy, by=navigator, in_their_words="Walk the dog", review_on=timezone.localdate()
    )
    response = navigator_client.post(
        url("goal_review", peggy, goal.pk),
        {
            **new_key(),
            "to_status": "in_progress",
            "review_on": in_weeks(8),
            "note": "Going well",
            "version": current_version(goal),
        },
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.status == GoalStatus.IN_PROGRESS
    assert goal.review_on == timezone.localdate() + timedelta(weeks=8)
    # Open again without a date: refused, and nothing changes.
    response = navigator_client.post(
        url("goal_review", peggy, goal.pk),
        {**new_key(), "to_status": "in_progress", "version": current_version(goal)},
    )
    assert response.status_code == 400 and "Give a date to look at this goal again." in (
        response.content.decode()
    )
    assert goal.reviews.count() == 1


def test_a_peer_mentor_adds_goals_for_their_own_people_only(peer_mentor_client, peggy, team):
    response = peer_mentor_client.post(
        url("goal_new", peggy),
        {
            **new_key(),
            "in_their_words": "See my kids",
            "status": "not_started",
            "review_on": in_weeks(4),
        },
    )
    assert response.status_code == 302
    stranger = PersonFactory(team=team)
    assert peer_mentor_client.get(url("plan", stranger)).status_code == 404
    assert peer_mentor_client.get(url("goal_new", stranger)).status_code == 404


def test_a_manager_reads_the_plan_but_does_not_change_it(client_for, make_user, peggy):
    manager = client_for(make_user(Role.MANAGER))
    page = manager.get(url("plan", peggy))
    assert page.status_code == 200 and "Add a goal" not in page.content.decode()
    assert manager.get(url("goal_new", peggy)).status_code == 403


def test_the_plan_prints_as_a_one_page_pdf_in_their_words(navigator_client, peggy, navigator):
    today = timezone.localdate()
    for words, steps in [
        (
            "Get my own flat near my sister",
            [
                {"what": "Put in a housing bid", "who": "Peggy"},
                {"what": "Ring Housing Options", "who": "Nadia"},
            ],
        ),
        ("Stop drinking in the mornings", [{"what": "Go to the Tuesday group", "who": "Peggy"}]),
        ("See my kids at Christmas", [{"what": "Write to the social worker", "who": "Nadia"}]),
    ]:
        services.goal_add(
            person=peggy,
            by=navigator,
            in_their_words=words,
            strengths="Determined; her sister is on side",
            steps=steps,
            review_on=today + timedelta(weeks=6),
        )
    done = services.goal_add(
        person=peggy, by=navigator, in_their_words="Get a bus pass", review_on=today
    )
    services.goal_review(goal=done, by=navigator, to_status=GoalStatus.ACHIEVED)

    response = navigator_client.get(url("plan_pdf", peggy))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Kelly" not in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Peggy's support plan" in text
    assert "Get my own flat near my sister" in text
    assert "Stop drinking in the mornings" in text
    assert "Ring Housing Options (Nadia)" in text
    assert "What I have done" in text and "Get a bus pass" in text
    assert "Your navigator is Nadia" in text


# --- events ------------------------------------------------------------------------------------


def event_form(**changes):
    data = {
        "submission_key": str(uuid.uuid4()),
        "kind": "ae_attendance",
        "occurred_on": timezone.localdate().isoformat(),
        "quantity": "",
        "source": "self_reported",
        "note": "",
    }
    data.update(changes)
    return data


def test_an_event_is_recorded_from_the_person_page_in_place(navigator_client, peggy):
    page = navigator_client.get(peggy.get_absolute_url()).content.decode()
    assert 'id="events-panel"' in page and "Record an event" in page
    form = navigator_client.get(
        url("event_new", peggy), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="events-panel"
    )
    assert "<html" not in form.content.decode() and "What happened" in form.content.decode()
    response = navigator_client.post(
        url("event_new", peggy),
        event_form(
            kind="rough_sleeping",
            quantity="3",
            occurred_on=(timezone.localdate() - timedelta(days=3)).isoformat(),
        ),
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "✔ Recorded: Rough sleeping" in body
    assert 'id="timeline" aria-labelledby="timeline-h" hx-swap-oob="true"' in body
    assert sum(e.quantity for e in ServiceEvent.objects.all()) == 3


def test_an_event_with_errors_comes_back_in_place_with_what_was_typed(navigator_client, peggy):
    response = navigator_client.post(
        url("event_new", peggy),
        event_form(kind="custody", note="Remanded at the weekend"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Say how many nights." in body and "Remanded at the weekend" in body
    assert not ServiceEvent.objects.exists()


def test_an_event_without_javascript_redirects_to_the_person(navigator_client, peggy):
    response = navigator_client.post(url("event_new", peggy), event_form())
    assert response.status_code == 302 and response["Location"] == peggy.get_absolute_url()
    page = navigator_client.get(peggy.get_absolute_url()).content.decode()
    assert "A&amp;E attendance: <strong>1</strong>" in page


def test_the_events_page_compares_this_quarter_with_the_first(navigator_client, peggy, navigator):
    services.service_event_record(
        person=peggy,
        by=navigator,
        kind=EventKind.ARREST,
        occurred_on=timezone.localdate(),
        source="partner_record",
    )
    page = navigator_client.get(url("events", peggy))
    assert page.status_code == 200
    assert page.context["comparison"].this[EventKind.ARREST] == 1
    assert "first quarter on the programme" in page.content.decode()


# --- accommodation -----------------------------------------------------------------------------


def test_accommodation_changes_are_recorded_and_shown(navigator_client, peggy):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = navigator_client.post(
        url("accommodation", peggy),
        {**new_key(), "status": "hostel", "from_date": yesterday, "note": "St Anne's"},
    )
    assert response.status_code == 302
    page = navigator_client.get(peggy.get_absolute_url()).content.decode()
    assert "<strong>Hostel or supported accommodation</strong> since" in page
    bad = navigator_client.post(
        url("accommodation", peggy),
        {**new_key(), "status": "other", "from_date": yesterday, "note": ""},
    )
    assert bad.status_code == 400 and "Say where they live" in bad.content.decode()
    assert AccommodationChange.objects.count() == 1


def test_an_mdt_chair_reads_accommodation_but_cannot_record(client_for, make_user, peggy):
    chair = client_for(make_user(Role.MDT_CHAIR))
    page = chair.get(url("accommodation", peggy))
    assert page.status_code == 200 and "Record a change" not in page.content.decode()
    assert chair.post(url("accommodation", peggy), {"status": "hostel"}).status_code == 403


# --- personal budgets --------------------------------------------------------------------------


def test_a_budget_is_offered_and_spent_in_pounds_and_pence(navigator_client, peggy, navigator):
    response = navigator_client.post(
        url("budget", peggy),
        {
            "form": "offer",
            **new_key("offer"),
            "offer-amount_offered": "£1,000",
            "offer-offered_on": timezone.localdate(),
        },
    )
    assert response.status_code == 302
    response = navigator_client.post(
        url("budget", peggy),
        {
            "form": "spend",
            **new_key("spend"),
            "spend-spent_on": timezone.localdate(),
            "spend-amount": "249.99",
            "spend-purpose": "Bed and bedding",
            "spend-approved_by": navigator.pk,
        },
    )
    assert response.status_code == 302
    page = navigator_client.get(url("budget", peggy)).content.decode()
    assert "£750.01" in page and "Bed and bedding" in page
    person_page = navigator_client.get(peggy.get_absolute_url()).content.decode()
    assert "<strong>£750.01</strong> left of £1,000.00" in person_page


def test_a_navigator_cannot_overspend_and_a_team_leader_can_with_a_reason(
    navigator_client, team_leader_client, team_leader, peggy, navigator
):
    budget = services.budget_offer(
        person=peggy, by=navigator, amount_offered=Decimal("50"), offered_on=timezone.localdate()
    )
    spend = {
        "form": "spend",
        **new_key("spend"),
        "spend-spent_on": timezone.localdate(),
        "spend-amount": "60.00",
        "spend-purpose": "Deposit",
        "spend-approved_by": navigator.pk,
    }
    response = navigator_client.post(url("budget", peggy), spend)
    assert response.status_code == 400
    assert "needs a team leader&#x27;s approval" in response.content.decode()
    response = team_leader_client.post(
        url("budget", peggy), {**spend, "spend-approved_by": team_leader.pk}
    )
    assert response.status_code == 400 and "Say why it should be spent anyway." in (
        response.content.decode()
    )
    response = team_leader_client.post(
        url("budget", peggy),
        {
            **spend,
            "spend-approved_by": team_leader.pk,
            "spend-over_budget_reason": "Landlord won't wait",
        },
    )
    assert response.status_code == 302
    over = BudgetSpend.objects.get(budget=budget)
    assert over.over_budget and over.approved_by == team_leader


def test_a_peer_mentor_reads_the_budget_but_does_not_spend(peer_mentor_client, peggy):
    assert peer_mentor_client.get(url("budget", peggy)).status_code == 200
    assert peer_mentor_client.post(url("budget", peggy), {"form": "offer"}).status_code == 403


# --- Outcomes Star -----------------------------------------------------------------------------


def test_an_outcomes_star_is_recorded_as_date_and_place(navigator_client, peggy):
    response = navigator_client.post(
        url("stars", peggy),
        {**new_key(), "completed_on": timezone.localdate(), "held_at": "Star Online"},
    )
    assert response.status_code == 302
    assert OutcomesStarRecord.objects.get().held_at == "Star Online"
    assert "not reproduced here" in navigator_client.get(url("stars", peggy)).content.decode()


# --- the person page ---------------------------------------------------------------------------


def _outcomes_history(person, by, n):
    """n of each outcome record, all older than anything on the timeline's first page."""
    long_ago = timezone.localdate() - timedelta(days=400)
    budget = person.budgets.first()
    for i in range(n):
        ServiceEvent.objects.create(
            person=person,
            kind=EventKind.ARREST,
            occurred_on=long_ago,
            source="partner_record",
            recorded_by=by,
        )
        AccommodationChange.objects.create(
            person=person,
            status="sofa_surfing" if i % 2 else "hostel",
            from_date=long_ago,
            recorded_by=by,
        )
        OutcomesStarRecord.objects.create(
            person=person, completed_on=long_ago, held_at="File", recorded_by=by
        )
        BudgetSpend.objects.create(
            budget=budget,
            spent_on=long_ago,
            amount=Decimal("1.00"),
            purpose="Bus",
            approved_by=by,
            recorded_by=by,
        )
        goal = Goal.objects.create(
            person=person,
            in_their_words=f"Goal {i}",
            status="in_progress",
            review_on=timezone.localdate(),
            recorded_by=by,
        )
        Goal.objects.filter(pk=goal.pk).update(created_at=timezone.now() - timedelta(days=400))


@pytest.mark.parametrize("n", [0, 150])
def test_person_page_costs_the_same_as_outcome_records_grow(
    navigator_client, navigator, peggy, n, count_queries
):
    today = timezone.localdate()
    services.budget_offer(
        person=peggy,
        by=navigator,
        amount_offered=Decimal("100"),
        offered_on=today - timedelta(days=500),
    )
    _outcomes_history(peggy, navigator, n)
    # A full first page of recent records, so it holds the same kinds whatever came before.
    services.goal_add(person=peggy, by=navigator, in_their_words="Recent goal", review_on=today)
    services.accommodation_record(person=peggy, by=navigator, status="settled", from_date=today)
    for _ in range(18):
        services.service_event_record(
            person=peggy,
            by=navigator,
            kind=EventKind.AE_ATTENDANCE,
            occurred_on=today,
            source="self_reported",
        )
    # 1 session, 2 user, 3 the device that gave the second factor, 4 the person as the user may
    # see them, with ReQoL-10's wording and the waiting MDT referrals, 5 the referrals this user
    # may see (a prefetch: they depend on who asks), 6 the cards' values that are the same for
    # anyone, compiled once per process (ADR 0039): the plan, accommodation, budget and Star
    # cards' figures, the latest ReQoL-10 and domestic-abuse incident, and as JSON objects the
    # last contact, the latest NDT, the lawful basis, the latest DASH checklist and MARAC
    # referral, 7-9 aliases, episodes, allocations (compiled once, ADR 0045: still a query
    # each, no longer built per request), 10 the timeline's page with the count beside each row
    # (the count is no longer a query of its own), 11-15 the page's records, one query per kind
    # (episode opened, allocations started, goal set, event, accommodation; budget offered is
    # older than the page; compiled once per kind and number of records), 16 the appointments
    # card, 17 this quarter's events, 18 the MDT panel's open actions, 19 the sharing
    # agreements, 20 the documents card (16-20 compiled once, ADR 0045), 21 the audit entry, 22
    # the top bar's count of unread notifications.
    assert count_queries.page(navigator_client, peggy.get_absolute_url()) == 22


def test_outcome_entries_on_the_timeline_show_dates_without_times(
    navigator_client, peggy, navigator
):
    services.service_event_record(
        person=peggy,
        by=navigator,
        kind=EventKind.EVICTION,
        occurred_on=timezone.localdate() - timedelta(days=3),
        source="staff_observed",
    )
    page = navigator_client.get(peggy.get_absolute_url())
    entries = [e for e in page.context["timeline"] if e.kind == "service_event"]
    assert len(entries) == 1 and entries[0].date_only
    body = page.content.decode()
    assert "Eviction</strong> · staff observed" in body


@pytest.mark.parametrize("name", ["plan", "events", "accommodation", "budget", "stars"])
def test_outcome_pages_cost_the_same_as_records_grow(
    navigator_client, navigator, peggy, name, count_queries
):
    services.budget_offer(
        person=peggy,
        by=navigator,
        amount_offered=Decimal("100"),
        offered_on=timezone.localdate() - timedelta(days=500),
    )
    _outcomes_history(peggy, navigator, 1)
    few = count_queries.page(navigator_client, url(name, peggy))
    _outcomes_history(peggy, navigator, 12)
    assert count_queries.page(navigator_client, url(name, peggy)) == few
