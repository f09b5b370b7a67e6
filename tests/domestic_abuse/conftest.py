import json
from pathlib import Path

import pytest
from django.utils import timezone

from caseload.models import Allocation
from domestic_abuse.services import definition_import, marac_refer
from tests.factories import AllocationFactory, EpisodeFactory, PersonFactory

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "dash-FICTIONAL-example.json"


def dash_data(**changes):
    """The shipped fictional wording, as a definition file's contents."""
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data.update(changes)
    return data


def answers(yes=0, *, not_known=0, source="person"):
    """Answers to all 24 questions: the first `yes` yes, then `not_known` not known, the rest no."""
    out = {}
    for n in range(1, 25):
        answer = "yes" if n <= yes else "not_known" if n <= yes + not_known else "no"
        out[f"q{n:02d}"] = (answer, source, "")
    return out


def form_data(yes=0, **extra):
    """The checklist form's POST data with `yes` questions answered yes."""
    data = {"completed_on": "2026-11-20", "judgement": "", "judgement_reason": ""}
    for key, (answer, source, note) in answers(yes).items():
        data[f"q_{key}"] = answer
        data[f"src_{key}"] = source
        data[f"note_{key}"] = note
    data.update(extra)
    return data


@pytest.fixture
def dash(db):
    return definition_import(data=dash_data())


@pytest.fixture
def survivor(team, navigator):
    person = PersonFactory(team=team, first_name="Dana", last_name="Hale", gender="woman")
    AllocationFactory(
        episode=EpisodeFactory(person=person), worker=navigator, kind=Allocation.Kind.LEAD_NAVIGATOR
    )
    return person


@pytest.fixture
def referral(survivor, navigator):
    """A MARAC referral of the survivor, made today by their navigator."""
    return marac_refer(
        person=survivor,
        referred_on=timezone.localdate(),
        marac="City MARAC",
        criteria=["escalation"],
        sharing_basis="consent",
        by=navigator,
    )
