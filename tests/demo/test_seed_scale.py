"""seed_scale: a small team's worth of fictional data, the same twice, within every constraint,
and only where it is wanted (DEBUG on, an empty database)."""

import errno
import io
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus
from assessments.models import Assessment
from assessments.services import totals
from caseload.models import Contact, ContactKind, Episode, Person
from documents.files import check_upload
from documents.models import Document
from domestic_abuse.models import Answer, DashChecklist, HighBecause, MaracReferral
from domestic_abuse.services import earlier_referral_within_year, police_call_outs, risk_level
from mdt.models import Action, AgendaItem
from referrals.models import EligibilityDecision, Referral
from returns.figures import build_return
from sharing.models import HowRecorded, Purpose, SharingAgreement
from smd.models import Team
from smd.quarters import Quarter
from tests.factories import PersonFactory

UNTIL = date(2026, 3, 31)
SMALL = {"factor": 0.02, "until": UNTIL}  # 8 people: fast enough for every test run


def seed(**options):
    out = io.StringIO()
    call_command("seed_scale", **{**SMALL, **options}, stdout=out)
    return out.getvalue()


def snapshot():
    """Every row's id, by model: the same run twice must give the same."""
    models = [Person, Referral, EligibilityDecision, Episode, Contact, Assessment, AgendaItem]
    models += [Appointment, DashChecklist, MaracReferral, Document]
    return {
        m.__name__: sorted(str(pk) for pk in m.objects.values_list("pk", flat=True)) for m in models
    }


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def test_it_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=true"):
        seed()
    assert not Person.objects.exists()


def test_it_refuses_a_database_that_holds_people(db, debug):
    PersonFactory()
    with pytest.raises(CommandError, match="--force"):
        seed()
    assert Person.objects.count() == 1


def test_force_adds_to_a_database_that_holds_people(db, debug):
    PersonFactory()
    seed(force=True)
    assert Person.objects.count() > 1


def test_it_is_the_same_twice_after_a_flush(db, debug):
    report = seed()
    first = snapshot()
    withdrawn = set(SharingAgreement.objects.filter(withdrawn_at__isnull=False).values_list("pk"))
    assert first["Person"] and first["Contact"] and first["Assessment"] and first["AgendaItem"]
    assert "contacts" in report and " s" in report  # a line per table, with its time

    call_command("flush", interactive=False, verbosity=0)
    seed()

    assert snapshot() == first
    assert set(SharingAgreement.objects.filter(withdrawn_at__isnull=False).values_list("pk")) == (
        withdrawn
    )


def test_it_fills_one_team_at_the_asked_volume(db, debug):
    seed(factor=0.05)

    assert Team.objects.count() == 1
    team = Team.objects.get()
    assert 15 <= Person.objects.filter(team=team).count() <= 20  # 400 × 0.05
    women = Person.objects.filter(gender="woman").count()
    assert women >= 4


def test_totals_are_the_item_scores_weighted(db, debug):
    seed()
    completed = (
        Assessment.objects.completed()
        .select_related("scheme__comparable_to")
        .prefetch_related("scores__item", "scheme__items", "scheme__comparable_to__items")
    )
    assert completed
    for assessment in completed:
        scores = {s.item.key: s.score for s in assessment.scores.all()}
        assert (assessment.total, assessment.standard_total) == totals(
            scheme=assessment.scheme, scores=scores
        )


def test_an_episode_starts_on_its_first_contact_that_reached_the_person(db, debug):
    seed()
    for episode in Episode.objects.filter(start_date__isnull=False):
        first = (
            Contact.objects.filter(episode=episode)
            .exclude(kind=ContactKind.ATTEMPTED)
            .order_by("occurred_at")
            .first()
        )
        assert first.occurred_at.date() == episode.start_date


def test_mdt_actions_belong_to_cases_at_meetings_held(db, debug):
    seed()
    assert Action.objects.exists()
    assert not Action.objects.exclude(agenda_item__meeting__status="held").exists()


