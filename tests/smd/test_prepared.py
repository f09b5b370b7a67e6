"""A query compiled once per process reads each record it is run for, as the queryset would."""

import uuid
from datetime import timedelta

import pytest
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from caseload.models import Contact, ContactKind, Person
from smd.prepared import PreparedQuery
from tests.factories import ContactFactory, PersonFactory


def _last_contact(pk):
    made = Contact.objects.filter(person=OuterRef("pk")).order_by("-occurred_at")
    return (
        Person.objects.filter(pk=pk)
        .annotate(
            at=Subquery(made.values("occurred_at")[:1]), kind=Subquery(made.values("kind")[:1])
        )
        .values("first_name", "at", "kind")
    )


def test_it_reads_each_record_it_is_run_for(team, navigator):
    query = PreparedQuery(Person, _last_contact)
    alice, bob = PersonFactory(team=team, first_name="Alice"), PersonFactory(team=team)
    at = timezone.now().replace(microsecond=123456) - timedelta(days=3)
    ContactFactory(person=alice, author=navigator, occurred_at=at, kind=ContactKind.PHONE)

    assert query.rows(alice.pk) == list(_last_contact(alice.pk))
    assert query.rows(alice.pk) == [{"first_name": "Alice", "at": at, "kind": "phone"}]
    assert query.rows(bob.pk) == [{"first_name": bob.first_name, "at": None, "kind": None}]
    assert query.rows(uuid.uuid4()) == []


def test_what_it_reads_is_never_kept_only_the_sql(team, navigator):
    query = PreparedQuery(Person, _last_contact)
    alice = PersonFactory(team=team)
    assert query.rows(alice.pk)[0]["kind"] is None
    ContactFactory(person=alice, author=navigator, kind=ContactKind.FACE_TO_FACE)
    assert query.rows(alice.pk)[0]["kind"] == ContactKind.FACE_TO_FACE


def test_a_query_that_does_not_take_the_id_is_refused(db):
    query = PreparedQuery(Person, lambda pk: Person.objects.filter(first_name="x").values("pk"))
    with pytest.raises(ValueError, match="does not use the id"):
        query.rows(uuid.uuid4())


def _of_team(team_id, *pks):
    return (
        Person.objects.filter(team_id=team_id, pk__in=pks)
        .order_by("first_name")
        .values("pk", "first_name")
    )


def test_a_query_of_several_ids_puts_each_where_it_goes(team, other_team):
    query = PreparedQuery(Person, _of_team)
    alice = PersonFactory(team=team, first_name="Alice")
    bob = PersonFactory(team=team, first_name="Bob")
    zoe = PersonFactory(team=other_team, first_name="Zoe")

    # The team's id and the people's are each a parameter: who is asked for, and in which
    # team, change the rows; a person of another team is not among them.
    assert query.rows(team.pk, bob.pk, alice.pk) == list(_of_team(team.pk, alice.pk, bob.pk))
    assert [r["first_name"] for r in query.rows(team.pk, bob.pk, alice.pk)] == ["Alice", "Bob"]
    assert [r["first_name"] for r in query.rows(team.pk, zoe.pk, alice.pk)] == ["Alice"]
    assert [r["first_name"] for r in query.rows(other_team.pk, zoe.pk, alice.pk)] == ["Zoe"]
    # Compiled once for each number of ids it is run with.
    assert [r["first_name"] for r in query.rows(team.pk, bob.pk)] == ["Bob"]
    assert [r["first_name"] for r in query.rows(other_team.pk, zoe.pk, alice.pk, bob.pk)] == ["Zoe"]
    assert sorted(count for _, count in query._compiled) == [2, 3, 4]


def test_a_query_that_leaves_out_one_of_its_ids_is_refused(db):
    query = PreparedQuery(Person, lambda team_id, pk: Person.objects.filter(pk=pk).values("pk"))
    with pytest.raises(ValueError, match="does not use the id"):
        query.rows(uuid.uuid4(), uuid.uuid4())
