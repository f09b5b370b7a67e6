"""People on caseloads: Peggy, with an active episode led by Nadia (a full-time navigator)."""

import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from caseload.models import Allocation
from smd.models import Role
from tests.conftest import sign_in
from tests.factories import AllocationFactory, EpisodeFactory, PersonFactory


@pytest.fixture
def person(team):
    return PersonFactory(team=team, first_name="Margaret", last_name="Kelly", known_as="Peggy")


@pytest.fixture
def episode(person):
    return EpisodeFactory(person=person, start_date=None)


@pytest.fixture
def lead(episode, navigator):
    return AllocationFactory(episode=episode, worker=navigator, kind=Allocation.Kind.LEAD_NAVIGATOR)


@pytest.fixture
def peer_mentor(make_user):
    return make_user(Role.PEER_MENTOR, first_name="Pete", planned_hours=Decimal("9"))


@pytest.fixture
def peer_mentor_client(peer_mentor):
    return sign_in(Client(), peer_mentor)


def contact_form(**changes):
    """What the quick contact form sends: the four required answers and a fresh key."""
    data = {
        "submission_key": str(uuid.uuid4()),
        "kind": "face_to_face",
        "duration_minutes": "20",
        "summary": "Met at the day centre. Talked about the housing options letter.",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "with_person": "on",
        "from": "caseload",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}
