"""The return's capacity section: the delivery plan's places and projections, the people
waiting at quarter end, and capacity as it stood at quarter end however the staff records
have changed since."""

import csv
import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from caseload.models import Allocation, EpisodeStatus
from returns.figures import SPLITS, build_return
from returns.render import suppressed, to_csv, to_pdf
from returns.tasks import figures_as_data
from smd.models import PlanTarget, Role
from smd.quarters import Quarter
from tests.factories import AllocationFactory, EpisodeFactory, PersonFactory, UserFactory

Q3 = Quarter(2025, 3)  # 1 October to 31 December 2025
CAPACITY_KEYS = [
    "navigator_fte",
    "navigator_places",
    "peer_mentor_hours",
    "peer_mentor_places",
    "places",
    "places_filled",
    "places_full",
    "waiting_allocation",
    "waiting_mean_days",
    "waiting_longest_days",
    "closed_episodes",
    "projection_days_on_service",
    "projected_people_a_year",
    "plan_target_people",
]


def at(day, hour=12):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def worker(team, role, joined=date(2025, 4, 1), **profile):
    return UserFactory(role=role, team=team, date_joined=at(joined), **profile)


def figures(team, quarter=Q3):
    return {f.key: f for f in build_return(team, quarter).figures}


def capacity_values(team):
    found = figures(team)
    return {key: found[key].values for key in CAPACITY_KEYS}


@pytest.fixture
def plan_team(team):
    """7 full-time navigators (56 places) and 75 peer-mentor hours split unevenly (25 places):
    the delivery plan's 81."""
    navigators = [worker(team, Role.NAVIGATOR, fte=Decimal("1")) for _ in range(7)]
    mentors = [
        worker(team, Role.PEER_MENTOR, planned_hours=Decimal(h))
        for h in ["10", "10", "10", "10", "10", "25"]
    ]
    return navigators, mentors


def test_the_return_counts_the_plans_81_places_and_65_people_a_year(team, plan_team):
    f = figures(team)
    assert f["navigator_fte"].values["all"] == 7.0
    assert f["navigator_places"].values["all"] == 56
    assert f["peer_mentor_hours"].values["all"] == 75.0
    # Per peer mentor rounded down to a tenth and added, this was 24.8.
    assert f["peer_mentor_places"].values["all"] == 25
    assert f["places"].values["all"] == 81
    # No closed episodes: the programme's 455 days.
    assert f["closed_episodes"].values["all"] == 0
    assert f["projection_days_on_service"].values["all"] == 455.0
    assert f["projected_people_a_year"].values["all"] == 65
    assert f["plan_target_people"].values["all"] is None


def closed(team, n, *, days, ended):
    for _ in range(n):
        EpisodeFactory(
            person=PersonFactory(team=team),
            closed=True,
            start_date=ended - timedelta(days=days),
            end_date=ended,
            accepted_on=ended - timedelta(days=days),
        )


def test_181_places_at_455_and_at_the_teams_own_365_days(team):
    for _ in range(19):
        worker(team, Role.NAVIGATOR, fte=Decimal("1"))
    worker(team, Role.NAVIGATOR, fte=Decimal("0.5"))
    worker(team, Role.PEER_MENTOR, planned_hours=Decimal("40"))
    worker(team, Role.PEER_MENTOR, planned_hours=Decimal("35"))
    closed(team, 19, days=365, ended=date(2025, 12, 31))
    # Closed after the quarter: not known at its end, so not counted.
    closed(team, 5, days=365, ended=date(2026, 1, 1))
    f = figures(team)
    assert f["places"].values["all"] == 181
    assert f["closed_episodes"].values["all"] == 19
    assert f["projected_people_a_year"].values["all"] == 145  # 455 days until 20 closed
    closed(team, 1, days=365, ended=date(2025, 12, 1))
    f = figures(team)
    assert f["projection_days_on_service"].values["all"] == 365.0
    assert "the team's own 20 closed episodes" in f["projection_days_on_service"].definition
    assert f["projected_people_a_year"].values["all"] == 181


