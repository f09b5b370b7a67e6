"""The NDT change and the events against each person's first quarter, counted by hand at the
edges (assessments before, in and after the quarter on both schemes, a second episode, events
on the first and last days of quarters), and the people behind a figure listed only when the
drill-down asks for them."""

from datetime import date

import pytest
from django.urls import reverse

from caseload.models import EventKind
from caseload.outcomes.services import service_event_record
from returns import figures as return_figures
from returns.figures import build_return
from returns.render import to_csv
from returns.tasks import figures_as_data
from smd.models import Role
from smd.quarters import Quarter
from tests.factories import EpisodeFactory, PersonFactory, UserFactory

Q3 = Quarter(2025, 3)  # 1 October to 31 December 2025


@pytest.fixture
def edges(team, standard, amended, assess, navigator):
    """Ann (a woman) and Bea (a man), both supported at the end of Q3 2025/26.

    Ann's one episode began on 10 April 2025 (her first quarter: April to June). Her completed
    NDTs, every item scored the same (standard: 12 × score, amended: 17 × score, of which 12 on
    the standard items): standard 4 on 15 April (48), amended 3 on 1 August (51; standard 36),
    standard 2 on 1 October, the quarter's first day (24), amended 2 on 31 December, its last
    (34; standard 24), and amended 0 on 1 January 2026, after it; a draft amended 0 in November.
    Standard: 48 to 24. Amended: 51 to 34.

    Bea's first episode ran from January to March 2025 (her first quarter), with NDTs 4 and 4;
    her second began on 1 July 2025, with standard 1 on 2 July (12) and 3 on 15 November (36):
    her latest episode counts, 12 to 36."""

    def event(person, kind, on, quantity=None):
        service_event_record(
            person=person,
            by=navigator,
            kind=kind,
            occurred_on=on,
            quantity=quantity,
            source="self_reported",
        )

    ann = PersonFactory(team=team, gender="woman")
    bea = PersonFactory(team=team, gender="man")
    ann_episode = EpisodeFactory(
        person=ann, accepted_on=date(2025, 4, 10), start_date=date(2025, 4, 10)
    )
    assess(ann_episode, standard, on=date(2025, 4, 15), rest=4)
    assess(ann_episode, amended, on=date(2025, 8, 1), rest=3)
    assess(ann_episode, standard, on=date(2025, 10, 1), rest=2)
    assess(ann_episode, amended, on=date(2025, 11, 1), rest=0, complete=False)
    assess(ann_episode, amended, on=date(2025, 12, 31), rest=2)
    assess(ann_episode, amended, on=date(2026, 1, 1), rest=0)

    first = EpisodeFactory(
        person=bea,
        accepted_on=date(2025, 1, 5),
        start_date=date(2025, 1, 6),
        closed=True,
        end_date=date(2025, 3, 1),
    )
    assess(first, standard, on=date(2025, 1, 10), rest=4)
    assess(first, standard, on=date(2025, 2, 10), rest=4)
    second = EpisodeFactory(person=bea, accepted_on=date(2025, 7, 1), start_date=date(2025, 7, 1))
    assess(second, standard, on=date(2025, 7, 2), rest=1)
    assess(second, standard, on=date(2025, 11, 15), rest=3)

    arrest, rough, ae = EventKind.ARREST, EventKind.ROUGH_SLEEPING, EventKind.AE_ATTENDANCE
    event(ann, arrest, date(2025, 3, 31))  # the day before her first quarter
    event(ann, arrest, date(2025, 4, 1))  # its first day, before her start: her first quarter
    event(ann, arrest, date(2025, 6, 30))  # its last day
    event(ann, arrest, date(2025, 7, 1))  # neither quarter
    event(ann, arrest, date(2025, 9, 30))  # the day before this quarter
    event(ann, arrest, date(2025, 10, 1))  # this quarter's first day
    event(ann, rough, date(2025, 12, 31), quantity=5)  # one night in this quarter, four after
    event(bea, ae, date(2025, 1, 1))  # her first quarter's first day, before her start
    event(bea, ae, date(2025, 3, 31))  # its last day
    event(bea, ae, date(2025, 7, 1))  # the quarter her second episode began: not her first
    event(bea, ae, date(2025, 10, 1))  # this quarter
    return {"ann": ann, "bea": bea}


