import json
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import factory
from django.conf import settings
from django.utils import timezone

from appointments.services import appointment_book
from caseload.models import (
    Allocation,
    Contact,
    ContactKind,
    Episode,
    EpisodeStatus,
    ExitDestination,
    Person,
)
from documents.files import CheckedFile
from documents.services import document_upload
from domestic_abuse import selectors as da_selectors
from domestic_abuse import services as da_services
from referrals.models import Referral
from smd.models import Organisation, Role, Sector, Team, User

DOCS = Path(__file__).resolve().parents[1] / "docs"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Partner agency {n}")
    sector = Sector.VOLUNTARY


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    organisation = factory.SubFactory(OrganisationFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    role = Role.NAVIGATOR
    team = factory.SubFactory(TeamFactory)
    organisation = factory.LazyAttribute(lambda u: u.team.organisation if u.team else None)
    password = factory.django.Password("a-long-test-password")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    team = factory.SubFactory(TeamFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=80)


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    team = factory.SubFactory(TeamFactory)
    channel = Referral.Channel.PUBLIC_FORM
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = date(1985, 7, 20)
    homelessness = True
    mental_health = True
    substance_misuse = True
    why_now = "Sleeping rough since losing a hostel place."
    consent = Referral.Consent.YES
    referrer_organisation = factory.SubFactory(OrganisationFactory)
    referrer_name = "Sam Taylor"
    referrer_contact = "sam@example.org"


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Episode

    person = factory.SubFactory(PersonFactory)
    status = EpisodeStatus.ACTIVE
    start_date = factory.LazyFunction(timezone.localdate)

    class Params:
        # A closed episode says when it ended, where the person went and whether it was planned.
        closed = factory.Trait(
            status=EpisodeStatus.CLOSED,
            end_date=factory.LazyFunction(timezone.localdate),
            exit_destination=ExitDestination.NO_LONGER_NEEDED,
            ending_planned=True,
        )


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allocation

    episode = factory.SubFactory(EpisodeFactory)
    worker = factory.SubFactory(UserFactory, role=Role.PEER_MENTOR)
    kind = Allocation.Kind.PEER_MENTOR


class NavigatorFactory(UserFactory):
    """A full-time navigator: capacity 8 people with the default settings."""

    role = Role.NAVIGATOR
    fte = Decimal("1.00")


class PeerMentorFactory(UserFactory):
    """A peer mentor with 9 planned hours a week: capacity 3 people by default."""

    role = Role.PEER_MENTOR
    planned_hours = Decimal("9")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    author = factory.SubFactory(UserFactory, team=factory.SelfAttribute("..person.team"))
    occurred_at = factory.LazyFunction(timezone.now)
    kind = ContactKind.FACE_TO_FACE
    duration_minutes = 30
    summary = "Met at the day centre and talked about a housing appointment."


def share_for_mdt(person, *organisations, by, expires_on=None, how_recorded="verbal"):
    """The person agreed to be discussed at the MDT with each organisation (ADR 0016)."""
    from datetime import timedelta

    from sharing.models import Purpose, SharingAgreement

    return [
        SharingAgreement.objects.create(
            person=person,
            organisation=organisation,
            purpose=Purpose.MDT,
            how_recorded=how_recorded,
            expires_on=expires_on or timezone.localdate() + timedelta(days=365),
            recorded_by=by,
        )
        for organisation in organisations
    ]


def dsa_for_mdt(*organisations, by, start_on=None, review_on=None, ended_on=None):
    """A data-sharing agreement for the MDT between the organisations, in force from a year ago."""
    from datetime import timedelta

    from sharing.models import DataSharingAgreement, Purpose

    today = timezone.localdate()
    agreement = DataSharingAgreement.objects.create(
        title="MDT information sharing",
        purpose=Purpose.MDT,
        start_on=start_on or today - timedelta(days=365),
        review_on=review_on or today + timedelta(days=365),
        ended_on=ended_on,
        document_location="Shared drive: Governance/DSAs/mdt.pdf",
        recorded_by=by,
    )
    agreement.parties.set(organisations)
    return agreement


def current_version(record):
    """The version token an edit form opened now would carry (what a browser sends back)."""
    return type(record)._base_manager.get(pk=record.pk).version_token


def new_key(prefix=None):
    """A create form's one-time submission key, as a hand-written post sends it (ADR 0024):
    each call a new form. `prefix` for a form on a page of several ("pause", "offer")."""
    return {(f"{prefix}-" if prefix else "") + "submission_key": str(uuid.uuid4())}


def signed_consent(person, *, by, shareable_with_mdt=True):
    """A signed consent form uploaded to the person's record through the real service (a small
    PDF, as `documents.files.check_upload` would pass it)."""
    return document_upload(
        person=person,
        checked=CheckedFile("pdf", "application/pdf", ".pdf", b"%PDF-1.7 test", True),
        kind="consent",
        title="Signed consent",
        dated=timezone.localdate(),
        shareable_with_mdt=shareable_with_mdt,
        by=by,
    )


def booked_appointment(person, *, worker, starts_at=None, place="The library café", **extra):
    """An appointment booked through the real service: by default with `worker`, face to face,
    an hour ago, or at midnight in the day's first hour, so it is today's and can be logged as a
    contact or as not attended."""
    if starts_at is None:
        midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
        starts_at = max(timezone.now() - timedelta(hours=1), midnight)
    return appointment_book(
        person=person,
        by=worker,
        worker=worker,
        starts_at=starts_at,
        kind="face_to_face",
        place=place,
        **extra,
    )


def marac_records(person, *, by, owner):
    """The DASH wording (the shipped fictional example, loaded once), a high-risk checklist of
    the person, a MARAC referral and an action it agreed, owned by `owner`: through the real
    services."""
    definition = da_selectors.current_definition() or da_services.definition_import(
        data=json.loads((DOCS / "examples" / "dash-FICTIONAL-example.json").read_text())
    )
    checklist = da_services.checklist_record(
        person=person,
        definition=definition,
        completed_on=timezone.localdate(),
        answers={q.key: ("yes", "person", "") for q in definition.questions.all()},
        by=by,
    )
    referral = da_services.marac_refer(
        person=person,
        referred_on=timezone.localdate(),
        marac=settings.MARACS[0],
        criteria=["visible_high_risk"],
        sharing_basis="consent",
        checklist=checklist,
        by=by,
    )
    action = da_services.marac_action_add(
        referral=referral,
        description="Fit a door alarm",
        owner=owner,
        due_on=timezone.localdate(),
        by=by,
    )
    return {"checklist": checklist, "marac": referral, "marac_action": action}
