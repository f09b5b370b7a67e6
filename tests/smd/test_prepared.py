"""A query compiled once per process reads each record it is run for, as the queryset would."""

import uuid
from datetime import timedelta

import pytest
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from caseload.models import Contact, ContactKind, Episode, Person
from smd.prepared import PreparedQuery, as_prefetched
from tests.factories import ContactFactory, EpisodeFactory, PersonFactory


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


def _contacts_with_authors(pk):
    return (
        Contact.objects.filter(person_id=pk)
        .select_related("author", "episode")
        .only("occurred_at", "kind", "summary", "author__first_name", "episode__status")
        .annotate(named=Subquery(Person.objects.filter(pk=OuterRef("person")).values("first_name")))
        .order_by("-occurred_at")
    )


def _as_read(contact):
    """What a model instance holds: its loaded fields, related instances and annotations."""
    return (
        type(contact),
        contact.__dict__ | {"_state": None, "author": None, "episode": None},
        contact.get_deferred_fields(),
        vars(contact.author) | {"_state": None},
        contact.author.get_deferred_fields(),
        contact.episode.status if contact.episode_id else None,
    )


def test_a_model_query_makes_the_instances_the_queryset_makes(team, navigator):
    query = PreparedQuery(Contact, _contacts_with_authors)
    person = PersonFactory(team=team)
    episode = EpisodeFactory(person=person)
    ContactFactory(person=person, author=navigator, episode=episode, summary='<&">')
    ContactFactory(person=person, author=navigator, occurred_at=timezone.now() - timedelta(days=2))
    ContactFactory(person=PersonFactory(team=team), author=navigator)

    made, expected = query.objects(person.pk), list(_contacts_with_authors(person.pk))
    assert len(made) == 2
    assert [_as_read(c) for c in made] == [_as_read(c) for c in expected]
    assert made[0]._state.db == expected[0]._state.db and not made[0]._state.adding
    assert made[0].named == person.first_name
    assert query.objects(uuid.uuid4()) == []


def test_rows_and_objects_each_refuse_the_other_kind_and_prefetches(team):
    person = PersonFactory(team=team)
    with pytest.raises(TypeError, match="objects()"):
        PreparedQuery(Contact, _contacts_with_authors).rows(person.pk)
    with pytest.raises(TypeError, match="rows()"):
        PreparedQuery(Person, _last_contact).objects(person.pk)
    prefetching = PreparedQuery(
        Person, lambda pk: Person.objects.filter(pk=pk).prefetch_related("aliases")
    )
    with pytest.raises(ValueError, match="prefetches"):
        prefetching.objects(person.pk)


def test_objects_given_as_prefetched_are_read_without_a_query(team, django_assert_num_queries):
    person = PersonFactory(team=team)
    episodes = [EpisodeFactory(person=person)]
    query = PreparedQuery(Episode, lambda pk: Episode.objects.filter(person_id=pk))
    read = Person.objects.get(pk=person.pk)
    as_prefetched(read, "episodes", query.objects(person.pk))
    with django_assert_num_queries(0):
        assert list(read.episodes.all()) == episodes
        assert read.episodes.all()[0].person is read
    # Anything chained on the relation asks the database, for this person's episodes only.
    EpisodeFactory(person=PersonFactory(team=team))
    with django_assert_num_queries(1):
        assert list(read.episodes.filter(status=episodes[0].status)) == episodes


def test_a_query_of_several_ids_takes_each_in_its_place(team, navigator):
    def some_contacts(person, *pks):
        return Contact.objects.filter(person_id=person, pk__in=pks).order_by("summary")

    query = PreparedQuery(Contact, some_contacts, ids=3)
    alice, bob = PersonFactory(team=team), PersonFactory(team=team)
    a1, a2, a3 = (ContactFactory(person=alice, author=navigator, summary=s) for s in "cab")
    b1 = ContactFactory(person=bob, author=navigator)
    assert query.objects(alice.pk, a1.pk, a2.pk) == [a2, a1]
    assert query.objects(alice.pk, a3.pk, b1.pk) == [a3]  # only Alice's
    assert query.objects(bob.pk, a3.pk, b1.pk) == [b1]
    with pytest.raises(TypeError, match="takes 3 ids"):
        query.objects(alice.pk, a1.pk)


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


def _of_team(team_id, *pks):
    return (
        Person.objects.filter(team_id=team_id, pk__in=pks)
        .order_by("first_name")
        .values("pk", "first_name")
    )


def test_a_query_of_several_ids_puts_each_where_it_goes(team, other_team):
    query = PreparedQuery(Person, _of_team, ids=None)
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
    query = PreparedQuery(
        Person, lambda team_id, pk: Person.objects.filter(pk=pk).values("pk"), ids=2
    )
    with pytest.raises(ValueError, match="does not use the id"):
        query.rows(uuid.uuid4(), uuid.uuid4())


def test_values_named_in_the_order_given_even_with_annotations_first(team, navigator):
    """values() writes its columns in the order it is given them, annotations among fields;
    each value is read under its own name (as Django's ValuesIterable reads them)."""

    def build(pk):
        made = Contact.objects.filter(person=OuterRef("pk")).order_by("-occurred_at")
        return (
            Person.objects.filter(pk=pk)
            .annotate(kind=Subquery(made.values("kind")[:1]))
            .values("kind", "first_name", "team_id")
        )

    alice = PersonFactory(team=team, first_name="Alice")
    ContactFactory(person=alice, author=navigator, kind=ContactKind.PHONE)
    assert PreparedQuery(Person, build).rows(alice.pk) == list(build(alice.pk))
    assert PreparedQuery(Person, build).rows(alice.pk) == [
        {"kind": "phone", "first_name": "Alice", "team_id": team.pk}
    ]