def values(figure):
    return figure.values["all"], figure.values["women"]


def test_ndt_change_counted_by_hand_at_the_edges(team, edges):
    f = {x.key: x for x in build_return(team, Q3).figures}
    assert values(f["ndt_standard_people"]) == (2, 1)
    assert values(f["ndt_standard_mean_baseline"]) == ((48 + 12) / 2, 48)
    assert values(f["ndt_standard_mean_latest"]) == ((24 + 36) / 2, 24)
    assert values(f["ndt_standard_mean_change"]) == ((-24 + 24) / 2, -24)
    assert values(f["ndt_standard_improved"]) == (50.0, 100.0)
    assert values(f["ndt_amended_people"]) == (1, 1)
    assert values(f["ndt_amended_mean_baseline"]) == (51, 51)
    assert values(f["ndt_amended_mean_latest"]) == (34, 34)
    assert values(f["ndt_amended_mean_change"]) == (-17, -17)
    assert f["ndt_standard_not_comparable"].values["all"] == 0


def test_events_against_the_first_quarter_counted_by_hand_at_the_edges(team, edges):
    f = {x.key: x for x in build_return(team, Q3).figures}
    assert values(f["events_people_compared"]) == (2, 1)
    assert values(f["events_arrest_first"]) == (2, 2)
    assert values(f["events_arrest_this"]) == (1, 1)
    assert values(f["events_rough_sleeping_first"]) == (0, 0)
    assert values(f["events_rough_sleeping_this"]) == (1, 1)
    assert values(f["events_ae_attendance_first"]) == (2, 0)
    assert values(f["events_ae_attendance_this"]) == (1, 0)
    assert f["events_ae_attendance_first"].people["all"] == [str(edges["bea"].pk)]


@pytest.fixture
def listed(monkeypatch):
    """Every split of every figure whose people are worked out, as (split, people)."""
    calls = []
    real = return_figures.PeopleBySplit._listed

    def spy(self, split):
        people = real(self, split)
        calls.append((split, people))
        return people

    monkeypatch.setattr(return_figures.PeopleBySplit, "_listed", spy)
    return calls


def test_building_the_return_lists_nobody(team, edges, listed):
    result = build_return(team, Q3)
    to_csv(figures_as_data(result), quarter=Q3, team=team)
    assert listed == []
    # Asked for, a split's people are worked out once.
    f = {x.key: x for x in result.figures}
    assert f["ndt_standard_people"].people["women"] == [str(edges["ann"].pk)]
    assert f["ndt_standard_people"].people["women"] == [str(edges["ann"].pk)]
    assert listed == [("women", [str(edges["ann"].pk)])]


def test_the_drill_down_lists_the_people_behind_one_split_when_asked(
    client_for, team, edges, listed
):
    client = client_for(UserFactory(role=Role.MANAGER, team=team))
    live = client.get(reverse("returns:live"), {"quarter": Q3.label})
    assert "figure=ndt_standard_people" in live.content.decode()
    assert listed == []
    url = reverse("returns:people")
    query = {"quarter": Q3.label, "figure": "ndt_standard_people"}
    page = client.get(url, {**query, "split": "women"}).content.decode()
    ann, bea = edges["ann"].get_absolute_url(), edges["bea"].get_absolute_url()
    assert ann in page and bea not in page
    assert [split for split, _ in listed] == ["women"]
    page = client.get(url, {**query, "split": "all"}).content.decode()
    assert ann in page and bea in page


def test_another_teams_manager_is_shown_none_of_these_people(client_for, other_team, edges):
    client = client_for(UserFactory(role=Role.MANAGER, team=other_team))
    query = {"quarter": Q3.label, "figure": "ndt_standard_people", "split": "all"}
    page = client.get(reverse("returns:people"), query).content.decode()
    assert "Nobody you can see" in page
    assert edges["ann"].get_absolute_url() not in page
