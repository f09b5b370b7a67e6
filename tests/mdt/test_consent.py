"""Sharing with partners follows consent and the data-sharing register (ADR 0016): a withdrawn
or expired agreement, or no data-sharing agreement in force, removes a person from every
partner view on the next request, and from future agendas."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from mdt import services
from mdt.models import AgendaItem, MdtMeeting, MdtReferral
from sharing.models import DataSharingAgreement, Purpose, SharingAgreement
from sharing.services import sharing_agreement_withdraw
from sharing.signals import mdt_sharing_ended
from smd.models import Role
from tests.factories import OrganisationFactory, UserFactory, current_version, dsa_for_mdt
from tests.mdt.conftest import refer


@pytest.fixture
def shared(item, meeting, partner):
    """The case on a shared agenda, with an action owned by the partner."""
    services.agenda_share(meeting=meeting)
    services.action_add(
        item=item,
        description="Share licence conditions with the navigator",
        owner=partner,
        owner_organisation=partner.organisation,
        due_on=timezone.localdate() + timedelta(days=5),
        by=meeting.chair,
    )
    return item


def partner_sees(client, item, pdf=False):
    """What the partner's pages show of the person, page by page (the minutes PDF, slower to
    make, only when asked)."""
    name = item.person.last_name
    meeting = item.meeting
    meetings = client.get(reverse("mdt:meetings"))
    seen = {
        "case": client.get(reverse("mdt:case", args=[item.pk])).status_code == 200,
        "agenda": name in client.get(reverse("mdt:meeting", args=[meeting.pk])).content.decode(),
        "minutes": name in client.get(reverse("mdt:minutes", args=[meeting.pk])).content.decode(),
        "my_actions": name in client.get(reverse("mdt:my_actions")).content.decode(),
        "counted": next(m.cases for m in meetings.context["meetings"] if m.pk == meeting.pk) > 0,
        "refer": client.get(reverse("mdt:referral_new", args=[item.person.pk])).status_code == 200,
    }
    if pdf:
        response = client.get(reverse("mdt:minutes_pdf", args=[meeting.pk]))
        pages = PdfReader(io.BytesIO(response.content)).pages
        seen["minutes_pdf"] = name in " ".join(p.extract_text() for p in pages)
    return seen


ALL = dict.fromkeys(["case", "agenda", "minutes", "my_actions", "counted", "refer"], True)
NONE = dict.fromkeys(ALL, False)
ALL_WITH_PDF = {**ALL, "minutes_pdf": True}
NONE_WITH_PDF = {**NONE, "minutes_pdf": False}


def test_withdrawn_consent_removes_a_person_from_partner_views_and_future_agendas_at_once(
    client_for, partner, navigator, team, shared, meeting
):
    client = client_for(partner)
    assert partner_sees(client, shared, pdf=True) == ALL_WITH_PDF
    # Next month's meeting already has them down for review.
    following = services.meeting_create(
        meeting=MdtMeeting(
            team=team,
            starts_at=timezone.now() + timedelta(days=30),
            place="Room 4",
            chair=meeting.chair,
        ),
        organisations=[partner.organisation],
        members=[],
    )
    review = services.agenda_add(meeting=following, person=shared.person)

    agreement = SharingAgreement.objects.get(person=shared.person)
    response = client_for(navigator).post(
        reverse("sharing:agreement_withdraw", args=[shared.person.pk, agreement.pk]),
        {"reason": "Does not want probation told any more.", "version": current_version(agreement)},
    )
    assert response.status_code == 302

    # The partner's very next requests show nothing of them.
    assert partner_sees(client, shared, pdf=True) == NONE_WITH_PDF
    # Taken off the future agenda not yet started; the case with an action recorded stays
    # for the chair, flagged, and partners do not see it.
    assert not AgendaItem.objects.filter(pk=review.pk).exists()
    assert AgendaItem.objects.filter(pk=shared.pk).exists()
    chair = client_for(meeting.chair)
    page = chair.get(reverse("mdt:meeting", args=[meeting.pk])).content.decode()
    assert "No sharing agreement in force" in page
    assert chair.get(reverse("mdt:case", args=[shared.pk])).status_code == 200
    # Not placed again until a new agreement is recorded.
    with pytest.raises(ValidationError, match="no agreement to share"):
        services.agenda_add(meeting=following, person=shared.person)
    # The record of what was agreed and withdrawn is kept.
    agreement.refresh_from_db()
    assert agreement.withdrawn_by == navigator and agreement.withdrawal_reason


def test_a_withdrawn_new_case_goes_back_to_waiting(partner, navigator, meeting, person):
    referral = refer(person, navigator)
    item = services.agenda_add(meeting=meeting, person=person, mdt_referral=referral)
    removed = sharing_agreement_withdraw(
        agreement=SharingAgreement.objects.get(person=person), by=navigator
    )
    assert removed == 1
    assert not AgendaItem.objects.filter(pk=item.pk).exists()
    referral.refresh_from_db()
    assert referral.status == MdtReferral.Status.PENDING


def test_giving_up_agenda_places_is_part_of_the_withdrawal(partner, navigator, meeting, person):
    """The MDT gives up the places inside the withdrawal's transaction: if that fails, the
    agreement is not withdrawn either."""
    item = services.agenda_add(
        meeting=meeting, person=person, mdt_referral=refer(person, navigator)
    )
    agreement = SharingAgreement.objects.get(person=person)

    def fails(**kwargs):
        raise RuntimeError("the agenda could not be changed")

    mdt_sharing_ended.connect(fails)
    try:
        with pytest.raises(RuntimeError):
            sharing_agreement_withdraw(agreement=agreement, by=navigator)
    finally:
        mdt_sharing_ended.disconnect(fails)
    agreement.refresh_from_db()
    assert agreement.withdrawn_at is None
    assert AgendaItem.objects.filter(pk=item.pk).exists()


def test_an_expired_agreement_acts_at_once(client_for, partner, shared, meeting):
    client = client_for(partner)
    agreement = SharingAgreement.objects.get(person=shared.person)
    today = timezone.localdate()
    SharingAgreement.objects.filter(pk=agreement.pk).update(expires_on=today)
    assert partner_sees(client, shared) == ALL  # in force to the end of its last day
    SharingAgreement.objects.filter(pk=agreement.pk).update(expires_on=today - timedelta(days=1))
    assert partner_sees(client, shared) == NONE
    other = services.meeting_create(
        meeting=MdtMeeting(
            team=meeting.team,
            starts_at=timezone.now() + timedelta(days=20),
            place="Room 4",
            chair=meeting.chair,
        ),
        organisations=[],
        members=[],
    )
    with pytest.raises(ValidationError, match="expired"):
        services.agenda_add(meeting=other, person=shared.person)


def test_no_data_sharing_agreement_in_force_means_no_partner_access(
    client_for, partner, shared, team, mdt_data_sharing_agreement
):
    client = client_for(partner)
    dsa = mdt_data_sharing_agreement
    today = timezone.localdate()
    register = DataSharingAgreement.objects.filter(pk=dsa.pk)
    # An overdue review is flagged on the register, not an end.
    register.update(review_on=today - timedelta(days=1))
    assert partner_sees(client, shared) == ALL
    register.update(ended_on=today)
    assert partner_sees(client, shared) == NONE
    register.update(
        ended_on=None, start_on=today + timedelta(days=1), review_on=today + timedelta(days=90)
    )
    assert partner_sees(client, shared) == NONE
    register.update(start_on=today - timedelta(days=1), purpose=Purpose.SERVICE_REFERRAL)
    assert partner_sees(client, shared) == NONE
    # An agreement the team's organisation is not party to does not count.
    register.update(purpose=Purpose.MDT)
    dsa.parties.remove(team.organisation)
    dsa.parties.add(OrganisationFactory(name="Someone else"))
    assert partner_sees(client, shared) == NONE
    dsa.parties.add(team.organisation)
    assert partner_sees(client, shared) == ALL


def test_agreement_with_another_organisation_gives_this_partner_nothing(
    client_for, partner, navigator, meeting, person, team
):
    police = OrganisationFactory(name="City Police", sector="police")
    manager = UserFactory(role=Role.MANAGER, team=team)
    dsa_for_mdt(team.organisation, police, by=manager)
    referral = refer(person, navigator, share_with=("City Police",))
    item = services.agenda_add(meeting=meeting, person=person, mdt_referral=referral)
    services.agenda_share(meeting=meeting)
    assert client_for(partner).get(reverse("mdt:case", args=[item.pk])).status_code == 404
    officer = UserFactory(role=Role.MDT_MEMBER, team=None, organisation=police)
    meeting.invitations.create(organisation=police)
    assert client_for(officer).get(reverse("mdt:case", args=[item.pk])).status_code == 200


def test_no_agenda_place_without_an_mdt_sharing_agreement(meeting, person, navigator):
    referral = refer(person, navigator, share_with=())
    with pytest.raises(ValidationError, match="no agreement to share"):
        services.agenda_add(meeting=meeting, person=person, mdt_referral=referral)
    referral.refresh_from_db()
    assert referral.status == MdtReferral.Status.PENDING


def test_the_chair_sees_which_invited_organisations_may_not_be_told(
    client_for, chair, meeting, item, team
):
    police = OrganisationFactory(name="City Police", sector="police")
    housing = OrganisationFactory(name="City Housing", sector="housing")
    meeting.invitations.create(organisation=police)
    meeting.invitations.create(organisation=housing)
    # Housing has a data-sharing agreement but the person did not agree to housing; the police
    # have neither.
    dsa_for_mdt(team.organisation, housing, by=chair)
    for url in [
        reverse("mdt:meeting", args=[meeting.pk]),
        reverse("mdt:live", args=[meeting.pk]),
    ]:
        page = client_for(chair).get(url).content.decode()
        assert "Not shared with: City Housing, City Police" in page, url
