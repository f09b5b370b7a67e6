from datetime import date

import pytest
from django.urls import reverse

from appointments.models import Appointment
from caseload import selectors
from caseload.models import Person, PersonAlias, read_for, records_of
from smd.models import Role
from tests.factories import (
    AllocationFactory,
    EpisodeFactory,
    PersonFactory,
    UserFactory,
    booked_appointment,
    current_version,
)

LIST = reverse("caseload:person_list")


@pytest.fixture
def person(team):
    return PersonFactory(team=team, first_name="Margaret", last_name="Kelly", known_as="Peggy")


def edit_data(person, **changes):
    data = {
        "version": current_version(person),
        "first_name": "Margaret",
        "last_name": "Kelly",
        "known_as": "Peggy",
        "other_names": "Maggie Byrne\nMags",
        "date_of_birth": "1979-05-03",
        "approximate_age": "",
        "nhs_number": "",
        "phone": "07700 900456",
        "safe_to_text": "yes",
        "safe_to_leave_voicemail": "no",
        "contact_notes": "",
        "gender": "woman",
        "gender_same_as_sex_at_birth": "prefer_not",
        "ethnicity": "white_irish",
        "sexual_orientation": "not_known",
        "religion": "prefer_not",
        "disability": "yes",
        "preferred_language": "English",
        "interpreter_needed": "no",
    }
    data.update(changes)
    return data


def test_navigator_records_characteristics_and_other_names(navigator_client, person):
    url = reverse("caseload:person_edit", args=[person.pk])
    response = navigator_client.post(url, edit_data(person))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.gender == "woman"
    # "Prefer not to say" and "not asked" are kept apart.
    assert person.religion == "prefer_not" and person.sexual_orientation == "not_known"
    assert sorted(person.aliases.values_list("name", flat=True)) == ["Maggie Byrne", "Mags"]
    navigator_client.post(url, edit_data(person, other_names="Mags"))
    assert list(person.aliases.values_list("name", flat=True)) == ["Mags"]


