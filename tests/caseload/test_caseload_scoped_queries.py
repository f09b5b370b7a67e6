"""My caseload's queries and the contact's, compiled once per kind of user (ADR 0043), give each
user exactly what the same querysets built for them on the request give: two navigators in two
teams, a peer mentor and a team leader, on seed_scale's data (NDTs, MDT and MARAC actions,
appointments, contacts), asked in turn so each one's rows come from what another compiled."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from appointments import selectors as appointment_selectors
from assessments import selectors as assessment_selectors
from caseload import selectors
from caseload.models import Allocation, Episode, Person
from domestic_abuse.selectors import marac_actions_owned_by
from domestic_abuse.templatetags import domestic_abuse_tags
from mdt.selectors import actions_owned_by
from mdt.templatetags import mdt_tags
from smd.models import Role, Team, User
from tests.factories import TeamFactory, booked_appointment, marac_records


def _fields(instance):
    """Every value an instance carries (fields, annotations, related objects read with it)."""
    values = {name: value for name, value in vars(instance).items() if name != "_state"}
    for name, related in instance._state.fields_cache.items():
        values[name] = related and _fields(related)
    return values


def _all(rows):
    return [_fields(row) for row in rows]


@pytest.fixture
def seeded(db, settings):
    """seed_scale's team, and a second team made of its second-busiest navigator and the people
    they lead, moved there with their records."""
    settings.DEBUG = True  # seed_scale refuses without it
    call_command("seed_scale", factor=0.2, stdout=io.StringIO())
    settings.DEBUG = False
    team = Team.objects.annotate(n=Count("people")).order_by("-n").first()
    navigators = list(
        User.objects.filter(team=team, role=Role.NAVIGATOR)
        .annotate(load=Count("allocations", filter=Q(allocations__ended_at__isnull=True)))
        .order_by("-load", "username")[:2]
    )
    first, second = navigators
    other_team = TeamFactory(name="Second team", organisation=team.organisation)
    led = Allocation.objects.holding().filter(worker=second).values("episode__person")
    Person.objects.filter(pk__in=led).update(team=other_team)
    User.objects.filter(pk=second.pk).update(team=other_team)
    second.refresh_from_db()
    mentor = (
        User.objects.filter(team=team, role=Role.PEER_MENTOR)
        .annotate(load=Count("allocations", filter=Q(allocations__ended_at__isnull=True)))
        .order_by("-load", "username")
        .first()
    )
    users = {
        "navigator": first,
        "other_team_navigator": second,
        "mentor": mentor,
        "leader": User.objects.filter(team=team, role=Role.TEAM_LEADER).first(),
    }
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    for user in (first, second, mentor):
        people = list(selectors.my_caseload(user).values_list("pk", flat=True)[:3])
        assert people, f"{user} holds nobody in the seeded data"
        for n, pk in enumerate(people):
            booked_appointment(
                Person.objects.get(pk=pk),
                worker=user,
                starts_at=midnight + timedelta(days=n, hours=23),
            )
        marac_records(Person.objects.get(pk=people[0]), by=first, owner=user)
    return users


def test_each_user_gets_the_rows_the_plain_querysets_give_them(seeded):
    everyone = list(Person.objects.values_list("pk", flat=True))
    for _ in range(2):  # the second round from what the first compiled
        for role, user in seeded.items():
            mine = list(selectors.my_caseload(user)[:51])
            assert _all(selectors.my_caseload_head(user, 51)) == _all(mine), role
            counts = selectors.caseload_counts(user)
            assert counts == selectors.caseload_counts_of(list(selectors.my_caseload(user))), role
            for status in ("", "active", "paused"):
                rows = selectors.CaseloadRows(user, status)
                for start, stop in ((0, 50), (2, 5), (50, 100)):
                    plain = selectors.my_caseload(user, status)[start:stop]
                    assert _all(rows[start:stop]) == _all(plain), (role, status, start)
            for pk in [p.pk for p in mine] + everyone[:20]:
                plain = selectors._caseload_rows(user).filter(pk=pk).first()
                row = selectors.caseload_row(user, pk)
                assert (row and _fields(row)) == (plain and _fields(plain)), (role, pk)
            for pk in everyone:
                plain = Person.objects.visible_to(user).filter(pk=pk).first()
                person = selectors.visible_person(user, pk)
                assert (person and _fields(person)) == (plain and _fields(plain)), (role, pk)


def test_the_sections_above_the_list_are_what_the_plain_querysets_give(seeded):
    fields = mdt_tags.CASELOAD_ACTION_FIELDS
    marac_fields = domestic_abuse_tags.CASELOAD_MARAC_ACTION_FIELDS
    for _ in range(2):
        for role, user in seeded.items():
            plain = (
                actions_owned_by(user)
                .select_related(None)
                .select_related("person", "owner_organisation", "agenda_item")
                .only(*fields, "agenda_item__id")
            )
            assert _all(mdt_tags._my_mdt_actions.rows(user)) == _all(plain), role
            plain = (
                marac_actions_owned_by(user)
                .select_related(None)
                .select_related("person", "owner_organisation")
                .only(*marac_fields)
            )
            assert _all(domestic_abuse_tags._my_marac_actions.rows(user)) == _all(plain), role
            shown = appointment_selectors.my_week_shown(user)
            week = appointment_selectors.my_week(user, only=appointment_selectors.MY_WEEK_SHOWN)
            assert (_all(shown.today), _all(shown.later)) == (_all(week.today), _all(week.later))
    # What the comparison covered: each worker has actions and appointments to show.
    for role in ("navigator", "other_team_navigator", "mentor"):
        user = seeded[role]
        assert domestic_abuse_tags._my_marac_actions.rows(user), role
        assert appointment_selectors.my_week_shown(user).today, role
    assert mdt_tags._my_mdt_actions.rows(seeded["navigator"])


def test_the_ndt_changes_of_a_list_are_those_ndt_changes_gives(seeded):
    people = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    for ids in (people[:1], people[:10], people[10:60], people):
        plain = assessment_selectors.ndt_changes(Episode.objects.open().filter(person__in=ids))
        assert assessment_selectors.ndt_changes_in_open_episodes(ids) == plain
    assert assessment_selectors.ndt_changes_in_open_episodes(people)  # some change to compare