def test_the_target_is_the_one_for_the_quarters_financial_year(team, plan_team):
    PlanTarget.objects.create(team=team, year=2025, people=70)
    PlanTarget.objects.create(team=team, year=2026, people=99)
    f = figures(team)
    assert f["plan_target_people"].values["all"] == 70
    assert f["plan_target_people"].label == "Delivery plan target for 2025/26 (people)"


def test_how_full_and_who_was_waiting_at_quarter_end(team, plan_team):
    navigators, mentors = plan_team
    lead = Allocation.Kind.LEAD_NAVIGATOR

    def accepted(on, **episode):
        return EpisodeFactory(
            person=PersonFactory(team=team),
            status=EpisodeStatus.AWAITING_ALLOCATION,
            start_date=None,
            accepted_on=on,
            **episode,
        )

    # Waiting at 31 December: accepted 1 November and given a lead only in January (60 days),
    # and accepted 21 December (10 days).
    late = accepted(date(2025, 11, 1))
    AllocationFactory(
        episode=late, worker=navigators[0], kind=lead, started_at=at(date(2026, 1, 5))
    )
    accepted(date(2025, 12, 21))
    # Not waiting: allocated in the quarter; accepted after it.
    soon = accepted(date(2025, 10, 1))
    AllocationFactory(
        episode=soon, worker=navigators[1], kind=lead, started_at=at(date(2025, 10, 15))
    )
    AllocationFactory(
        episode=soon,
        worker=mentors[0],
        kind=Allocation.Kind.PEER_MENTOR,
        started_at=at(date(2025, 10, 20)),
    )
    accepted(date(2026, 1, 2))
    f = figures(team)
    assert f["waiting_allocation"].values["all"] == 2
    assert f["waiting_mean_days"].values["all"] == 35.0
    assert f["waiting_longest_days"].values["all"] == 60
    # Soon holds a navigator place and a peer-mentor place: 2 of 81.
    assert f["places_filled"].values["all"] == 2
    assert f["places_full"].values["all"] == 2  # 2.47 %
    # Two people waiting and two places filled: the PDF gives none of their own figures away.
    data = {d["key"]: d for d in figures_as_data(build_return(team, Q3))}
    for key in ["waiting_allocation", "places_filled"]:
        assert suppressed(data[key], "all") == "<5"
    for key in ["waiting_mean_days", "waiting_longest_days", "places_full"]:
        assert suppressed(data[key], "all") == "n<5", key


def test_a_rebuilt_past_return_keeps_its_capacity_after_staff_records_change(team, plan_team):
    navigators, mentors = plan_team
    before = capacity_values(team)
    # After the quarter: FTE cut, hours raised, a peer mentor leaves, a navigator becomes a
    # team leader, another moves team, and someone new joins.
    navigators[0].fte = Decimal("0.5")
    navigators[0].save()
    mentors[5].planned_hours = Decimal("40")
    mentors[5].save()
    mentors[0].is_active = False
    mentors[0].save()
    navigators[1].role = Role.TEAM_LEADER
    navigators[1].save()
    from tests.factories import TeamFactory

    navigators[2].team = TeamFactory()
    navigators[2].save()
    # Joined yesterday (at noon, as `worker` records it): already on the team at any hour today.
    worker(team, Role.NAVIGATOR, joined=timezone.localdate() - timedelta(days=1), fte=Decimal("1"))
    assert capacity_values(team) == before
    assert before["navigator_places"]["all"] == 56 and before["peer_mentor_places"]["all"] == 25
    # Today's figures do see the changes: 4.5 FTE left, 75 - 10 + 15 = 80 hours.
    from caseload.selectors import team_capacity_at

    now = team_capacity_at(team, timezone.now())
    assert (now.navigators.capacity, now.peer_mentors.capacity) == (44, 27)


