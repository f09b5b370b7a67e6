"""The live screen's reads compiled once per process (ADR 0039) read afresh on every view: a
write shows on the next one, a day's change of what is in force shows the next day, and each
meeting, person and user reads only their own rows."""

from datetime import timedelta
from unittest import mock

from django.urls import reverse
from django.utils import timezone

from caseload.models import Allocation
from mdt import selectors, services
from mdt.forms import ActionForm
from mdt.models import MdtMeeting
from sharing.models import SharingAgreement
from smd.models import Role
from tests.factories import (
    AllocationFactory,
    EpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    share_for_mdt,
)
from tests.mdt.conftest import refer


def _gaps(meeting):
    meeting = selectors.meeting_detail(meeting.chair, meeting.pk)
    agenda = selectors.agenda_for(meeting.chair, meeting)
    return {
        i.person_id: [o.name for o in i.not_shared_with]
        for i in selectors.mark_sharing_gaps(meeting, agenda)
    }


def test_sharing_gaps_follow_a_withdrawal_the_day_and_the_meeting(
    chair, meeting, item, person, probation, navigator, team
):
    assert _gaps(meeting) == {person.pk: []}
    agreement = SharingAgreement.objects.get(person=person, organisation=probation)
    today = timezone.localdate()
    SharingAgreement.objects.filter(pk=agreement.pk).update(expires_on=today)
    assert _gaps(meeting) == {person.pk: []}  # in force to the end of its last day
    with mock.patch("django.utils.timezone.localdate", return_value=today + timedelta(days=1)):
        assert _gaps(meeting) == {person.pk: ["Northgate Probation"]}
    assert _gaps(meeting) == {person.pk: []}
    SharingAgreement.objects.filter(pk=agreement.pk).update(
        withdrawn_at=timezone.now(), withdrawn_by=navigator, withdrawal_reason="Asked to stop"
    )
    assert _gaps(meeting) == {person.pk: ["Northgate Probation"]}

    # Another meeting of the team, inviting the police, with someone else on its agenda: each
    # meeting is told about its own people and organisations only.
    police = OrganisationFactory(name="City Police", sector="police")
    other = services.meeting_create(
        meeting=MdtMeeting(
            team=team, starts_at=timezone.now() + timedelta(days=9), place="Room 2", chair=chair
        ),
        organisations=[police],
        members=[],
    )
    someone = PersonFactory(team=team)
    EpisodeFactory(person=someone)
    services.agenda_add(meeting=other, person=someone, mdt_referral=refer(someone, navigator))
    assert _gaps(other) == {someone.pk: ["City Police"]}
    assert _gaps(meeting) == {person.pk: ["Northgate Probation"]}


def _offered(meeting, item, by):
    form = ActionForm(meeting=meeting, item=item, by=by)
    return {str(pk) for pk, _ in form.fields["owner"].widget.choices if pk}


def test_the_owner_list_follows_workers_actions_and_staff_changes(
    chair, meeting, item, person, partner, navigator, team, other_team
):
    offered = _offered(meeting, item, chair)
    assert offered == {str(chair.pk), str(partner.pk)}
    worker = UserFactory(role=Role.NAVIGATOR, team=team)
    allocation = AllocationFactory(episode=person.episodes.get(), worker=worker)
    assert str(worker.pk) in _offered(meeting, item, chair)
    owner = UserFactory(role=Role.NAVIGATOR, team=team)
    action = services.action_add(
        item=item,
        description="Ring the landlord",
        owner=owner,
        owner_organisation=team.organisation,
        due_on=timezone.localdate(),
        by=chair,
    )
    assert str(owner.pk) in _offered(meeting, item, chair)
    services.action_update(action=action, done=True, by=chair)
    assert str(owner.pk) not in _offered(meeting, item, chair)
    # Whoever runs it is offered, and only for their own view.
    assert str(navigator.pk) in _offered(meeting, item, navigator)
    assert str(navigator.pk) not in _offered(meeting, item, chair)
    # A worker who leaves, or moves to another team, is no longer offered.
    worker.is_active = False
    worker.save()
    assert str(worker.pk) not in _offered(meeting, item, chair)
    worker.is_active = True
    worker.team = other_team
    worker.save()
    assert str(worker.pk) not in _offered(meeting, item, chair)
    Allocation.objects.filter(pk=allocation.pk).delete()
    # Another case's workers are not this one's.
    someone = PersonFactory(team=team)
    AllocationFactory(episode=EpisodeFactory(person=someone), worker=owner)
    other_item = services.agenda_add(
        meeting=meeting, person=someone, mdt_referral=refer(someone, navigator)
    )
    assert str(owner.pk) in _offered(meeting, other_item, chair)
    assert str(owner.pk) not in _offered(meeting, item, chair)
    # A member invited to another meeting is not offered at this one.
    stranger = UserFactory(role=Role.MDT_MEMBER, team=None, organisation=partner.organisation)
    services.meeting_create(
        meeting=MdtMeeting(
            team=team, starts_at=timezone.now() + timedelta(days=9), place="Room 2", chair=chair
        ),
        organisations=[],
        members=[stranger],
    )
    assert str(stranger.pk) not in _offered(meeting, item, chair)


