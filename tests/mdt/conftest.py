from datetime import timedelta

import pytest
from django.utils import timezone

from mdt.models import MdtMeeting, MdtReferral, SharingBasis
from mdt.services import agenda_add, meeting_create
from smd.models import Role
from tests.factories import EpisodeFactory, OrganisationFactory, PersonFactory, UserFactory


@pytest.fixture
def chair(make_user):
    return make_user(Role.MDT_CHAIR, first_name="Charles")


@pytest.fixture
def probation(db):
    return OrganisationFactory(name="Northgate Probation", sector="probation")


@pytest.fixture
def partner(probation):
    return UserFactory(role=Role.MDT_MEMBER, team=None, organisation=probation, first_name="Priya")


@pytest.fixture
def person(team):
    person = PersonFactory(team=team, first_name="Lee", last_name="Barnes")
    EpisodeFactory(person=person)
    return person


def refer(person, by, basis=SharingBasis.AGREED, **kwargs):
    referral = MdtReferral(
        person=person,
        source=MdtReferral.Source.NAVIGATOR,
        referring_organisation=by.organisation,
        referred_by=by,
        why_now="Evicted twice this year",
        tried="Two hostel placements",
        asked_of_partners="Probation to align appointments",
        sharing_basis=basis,
        **kwargs,
    )
    referral.full_clean()
    referral.save()
    return referral


@pytest.fixture
def meeting(team, chair, probation, partner):
    meeting = MdtMeeting(
        team=team, starts_at=timezone.now() + timedelta(days=2), place="Room 4", chair=chair
    )
    return meeting_create(meeting=meeting, organisations=[probation], members=[partner])


@pytest.fixture
def item(meeting, person, navigator):
    return agenda_add(meeting=meeting, person=person, mdt_referral=refer(person, navigator))
