"""Capacity arithmetic, allocation with its capacity warning, handover history, continuity."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from caseload import selectors, services
from caseload.capacity import capacity_of
from caseload.models import Allocation, EpisodeStatus, Person
from caseload.selectors import awaiting_allocation
from rights.models import RetentionReview
from smd.access import TEAM_ROLES
from smd.characteristics import Gender
from smd.models import Role, Specialism, User
from tests.factories import (
    AllocationFactory,
    EpisodeFactory,
    NavigatorFactory,
    PeerMentorFactory,
    PersonFactory,
    UserFactory,
    current_version,
    new_key,
)

LEAD = Allocation.Kind.LEAD_NAVIGATOR
PEER = Allocation.Kind.PEER_MENTOR


# --- arithmetic ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fte", "capacity"),
    [("1.00", "8"), ("0.50", "4"), ("0.60", "4.8"), ("0.00", "0")],
)
def test_navigator_capacity_is_fte_times_eight(fte, capacity):
    navigator = UserFactory.build(role=Role.NAVIGATOR, fte=Decimal(fte))
    assert capacity_of(navigator) == Decimal(capacity)


@pytest.mark.parametrize(("hours", "capacity"), [("9", "3"), ("6", "2"), ("10", "3.3"), ("0", "0")])
def test_peer_mentor_capacity_is_planned_hours_over_three(hours, capacity):
    peer = UserFactory.build(role=Role.PEER_MENTOR, planned_hours=Decimal(hours))
    # Rounded down to a tenth: 10 hours holds 3.3 people, never an overstated 3.4.
    assert capacity_of(peer) == Decimal(capacity)


def test_capacity_follows_the_settings(settings):
    settings.NAVIGATOR_CASELOAD_PER_FTE = 10
    settings.PEER_MENTOR_HOURS_PER_PERSON = 2
    assert capacity_of(UserFactory.build(role=Role.NAVIGATOR, fte=Decimal("0.5"))) == 5
    assert capacity_of(UserFactory.build(role=Role.PEER_MENTOR, planned_hours=9)) == Decimal("4.5")


def test_roles_without_a_caseload_have_no_capacity():
    assert capacity_of(UserFactory.build(role=Role.TEAM_LEADER, fte=Decimal("1"))) == 0


# --- allocating ---------------------------------------------------------------------------------


@pytest.fixture
def waiting(team):
    """Aisha, accepted and waiting for a lead navigator."""
    person = PersonFactory(team=team, first_name="Aisha", last_name="Rahman")
    return EpisodeFactory(person=person, status=EpisodeStatus.AWAITING_ALLOCATION)


def fill(worker, team, kind, n):
    for _ in range(n):
        AllocationFactory(
            episode=EpisodeFactory(person=PersonFactory(team=team)), worker=worker, kind=kind
        )


def allocate_url(episode):
    return reverse("caseload:allocate", args=[episode.person_id])


def test_team_leader_allocates_a_lead_navigator_and_support_becomes_active(
    team_leader_client, team_leader, waiting, navigator
):
    response = team_leader_client.post(
        allocate_url(waiting), {**new_key("lead"), "form": "lead", "lead-worker": str(navigator.pk)}
    )
    assert response.status_code == 302
    allocation = waiting.allocations.get()
    assert allocation.worker == navigator and allocation.kind == LEAD
    assert allocation.allocated_by == team_leader and not allocation.over_capacity
    waiting.refresh_from_db()
    assert waiting.status == EpisodeStatus.ACTIVE
    change = waiting.status_changes.get()
    assert (change.from_status, change.to_status) == ("awaiting_allocation", "active")


def test_going_over_capacity_warns_and_needs_a_reason(team, team_leader, waiting):
    nadia = NavigatorFactory(team=team, fte=Decimal("0.5"))  # capacity 4
    fill(nadia, team, LEAD, 4)
    with pytest.raises(ValidationError) as raised:
        services.allocation_create(episode=waiting, worker=nadia, kind=LEAD, by=team_leader)
    assert "would then hold 5 people against a capacity of 4" in str(raised.value)
    assert not waiting.allocations.exists()


def test_over_capacity_allocation_is_allowed_and_its_reason_recorded(
    team_leader_client, team, waiting
):
    nadia = NavigatorFactory(team=team, fte=Decimal("0.5"))
    fill(nadia, team, LEAD, 4)
    page = team_leader_client.get(allocate_url(waiting)).content.decode()
    assert "full: this would go over capacity" in page
    response = team_leader_client.post(
        allocate_url(waiting), {**new_key("lead"), "form": "lead", "lead-worker": str(nadia.pk)}
    )
    assert response.status_code == 200
    assert "over_capacity_reason" in response.context["form"].errors
    response = team_leader_client.post(
        allocate_url(waiting),
        {
            "form": "lead",
            **new_key("lead"),
            "lead-worker": str(nadia.pk),
            "lead-over_capacity_reason": "She speaks Bengali and knows Aisha.",
        },
    )
    assert response.status_code == 302
    allocation = waiting.allocations.get()
    assert allocation.over_capacity
    assert allocation.over_capacity_reason == "She speaks Bengali and knows Aisha."


def test_over_capacity_reason_is_only_kept_when_over(team, team_leader, waiting, navigator):
    allocation = services.allocation_create(
        episode=waiting, worker=navigator, kind=LEAD, by=team_leader, over_capacity_reason="x"
    )
    assert not allocation.over_capacity and allocation.over_capacity_reason == ""


def test_paused_people_count_against_capacity_and_closed_ones_do_not(team, navigator):
    from caseload.models import Episode

    fill(navigator, team, LEAD, 3)
    Episode.objects.filter(allocations__worker=navigator).update(status=EpisodeStatus.PAUSED)
    assert services.worker_load(navigator, LEAD) == 3
    closed = EpisodeFactory(person=PersonFactory(team=team), closed=True)
    AllocationFactory(episode=closed, worker=navigator, kind=LEAD)
    assert services.worker_load(navigator, LEAD) == 3


def test_allocation_checks_the_worker_fits_the_kind(team, team_leader, waiting, navigator):
    with pytest.raises(ValidationError):
        services.allocation_create(episode=waiting, worker=navigator, kind=PEER, by=team_leader)
    elsewhere = NavigatorFactory()
    with pytest.raises(ValidationError):
        services.allocation_create(episode=waiting, worker=elsewhere, kind=LEAD, by=team_leader)


def test_candidates_show_load_specialism_languages_and_fit(team_leader_client, team, waiting):
    person = waiting.person
    person.gender = Gender.WOMAN
    person.worker_gender_preference = "woman"
    person.preferred_language = "Bengali"
    person.save()
    NavigatorFactory(
        team=team,
        first_name="Nadia",
        gender=Gender.WOMAN,
        specialism=Specialism.WOMEN,
        languages="English, Irish",
    )
    NavigatorFactory(team=team, first_name="Samir", gender=Gender.MAN, languages="English, Bengali")
    response = team_leader_client.get(allocate_url(waiting))
    page = response.content.decode()
    assert "They would like a woman worker; someone who speaks Bengali." in page
    assert "a woman, as asked; women&#x27;s specialist" in page
    assert "speaks Bengali" in page and "Holding 0 of 8" in page


def test_navigator_cannot_allocate(navigator_client, waiting):
    assert navigator_client.get(allocate_url(waiting)).status_code == 403


# --- handover and history -----------------------------------------------------------------------


def test_handover_keeps_who_from_when_and_why(team_leader_client, team, team_leader, lead):
    samir = NavigatorFactory(team=team, first_name="Samir")
    response = team_leader_client.post(
        allocate_url(lead.episode),
        {**new_key("lead"), "form": "lead", "lead-worker": str(samir.pk)},
    )
    assert "reason" in response.context["form"].errors  # a handover says why
    team_leader_client.post(
        allocate_url(lead.episode),
        {
            **new_key("lead"),
            "form": "lead",
            "lead-worker": str(samir.pk),
            "lead-reason": "Nadia is on leave.",
            "lead-version": current_version(lead),
        },
    )
    lead.refresh_from_db()
    new = lead.handed_over_to
    assert lead.ended_at is not None and lead.end_reason == "Nadia is on leave."
    assert new.worker == samir and new.reason == "Nadia is on leave."
    assert new.started_at >= lead.ended_at and new.allocated_by == team_leader
    assert lead.episode.allocations.current().get() == new


def test_person_page_counts_the_workers_they_have_had(
    navigator_client, team, team_leader, lead, peer_mentor
):
    samir = NavigatorFactory(team=team)
    services.allocation_hand_over(allocation=lead, to=samir, by=team_leader, reason="Leave.")
    services.allocation_create(episode=lead.episode, worker=peer_mentor, kind=PEER, by=team_leader)
    page = navigator_client.get(lead.episode.person.get_absolute_url()).content.decode()
    assert "Workers so far: <strong>3</strong> (2 navigators, 1 peer mentor)" in page
    assert "Handed over: lead navigator" in page


def test_peer_mentor_cannot_see_a_person_after_their_allocation_ends(
    team_leader_client, team_leader, lead, peer_mentor, peer_mentor_client
):
    person = lead.episode.person
    peer = services.allocation_create(
        episode=lead.episode, worker=peer_mentor, kind=PEER, by=team_leader
    )
    assert peer_mentor_client.get(person.get_absolute_url()).status_code == 200
    response = team_leader_client.post(
        allocate_url(lead.episode),
        {"form": "end", "end-reason": "Pete is moving on.", "end-version": current_version(peer)},
    )
    assert response.status_code == 302
    assert peer_mentor_client.get(person.get_absolute_url()).status_code == 404
    caseload = peer_mentor_client.get(reverse("caseload:my_caseload"))
    assert list(caseload.context["page"]) == []
    ended = Allocation.objects.get(worker=peer_mentor)
    assert ended.end_reason == "Pete is moving on." and ended.ended_by == team_leader


# --- team capacity ------------------------------------------------------------------------------


def test_team_capacity_shows_loads_totals_specialists_and_who_is_waiting(
    client_for, make_user, team, waiting
):
    nadia = NavigatorFactory(team=team, first_name="Nadia", specialism=Specialism.WOMEN)
    samir = NavigatorFactory(
        team=team, first_name="Samir", fte=Decimal("0.6"), specialism=Specialism.ETHNIC_MINORITY
    )
    pete = PeerMentorFactory(team=team, first_name="Pete")
    fill(nadia, team, LEAD, 9)  # over by 1
    fill(samir, team, LEAD, 2)
    # Pete mentors one of Nadia's people (someone with only a peer mentor would be waiting).
    AllocationFactory(
        episode=Allocation.objects.filter(worker=nadia).first().episode, worker=pete, kind=PEER
    )
    NavigatorFactory(team=team, is_active=False)  # left, holds nobody: not listed
    response = client_for(make_user(Role.MANAGER)).get(reverse("caseload:team_capacity"))
    context = response.context
    # Each worker's row: who (their id and their name as the User gives it), load, capacity.
    assert [(i.worker.pk, i.load, i.capacity) for i in context["navigators"]] == [
        (nadia.pk, 9, 8),
        (samir.pk, 2, Decimal("4.8")),
    ]
    assert [str(i.worker) for i in context["navigators"]] == [str(nadia), str(samir)]
    totals = context["navigator_totals"]
    # The team's places are whole: 1.6 FTE × 8 = 12.8 -> 13 (a worker's own stays 4.8).
    assert (totals.load, totals.capacity, totals.headroom) == (11, 13, 2)
    specialist = {t.label: (t.load, t.capacity) for t in context["specialist_totals"]}
    assert specialist == {"Women": (9, 8), "Ethnic minority communities": (2, 5)}
    assert (context["peer_totals"].load, context["peer_totals"].capacity) == (1, 3)
    assert [(row.episode, row.person, str(row)) for row in context["waiting"]] == [
        (waiting.pk, waiting.person_id, str(waiting.person))
    ]
    assert "Over by 1" in response.content.decode()


def test_a_worker_who_left_but_still_holds_people_is_flagged(client_for, team_leader, team):
    gone = NavigatorFactory(team=team, first_name="Gone", is_active=False)
    fill(gone, team, LEAD, 2)
    response = client_for(team_leader).get(reverse("caseload:team_capacity"))
    assert "Not active: hand over" in response.content.decode()
    assert response.context["navigator_totals"].capacity == 0


def test_team_capacity_is_for_team_leaders_and_managers(navigator_client):
    assert navigator_client.get(reverse("caseload:team_capacity")).status_code == 403


@pytest.mark.parametrize("workers", [2, 30])
def test_team_capacity_query_count_is_constant(
    client_for, team_leader, team, workers, count_queries
):
    for i in range(workers):
        fill(NavigatorFactory(team=team, specialism=Specialism.WOMEN), team, LEAD, i % 4)
        PeerMentorFactory(team=team)
        EpisodeFactory(person=PersonFactory(team=team), status=EpisodeStatus.AWAITING_ALLOCATION)
    client = client_for(team_leader)
    # 1 session, 2 user, 3 the device that gave the second factor, 4 the staff profiles'
    # FTE and hours added up, 5 the people they hold added up (no worker is loaded for the
    # totals), 6 the people each worker holds (ids and counts, and who left still holding
    # people, kept for the lists' pages), 7 the waiting episodes' ids and dates (their number
    # and waits), 8 the closed episodes' days on service, 9 the team's name with the plan's
    # target, 10 the page of navigators, 11 the page of peer mentors, 12 the page of people
    # waiting, 13 the top bar's count of unread notifications. The page's work does not grow
    # with the staff.
    assert count_queries.page(client, reverse("caseload:team_capacity")) == 13
    # Viewed again with nothing changed, the team-wide totals, each worker's load and the
    # waiting episodes' ids and dates come from the cache (caseload.capacity_cache): 4 to 8
    # are not asked again, so 8 (one fewer than when the team's name was read on its own).
    # Each page of workers is then a plain read of fifty staff profiles, with no count per
    # worker (about 7 ms at 100x before).
    assert count_queries.page(client, reverse("caseload:team_capacity")) == 8


def test_an_allocation_shows_on_the_next_view_of_team_capacity(
    client_for, team_leader, team, waiting, navigator
):
    client = client_for(team_leader)
    url = reverse("caseload:team_capacity")
    before = client.get(url).context
    assert before["navigator_totals"].load == 0
    assert before["team"].waiting.count == 1
    services.allocation_create(episode=waiting, worker=navigator, kind=LEAD, by=team_leader)
    after = client.get(url).context
    assert after["navigator_totals"].load == 1
    assert after["team"].waiting.count == 0
    assert [(i.worker.pk, i.load) for i in after["navigators"]] == [(navigator.pk, 1)]


def test_closing_an_episode_shows_on_the_next_view_of_team_capacity(
    client_for, team_leader, team, navigator, settings
):
    from datetime import timedelta

    from django.utils import timezone

    from caseload.models.support import ExitDestination

    settings.CAPACITY_CLOSED_EPISODES_NEEDED = 1
    today = timezone.localdate()
    allocation = AllocationFactory(
        episode=EpisodeFactory(
            person=PersonFactory(team=team),
            status=EpisodeStatus.ACTIVE,
            start_date=today - timedelta(days=30),
        ),
        worker=navigator,
        kind=LEAD,
    )
    client = client_for(team_leader)
    url = reverse("caseload:team_capacity")
    before = client.get(url).context
    assert before["navigator_totals"].load == 1 and before["team"].days_on_service.closed == 0
    services.episode_close(
        episode=allocation.episode,
        by=team_leader,
        end_date=today,
        exit_destination=ExitDestination.values[0],
        ending_planned=True,
    )
    after = client.get(url).context
    assert after["navigator_totals"].load == 0
    days = after["team"].days_on_service
    assert (days.closed, days.days, days.own) == (1, Decimal("30.0"), True)


def test_a_staff_profile_change_shows_on_the_next_view_of_team_capacity(
    client_for, team_leader, team, navigator
):
    client = client_for(team_leader)
    url = reverse("caseload:team_capacity")
    assert client.get(url).context["navigator_totals"].fte == navigator.fte
    navigator.fte = Decimal("0.5")
    navigator.save()
    assert client.get(url).context["navigator_totals"].fte == Decimal("0.5")


def test_with_the_cache_down_team_capacity_is_computed_directly(
    client_for, team_leader, team, waiting, navigator, settings, caplog
):
    import logging

    from tests.outages import free_port, redis_cache

    fill(navigator, team, LEAD, 2)
    client = client_for(team_leader)
    url = reverse("caseload:team_capacity")
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{free_port()}/0")
    with caplog.at_level(logging.WARNING, "caseload.capacity_cache"):
        before = client.get(url)
        services.allocation_create(episode=waiting, worker=navigator, kind=LEAD, by=team_leader)
        after = client.get(url)
    assert before.status_code == 200 and after.status_code == 200
    assert before.context["navigator_totals"].load == 2
    assert after.context["navigator_totals"].load == 3
    assert after.context["team"].waiting.count == 0
    assert "computed directly: the cache is unavailable" in caplog.text


def test_totals_is_totals_many_for_one_name(team):
    """`capacity_cache.totals` keeps one entry as `totals_many` does: the same key, computed once,
    and again after a change bumps the generation."""
    from caseload import capacity_cache

    computed = []

    def compute():
        computed.append(len(computed) + 1)
        return computed[-1]

    today = timezone.localdate()
    assert capacity_cache.totals(team.pk, "probe", today, compute) == 1
    assert capacity_cache.totals_many(team.pk, today, {"probe": compute}) == {"probe": 1}
    assert capacity_cache.totals(team.pk, "probe", today, compute) == 1
    capacity_cache.changed()
    assert capacity_cache.totals_many(team.pk, today, {"probe": compute}) == {"probe": 2}
    assert capacity_cache.totals(team.pk, "probe", today, compute) == 2
    assert capacity_cache.totals(team.pk, "probe", today + timedelta(days=1), compute) == 3
    assert computed == [1, 2, 3]


def _waiting(client):
    """Who the capacity page says is waiting: the count, and the people on its first page."""
    context = client.get(reverse("caseload:team_capacity")).context
    return context["team"].waiting.count, [row.first_name for row in context["waiting"]]


def test_an_episode_opened_shows_among_the_people_waiting_on_the_next_view(
    client_for, team_leader, team, waiting
):
    client = client_for(team_leader)
    assert _waiting(client) == (1, ["Aisha"])
    EpisodeFactory(
        person=PersonFactory(team=team, first_name="Bea"),
        status=EpisodeStatus.AWAITING_ALLOCATION,
    )
    assert _waiting(client) == (2, ["Aisha", "Bea"])


def test_an_ended_lead_shows_the_person_waiting_again_on_the_next_view(
    client_for, team_leader, team, waiting, navigator
):
    client = client_for(team_leader)
    lead = services.allocation_create(episode=waiting, worker=navigator, kind=LEAD, by=team_leader)
    assert _waiting(client) == (0, [])
    services.allocation_end(allocation=lead, by=team_leader, reason="Moved away")
    assert _waiting(client) == (1, ["Aisha"])


def test_a_waiting_episode_closed_leaves_the_people_waiting_on_the_next_view(
    client_for, team_leader, team, waiting
):
    from django.utils import timezone

    from caseload.models.support import ExitDestination

    client = client_for(team_leader)
    assert _waiting(client) == (1, ["Aisha"])
    services.episode_close(
        episode=waiting,
        by=team_leader,
        end_date=timezone.localdate(),
        exit_destination=ExitDestination.values[0],
        ending_planned=False,
    )
    assert _waiting(client) == (0, [])


def test_a_person_moved_to_another_team_is_waiting_there_on_the_next_view(
    client_for, team_leader, team, other_team, waiting
):
    here = client_for(team_leader)
    there = client_for(UserFactory(role=Role.TEAM_LEADER, team=other_team))
    assert _waiting(here) == (1, ["Aisha"]) and _waiting(there) == (0, [])
    waiting.person.team = other_team
    waiting.person.save()
    assert _waiting(here) == (0, []) and _waiting(there) == (1, ["Aisha"])


def test_each_team_sees_only_its_own_people_waiting(
    client_for, team_leader, team, other_team, waiting
):
    EpisodeFactory(
        person=PersonFactory(team=other_team, first_name="Zoe"),
        status=EpisodeStatus.AWAITING_ALLOCATION,
    )
    here = client_for(team_leader)
    there = client_for(UserFactory(role=Role.MANAGER, team=other_team))
    for _ in range(2):  # computed, then from the cache: each team's list under its own key
        assert _waiting(here) == (1, ["Aisha"])
        assert _waiting(there) == (1, ["Zoe"])


def test_the_page_of_people_waiting_is_read_afresh_through_the_scope(
    client_for, team_leader, team, waiting, navigator, monkeypatch
):
    """Only ids and dates are kept: were a change missed (the cache unreachable when it was
    written), the count could lag for the cache's five minutes, but the page's rows are read
    again and checked for a lead."""
    from caseload import capacity_cache

    client = client_for(team_leader)
    assert _waiting(client) == (1, ["Aisha"])
    monkeypatch.setattr(capacity_cache, "_bump", lambda: None)
    services.allocation_create(episode=waiting, worker=navigator, kind=LEAD, by=team_leader)
    assert _waiting(client) == (1, [])


# --- the page of people waiting, compiled once with the team's id a parameter (ADR 0046) --------


def _sql(queryset):
    return queryset.query.get_compiler(connection.alias).as_sql()


def _db(value):
    """A UUID parameter as the database is given it: itself, or its hex without a UUID type."""
    return value if connection.features.has_native_uuid_field else value.hex


def _with(params, marker, value):
    """Compiled parameters with `value` where `marker` was."""
    return [_db(value) if p in (marker, _db(marker)) else p for p in params]


@pytest.mark.parametrize("role", sorted(TEAM_ROLES))
def test_team_staffs_scope_reads_nothing_of_the_user_but_their_team(
    make_user, team, other_team, role
):
    """For every team role, in two teams, the user's scope and the page's query compile to the
    SQL the stand-in member gives, with the user's team's id where the stand-in's was: the
    team's id is all the compiled page's scope takes from the user."""
    marker = uuid.uuid4()
    scope_sql, scope_params = _sql(Person.objects.visible_to(User(role=role, team_id=marker)))
    ids = [uuid.uuid4() for _ in range(3)]
    page_sql, page_params = _sql(selectors._waiting_page_of_team(marker, *ids))
    for user in (make_user(role), make_user(role, team=other_team)):
        sql, params = _sql(Person.objects.visible_to(user))
        assert (sql, list(params)) == (scope_sql, _with(scope_params, marker, user.team_id))
        direct = awaiting_allocation(user, among=ids).values(*selectors.WAITING_ROW_VALUES)
        sql, params = _sql(direct)
        assert (sql, list(params)) == (page_sql, _with(page_params, marker, user.team_id))


@pytest.fixture
def waiting_in_two_teams(team, other_team, navigator):
    """People waiting in each team, and in each team someone led, someone closed and someone
    erased: the ids of every one of their episodes."""
    episodes = {}
    for where, prefix in ((team, "Here"), (other_team, "There")):
        for n in range(3):
            episodes[f"{prefix}{n}"] = EpisodeFactory(
                person=PersonFactory(team=where, first_name=f"{prefix}{n}"),
                status=EpisodeStatus.AWAITING_ALLOCATION,
            )
        episodes[f"{prefix}Led"] = AllocationFactory(
            episode=EpisodeFactory(person=PersonFactory(team=where, first_name=f"{prefix}Led")),
            worker=navigator,
            kind=LEAD,
        ).episode
        episodes[f"{prefix}Closed"] = EpisodeFactory(
            person=PersonFactory(team=where, first_name=f"{prefix}Closed"), closed=True
        )
        erased = EpisodeFactory(
            person=PersonFactory(team=where, first_name=f"{prefix}Erased"),
            status=EpisodeStatus.AWAITING_ALLOCATION,
        )
        RetentionReview.objects.create(
            team=where,
            person=erased.person,
            status="erased",
            last_involvement_on=date(2020, 1, 1),
            due_on=date(2026, 1, 1),
            retention_years=6,
            decided_at=timezone.now(),
            decided_by=UserFactory(role=Role.MANAGER, team=where),
            reason="Retention period passed.",
        )
        episodes[f"{prefix}Erased"] = erased
    return episodes


@pytest.mark.parametrize("role", [Role.TEAM_LEADER, Role.MANAGER])
def test_the_compiled_page_of_people_waiting_reads_what_the_users_scope_does(
    make_user, other_team, waiting_in_two_teams, role
):
    """Asked for every episode of both teams, the compiled page gives each user exactly what
    awaiting_allocation through their own visible_to gives: their team's people waiting, not
    the led, the closed, the erased, nor anyone of the other team."""
    everyone = [e.pk for e in waiting_in_two_teams.values()]
    for user, prefix in ((make_user(role), "Here"), (make_user(role, team=other_team), "There")):
        page = selectors.WaitingList(user, on=timezone.localdate(), rows=[])
        page.ids = everyone
        rows = page[0 : len(everyone)]
        direct = awaiting_allocation(user, among=everyone).values(*selectors.WAITING_ROW_VALUES)
        assert [tuple(row) for row in rows] == [
            tuple(row[name] for name in selectors.WAITING_ROW_VALUES) for row in direct
        ]
        assert [row.first_name for row in rows] == [f"{prefix}0", f"{prefix}1", f"{prefix}2"]
        assert [str(row) for row in rows] == [
            str(waiting_in_two_teams[f"{prefix}{n}"].person) for n in range(3)
        ]


def test_a_page_of_ids_from_another_team_shows_nobody(
    client_for, team_leader, other_team, waiting_in_two_teams, monkeypatch
):
    """Were the cached ids another team's (they are kept under the team's key), the page's
    rows are still read through the viewer's team: nobody of the other team is shown."""
    theirs = [
        (e.pk, e.accepted_on) for name, e in waiting_in_two_teams.items() if name[:5] == "There"
    ]
    monkeypatch.setattr(selectors, "_read_waiting_rows", lambda user: theirs)
    context = client_for(team_leader).get(reverse("caseload:team_capacity")).context
    assert context["team"].waiting.count == len(theirs)  # the ids, as given
    assert context["waiting"] == []
    html = client_for(team_leader).get(reverse("caseload:team_capacity")).content.decode()
    assert "There" not in html


