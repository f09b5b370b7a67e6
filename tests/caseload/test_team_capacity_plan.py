"""Team capacity as the delivery plan counts it: whole places from hours added first, the
combined figure, how full, who is waiting and for how long, and the people a year the places
support beside the plan's target. The plan's own figures are the check."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from caseload.capacity import navigator_places, peer_mentor_places, people_a_year, whole
from caseload.models import Allocation, EpisodeStatus
from smd.models import PlanTarget, Role
from smd.quarters import financial_year_of
from tests.factories import (
    AllocationFactory,
    EpisodeFactory,
    NavigatorFactory,
    PeerMentorFactory,
    PersonFactory,
)

URL = reverse("caseload:team_capacity")
TARGETS = reverse("caseload:plan_targets")


# --- arithmetic ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "places"),
    [
        ([75], 25),
        ([25, 25, 25], 25),
        # Rounded down to a tenth each and added, these were 3.3 × 5 + 8.3 = 24.8.
        ([10, 10, 10, 10, 10, 25], 25),
        ([146], 49),
        # Each rounded down first, these were 48.6 and 48.4.
        ([73, 73], 49),
        ([10] * 13 + [16], 49),
    ],
)
def test_peer_mentor_places_add_the_hours_and_divide_once(hours, places):
    assert peer_mentor_places(sum(Decimal(h) for h in hours)) == places


def test_places_are_the_nearest_whole_place_and_a_half_rounds_up():
    assert [whole(Decimal(v)) for v in ["48.49", "48.5", "48.67", "24.9"]] == [48, 49, 49, 25]
    assert navigator_places(Decimal("7")) == 56
    assert navigator_places(Decimal("0.6")) == 5  # 4.8 places


@pytest.mark.parametrize(
    ("places", "days", "people"), [(81, 455, 65), (181, 455, 145), (181, 365, 181)]
)
def test_people_a_year_are_places_times_365_over_days_on_service(places, days, people):
    assert people_a_year(places, days) == people


# --- the page -----------------------------------------------------------------------------------


def staff(team, *, ftes, hours):
    for fte in ftes:
        NavigatorFactory(team=team, fte=Decimal(fte))
    for h in hours:
        PeerMentorFactory(team=team, planned_hours=Decimal(h))


def closed_episodes(team, n, days):
    today = timezone.localdate()
    for _ in range(n):
        EpisodeFactory(
            person=PersonFactory(team=team),
            closed=True,
            start_date=today - timedelta(days=days + 10),
            end_date=today - timedelta(days=10),
        )


def test_the_plans_81_places_support_65_people_a_year(client_for, make_user, team):
    # 7 full-time navigators (56 places) and 75 peer-mentor hours split unevenly (25 places).
    staff(team, ftes=["1"] * 7, hours=["10", "10", "10", "10", "10", "25"])
    response = client_for(make_user(Role.MANAGER)).get(URL)
    capacity = response.context["team"]
    assert (capacity.navigators.capacity, capacity.peer_mentors.capacity) == (56, 25)
    assert capacity.places == 81
    # No closed episodes yet: the plan's 455 days on service.
    assert not capacity.days_on_service.own and capacity.days_on_service.days == 455
    assert capacity.projected == 65
    page = " ".join(response.content.decode().split())
    assert '(56 navigator</span> + <span class="text-nowrap">25 peer-mentor)' in page
    assert "rounded to the nearest whole place (a half rounds up)" in page
    assert "until the team has 20 closed episodes of its own (it has 0)" in page


def test_181_places_support_145_a_year_at_455_days_and_181_at_the_teams_own_365(
    client_for, make_user, team
):
    # 19.5 FTE (156 places) and 75 hours (25 places): 181.
    staff(team, ftes=["1"] * 19 + ["0.5"], hours=["40", "35"])
    client = client_for(make_user(Role.MANAGER))
    closed_episodes(team, 19, days=365)
    capacity = client.get(URL).context["team"]
    assert capacity.places == 181
    # 19 closed episodes are not enough to go by: the setting's 455 days.
    assert (capacity.days_on_service.days, capacity.projected) == (455, 145)
    closed_episodes(team, 1, days=365)
    capacity = client.get(URL).context["team"]
    assert capacity.days_on_service.own and capacity.days_on_service.days == 365
    assert capacity.projected == 181


def test_enough_closed_episodes_is_a_setting(client_for, make_user, team, settings):
    settings.CAPACITY_CLOSED_EPISODES_NEEDED = 2
    settings.CAPACITY_AVERAGE_DAYS_ON_SERVICE = 300
    staff(team, ftes=["1"], hours=[])
    client = client_for(make_user(Role.MANAGER))
    closed_episodes(team, 1, days=100)
    assert client.get(URL).context["team"].days_on_service.days == 300
    closed_episodes(team, 1, days=200)
    days = client.get(URL).context["team"].days_on_service
    assert days.own and days.days == 150  # (100 + 200) / 2


def test_how_full_and_who_is_waiting_for_how_long(client_for, make_user, team):
    staff(team, ftes=["1"], hours=["6"])  # 8 + 2 = 10 places
    navigator = team.members.get(role=Role.NAVIGATOR)
    mentor = team.members.get(role=Role.PEER_MENTOR)
    held = [EpisodeFactory(person=PersonFactory(team=team)) for _ in range(5)]
    for episode in held:
        AllocationFactory(episode=episode, worker=navigator, kind=Allocation.Kind.LEAD_NAVIGATOR)
    AllocationFactory(episode=held[0], worker=mentor, kind=Allocation.Kind.PEER_MENTOR)
    today = timezone.localdate()
    for days in [10, 20, 60]:
        EpisodeFactory(
            person=PersonFactory(team=team),
            status=EpisodeStatus.AWAITING_ALLOCATION,
            start_date=None,
            accepted_on=today - timedelta(days=days),
        )
    response = client_for(make_user(Role.MANAGER)).get(URL)
    capacity = response.context["team"]
    assert (capacity.places, capacity.filled, capacity.percent_full) == (10, 6, 60)
    waiting = capacity.waiting
    assert (waiting.count, waiting.mean_days, waiting.longest_days) == (3, 30, 60)
    page = " ".join(response.content.decode().split())
    assert "6 of 10 places filled" in page
    assert "mean wait 30 days, longest 60 days" in page


def test_a_worker_who_left_still_fills_the_places_of_the_people_they_hold(
    client_for, team_leader, team
):
    staff(team, ftes=["1"], hours=[])
    gone = NavigatorFactory(team=team, is_active=False)
    for _ in range(2):
        AllocationFactory(
            episode=EpisodeFactory(person=PersonFactory(team=team)),
            worker=gone,
            kind=Allocation.Kind.LEAD_NAVIGATOR,
        )
    capacity = client_for(team_leader).get(URL).context["team"]
    assert (capacity.places, capacity.filled) == (8, 2)


def test_the_projection_is_shown_beside_this_years_target(client_for, make_user, team):
    staff(team, ftes=["1"] * 7, hours=["40", "35"])
    manager = make_user(Role.MANAGER)
    this_year = financial_year_of(timezone.localdate())
    PlanTarget.objects.create(team=team, year=this_year, people=70, set_by=manager)
    PlanTarget.objects.create(team=team, year=this_year + 1, people=10, set_by=manager)
    response = client_for(manager).get(URL)
    assert response.context["team"].target == 70
    assert response.context["team"].short_of_target == 5  # 65 projected
    assert "the projection is 5 short" in response.content.decode()


def test_each_team_sees_its_own_name_and_target_and_a_new_target_at_once(
    client_for, make_user, team, other_team
):
    """The name and target are read with a query compiled once per process and year, the team's
    id its parameter: each team's page shows its own, and a target set shows on the next view."""
    from tests.factories import UserFactory

    year = financial_year_of(timezone.localdate())
    here, there = make_user(Role.MANAGER), UserFactory(role=Role.MANAGER, team=other_team)
    PlanTarget.objects.create(team=other_team, year=year, people=12, set_by=there)
    PlanTarget.objects.create(team=team, year=year - 1, people=99, set_by=here)
    first = client_for(here).get(URL)
    assert (first.context["team_name"], first.context["team"].target) == (team.name, None)
    other = client_for(there).get(URL)
    assert (other.context["team_name"], other.context["team"].target) == (other_team.name, 12)
    PlanTarget.objects.create(team=team, year=year, people=70, set_by=here)
    assert client_for(here).get(URL).context["team"].target == 70