def test_the_quarterly_return_builds_on_it(db, debug):
    seed()
    result = build_return(Team.objects.get(), Quarter.containing(UNTIL).previous())
    active = next(f for f in result.figures if f.key == "active_at_end")
    assert active.values["all"] > 0
    # The staff were loaded with a first version of their profile, so they count as at the
    # quarter's end.
    places = next(f for f in result.figures if f.key == "navigator_places")
    assert places.values["all"] > 0


@pytest.mark.postgres
def test_copy_puts_back_every_index_and_foreign_key(db, debug):
    def schema():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "UNION ALL SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE connamespace = current_schema()::regnamespace ORDER BY 1"
            )
            return [row[0] for row in cursor.fetchall()]

    before = schema()
    seed()
    assert schema() == before


def test_partners_may_see_the_mdt_cases_they_were_invited_to(db, debug):
    """Every person on an agenda agreed to MDT sharing with the partners, under a data-sharing
    agreement in force: a partner invited by name sees that meeting's cases."""
    from mdt.models import Invitation, shared_with_partner
    from sharing.models import DataSharingAgreement

    seed()
    assert DataSharingAgreement.objects.in_force().count() == 1
    invitation = Invitation.objects.filter(
        member__isnull=False, meeting__agenda__isnull=False
    ).first()
    items = AgendaItem.objects.filter(meeting=invitation.meeting_id)
    visible = items.filter(shared_with_partner(invitation.member.organisation_id))
    assert visible.count() == items.count() > 0


# The kinds below are sparse in 8 people: 40 are enough for each to be there.
SOME = {"factor": 0.1}


