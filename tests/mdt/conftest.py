from datetime import timedelta

import pytest
from django.utils import timezone

from mdt.models import MdtMeeting, MdtReferral, SharingBasis
from mdt.services import agenda_add, meeting_create
from smd.models import Role
from tests.factories import (
    EpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    dsa_for_mdt,
    share_for_mdt,
)


@pytest.fixture
def chair(make_user):
    return make_user(Role.MDT_CHAIR, first_name="Charles")


@pytest.fixture
def probation(db):
    return OrganisationFactory(name="Northgate Probation", sector="probation")


@pytest.fixture(autouse=True)
def mdt_data_sharing_agreement(db, request):
    """The team's organisation and the probation service have an MDT data-sharing agreement in
    force (a test ends it to see what happens without one)."""
    if "team" not in request.fixturenames:
        return None
    team = request.getfixturevalue("team")
    probation = request.getfixturevalue("probation")
    recorder = UserFactory(role=Role.MANAGER, team=team)
    return dsa_for_mdt(team.organisation, probation, by=recorder)


@pytest.fixture
def partner(probation):
    return UserFactory(role=Role.MDT_MEMBER, team=None, organisation=probation, first_name="Priya")


@pytest.fixture
def person(team):
    person = PersonFactory(team=team, first_name="Lee", last_name="Barnes")
    EpisodeFactory(person=person)
    return person


def refer(person, by, basis=SharingBasis.AGREED, share_with=("Northgate Probation",), **kwargs):
    """An MDT referral; unless `share_with` is empty, the person's MDT sharing agreement with
    those organisations is recorded too (ADR 0016: no agenda place, and no partner sight,
    without one)."""
    if basis != SharingBasis.NONE and share_with:
        share_for_mdt(
            person,
            *[OrganisationFactory(name=name, sector="probation") for name in share_with],
            by=by,
        )
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