# --- the plan's targets ------------------------------------------------------------------------


def opened(client):
    """The target form as a browser has it: its one-time key and the targets the page showed."""
    form = client.get(TARGETS).context["form"]
    return {"submission_key": str(form["submission_key"].value()), "seen": form["seen"].value()}


def test_manager_enters_a_target_and_entering_the_year_again_replaces_it(
    client_for, make_user, team
):
    manager = make_user(Role.MANAGER)
    client = client_for(manager)
    year = financial_year_of(timezone.localdate())
    response = client.post(TARGETS, {**opened(client), "year": str(year), "people": "145"})
    assert response.status_code == 302
    target = PlanTarget.objects.get(team=team, year=year)
    assert (target.people, target.set_by) == (145, manager)
    client.post(TARGETS, {**opened(client), "year": str(year), "people": "181"})
    assert list(PlanTarget.objects.values_list("year", "people")) == [(year, 181)]
    page = client.get(TARGETS).content.decode()
    assert "181" in page and target.year_label in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"people": "-3"}, "people"),
        ({"people": "many"}, "people"),
        ({"people": "100001"}, "people"),
        ({"people": ""}, "people"),
        ({"people": "5", "year": "1999"}, "year"),
    ],
)
def test_a_bad_target_is_refused_with_the_typing_kept(client_for, make_user, team, data, field):
    client = client_for(make_user(Role.MANAGER))
    data = {**opened(client), "year": str(financial_year_of(timezone.localdate())), **data}
    response = client.post(TARGETS, data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "Error:" in response.content.decode()
    assert response.context["form"]["people"].value() == data["people"]
    assert not PlanTarget.objects.exists()


def test_a_target_is_the_managers_own_teams(client_for, make_user, team, other_team):
    from tests.factories import UserFactory

    other = UserFactory(role=Role.MANAGER, team=other_team)
    year = financial_year_of(timezone.localdate())
    other_client = client_for(other)
    other_client.post(TARGETS, {**opened(other_client), "year": str(year), "people": "9"})
    assert list(PlanTarget.objects.values_list("team", flat=True)) == [other_team.pk]
    assert "No targets yet" in client_for(make_user(Role.MANAGER)).get(TARGETS).content.decode()


def test_a_target_set_since_the_page_was_opened_is_not_silently_replaced(
    client_for, make_user, team
):
    year = str(financial_year_of(timezone.localdate()))
    alice, bob = client_for(make_user(Role.MANAGER)), client_for(make_user(Role.MANAGER))
    alices_page, bobs_page = opened(alice), opened(bob)
    assert alice.post(TARGETS, {**alices_page, "year": year, "people": "145"}).status_code == 302

    refused = bob.post(TARGETS, {**bobs_page, "year": year, "people": "181"})

    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Someone else set" in page and "to 145 people" in page and "Nothing was saved" in page
    assert refused.context["form"]["people"].value() == "181"  # Bob's number is kept
    assert list(PlanTarget.objects.values_list("people", flat=True)) == [145]
    # Saving again, with Alice's number in front of him, is Bob's deliberate choice.
    again = {
        **bobs_page,
        "submission_key": refused.context["form"]["submission_key"].value(),
        "seen": refused.context["form"]["seen"].value(),
        "year": year,
        "people": "181",
    }
    assert bob.post(TARGETS, again).status_code == 302
    assert list(PlanTarget.objects.values_list("people", flat=True)) == [181]


def test_a_target_sent_twice_is_saved_once_and_answers_the_same(client_for, make_user, team):
    client = client_for(make_user(Role.MANAGER))
    sent = {**opened(client), "year": str(financial_year_of(timezone.localdate())), "people": "65"}
    first, second = client.post(TARGETS, sent), client.post(TARGETS, sent)
    assert first.status_code == second.status_code == 302
    target = PlanTarget.objects.get()
    assert (target.people, target.version) == (65, 1)


def test_team_leader_reads_capacity_but_does_not_set_targets(team_leader_client):
    assert team_leader_client.get(TARGETS).status_code == 403
    assert "Plan targets</a>" not in team_leader_client.get(URL).content.decode()


@pytest.mark.parametrize("targets", [1, 6])
def test_plan_targets_page_costs_the_same_with_more_targets(
    client_for, make_user, team, targets, count_queries
):
    manager = make_user(Role.MANAGER)
    for year in range(2020, 2020 + targets):
        PlanTarget.objects.create(team=team, year=year, people=50, set_by=manager)
    client = client_for(manager)
    # 1 session, 2 user, 3 the device that gave the second factor, 4 the team's name, 5 the
    # targets with who set them.
    # and one more: the top bar's count of unread notifications
    assert count_queries.page(client, TARGETS) == 6
