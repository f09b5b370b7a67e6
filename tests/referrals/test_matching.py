from datetime import date

import pytest

from caseload.models import PersonAlias
from referrals.selectors import possible_matches
from tests.factories import PersonFactory, ReferralFactory


@pytest.fixture
def peggy(team):
    """Margaret Kelly, known as Peggy, born 3 May 1979."""
    return PersonFactory(
        team=team,
        first_name="Margaret",
        last_name="Kelly",
        known_as="Peggy",
        date_of_birth=date(1979, 5, 3),
    )


@pytest.fixture
def strangers(team):
    return [
        PersonFactory(
            team=team, first_name="John", last_name="Smith", date_of_birth=date(1960, 1, 2)
        ),
        PersonFactory(
            team=team, first_name="Ayesha", last_name="Khan", date_of_birth=date(1990, 7, 30)
        ),
        PersonFactory(
            team=team, first_name="Peter", last_name="Kelly", date_of_birth=date(1950, 11, 25)
        ),
    ]


def matched(referral):
    return [m.person for m in possible_matches(referral)]


def test_finds_the_same_person_under_known_as_name_and_swapped_birth_date(team, peggy, strangers):
    referral = ReferralFactory(
        team=team, first_name="Peggy", last_name="Kelly", date_of_birth=date(1979, 3, 5)
    )
    (match,) = possible_matches(referral)
    assert match.person == peggy
    assert "date of birth with day and month swapped" in match.reasons
    assert "same name" in match.reasons


def test_finds_a_person_by_alias(team, peggy):
    PersonAlias.objects.create(person=peggy, name="Maggie Byrne")
    referral = ReferralFactory(
        team=team, first_name="Maggie", last_name="Byrne", date_of_birth=date(1979, 5, 3)
    )
    assert matched(referral) == [peggy]


def test_nhs_number_matches_whatever_the_name(team, peggy):
    peggy.nhs_number = "9434765919"
    peggy.save()
    referral = ReferralFactory(
        team=team, first_name="M", last_name="Doe", date_of_birth=None, nhs_number="9434765919"
    )
    (match,) = possible_matches(referral)
    assert match.person == peggy and "same NHS number" in match.reasons


def test_similar_spelling_with_same_birth_date_matches(team, peggy):
    referral = ReferralFactory(
        team=team, first_name="Margret", last_name="Kelley", date_of_birth=date(1979, 5, 3)
    )
    assert matched(referral) == [peggy]


def test_does_not_match_strangers(team, peggy, strangers):
    referral = ReferralFactory(
        team=team, first_name="Joanna", last_name="Wright", date_of_birth=date(1985, 4, 6)
    )
    assert matched(referral) == []


def test_same_surname_but_different_person_is_not_a_match(team, peggy, strangers):
    referral = ReferralFactory(
        team=team, first_name="Sean", last_name="Kelly", date_of_birth=date(1991, 2, 14)
    )
    assert matched(referral) == []


def test_same_birth_date_alone_is_not_a_match(team, strangers):
    referral = ReferralFactory(
        team=team, first_name="Grace", last_name="Obi", date_of_birth=date(1960, 1, 2)
    )
    assert matched(referral) == []


def test_never_matches_people_of_another_team(team, other_team):
    PersonFactory(
        team=other_team, first_name="Margaret", last_name="Kelly", date_of_birth=date(1979, 5, 3)
    )
    referral = ReferralFactory(
        team=team, first_name="Margaret", last_name="Kelly", date_of_birth=date(1979, 5, 3)
    )
    assert matched(referral) == []


def test_birth_date_match_is_not_crowded_out_by_a_common_surname(team):
    PersonFactory.create_batch(205, team=team, last_name="Kelly", date_of_birth=date(1950, 1, 1))
    peggy = PersonFactory(
        team=team, first_name="Margaret", last_name="Zed", date_of_birth=date(1979, 5, 3)
    )
    referral = ReferralFactory(
        team=team, first_name="Margaret", last_name="Kelly", date_of_birth=date(1979, 5, 3)
    )
    assert peggy in matched(referral)
