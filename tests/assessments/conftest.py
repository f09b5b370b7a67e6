from datetime import date

import pytest

from assessments.models import AssessmentScheme
from assessments.services import assessment_save
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
def standard(shipped_schemes):
    return AssessmentScheme.objects.get(code="ndt-standard", version=1)


@pytest.fixture
def amended(shipped_schemes):
    return AssessmentScheme.objects.get(code="ndt-amended", version=1)


@pytest.fixture
def person(team):
    return PersonFactory(team=team, first_name="Margaret", last_name="Kelly")


@pytest.fixture
def episode(person):
    return EpisodeFactory(person=person, start_date=date(2025, 1, 6))


@pytest.fixture
def assess(navigator):
    """Complete (or draft) an assessment with {key: score}; unlisted items score `rest`."""

    def make(episode, scheme, on=date(2025, 2, 1), rest=0, complete=True, **scores):
        keys = [item.key for item in scheme.items.all()]
        full = {key: scores.get(key, rest) for key in keys}
        return assessment_save(
            person=episode.person,
            episode=episode,
            scheme=scheme,
            assessed_on=on,
            assessor=navigator,
            participation="yes",
            scores=full,
            notes={},
            complete=complete,
            by=navigator,
        )

    return make