def test_the_organisations_follow_one_added_renamed_or_closed(chair, meeting, item):
    def listed():
        form = ActionForm(meeting=meeting, item=item, by=chair)
        return [name for pk, name in form.fields["owner_organisation"].widget.choices if pk]

    before = listed()
    added = OrganisationFactory(name="Aardvark Housing Trust")
    assert listed() == sorted([*before, "Aardvark Housing Trust"])
    added.name = "Zebra Housing Trust"
    added.save()
    assert listed() == sorted([*before, "Zebra Housing Trust"])
    added.is_active = False
    added.save()
    assert listed() == before


def test_the_live_screens_actions_are_the_cases_own_and_read_afresh(
    client_for, chair, meeting, item, person, navigator, team
):
    someone = PersonFactory(team=team)
    EpisodeFactory(person=someone)
    share_for_mdt(someone, OrganisationFactory(name="Elsewhere"), by=navigator)
    other_item = services.agenda_add(
        meeting=meeting, person=someone, mdt_referral=refer(someone, navigator)
    )
    services.action_add(
        item=other_item,
        description="Someone else's action",
        owner=chair,
        owner_organisation=chair.organisation,
        due_on=timezone.localdate(),
        by=chair,
    )
    client = client_for(chair)
    url = reverse("mdt:live", args=[meeting.pk]) + f"?case={item.pk}"
    assert "None yet." in client.get(url).content.decode()
    action = services.action_add(
        item=item,
        description="Book the GP appointment",
        owner=navigator,
        owner_organisation=navigator.organisation,
        due_on=timezone.localdate() + timedelta(days=2),
        by=chair,
    )
    html = client.get(url).content.decode()
    assert "Book the GP appointment" in html and "Someone else&#x27;s action" not in html
    assert f"{navigator.get_full_name()} ({navigator.organisation.name})" in html
    assert "Mark done" in html
    services.action_update(action=action, done=True, progress_note="Booked for Friday", by=chair)
    html = client.get(url).content.decode()
    assert "Reopen" in html and "Progress: Booked for Friday" in html


def test_the_domestic_abuse_card_is_the_cases_own_and_read_afresh(
    chair, meeting, item, person, navigator, team
):
    from domestic_abuse.selectors import case_summary
    from domestic_abuse.services import checklist_record, definition_import, marac_refer
    from tests.domestic_abuse.conftest import answers, dash_data

    assert case_summary(item, chair) == {"latest": None, "referral": None}
    definition = definition_import(data=dash_data())
    someone = PersonFactory(team=team)
    checklist_record(
        person=someone,
        definition=definition,
        answers=answers(15),
        by=navigator,
        completed_on=timezone.localdate(),
    )
    assert case_summary(item, chair) == {"latest": None, "referral": None}
    checklist_record(
        person=person,
        definition=definition,
        answers=answers(2),
        by=navigator,
        completed_on=timezone.localdate(),
    )
    card = case_summary(item, chair)
    assert (card["latest"].risk_level, card["latest"].yes_count) == ("standard", 2)
    assert card["latest"].definition.acknowledgement == definition.acknowledgement
    assert card["referral"] is None
    marac_refer(
        person=person,
        referred_on=timezone.localdate(),
        marac="City MARAC",
        criteria=["professional_judgement"],
        sharing_basis="consent",
        by=navigator,
    )
    card = case_summary(item, chair)
    assert card["referral"].marac == "City MARAC" and card["referral"].heard_on is None


def test_the_scoped_meeting_and_agenda_are_each_users_own_and_read_afresh(
    make_user, chair, meeting, item, person, partner, navigator, other_team
):
    """Compiled once per kind of user (ADR 0043), each user reads what their own scope gives:
    a chair and a team leader of the team the meeting and its cases, another team's chair
    (asked in between, from the same compiled query) nothing, a partner the meeting through
    their invitation; a case added or taken off shows on the next read."""
    leader = make_user(Role.TEAM_LEADER)
    elsewhere = UserFactory(role=Role.MDT_CHAIR, team=other_team)

    def read(user):
        found = selectors.meeting_detail(user, meeting.pk)
        if found is None:
            return None, None
        agenda = selectors.agenda_to_run(user, found)
        assert agenda == list(selectors.agenda_for(user, found))
        return found, [i.pk for i in agenda]

    for user in (chair, elsewhere, leader, elsewhere, chair):
        found, agenda = read(user)
        if user is elsewhere:
            assert found is None
        else:
            assert found == meeting and agenda == [item.pk]
            assert found.chair == chair and [i.organisation.name for i in found.invitations.all()]
    assert read(partner)[0] == meeting  # a partner's agenda is read as the queryset reads it
    someone = PersonFactory(team=person.team)
    EpisodeFactory(person=someone)
    added = services.agenda_add(
        meeting=meeting, person=someone, mdt_referral=refer(someone, navigator)
    )
    assert read(leader)[1] == [item.pk, added.pk]
    MdtMeeting.objects.filter(pk=meeting.pk).update(team=other_team)
    assert read(chair) == (None, None)
    assert read(elsewhere)[1] == [item.pk, added.pk]
