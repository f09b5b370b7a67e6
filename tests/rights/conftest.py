"""A person with one record of every kind, each free-text field saying SECRET, so tests can see
what an export holds and what erasure leaves."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from appointments.models import Appointment
from assessments.models import (
    Assessment,
    AssessmentCorrection,
    AssessmentScheme,
    ItemScore,
    ReqolAnswer,
    ReqolDefinition,
    ReqolRecord,
)
from assessments.reqol.services import definition_import
from caseload.models import (
    AccommodationChange,
    Allocation,
    BudgetSpend,
    Contact,
    ContactVersion,
    Episode,
    EpisodeStatusChange,
    Goal,
    GoalReview,
    OutcomesStarRecord,
    PersonalBudget,
    PersonAlias,
    ServiceEvent,
)
from documents.files import CheckedFile
from documents.services import document_upload
from domestic_abuse.selectors import current_definition as current_dash
from domestic_abuse.services import (
    checklist_record,
    marac_action_add,
    marac_heard,
    marac_refer,
)
from domestic_abuse.services import definition_import as dash_import
from importer.models import ImportedRecord
from mdt.models import Action, AgendaItem, MdtMeeting, MdtReferral
from referrals.models import EligibilityDecision, Referral
from sharing.models import LawfulBasis, SharingAgreement
from smd.models import Role
from tests.assessments.test_reqol import definition_data
from tests.conftest import password_confirmed, sign_in
from tests.domestic_abuse.conftest import dash_data
from tests.factories import OrganisationFactory, PersonFactory, UserFactory

# Support that began and ended in 2017/18: more than six years before today.
DAY = date(2017, 10, 2)


def at(day, hour=12):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def full_record(person, *, staff, partner, meeting, day=DAY, secret="SECRET", gender="woman"):
    """One row of every kind of record about `person`, from `day` on; every typed word says
    `secret`."""
    d = lambda n: day + timedelta(days=n)  # noqa: E731
    team = person.team
    org = partner.organisation
    referral = Referral.objects.create(
        team=team,
        channel="staff",
        status="eligible",
        person=person,
        first_name=person.first_name,
        last_name=person.last_name,
        known_as=f"{secret} known as",
        date_of_birth=person.date_of_birth,
        nhs_number="9434765919",
        contact_details=f"{secret} contact details",
        gender=gender,
        ethnicity="black_african",
        homelessness=True,
        homelessness_note=f"{secret} homelessness",
        mental_health=True,
        substance_misuse=True,
        domestic_abuse=True,
        domestic_abuse_note=f"{secret} domestic abuse",
        why_now=f"{secret} why now",
        consent="yes",
        safety_information=f"{secret} safety",
        referrer_organisation=org,
        referrer_name=f"{secret} Rita Referrer",
        referrer_contact="rita.referrer@example.org",
        referrer_continuing_support=f"{secret} continuing",
    )
    Referral.objects.filter(pk=referral.pk).update(created_at=at(day))
    EligibilityDecision.objects.create(
        referral=referral,
        outcome="eligible",
        disadvantage_count=4,
        reason=f"{secret} reason",
        decided_by=staff,
        decided_at=at(d(2)),
    )
    episode = Episode.objects.create(
        person=person,
        referral=referral,
        status="closed",
        accepted_on=d(2),
        start_date=d(5),
        end_date=d(200),
        exit_destination="other_support",
        ending_planned=True,
        closing_note=f"{secret} closing",
    )
    EpisodeStatusChange.objects.create(
        episode=episode,
        from_status="active",
        to_status="closed",
        note=f"{secret} status note",
        changed_at=at(d(200)),
        changed_by=staff,
    )
    first = Allocation.objects.create(
        episode=episode,
        worker=staff,
        kind="lead_navigator",
        started_at=at(d(5)),
        ended_at=at(d(100)),
        reason=f"{secret} allocation",
        end_reason=f"{secret} end",
    )
    Allocation.objects.create(
        episode=episode,
        worker=staff,
        kind="lead_navigator",
        started_at=at(d(100)),
        ended_at=at(d(200)),
        handed_over_from=first,
        reason=f"{secret} handover",
        over_capacity=True,
        over_capacity_reason=f"{secret} over capacity",
    )
    PersonAlias.objects.create(person=person, name=f"{secret} Alias")
    contact = Contact.objects.create(
        person=person,
        episode=episode,
        author=staff,
        occurred_at=at(d(6)),
        kind="face_to_face",
        duration_minutes=30,
        summary=f"{secret} summary",
        follow_up_action=f"{secret} follow-up",
        follow_up_due=d(10),
        topics=["housing"],
    )
    contact.agencies.add(org)
    ContactVersion.objects.create(
        contact=contact,
        number=1,
        occurred_at=at(d(6)),
        kind="face_to_face",
        duration_minutes=30,
        with_person=True,
        summary=f"{secret} earlier summary",
        edited_by=staff,
        edited_at=at(d(7)),
    )
    goal = Goal.objects.create(
        person=person,
        episode=episode,
        in_their_words=f"{secret} goal",
        strengths=f"{secret} strengths",
        steps=[{"what": f"{secret} step", "who": "me"}],
        status="achieved",
        recorded_by=staff,
    )
    GoalReview.objects.create(
        goal=goal,
        from_status="in_progress",
        to_status="achieved",
        note=f"{secret} review",
        reviewed_at=at(d(90)),
        reviewed_by=staff,
    )
    for kind, on, quantity in [("ae_attendance", d(20), 1), ("rough_sleeping", d(110), 3)]:
        ServiceEvent.objects.create(
            person=person,
            episode=episode,
            kind=kind,
            occurred_on=on,
            quantity=quantity,
            source="self_reported",
            note=f"{secret} event",
            recorded_by=staff,
        )
    AccommodationChange.objects.create(
        person=person, status="hostel", from_date=d(10), note=f"{secret} hostel", recorded_by=staff
    )
    budget = PersonalBudget.objects.create(
        person=person,
        episode=episode,
        amount_offered=Decimal("200.00"),
        offered_on=d(30),
        note=f"{secret} budget",
        offered_by=staff,
    )
    BudgetSpend.objects.create(
        budget=budget,
        spent_on=d(40),
        amount=Decimal("50.25"),
        purpose=f"{secret} purpose",
        approved_by=staff,
        recorded_by=staff,
    )
    OutcomesStarRecord.objects.create(
        person=person,
        completed_on=d(50),
        held_at=f"{secret} held at",
        star_name="Homelessness Star",
        recorded_by=staff,
    )
    scheme = AssessmentScheme.objects.get(code="ndt-standard", version=1)
    for offset, score in [(6, 3), (60, 1)]:
        assessment = Assessment.objects.create(
            person=person,
            episode=episode,
            scheme=scheme,
            status="completed",
            assessed_on=d(offset),
            assessor=staff,
            participation="yes",
            total=score * 12,
            standard_total=score * 12,
            completed_at=at(d(offset)),
        )
        for item in scheme.items.all():
            ItemScore.objects.create(
                assessment=assessment, item=item, score=score, note=f"{secret} item note"
            )
    AssessmentCorrection.objects.create(
        assessment=assessment,
        corrected_by=staff,
        reason=f"{secret} correction",
        previous={"notes": f"{secret} earlier notes"},
    )
    definition = ReqolDefinition.objects.first() or definition_import(data=definition_data())
    for offset, response in [(8, 1), (120, 3)]:
        record = ReqolRecord.objects.create(
            person=person,
            episode=episode,
            definition=definition,
            completed_on=d(offset),
            completion="themself",
            total=0,
            recorded_by=staff,
        )
        total = 0
        for item in definition.items.all():
            score = 4 - response if item.reversed else response
            total += score
            ReqolAnswer.objects.create(
                record=record, item=item, response=response, reversed=item.reversed, score=score
            )
        ReqolRecord.objects.filter(pk=record.pk).update(total=total)
    mdt_referral = MdtReferral.objects.create(
        person=person,
        source="navigator",
        referring_organisation=team.organisation,
        referred_by=staff,
        why_now=f"{secret} MDT why",
        tried=f"{secret} tried",
        asked_of_partners=f"{secret} asked",
        sharing_basis="agreed",
        status="on_agenda",
    )
    MdtReferral.objects.filter(pk=mdt_referral.pk).update(created_at=at(d(55)))
    position = meeting.agenda.count() + 1
    item = AgendaItem.objects.create(
        meeting=meeting,
        person=person,
        kind="new",
        mdt_referral=mdt_referral,
        sharing_basis="agreed",
        position=position,
        notes=f"{secret} discussion",
        decisions=f"{secret} decisions",
        outcome="resolved",
    )
    Action.objects.create(
        agenda_item=item,
        person=person,
        description=f"{secret} action",
        owner=partner,
        owner_organisation=org,
        due_on=d(70),
        done_at=at(d(65)),
        progress_note=f"{secret} progress",
        created_by=staff,
    )
    LawfulBasis.objects.create(
        person=person,
        article_6="public_task",
        article_9="health_social_care",
        notes=f"{secret} basis notes",
        recorded_at=at(d(3)),
        recorded_by=staff,
    )
    SharingAgreement.objects.create(
        person=person,
        organisation=org,
        purpose="mdt",
        how_recorded="without_agreement",
        lawful_basis_reason=f"{secret} shared to keep her safe",
        recorded_at=at(d(50)),
        recorded_by=staff,
        expires_on=d(400),
        withdrawn_at=at(d(90)),
        withdrawn_by=staff,
        withdrawal_reason=f"{secret} withdrew",
    )
    # Appointments: one cancelled (every typed field filled in), one not attended (counted).
    Appointment.objects.create(
        person=person,
        worker=staff,
        booked_by=staff,
        starts_at=at(d(20)),
        place=f"{secret} place",
        other_attendees=f"{secret} attendee",
        status="cancelled",
        cancel_reason=f"{secret} cancelled",
        outcome_at=at(d(19)),
        outcome_by=staff,
    )
    Appointment.objects.create(
        person=person,
        worker=staff,
        booked_by=staff,
        starts_at=at(d(30)),
        place=f"{secret} other place",
        status="not_attended",
        outcome_at=at(d(30)),
        outcome_by=staff,
    )
    document_upload(
        person=person,
        checked=CheckedFile("pdf", "application/pdf", ".pdf", b"%PDF-1.7 " + secret.encode(), True),
        kind="letter",
        title=f"{secret} letter",
        dated=d(60),
        mdt_referral=mdt_referral,
        by=staff,
    )
    dash = current_dash() or dash_import(data=dash_data())
    checklist = checklist_record(
        person=person,
        definition=dash,
        completed_on=d(70),
        answers={q.key: ("yes", "person", f"{secret} dash note") for q in dash.questions.all()},
        judgement="high",
        judgement_reason=f"{secret} judgement",
        by=staff,
    )
    marac = marac_refer(
        person=person,
        referred_on=d(71),
        marac="City MARAC",
        criteria=["visible_high_risk"],
        sharing_basis="without_consent",
        lawful_basis=f"{secret} lawful basis",
        checklist=checklist,
        by=staff,
    )
    marac_heard(referral=marac, heard_on=d(80), outcome_note=f"{secret} MARAC decided")
    marac_action_add(
        referral=marac, description=f"{secret} MARAC action", owner=staff, due_on=d(90), by=staff
    )
    # Brought in from a previous system: the other system's id for the person.
    ImportedRecord.objects.create(
        source="Old CRM",
        kind="person",
        source_id=f"P-{person.pk}",
        person=person,
        object_id=person.pk,
        imported_at=at(d(1)),
    )
    return referral


@pytest.fixture
def rights_world(team, shipped_schemes):
    """Ann, with one record of every kind from 2017/18; Zed, another person in the same team
    and at the same MDT meeting, whose words say OTHERPERSON."""
    staff = UserFactory(role=Role.NAVIGATOR, team=team, first_name="Nadia", last_name="Navigator")
    manager = UserFactory(role=Role.MANAGER, team=team, first_name="Maria", last_name="Manager")
    partner = UserFactory(
        role=Role.MDT_MEMBER,
        team=None,
        organisation=OrganisationFactory(name="Northgate Probation", sector="probation"),
        first_name="Pat",
        last_name="Partner",
    )
    meeting = MdtMeeting.objects.create(
        team=team,
        starts_at=at(DAY + timedelta(days=60)),
        place="Room 4",
        chair=staff,
        status="held",
    )
    ann = PersonFactory(team=team, first_name="Annabel", last_name="Quigley", gender="woman")
    zed = PersonFactory(
        team=team,
        first_name="Zebedee",
        last_name="Outsider",
        gender="man",
        ethnicity="white_british",
    )
    full_record(ann, staff=staff, partner=partner, meeting=meeting)
    full_record(
        zed, staff=staff, partner=partner, meeting=meeting, secret="OTHERPERSON", gender="man"
    )
    return {"ann": ann, "zed": zed, "staff": staff, "manager": manager, "meeting": meeting}


@pytest.fixture
def client_for():
    """Signed in, and the password given again a moment ago, as the export and erasure ask
    (tests/smd/test_reauth.py tests the asking)."""
    return lambda user: password_confirmed(sign_in(Client(), user))