def test_team_capacity_lists_fifty_workers_a_page_with_totals_for_everyone(
    client_for, team_leader, team
):
    from caseload.views import CAPACITY_PAGE_SIZE

    for _ in range(CAPACITY_PAGE_SIZE + 2):
        NavigatorFactory(team=team, fte=Decimal("1"))
    client = client_for(team_leader)
    first = client.get(reverse("caseload:team_capacity"))
    assert len(first.context["navigators"]) == CAPACITY_PAGE_SIZE
    assert first.context["navigator_totals"].workers == CAPACITY_PAGE_SIZE + 2
    assert "nav=2" in first.content.decode()
    second = client.get(reverse("caseload:team_capacity") + "?nav=2")
    assert len(second.context["navigators"]) == 2
    names = {i.worker.pk for i in first.context["navigators"]}
    assert names.isdisjoint(i.worker.pk for i in second.context["navigators"])


def test_each_team_lists_only_its_own_workers_from_the_same_compiled_pages(
    client_for, team_leader, team, other_team
):
    """A page of a list is compiled once per process with the team's id a parameter: two teams'
    pages, read one after the other, each list their own workers, and those who left holding
    people (a parameter too, however many) with them."""
    from caseload.views import CAPACITY_PAGE_SIZE

    url = reverse("caseload:team_capacity")
    there = UserFactory(role=Role.MANAGER, team=other_team)
    ours = [NavigatorFactory(team=team) for _ in range(CAPACITY_PAGE_SIZE + 1)]
    theirs = [NavigatorFactory(team=other_team) for _ in range(3)]
    gone = NavigatorFactory(team=other_team, is_active=False)
    fill(gone, other_team, LEAD, 1)
    PeerMentorFactory(team=team)
    here = client_for(team_leader)
    shown = [
        i.worker.pk for n in ("1", "2") for i in here.get(url, {"nav": n}).context["navigators"]
    ]
    assert sorted(shown) == sorted(w.pk for w in ours)
    shown = [i.worker.pk for i in client_for(there).get(url).context["navigators"]]
    assert sorted(shown) == sorted(w.pk for w in [*theirs, gone])
    # And the first team's again, with the other's statements compiled since.
    assert {i.worker.pk for i in here.get(url).context["navigators"]} <= {w.pk for w in ours}