def test_bad_edit_keeps_typing_and_changes_nothing(navigator_client, person):
    url = reverse("caseload:person_edit", args=[person.pk])
    response = navigator_client.post(
        url, edit_data(person, nhs_number="1111111112", approximate_age="40", phone="07700 111222")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "nhs_number" in form.errors and "approximate_age" in form.errors
    assert 'value="07700 111222"' in response.content.decode()
    person.refresh_from_db()
    assert person.phone == "" and not PersonAlias.objects.exists()


def test_approximate_age_when_birth_date_unknown(navigator_client, person):
    url = reverse("caseload:person_edit", args=[person.pk])
    navigator_client.post(url, edit_data(person, date_of_birth="", approximate_age="45"))
    person.refresh_from_db()
    assert person.date_of_birth is None and person.age() == 45
    assert person.approximate_age_recorded_on is not None


def test_search_finds_people_by_alias_and_known_as(navigator_client, person, team):
    PersonAlias.objects.create(person=person, name="Maggie Byrne")
    PersonFactory(team=team, first_name="John", last_name="Smith")
    for term in ["byrne", "peggy", "kelly"]:
        assert list(navigator_client.post(LIST, {"q": term}).context["page"]) == [person]


def test_search_as_you_type_returns_only_the_results(navigator_client, person):
    response = navigator_client.post(LIST, {"q": "peggy"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert 'id="results"' in page and "<html" not in page and "Margaret Kelly" in page


@pytest.mark.parametrize("htmx", [False, True])
def test_a_search_with_a_nul_character_is_refused_with_a_message(navigator_client, person, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    response = navigator_client.post(LIST, {"q": "peg\x00gy"}, headers=headers)
    assert response.status_code == (200 if htmx else 400)
    page = response.content.decode()
    assert "hidden control character" in page and "Margaret Kelly" not in page
    if not htmx:
        assert 'value="peggy"' in page and "<title>Error: People" in page, page[:600]


@pytest.mark.postgres
def test_a_nul_character_never_reaches_postgresql(navigator_client, person):
    # PostgreSQL refuses NUL in a query parameter: this was a 500.
    response = navigator_client.post(LIST, {"q": "\x00"})
    assert response.status_code == 400


def test_a_search_never_puts_the_name_in_a_url(navigator_client, person):
    page = navigator_client.get(LIST).content.decode()
    form = page[
        page.index('role="search"') - 200 : page.index("</form>", page.index('role="search"'))
    ]
    assert 'method="post"' in form and "csrfmiddlewaretoken" in form
    assert 'hx-post="' in form and "hx-get" not in form
    # A name in the query string is not a search: old links and bookmarks find nobody.
    assert "Margaret Kelly" in navigator_client.get(LIST, {"q": "nobody"}).content.decode()


def test_the_pages_of_a_search_resend_it_as_a_post(navigator_client, team):
    PersonFactory.create_batch(51, team=team, last_name="Kelly")
    PersonFactory(team=team, last_name="Smith")
    response = navigator_client.post(LIST, {"q": "kelly"})
    page = response.content.decode()
    assert response.context["page"].paginator.count == 51
    assert 'form="people-search" name="page" value="2"' in page and "?q=" not in page
    second = navigator_client.post(LIST, {"q": "kelly", "page": "2"})
    assert second.context["page"].number == 2 and len(second.context["page"]) == 1
    assert second.context["q"] == "kelly"


def test_the_whole_list_pages_with_plain_links(navigator_client, team):
    PersonFactory.create_batch(51, team=team)
    page = navigator_client.get(LIST).content.decode()
    assert 'href="?page=2"' in page
    assert navigator_client.get(LIST, {"page": "2"}).context["page"].number == 2


def test_list_and_detail_query_counts_are_constant(navigator_client, team, person, count_queries):
    EpisodeFactory(person=person)
    few_list = count_queries.page(navigator_client, LIST)
    few_detail = count_queries.page(navigator_client, person.get_absolute_url())
    for p in PersonFactory.create_batch(10, team=team):
        AllocationFactory(episode=EpisodeFactory(person=p))
    for _ in range(5):
        PersonAlias.objects.create(person=person, name=f"Alias {_}")
    assert count_queries.page(navigator_client, LIST) == few_list
    assert count_queries.page(navigator_client, person.get_absolute_url()) == few_detail


def test_person_age_from_birth_date():
    person = Person(date_of_birth=date(1980, 6, 15))
    assert person.age(on=date(2026, 6, 14)) == 45
    assert person.age(on=date(2026, 6, 15)) == 46


def test_peer_mentor_person_page_shows_no_referrals(client_for, make_user, team):
    from smd.models import Role
    from tests.factories import ReferralFactory

    peer = make_user(Role.PEER_MENTOR)
    person = PersonFactory(team=team)
    AllocationFactory(episode=EpisodeFactory(person=person), worker=peer)
    referral = ReferralFactory(
        team=team, person=person, referrer_organisation__name="Safe Haven Refuge"
    )
    page = client_for(peer).get(person.get_absolute_url()).content.decode()
    assert referral.reference not in page and "Safe Haven Refuge" not in page
    navigator = make_user(Role.NAVIGATOR)
    assert (
        referral.reference in client_for(navigator).get(person.get_absolute_url()).content.decode()
    )


# --- records of a person the page has already read ----------------------------------------------


def test_records_of_a_person_read_for_one_user_are_scoped_again_for_another(
    team, other_team, navigator
):
    """The person page reads the person for the signed-in user once; the cards then need only
    the person. Anyone else, or a person object not read that way, gets visible_to again."""
    person = PersonFactory(team=team)
    booked_appointment(person, worker=navigator)
    stranger = UserFactory(team=other_team, role=Role.NAVIGATOR)
    read = read_for(Person.objects.visible_to(navigator).get(pk=person.pk), navigator)
    assert records_of(Appointment.objects, read, navigator).count() == 1
    assert records_of(Appointment.objects, read, stranger).count() == 0
    assert records_of(Appointment.objects, Person.objects.get(pk=person.pk), stranger).count() == 0
    assert records_of(Appointment.objects, Person.objects.get(pk=person.pk), navigator).count() == 1


def test_the_person_page_reads_the_person_for_the_user_it_shows_them_to(
    navigator, team_leader, team
):
    person = PersonFactory(team=team)
    assert selectors.person_detail(navigator, person.pk)._read_for == navigator.pk
    assert selectors.person_detail(team_leader, person.pk)._read_for == team_leader.pk