def covering_episode(person_id, day):
    """The person's episode open on `day` (accepted by then, not ended before)."""
    return (
        Episode.objects.filter(person_id=person_id, accepted_on__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .exists()
    )


def test_dash_checklists_are_scored_as_the_app_scores_them(db, debug):
    seed(**SOME)
    checklists = DashChecklist.objects.select_related("person").prefetch_related("answers")
    assert checklists.filter(risk_level="high").exists()
    assert checklists.exclude(risk_level="high").exists()
    for checklist in checklists:
        answers = [a.answer for a in checklist.answers.all()]
        assert len(answers) == 24
        assert checklist.yes_count == answers.count(Answer.YES)
        calls = police_call_outs(checklist.person, before=checklist.completed_on)
        assert checklist.police_call_outs == calls
        level, because = risk_level(
            yes_count=checklist.yes_count,
            judgement=checklist.judgement,
            police_call_outs=calls,
        )
        assert (checklist.risk_level, checklist.high_because) == (level, because)
        checklist.validate_constraints()
        assert covering_episode(checklist.person_id, checklist.completed_on)
        assert checklist.assessor.team_id == checklist.person.team_id


def test_marac_referrals_follow_a_high_risk_checklist(db, debug):
    seed(**SOME)
    referrals = MaracReferral.objects.select_related("checklist", "person").prefetch_related(
        "actions__owner"
    )
    assert referrals.filter(heard_on__isnull=False).exists()
    assert referrals.filter(is_repeat=True).exists()
    for referral in referrals:
        checklist = referral.checklist
        assert checklist.person_id == referral.person_id
        assert checklist.risk_level == "high"
        assert referral.referred_on >= checklist.completed_on
        earlier = earlier_referral_within_year(
            referral.person, on=referral.referred_on, exclude=referral
        )
        assert referral.is_repeat == (earlier is not None)
        repeat = [HighBecause.REPEAT] if referral.is_repeat else []
        assert referral.criteria == checklist.high_because + repeat
        referral.validate_constraints()
        assert covering_episode(referral.person_id, referral.referred_on)
        assert referral.heard_on or not referral.actions.all()
        for action in referral.actions.all():
            assert action.person_id == referral.person_id
            assert action.owner.team_id == referral.person.team_id
            assert action.due_on > referral.heard_on


def test_appointments_fall_within_support_and_attended_ones_are_their_contacts(db, debug):
    seed(**SOME)
    appointments = Appointment.objects.select_related("contact", "worker", "person")
    statuses = set(appointments.values_list("status", flat=True))
    assert statuses == set(AppointmentStatus.values)
    assert appointments.filter(status="booked", starts_at__date__gt=UNTIL).exists()
    for appointment in appointments:
        appointment.validate_constraints()
        day = timezone.localdate(appointment.starts_at)
        assert covering_episode(appointment.person_id, day)
        assert appointment.worker.team_id == appointment.person.team_id
        assert appointment.created_at <= appointment.starts_at
        if appointment.status == AppointmentStatus.ATTENDED:
            contact = appointment.contact
            assert contact.person_id == appointment.person_id
            assert (contact.kind, contact.occurred_at) == (appointment.kind, appointment.starts_at)
            assert contact.author_id == appointment.worker_id
        else:
            assert appointment.contact is None
        if appointment.status == AppointmentStatus.BOOKED:
            assert appointment.outcome_at is None
        else:
            assert appointment.outcome_by_id == appointment.worker_id


def test_withdrawn_mdt_sharing_says_who_and_why_and_ends_the_mdt_cases(db, debug):
    seed(factor=0.3)  # a few in a hundred people withdraw
    withdrawn = SharingAgreement.objects.filter(withdrawn_at__isnull=False)
    assert withdrawn.exists()
    assert SharingAgreement.objects.filter(withdrawn_at__isnull=True).exists()
    for agreement in withdrawn.select_related("person", "withdrawn_by"):
        agreement.validate_constraints()
        assert agreement.purpose == Purpose.MDT
        assert agreement.how_recorded == HowRecorded.VERBAL
        assert agreement.withdrawal_reason
        assert agreement.withdrawn_by.team_id == agreement.person.team_id
        assert agreement.recorded_at < agreement.withdrawn_at
        later = AgendaItem.objects.filter(
            person=agreement.person_id, meeting__starts_at__gte=agreement.withdrawn_at
        )
        assert not later.exists()


def test_documents_have_their_files_in_storage(db, debug):
    seed(**SOME)
    documents = Document.objects.all()
    assert documents.filter(kind=Document.Kind.CONSENT, referral__isnull=False).exists()
    for removed in documents.filter(removed_at__isnull=False):
        assert removed.removed_by.can_remove_documents and removed.removal_reason
    for document in documents:
        with default_storage.open(document.stored_name) as stored:
            checked = check_upload(ContentFile(stored.read()))
        assert (checked.content_type, checked.extension, len(checked.data), checked.inline) == (
            document.content_type,
            document.extension,
            document.size,
            document.inline,
        )
        assert covering_episode(document.person_id, document.dated)
        assert document.uploaded_by.team_id is not None


def test_the_return_counts_each_new_kind(db, debug):
    """At one city's volumes, the latest complete quarter has DASH checklists, MARAC
    referrals, missed appointments and withdrawn MDT sharing to count."""
    seed(factor=1)
    result = build_return(Team.objects.get(), Quarter.containing(UNTIL).previous())
    figures = {f.key: f.values["all"] for f in result.figures}
    for key in (
        "dash_completed",
        "dash_high_risk_checklists",
        "marac_referrals",
        "appointments_not_attended",
        "mdt_sharing_withdrawn",
    ):
        assert figures[key] > 0, key


def test_documents_get_a_copy_of_their_own_when_no_more_links_can_be_made(db, debug, monkeypatch):
    """A file system allows only so many hard links to one file (65,000 on ext4): past that,
    each document gets a fresh copy, which later ones link to."""
    from demo.management.commands import seed_scale

    def full(source, target):
        raise OSError(errno.EMLINK, "Too many links")

    monkeypatch.setattr(seed_scale.os, "link", full)
    seed(**SOME)
    documents = Document.objects.all()
    assert documents
    for document in documents:
        with default_storage.open(document.stored_name) as stored:
            assert len(stored.read()) == document.size
