from datetime import date

import pytest

from tests.factories import EpisodeFactory, PersonFactory

STANDARD_KEYS = [
    "engagement",
    "intentional_self_harm",
    "unintentional_self_harm",
    "risk_to_others",
    "risk_from_others",
    "stress_anxiety",
    "social_effectiveness",
    "substance_misuse",
    "impulse_control",
    "housing",
]
ADDED_KEYS = ["cultural_gender_reluctance", "social_withdrawal", "domestic_abuse", "isolation"]


@pytest.fixture
def person(team):
    return PersonFactory(team=team, first_name="Margaret", last_name="Kelly")


@pytest.fixture
def episode(person):
    return EpisodeFactory(person=person, start_date=date(2025, 1, 6))
