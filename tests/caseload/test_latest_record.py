"""A card's record carried on the person page's own query (`latest_record`) reads back as the
record it is (`record_from`): the same values, of the same types, as a query of its own gives."""

from datetime import timedelta

import pytest
from django.utils import timezone

from caseload import selectors
from caseload.models import Contact, ContactKind
from caseload.outcomes.models import PersonalBudget
from domestic_abuse.models import DashChecklist, MaracReferral
from tests.factories import ContactFactory, UserFactory


def test_the_last_contact_on_the_person_is_the_contact_as_stored(person, navigator):
    # Microseconds and an hour that is not midnight in UTC or in London, so a time read in the
    # wrong zone or truncated shows.
    at = timezone.now().replace(hour=0, minute=30, microsecond=123456) - timedelta(days=200)
    author = UserFactory(team=person.team, first_name="Nadia", last_name="Ellis")
    ContactFactory(person=person, author=author, occurred_at=at - timedelta(days=1))
    made = ContactFactory(person=person, author=author, occurred_at=at, kind=ContactKind.PHONE)
    ContactFactory(person=person, author=navigator, occurred_at=at, kind=ContactKind.ATTEMPTED)

    read = selectors.last_contact(selectors.person_detail(navigator, person.pk))
    stored = selectors.last_contact(type(person).objects.get(pk=person.pk))

    assert stored.pk == made.pk  # a person read elsewhere: a query of its own
    assert isinstance(read, Contact) and read.pk == made.pk
    assert read.occurred_at == made.occurred_at and read.occurred_at.tzinfo is not None
    assert read.kind == ContactKind.PHONE
    assert read.get_kind_display() == stored.get_kind_display() == "Phone call"
    assert str(read.author) == "Nadia Ellis" == str(stored.author)


def test_a_field_not_carried_is_read_from_the_database_not_left_blank(person, navigator):
    # The card's record carries the fields the card shows; any other is deferred, as in a
    # query with only(), so a template that comes to show it gets the stored value.
    made = ContactFactory(person=person, author=navigator, summary="Talked about the flat.")
    read = selectors.last_contact(selectors.person_detail(navigator, person.pk))
    assert "summary" in read.get_deferred_fields()
    assert read.summary == "Talked about the flat." == made.summary


def test_a_person_with_no_contact_has_none_on_their_page(person, navigator):
    ContactFactory(person=person, author=navigator, kind=ContactKind.ATTEMPTED)
    assert selectors.last_contact(selectors.person_detail(navigator, person.pk)) is None


def test_an_author_without_a_name_is_shown_by_username(person, navigator):
    author = UserFactory(team=person.team, first_name="", last_name="", username="duty-phone")
    ContactFactory(person=person, author=author)
    read = selectors.last_contact(selectors.person_detail(navigator, person.pk))
    assert str(read.author) == "duty-phone"


@pytest.mark.parametrize(
    ("model", "data"),
    [(DashChecklist, {"high_because": ["stalking"]}), (PersonalBudget, {"amount_offered": 0.1})],
)
def test_json_and_decimal_fields_are_not_read_back_from_a_json_object(model, data):
    # SQLite puts a JSON column into a JSON object as text, and a decimal comes back a float:
    # neither would be the value stored.
    with pytest.raises(TypeError):
        selectors.record_from(model, data)


def test_a_value_that_is_not_a_field_is_an_attribute_as_an_annotation_is():
    read = selectors.record_from(MaracReferral, {"marac": "North", "open_actions": 2})
    assert (read.marac, read.open_actions) == ("North", 2)


def test_what_is_built_once_for_the_person_page_names_no_date(db):
    """Annotations registered `once` are built at the first person page and kept for the
    process: one that named today's date would go on naming the day the process started. Built
    on two different days, each gives the same SQL with the same parameters."""
    from datetime import datetime
    from unittest import mock

    from django.db import connection

    from caseload.models import Person

    once = [annotations for annotations, built_once in selectors._person_annotations if built_once]
    assert selectors.last_contact_annotations in once and len(once) >= 5

    def sql():
        query = Person.objects.annotate(**{k: v for a in once for k, v in a(None).items()}).query
        return query.get_compiler(connection=connection).as_sql()

    today = sql()
    another_day = datetime(2031, 7, 1, 12, tzinfo=datetime.now().astimezone().tzinfo)
    with mock.patch("django.utils.timezone.now", return_value=another_day):
        assert sql() == today
