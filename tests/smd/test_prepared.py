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


def _contacts_of_by(person, author):
    return Contact.objects.filter(person=person, author=author).values("summary")


def test_each_id_of_a_query_of_several_is_its_own_parameter(team, navigator, make_user):
    query = PreparedQuery(Contact, _contacts_of_by, ids=2)
    other = make_user()
    alice, bob = PersonFactory(team=team), PersonFactory(team=team)
    ContactFactory(person=alice, author=navigator, summary="Alice by the navigator")
    ContactFactory(person=alice, author=other, summary="Alice by the other")
    ContactFactory(person=bob, author=navigator, summary="Bob by the navigator")

    assert query.rows(alice.pk, navigator.pk) == [{"summary": "Alice by the navigator"}]
    assert query.rows(alice.pk, other.pk) == [{"summary": "Alice by the other"}]
    assert query.rows(bob.pk, navigator.pk) == [{"summary": "Bob by the navigator"}]
    assert query.rows(bob.pk, other.pk) == []
    with pytest.raises(TypeError, match="takes 2 ids"):
        query.rows(alice.pk)


def test_a_query_of_several_ids_must_use_each(db):
    query = PreparedQuery(Contact, lambda person, author: _contacts_of_by(person, None), ids=2)
    with pytest.raises(ValueError, match="does not use the id"):
        query.rows(uuid.uuid4(), uuid.uuid4())


def test_a_query_of_no_id_is_read_afresh_each_run(team):
    query = PreparedQuery(Person, lambda: Person.objects.filter(team=team).values("first_name"), 0)
    assert query.rows() == []
    PersonFactory(team=team, first_name="Alice")
    assert query.rows() == [{"first_name": "Alice"}]