def test_allocate_page_query_count_is_constant_with_handovers(
    team_leader_client, team_leader, team, waiting, count_queries
):
    from caseload import services

    workers = [NavigatorFactory(team=team, fte=Decimal("1")) for _ in range(12)]
    current = AllocationFactory(episode=waiting, worker=workers[0], kind=LEAD)

    def count():
        return count_queries.page(team_leader_client, allocate_url(waiting))

    services.allocation_hand_over(allocation=current, to=workers[1], by=team_leader, reason="Leave")
    one = count()
    current = waiting.allocations.current().get(kind=LEAD)
    for worker in workers[2:]:
        services.allocation_hand_over(allocation=current, to=worker, by=team_leader, reason="Rota")
        current = waiting.allocations.current().get(kind=LEAD)
    assert count() == one


def test_a_stale_allocate_form_with_no_candidates_is_a_form_error_not_a_500(
    team_leader_client, waiting
):
    # No peer mentor in the team any more: the posted choice cannot be valid.
    response = team_leader_client.post(
        allocate_url(waiting),
        {**new_key("peer"), "form": "peer", "peer-worker": "00000000-0000-0000-0000-000000000000"},
    )
    assert response.status_code in {200, 400}
    assert not waiting.allocations.exists()


def test_team_capacity_rows_escape_names_and_flag_who_left_and_who_is_over(
    client_for, team_leader, team
):
    odd = NavigatorFactory(
        team=team,
        first_name="<b>Nadia</b>",
        last_name="O'Neill & Co",
        languages="<i>Urdu</i>",
        specialism=Specialism.WOMEN,
    )
    NavigatorFactory(team=team, specialism="")
    fill(odd, team, LEAD, 9)  # over by 1 at 1.0 FTE
    gone = PeerMentorFactory(team=team, first_name="Gone", is_active=False)
    fill(gone, team, PEER, 1)
    person = PersonFactory(team=team, first_name="<script>x</script>", last_name="Bo")
    EpisodeFactory(person=person, status=EpisodeStatus.AWAITING_ALLOCATION)
    html = client_for(team_leader).get(reverse("caseload:team_capacity")).content.decode()
    assert "<b>Nadia" not in html and "<script>x" not in html and "<i>Urdu" not in html
    assert "&lt;b&gt;Nadia&lt;/b&gt; O&#x27;Neill &amp; Co" in html
    assert '<td data-label="Languages">&lt;i&gt;Urdu&lt;/i&gt;</td>' in html
    assert '<span class="badge text-bg-danger">Over by 1</span>' in html
    assert 'class="progress-bar bg-danger" style="width: 100%"' in html
    assert "Gone" in html and "Not active: hand over" in html
    assert f'href="{reverse("caseload:allocate", args=[person.pk])}">Allocate' in html
    assert '<span class="visually-hidden"> &lt;script&gt;x&lt;/script&gt; Bo</span>' in html
    assert "Waiting 0 days · Awaiting allocation" in html
    # Each row's link, status and specialism: looked up once a page, the same as per row.
    assert f'<a href="{reverse("caseload:person_detail", args=[person.pk])}">&lt;script' in html
    assert f'<td data-label="Specialism">{Specialism.WOMEN.label}</td>' in html
    # A navigator with no specialism shows "—", not the empty choice's label ("None").
    assert '<td data-label="Specialism">—</td>' in html
    assert '<td data-label="Specialism">None</td>' not in html


def test_team_capacity_says_when_a_list_is_empty(client_for, team_leader, team):
    html = client_for(team_leader).get(reverse("caseload:team_capacity")).content.decode()
    assert '<tr><td colspan="6">No navigators in the team.</td></tr>' in html
    assert '<tr><td colspan="5">No peer mentors in the team.</td></tr>' in html
    assert "Nobody is waiting." in html


def test_a_worker_who_leaves_holding_people_is_listed_to_hand_over_on_the_next_view(
    client_for, team_leader, team, navigator
):
    fill(navigator, team, LEAD, 2)
    client = client_for(team_leader)
    url = reverse("caseload:team_capacity")
    assert [(i.worker.pk, i.load) for i in client.get(url).context["navigators"]] == [
        (navigator.pk, 2)
    ]
    navigator.is_active = False
    navigator.save(update_fields=["is_active"])
    after = client.get(url)
    assert [(i.worker.pk, i.load, i.capacity) for i in after.context["navigators"]] == [
        (navigator.pk, 2, 0)
    ]
    assert "Not active: hand over" in after.content.decode()
