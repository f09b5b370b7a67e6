"""A query scoped to the user, compiled once per kind of user (smd.prepared.ScopedQuery, ADR 0043):
each user gets what the plain queryset gives them, a query shaped by anything else of the user
or the moment is refused, and one kind of user's query is never run for another kind."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count
from django.utils import timezone

from caseload.models import Allocation, Contact, ContactKind, Person
from smd.models import Role
from smd.prepared import ScopedQuery, ScopeError
from tests.factories import (
    AllocationFactory,
    ContactFactory,
    EpisodeFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
)


def _fields(instance):
    return {name: value for name, value in vars(instance).items() if name != "_state"}


def _visible(user):
    return Person.objects.visible_to(user).order_by("last_name", "first_name", "pk")


@pytest.fixture
def two_teams(team, other_team, make_user):
    """A navigator in each of two teams, a peer mentor with two of the first team's people, a
    team leader, and people in both teams (one erased)."""
    ours = [PersonFactory(team=team, last_name=f"Ours{n}") for n in range(4)]
    theirs = [PersonFactory(team=other_team, last_name=f"Theirs{n}") for n in range(3)]
    mentor = make_user(Role.PEER_MENTOR)
    for person in ours[:2]:
        AllocationFactory(episode=EpisodeFactory(person=person), worker=mentor)
    leader = make_user(Role.TEAM_LEADER)
    ours[3].retention_reviews.create(
        team=team,
        status="erased",
        last_involvement_on=timezone.localdate(),
        due_on=timezone.localdate(),
        retention_years=6,
        decided_at=timezone.now(),
        decided_by=leader,
        reason="Past retention.",
    )
    return {
        "navigator": make_user(Role.NAVIGATOR),
        "other_navigator": UserFactory(role=Role.NAVIGATOR, team=other_team),
        "mentor": mentor,
        "leader": leader,
        "ours": ours,
        "theirs": theirs,
    }


def test_each_user_gets_what_their_visible_to_gives_them(two_teams):
    query = ScopedQuery(Person, _visible)
    users = [two_teams[k] for k in ("navigator", "other_navigator", "mentor", "leader")]
    for user in users * 2:  # the second time round from what was compiled the first
        assert query.rows(user) == list(_visible(user))
    navigator, other, mentor = users[:3]
    assert {p.last_name for p in query.rows(navigator)} == {"Ours0", "Ours1", "Ours2"}
    assert {p.last_name for p in query.rows(other)} == {"Theirs0", "Theirs1", "Theirs2"}
    assert {p.last_name for p in query.rows(mentor)} == {"Ours0", "Ours1"}
    # The instances are whole: every field read as the queryset reads it.
    for user in users:
        assert [_fields(p) for p in query.rows(user)] == [_fields(p) for p in _visible(user)]


def test_users_of_one_kind_share_one_compiled_query_and_each_kind_has_its_own(two_teams):
    query = ScopedQuery(Person, _visible)
    query.rows(two_teams["navigator"])
    query.rows(two_teams["other_navigator"])
    assert len(query._compiled) == 1  # two navigators, two teams: one query, two teams' rows
    query.rows(two_teams["mentor"])
    query.rows(two_teams["leader"])
    assert len(query._compiled) == 3


def test_the_kind_of_user_is_all_the_key_can_hold(two_teams, team):
    """Another role, a deactivated user, a user without a team: each a query of its own, each
    giving what the plain queryset gives."""
    query = ScopedQuery(Person, _visible)
    navigator = two_teams["navigator"]
    left = UserFactory(role=Role.NAVIGATOR, team=team, is_active=False)
    no_team = UserFactory(role=Role.NAVIGATOR, team=None)
    staff = UserFactory(role=Role.NAVIGATOR, team=team, is_staff=True)
    for user in (navigator, left, no_team, staff, two_teams["mentor"]):
        assert query.rows(user) == list(_visible(user))
    assert len(query._compiled) == 5
    assert query.rows(AnonymousUser()) == [] == list(_visible(AnonymousUser()))


def test_the_ids_of_records_are_filled_in_too(two_teams):
    query = ScopedQuery(Person, lambda user, pk: Person.objects.visible_to(user).filter(pk=pk))
    navigator, mentor = two_teams["navigator"], two_teams["mentor"]
    ours, theirs = two_teams["ours"], two_teams["theirs"]
    assert query.rows(navigator, ours[2].pk) == [ours[2]]
    assert query.rows(navigator, theirs[0].pk) == []  # another team's: nobody
    assert query.rows(navigator, ours[3].pk) == []  # erased
    assert query.rows(mentor, ours[1].pk) == [ours[1]]
    assert query.rows(mentor, ours[2].pk) == []  # not allocated to them
    assert query.rows(two_teams["other_navigator"], theirs[0].pk) == [theirs[0]]
    assert query.rows(navigator, uuid.uuid4()) == []


def test_options_are_part_of_the_key(two_teams):
    def build(user, *, surname):
        return _visible(user).filter(last_name=surname)

    query = ScopedQuery(Person, build)
    navigator = two_teams["navigator"]
    assert [p.last_name for p in query.rows(navigator, surname="Ours1")] == ["Ours1"]
    assert [p.last_name for p in query.rows(navigator, surname="Ours2")] == ["Ours2"]


def test_a_branch_on_the_role_is_keyed_by_the_role(two_teams):
    def build(user):
        if user.role == Role.PEER_MENTOR:
            return Person.objects.none()
        return _visible(user)

    query = ScopedQuery(Person, build)
    assert len(query.rows(two_teams["navigator"])) == 3
    assert query.rows(two_teams["mentor"]) == []
    assert len(query.rows(two_teams["navigator"])) == 3


def test_what_it_reads_is_never_kept_only_the_sql(two_teams, team):
    query = ScopedQuery(Person, _visible)
    navigator, mentor = two_teams["navigator"], two_teams["mentor"]
    assert (len(query.rows(navigator)), len(query.rows(mentor))) == (3, 2)
    newcomer = PersonFactory(team=team, last_name="Newcomer")
    allocation = AllocationFactory(episode=EpisodeFactory(person=newcomer), worker=mentor)
    Person.objects.filter(pk=two_teams["ours"][0].pk).update(first_name="Renamed")
    assert "Newcomer" in {p.last_name for p in query.rows(navigator)}
    assert "Newcomer" in {p.last_name for p in query.rows(mentor)}
    assert "Renamed" in {p.first_name for p in query.rows(mentor)}
    Allocation.objects.filter(pk=allocation.pk).update(ended_at=timezone.now())
    assert "Newcomer" not in {p.last_name for p in query.rows(mentor)}


def test_values_and_values_lists_come_back_as_the_queryset_gives_them(two_teams, navigator):
    def counts(user):
        return (
            Contact.objects.filter(person__in=Person.objects.visible_to(user))
            .values("kind")
            .annotate(n=Count("pk"))
            .order_by("kind")
        )

    person = two_teams["ours"][0]
    for kind in (ContactKind.PHONE, ContactKind.PHONE, ContactKind.ATTEMPTED):
        ContactFactory(person=person, author=navigator, kind=kind)
    query = ScopedQuery(Contact, counts)
    assert (
        query.rows(navigator)
        == list(counts(navigator))
        == [
            {"kind": "attempted", "n": 1},
            {"kind": "phone", "n": 2},
        ]
    )
    flat = ScopedQuery(Person, lambda user: _visible(user).values_list("last_name", flat=True))
    assert flat.rows(two_teams["mentor"]) == ["Ours0", "Ours1"]


@pytest.mark.parametrize(
    ("build", "why"),
    [
        # a field of the user outside the key: a query for Nadia would be served to Nia
        (lambda user: Person.objects.filter(first_name=user.first_name), "first_name"),
        (lambda user: Person.objects.filter(known_as=user.specialism or "x"), "specialism"),
        # the moment: different at each build
        (lambda user: Person.objects.filter(created_at__lte=timezone.now()), "neither the same"),
        # something read from the database while building, kept in the SQL
        (lambda user: Person.objects.filter(team__name=user.team.name), "ran a query"),
        (
            lambda user: Person.objects.filter(
                pk__in=list(Allocation.objects.filter(worker=user).values_list("episode__person"))
            ),
            "ran a query",
        ),
        # an id worked into another value than itself
        (lambda user: Person.objects.filter(first_name=str(user.pk)[:8]), "neither the same"),
        # the query of another model than it says
        (lambda user: Contact.objects.filter(author=user), "not <class"),
    ],
)
def test_a_query_shaped_by_anything_else_is_refused(two_teams, build, why):
    with pytest.raises(ScopeError, match=why):
        ScopedQuery(Person, build).rows(two_teams["navigator"])


def test_a_branch_on_a_field_outside_the_key_is_refused(two_teams):
    def build(user):
        if user.specialism == "women":
            return Person.objects.filter(gender="woman")
        return _visible(user)

    with pytest.raises(ScopeError, match="specialism"):
        ScopedQuery(Person, build).rows(two_teams["navigator"])


def test_a_query_naming_the_day_follows_the_day(two_teams, navigator, monkeypatch):
    person = two_teams["ours"][0]
    today = timezone.localdate()
    ContactFactory(person=person, author=navigator, occurred_at=timezone.now())

    def build(user):
        return Contact.objects.filter(
            person__in=Person.objects.visible_to(user), occurred_at__date=timezone.localdate()
        )

    query = ScopedQuery(Contact, build)
    assert len(query.rows(navigator)) == 1
    monkeypatch.setattr(timezone, "localdate", lambda *args: today + timedelta(days=1))
    assert query.rows(navigator) == list(build(navigator)) == []


def test_a_query_for_anyone_takes_no_user(two_teams):
    ids = [p.pk for p in two_teams["ours"][:2]]
    query = ScopedQuery(Person, lambda _anyone, *ids: Person.objects.filter(pk__in=ids))
    assert {p.pk for p in query.rows(None, *ids)} == set(ids)
    assert [p.pk for p in query.rows(None, ids[0])] == ids[:1]


def test_another_teams_navigator_never_gets_the_first_teams_rows(db, make_user):
    """Many teams, one kind of user: each navigator, asking in turn from the one compiled
    query, sees their own team's people and only them."""
    query = ScopedQuery(Person, _visible)
    teams = [TeamFactory() for _ in range(4)]
    people = {t.pk: {PersonFactory(team=t).pk for _ in range(2)} for t in teams}
    navigators = [UserFactory(role=Role.NAVIGATOR, team=t) for t in teams]
    for navigator in navigators + navigators[::-1]:
        assert {p.pk for p in query.rows(navigator)} == people[navigator.team_id]
    assert len(query._compiled) == 1