def test_a_change_before_quarter_end_is_counted_as_at_its_date(team, plan_team):
    navigators, _ = plan_team
    navigators[0].fte = Decimal("0.5")
    navigators[0]._history_date = at(date(2025, 11, 1))  # recorded in the quarter
    navigators[0].save()
    assert figures(team)["navigator_places"].values["all"] == 52  # 6.5 x 8
    # The quarter before ended with the full-time figure.
    assert figures(team, Q3.previous())["navigator_places"].values["all"] == 56


def test_the_pdf_and_csv_carry_the_capacity_section_with_its_glossary(team, plan_team):
    PlanTarget.objects.create(team=team, year=2025, people=70)
    data = figures_as_data(build_return(team, Q3))
    section = [f for f in data if f["section"] == "Team capacity"]
    assert [f["key"] for f in section] == CAPACITY_KEYS
    rows = list(csv.reader(io.StringIO(to_csv(data, quarter=Q3, team=team))))
    by_key = {r[1]: r for r in rows[2:]}
    for f in section:
        row = by_key[f["key"]]
        assert row[0] == "Team capacity" and row[2] == f["label"] and row[-1] == f["definition"]
        assert row[3] == ("" if f["values"]["all"] is None else str(f["values"]["all"]))
    assert by_key["places"][3] == "81" and by_key["projected_people_a_year"][3] == "65"
    pdf = to_pdf(data, quarter=Q3, team=team, version=1)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    glossary = text[text.rfind("Glossary") :]
    for f in section:
        shown = SPLITS if f["kind"] != "number" else ["all"]
        row = " ".join([f["label"], *[str(suppressed(f, split)) for split in shown]])
        assert row in text, row
        assert " ".join(f["definition"].split()) in glossary, f["key"]
    assert "Places, navigators and peer mentors together 81" in text
    assert "Projected people supported a year 65" in text
    assert "Delivery plan target for 2025/26 (people) 70" in text


@pytest.mark.parametrize("size", [1, 6])
def test_the_capacity_section_costs_the_same_however_many_staff_and_people(
    team, size, count_queries
):
    from returns.figures import Return

    for _ in range(size):
        worker(team, Role.NAVIGATOR, fte=Decimal("1")).save()  # a second version each
        worker(team, Role.PEER_MENTOR, planned_hours=Decimal("9"))
        EpisodeFactory(person=PersonFactory(team=team), status="awaiting_allocation")
        closed(team, 1, days=100, ended=date(2025, 11, 1))
    built = Return(team, Q3)
    with count_queries.during() as counted:
        built.team_capacity()
    # 1 the staff as at quarter end, 2 the allocations held by kind, 3 the waits, 4 the closed
    # episodes' days on service, 5 the plan's target, 6 the people in the places filled, 7 the
    # people waiting.
    assert len(counted) == 7


def test_the_demo_teams_staff_count_in_last_quarters_capacity(db, settings):
    import io as _io

    from django.core.management import call_command

    from smd.models import Team

    settings.DEBUG = True
    call_command("seed_demo", stdout=_io.StringIO())
    team = Team.objects.get(name="Changing Futures Navigators")
    last = Quarter.containing(timezone.localdate()).previous()
    f = figures(team, last)
    # Nadia 1.0 and Samir 0.6 FTE: 12.8 -> 13 places; Pete's 9 hours: 3 places.
    assert f["navigator_places"].values["all"] == 13
    assert f["peer_mentor_places"].values["all"] == 3


def test_the_page_and_the_return_give_the_same_places(client_for, team, plan_team):
    from django.urls import reverse

    manager = UserFactory(role=Role.MANAGER, team=team)
    page = client_for(manager).get(reverse("caseload:team_capacity")).context["team"]
    now = figures(team, Quarter.containing(timezone.localdate()))
    assert (page.navigators.capacity, page.peer_mentors.capacity, page.places) == (56, 25, 81)
    assert now["navigator_places"].values["all"] == page.navigators.capacity
    assert now["peer_mentor_places"].values["all"] == page.peer_mentors.capacity
    assert now["projected_people_a_year"].values["all"] == page.projected == 65
