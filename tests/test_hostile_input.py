"""Every form, posted hostile data: never a 500, never a partial write, never another team's
records changed.

FORMS lists each URL that takes a POST, with who posts and a valid payload for it; NO_POST lists
the rest with the reason. A URL in neither fails `test_every_url_is_in_a_table`, so a new form
gets an entry here (usually a few lines: the role, and the payload via `as_post`).

Each example runs in a savepoint that is rolled back, so the world is built once per form and
every example starts from it. The hypothesis profile (tests/conftest.py) runs a few examples per
form, derandomized: the same ones on every run and machine, so a failure in CI is the failure you
get locally. `HYPOTHESIS_PROFILE=thorough` tries many more, differently each run, to look for
new failures before a release or after changing a form.
"""

import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_otp.oath import hotp
from hypothesis import given, settings
from hypothesis import strategies as st

from api.forms import ApiTokenForm
from api.services import api_token_create
from appointments.forms import BookForm, ChangeForm
from assessments.forms import AssessmentForm
from assessments.models import AssessmentScheme
from assessments.reqol.forms import ReqolForm
from assessments.reqol.selectors import current_definition
from assessments.reqol.services import definition_import
from assessments.services import assessment_save
from caseload.forms import ContactEditForm, ContactForm, PersonForm
from caseload.models import Allocation
from caseload.notifications import ALLOCATED
from caseload.outcomes import services as outcome_services
from caseload.outcomes.forms import AccommodationForm, EventForm, GoalForm, GoalReviewForm
from documents.models import Document
from domestic_abuse.forms import DashForm
from domestic_abuse.selectors import current_definition as current_dash
from importer.models import HeldPerson, ImportRun
from mdt import services as mdt_services
from mdt.models import MdtMeeting, MdtReferral
from returns.models import EvaluationExtract, QuarterlyReturn
from rights import services as rights_services
from rights.models import RetentionReview
from sharing.forms import DataSharingAgreementForm, LawfulBasisForm, SharingAgreementForm
from sharing.models import Article6Basis, Article9Condition, HowRecorded
from smd.models import Role
from smd.notifications.forms import PreferencesForm
from smd.notifications.models import NotificationSettings
from smd.notifications.services import notify
from smd.quarters import Quarter, financial_year_of
from smd.two_factor import services as two_factor_services
from tests.assessments.test_reqol import definition_data as reqol_definition_data
from tests.conftest import app_device, password_confirmed, sign_in
from tests.factories import (
    AllocationFactory,
    ContactFactory,
    EpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    ReferralFactory,
    TeamFactory,
    UserFactory,
    booked_appointment,
    current_version,
    dsa_for_mdt,
    marac_records,
    new_key,
    share_for_mdt,
    signed_consent,
)
from tests.hostile import (
    ALL_COLUMNS,
    as_post,
    changed_tables,
    database_rows,
    fingerprint,
    hostile_payloads,
    records_of,
)
from tests.test_access import url_for, url_names

PASSWORD = "a-long-test-password"  # tests.factories.UserFactory's
PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"
# Users who have given their password but not yet their second factor: one with an app (the code
# step), one setting an app up.
PASSWORD_ONLY = {"password_only", "setting_up"}


def _mdt_referral_of(person, users):
    return MdtReferral.objects.create(
        person=person,
        source="navigator",
        referring_organisation=person.team.organisation,
        referred_by=users["navigator"],
        why_now="Risk rising",
        tried="Hostel",
        asked_of_partners="Joint plan",
        sharing_basis="agreed",
    )


def build_world(team, partner_org):
    """A team with one of each role, a person with an open episode and a record of each kind,
    and another person on the caseload: the keys are tests.test_access.url_for's."""
    users = {
        role: UserFactory(role=role, team=None if role == Role.MDT_MEMBER else team)
        for role in Role.values
    }
    users["mdt_member"].organisation = partner_org
    users["mdt_member"].save()
    users["second_navigator"] = UserFactory(role=Role.NAVIGATOR, team=team)
    users["password_only"] = UserFactory(role=Role.NAVIGATOR, team=team)
    users["setting_up"] = UserFactory(role=Role.NAVIGATOR, team=team)
    for role, user in users.items():
        if role != "setting_up":
            app_device(user)
    # The app being set up, as the set-up page showed it: its secret is what the codes come from.
    two_factor_services.app_device_start(user=users["setting_up"])
    # An MDT discusses a person only under a data-sharing agreement and with their agreement.
    dsa = dsa_for_mdt(team.organisation, partner_org, by=users["manager"])
    person = PersonFactory(team=team)
    episode = EpisodeFactory(person=person)
    AllocationFactory(episode=episode, worker=users["peer_mentor"])
    AllocationFactory(
        episode=episode, worker=users["navigator"], kind=Allocation.Kind.LEAD_NAVIGATOR
    )
    second_person = PersonFactory(team=team)
    EpisodeFactory(person=second_person)
    (sharing,) = share_for_mdt(person, partner_org, by=users["navigator"])
    share_for_mdt(second_person, partner_org, by=users["navigator"])
    contact = ContactFactory(
        person=person, author=users["navigator"], follow_up_action="Call the housing team"
    )
    scheme = AssessmentScheme.objects.get(code="ndt-standard", version=1)
    assessment = assessment_save(
        person=person,
        episode=episode,
        scheme=scheme,
        assessed_on=episode.start_date,
        assessor=users["navigator"],
        participation="yes",
        scores={item.key: 1 for item in scheme.items.all()},
        notes={},
        complete=True,
        by=users["navigator"],
    )
    meeting = mdt_services.meeting_create(
        meeting=MdtMeeting(
            team=team,
            starts_at=timezone.now() + timedelta(days=2),
            place="Room 4",
            chair=users["mdt_chair"],
        ),
        organisations=[],
        members=[users["mdt_member"]],
    )
    mdt_referral = _mdt_referral_of(person, users)
    item = mdt_services.agenda_add(meeting=meeting, person=person, mdt_referral=mdt_referral)
    mdt_services.agenda_add(
        meeting=meeting, person=second_person, mdt_referral=_mdt_referral_of(second_person, users)
    )
    third_person = PersonFactory(team=team)
    EpisodeFactory(person=third_person)
    share_for_mdt(third_person, partner_org, by=users["navigator"])
    waiting = _mdt_referral_of(third_person, users)
    mdt_services.agenda_share(meeting=meeting)
    action = mdt_services.action_add(
        item=item,
        description="Book a joint appointment",
        owner=users["mdt_member"],
        owner_organisation=partner_org,
        due_on=timezone.localdate(),
        by=users["mdt_chair"],
    )
    goal = outcome_services.goal_add(
        person=person,
        by=users["navigator"],
        in_their_words="Get my own place",
        review_on=timezone.localdate() + timedelta(weeks=6),
    )
    done = QuarterlyReturn.objects.create(
        team=team, quarter="2025/26 Q3", version=1, status="done", figures=[]
    )
    done.pdf.save("r.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    done.csv.save("r.csv", ContentFile(b"section,key"), save=True)
    failed = QuarterlyReturn.objects.create(
        team=team, quarter="2025/26 Q3", version=2, status="failed", error="Worker lost"
    )
    extract = EvaluationExtract.objects.create(
        team=team, quarter="2025/26 Q3", status="done", requested_by=users["manager"], rows=0
    )
    extract.csv.save("e.csv", ContentFile(b"format_version,quarter"), save=True)
    failed_extract = EvaluationExtract.objects.create(
        team=team, quarter="2025/26 Q3", status="failed", requested_by=users["manager"]
    )
    # Someone never supported, whose record was made long ago: on the retention list.
    past = PersonFactory(team=team)
    type(past).objects.filter(pk=past.pk).update(
        created_at=timezone.now() - timedelta(days=365 * 10)
    )
    rights_services.retention_review_run(team=team)
    review = RetentionReview.objects.get(person=past)
    document = signed_consent(person, by=users["navigator"])
    notification = notify(
        user=users["navigator"],
        kind=ALLOCATED,
        key="world",
        due=timezone.localdate(),
        title="A person was allocated to you as lead navigator",
        url=person.get_absolute_url(),
    )
    appointment = booked_appointment(person, worker=users["navigator"])
    da = marac_records(person, by=users["navigator"], owner=users["navigator"])
    api_token, _ = api_token_create(
        team=team,
        by=users["manager"],
        system="Insight hub",
        purpose="outcomes",
        expires_on=timezone.localdate() + timedelta(days=30),
    )
    return {
        **da,
        "appointment": appointment,
        "notification": notification,
        "api_token": api_token,
        "document": document,
        "team": team,
        "users": users,
        "person": person,
        "second_person": second_person,
        "episode": episode,
        "contact": contact,
        "referral": ReferralFactory(team=team),
        "assessment": assessment,
        "meeting": meeting,
        "mdt_referral": mdt_referral,
        "waiting_mdt_referral": waiting,
        "item": item,
        "action": action,
        "goal": goal,
        "return": done,
        "failed_return": failed,
        "extract": extract,
        "failed_extract": failed_extract,
        "sharing": sharing,
        "dsa": dsa,
        "review": review,
        **_import_records(team, person, users),
    }


def _import_records(team, person, users):
    """An import file checked without problems, and an incoming person held as maybe `person`."""
    import_run = ImportRun.objects.create(
        team=team,
        source="Old CRM",
        original_name="people.csv",
        uploaded_by=users["manager"],
        status=ImportRun.Status.CHECKED,
    )
    held = HeldPerson.objects.create(
        run=import_run,
        team=team,
        source="Old CRM",
        source_id=f"P-{team.pk}",
        data={"source_id": "P-1", "first_name": "Ann", "last_name": person.last_name},
        candidate=person,
        score=70,
        reasons=["same name"],
    )
    return {"import_run": import_run, "held": held}


def world_ids(world):
    """The ids of everything in a world: its records, its team and its people's accounts."""
    ids = set()
    for value in world.values():
        for obj in value.values() if isinstance(value, dict) else [value]:
            ids.add(str(obj.pk))
    return ids


@pytest.fixture
def worlds(shipped_schemes):
    definition_import(data=reqol_definition_data())
    partner_org = OrganisationFactory(name="Northgate Probation")
    home = build_world(TeamFactory(receives_public_referrals=True), partner_org)
    other = build_world(
        TeamFactory(organisation=OrganisationFactory(name="Elsewhere")), partner_org
    )
    return home, other


# --- the table of forms ------------------------------------------------------------------------


@dataclass
class Form:
    """A URL that takes a POST: who posts (a role of the world's team, or None for anyone),
    how to build a valid payload from the world, and the statuses that mean it was accepted
    (and so may have written). Any other status must leave the database as it was."""

    role: str | None
    payload: Any = lambda w: {}
    accepted: set = field(default_factory=lambda: {302})
    htmx: bool = False  # also posted as htmx (its partials are answered with 200)
    writes: bool = True  # the valid payload changes something
    examples: float = 1  # a share of the profile's max_examples
    # What a refusal may still write, by design: {table: columns, or ALL_COLUMNS}.
    refusal_writes: dict = field(default_factory=dict)
    # The password was given again a moment ago (smd.reauth), as this step asks.
    confirmed: bool = False


def _once(data, prefix=None):
    """A hand-written payload with the one-time submission key its create form carries."""
    return {**data, **new_key(prefix)}


def _today(days=0):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _code_now(device):
    """The code an authenticator app with this device's secret shows now."""
    t = int((time.time() - device.t0) // device.step) + device.drift
    return f"{hotp(device.bin_key, t, digits=device.digits):0{device.digits}d}"


def _setup_device(w):
    return two_factor_services.app_device_start(user=w["users"]["setting_up"])


# A wrong code counts against the device (django-otp's throttle: a pause after each failure,
# growing), in the same row as the device; and a wrong password is counted by django-axes towards
# the cool-off. Both are the refusal doing its job, so a refused post may write those, and only
# those: any other change to a device (confirmed, its secret, its last code) is still caught.
OTP_THROTTLE = ["throttling_failure_count", "throttling_failure_timestamp"]
CODE_REFUSED = {"otp_totp_totpdevice": OTP_THROTTLE, "otp_static_staticdevice": OTP_THROTTLE}
PASSWORD_REFUSED = {"axes_accessattempt": ALL_COLUMNS, "axes_accessfailurelog": ALL_COLUMNS}


def _partner_org(w):
    return w["users"]["mdt_member"].organisation


def _dsa(w, agreement=None):
    form = DataSharingAgreementForm(instance=agreement, own_organisation=w["team"].organisation)
    return as_post(
        form,
        title="Housing and probation sharing",
        parties=[str(w["team"].organisation_id), str(_partner_org(w).pk)],
        purpose="mdt",
        start_on=_today(-30),
        review_on=_today(300),
        document_location="Shared drive",
    )


def _contact(w):
    return as_post(
        ContactForm(person=w["person"]), kind="phone", duration_minutes="20", summary="Called."
    )


def _booking(w):
    form = BookForm(person=w["person"], initial={"worker": w["users"]["navigator"].pk})
    return as_post(
        form, on=_today(1), start="10:00", end="11:00", kind="face_to_face", place="Library"
    )


def _contact_edit(w):
    form = ContactEditForm(instance=w["contact"], person=w["person"])
    return as_post(form, summary="Called back.")


def _assessment(w, assessment=None, **extra):
    person = w["person"]
    scheme = assessment.scheme if assessment else AssessmentScheme.objects.get(code="ndt-standard")
    form = AssessmentForm(
        initial=AssessmentForm.initial_from(assessment)
        if assessment
        else {"assessor": w["users"]["navigator"].pk},
        scheme=scheme,
        team=person.team,
        correcting=assessment is not None,
        version_record=assessment,
    )
    scores = {f"score_{item.key}": "2" for item in scheme.items.all()}
    return as_post(form, scheme=scheme.code, participation="yes", **scores, **extra)


def _reqol(w):
    form = ReqolForm(definition=current_definition())
    answers = {f"item_{item.key}": "2" for item in form.items}
    return as_post(form, completion="themself", **answers)


def _dash(w):
    form = DashForm(definition=current_dash())
    answers = {f"q_{q.key}": "yes" for q in form.questions}
    sources = {f"src_{q.key}": "person" for q in form.questions}
    return as_post(form, **answers, **sources)


def _referral(w):
    return _once(
        {
            "first_name": "Jo",
            "last_name": "Bloggs",
            "date_of_birth": "1980-05-01",
            "contact_details": "Via the day centre",
            "homelessness": "on",
            "substance_misuse": "on",
            "mental_health": "on",
            "why_now": "Sleeping rough again.",
            "consent": "yes",
            "referrer": "self",
            "referrer_name": "Jo Bloggs",
            "referrer_contact": "07700 900123",
        }
    )


def _mdt_referral(w):
    return _once(
        {
            "source": "navigator",
            "referring_organisation": str(w["team"].organisation_id),
            "why_now": "Risk rising",
            "tried": "Hostel",
            "asked_of_partners": "Joint plan",
            "urgency": "soon",
            "sharing_basis": "agreed",
        }
    )


class Upload(SimpleUploadedFile):
    """A file in a post that reads whole each time it is sent (hypothesis sends one payload
    many times)."""

    def read(self, *args):
        self.seek(0)
        return super().read(*args)


PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def _upload(w):
    return _once(
        {
            "file": Upload("letter.pdf", PDF, content_type="application/pdf"),
            "kind": "letter",
            "title": "Letter from the council",
            "dated": _today(),
            "referral": "",
        }
    )


def _import_upload(w):
    people = b"source_id,first_name,last_name\nP-9,Ann,Lee\n"
    return _once(
        {"file": Upload("people.csv", people, content_type="text/csv"), "source": "Old CRM"}
    )


FORMS = {
    # A right password goes on to the code step (302); the last sign-in time is written.
    "login": Form(
        None,
        lambda w: {"username": w["users"]["navigator"].username, "password": PASSWORD},
        writes=True,
        refusal_writes=PASSWORD_REFUSED,
    ),
    # The code step: the app's code now (the device records it as used).
    "two_factor:verify": Form(
        "password_only",
        lambda w: {"code": _code_now(app_device(w["users"]["password_only"])), "next": "/"},
        refusal_writes=CODE_REFUSED,
    ),
    # Set-up: the new app's first code confirms it and makes the backup codes.
    "two_factor:setup": Form(
        "setting_up",
        lambda w: {"code": _code_now(_setup_device(w)), "next": "/"},
        refusal_writes=CODE_REFUSED,
    ),
    # New backup codes replace the old: there is nothing to fill in.
    "two_factor:backup_codes": Form("navigator", confirmed=True),
    # The user's own password: changed (giving the current one), or given again. A wrong one is
    # counted towards the cool-off, like a failed sign-in.
    "password_change": Form(
        "navigator",
        lambda w: {
            "old_password": PASSWORD,
            "new_password1": "a-brand-new-password-7",
            "new_password2": "a-brand-new-password-7",
        },
        refusal_writes=PASSWORD_REFUSED,
    ),
    "password_confirm": Form(
        "navigator",
        lambda w: {"password": PASSWORD, "next": "/"},
        writes=False,  # only the session
        refusal_writes=PASSWORD_REFUSED,
    ),
    "logout": Form("navigator", writes=False),
    "referrals:public": Form(None, _referral),
    "referrals:new": Form("navigator", _referral),
    "referrals:link": Form(
        "team_leader",
        lambda w: {
            "person": str(w["second_person"].pk),
            "version": current_version(w["referral"]),
        },
    ),
    "referrals:new_person": Form(
        "team_leader", lambda w: _once({"version": current_version(w["referral"])})
    ),
    "referrals:decide": Form(
        "team_leader",
        lambda w: _once(
            {
                "outcome": "not_eligible",
                "reason": "Two of five.",
                "signposted_to": "GP",
                "version": current_version(w["referral"]),
            }
        ),
    ),
    # The search is a POST (no name in a URL); it reads and writes nothing.
    "caseload:person_list": Form(
        "navigator", lambda w: {"q": w["person"].last_name}, accepted={200}, writes=False, htmx=True
    ),
    "caseload:person_edit": Form(
        "navigator", lambda w: as_post(PersonForm(instance=w["person"]), known_as="Jo")
    ),
    "caseload:allocate": Form(
        "team_leader",
        lambda w: _once(
            {
                "form": "lead",
                "lead-worker": str(w["users"]["second_navigator"].pk),
                "lead-reason": "Closer to where they stay.",
                "lead-version": current_version(
                    w["episode"].allocations.current().get(kind=Allocation.Kind.LEAD_NAVIGATOR)
                ),
            },
            "lead",
        ),
    ),
    "caseload:plan_targets": Form(
        "manager",
        lambda w: _once({"year": str(financial_year_of(timezone.localdate())), "people": "145"}),
    ),
    "caseload:episode_change": Form(
        "navigator",
        lambda w: _once({"form": "pause", "pause-pause_reason": "hospital"}, "pause"),
    ),
    "caseload:contact_new": Form("navigator", _contact, htmx=True),
    "caseload:contact_edit": Form("navigator", _contact_edit),
    # A contact sent from the phone's queue: answered in JSON, recorded (201) or refused.
    "offline:contact_send": Form("navigator", _contact, accepted={201}),
    "offline:appointment_attended": Form("navigator", _contact, accepted={201}),
    "offline:appointment_not_attended": Form("navigator", accepted={201}),
    "caseload:follow_up_done": Form("navigator", lambda w: {"from": "caseload"}, htmx=True),
    "assessments:new": Form("navigator", lambda w: _assessment(w, action="complete")),
    "assessments:edit": Form(
        "navigator", lambda w: _assessment(w, w["assessment"], reason="A score was wrong.")
    ),
    "reqol:new": Form("navigator", _reqol),
    "domestic_abuse:checklist_new": Form("navigator", _dash),
    "domestic_abuse:marac_new": Form(
        "navigator",
        lambda w: _once(
            {
                "referred_on": _today(),
                "marac": "City MARAC",
                "criteria": ["visible_high_risk"],
                "sharing_basis": "consent",
            }
        ),
    ),
    "domestic_abuse:marac_edit": Form(
        "navigator",
        lambda w: {
            "heard_on": _today(),
            "outcome_note": "Safety plan agreed.",
            "version": current_version(w["marac"]),
        },
    ),
    "domestic_abuse:marac_action_new": Form(
        "navigator",
        lambda w: _once(
            {
                "description": "Ask the police for a marker",
                "owner": str(w["users"]["navigator"].pk),
                "due_on": _today(7),
            }
        ),
    ),
    "domestic_abuse:marac_action_update": Form(
        "navigator",
        lambda w: {"done": "1", "next": "/", "version": current_version(w["marac_action"])},
    ),
    "caseload:goal_new": Form(
        "navigator",
        lambda w: as_post(
            GoalForm(person=w["person"]), in_their_words="A job", step_1_what="Write a CV"
        ),
    ),
    "caseload:goal_edit": Form(
        "navigator",
        lambda w: as_post(
            GoalForm(person=w["person"], goal=w["goal"]),
            in_their_words="A job",
            step_1_what="Write a CV",
        ),
    ),
    "caseload:goal_review": Form(
        "navigator",
        lambda w: as_post(GoalReviewForm(goal=w["goal"]), to_status="in_progress", note="Going ok"),
    ),
    "caseload:event_new": Form(
        "navigator", lambda w: as_post(EventForm(person=w["person"]), kind="arrest"), htmx=True
    ),
    "caseload:accommodation": Form(
        "navigator", lambda w: as_post(AccommodationForm(), status="hostel")
    ),
    "caseload:budget": Form(
        "navigator",
        lambda w: _once(
            {"form": "offer", "offer-amount_offered": "250", "offer-offered_on": _today()},
            "offer",
        ),
    ),
    "caseload:stars": Form(
        "navigator", lambda w: _once({"completed_on": _today(), "held_at": "The paper file"})
    ),
    "mdt:meeting_new": Form(
        "mdt_chair",
        lambda w: _once(
            {
                "starts_at": (timezone.localtime() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
                "place": "Room 1",
                "chair": str(w["users"]["mdt_chair"].pk),
                "members": [str(w["users"]["mdt_member"].pk)],
            }
        ),
    ),
    "mdt:referral_new": Form("navigator", _mdt_referral),
    "mdt:agenda_add": Form(
        "mdt_chair", lambda w: _once({"mdt_referral": str(w["waiting_mdt_referral"].pk)})
    ),
    "mdt:agenda_share": Form("mdt_chair"),
    "mdt:attendance": Form(
        "mdt_chair",
        lambda w: {str(i.pk): "present" for i in w["meeting"].invitations.all()} | {"next": "live"},
    ),
    "mdt:start": Form("mdt_chair"),
    "mdt:finish": Form("mdt_chair"),
    "mdt:agenda_move": Form("mdt_chair", lambda w: {"direction": "down"}),
    # The world's item has an action, so it stays on the agenda: the refusal is what is tried.
    "mdt:agenda_remove": Form("mdt_chair", writes=False),
    "mdt:case_notes": Form(
        "mdt_chair",
        lambda w: {
            "version": str(w["item"].version),
            "notes": "Discussed housing.",
            "decisions": "Joint visit.",
            "outcome": "continue",
        },
        htmx=True,
    ),
    "mdt:action_add": Form(
        "mdt_chair",
        lambda w: _once(
            {
                "description": "Find a bed",
                "owner": str(w["users"]["navigator"].pk),
                "due_on": _today(7),
            }
        ),
        htmx=True,
    ),
    "mdt:action_update": Form(
        "mdt_member",
        lambda w: {
            "done": "1",
            "progress_note": "Booked",
            "next": "/mdt/",
            "version": current_version(w["action"]),
        },
        htmx=True,
    ),
    # Building a return makes a PDF: a few examples are enough to try the one field.
    "returns:generate": Form(
        "manager",
        lambda w: {"quarter": Quarter.containing(timezone.localdate()).previous().label},
        examples=0.5,
    ),
    "returns:sign_off": Form("manager"),
    "returns:retry": Form("manager"),
    # Asking for an evaluation extract queues its build: a create form with a one-time key.
    "returns:extract_generate": Form(
        "manager",
        lambda w: _once({"quarter": Quarter.containing(timezone.localdate()).previous().label}),
        examples=0.5,
    ),
    "returns:extract_retry": Form("manager"),
    "sharing:lawful_basis": Form(
        "navigator",
        lambda w: as_post(
            LawfulBasisForm(version_record=w["person"].lawful_bases.first()),
            article_6=Article6Basis.PUBLIC_TASK,
            article_9=Article9Condition.HEALTH_SOCIAL_CARE,
        ),
    ),
    "sharing:agreement_new": Form(
        "navigator",
        lambda w: as_post(
            SharingAgreementForm(team=w["team"]),
            organisations=[str(_partner_org(w).pk)],
            how_recorded=HowRecorded.WRITTEN,
        ),
    ),
    "sharing:agreement_withdraw": Form(
        "navigator",
        lambda w: {"reason": "Changed their mind.", "version": current_version(w["sharing"])},
    ),
    "appointments:new": Form("navigator", _booking),
    "appointments:edit": Form(
        "navigator",
        lambda w: as_post(
            ChangeForm(
                person=w["person"],
                version_record=w["appointment"],
                initial=ChangeForm.initial_from(w["appointment"]),
            ),
            place="The day centre",
        ),
    ),
    "appointments:cancel": Form(
        "navigator",
        lambda w: {
            "reason": "They asked to move it.",
            "version": current_version(w["appointment"]),
        },
    ),
    "appointments:attended": Form("navigator", _contact),
    "appointments:not_attended": Form(
        "navigator", lambda w: {"version": current_version(w["appointment"])}
    ),
    # A new feed address: shown on the page that answers the POST (200).
    "appointments:calendar": Form("navigator", accepted={200}),
    "documents:upload": Form("navigator", _upload),
    "documents:edit": Form(
        "navigator",
        lambda w: {
            "kind": "consent",
            "title": "Signed consent form",
            "dated": _today(),
            "shareable_with_mdt": "on",
            "version": current_version(w["document"]),
        },
    ),
    "documents:remove": Form(
        "team_leader",
        lambda w: {
            "reason": "Uploaded to the wrong person.",
            "version": current_version(w["document"]),
        },
    ),
    # Importing records: a file sent (its dry run queued), the import of a checked one, and a
    # decision about a held incoming person.
    "importer:index": Form("manager", _import_upload, examples=0.5),
    "importer:confirm": Form("manager"),
    "importer:decide": Form("manager", lambda w: {"decision": "create"}),
    "sharing:dsa_new": Form("manager", _dsa),
    "sharing:dsa_edit": Form("manager", lambda w: _dsa(w, w["dsa"])),
    # The file itself (200); making it writes only to the access log.
    "rights:export": Form(
        "manager",
        lambda w: {"format": "json"},
        accepted={200},
        writes=False,
        examples=0.5,
        confirmed=True,
    ),
    # Notifications: one opened (marked read), all marked read, the email choices saved.
    "notifications:read": Form("navigator", lambda w: {"open": "1", "page": "1"}),
    "notifications:read_all": Form(
        "navigator", lambda w: {"upto": timezone.now().isoformat(), "page": "1"}
    ),
    "notifications:preferences": Form(
        "navigator",
        lambda w: as_post(
            PreferencesForm(settings_row=NotificationSettings(user=w["users"]["navigator"])),
            caseload_allocated="none",
        ),
    ),
    # The new token's key is shown on the answer itself (200), never sent on in a redirect.
    "api:token_new": Form(
        "manager",
        lambda w: as_post(
            ApiTokenForm(), system="Evaluation", purpose="evaluation", expires_on=_today(60)
        ),
        accepted={200},
    ),
    "api:token_revoke": Form("manager"),
    "rights:retention_erase": Form(
        "manager",
        lambda w: {
            "reviews": [str(w["review"].pk)],
            "reason": "Retention period passed.",
            "confirm": "on",
        },
        confirmed=True,
    ),
}

# URLs that only show something: a POST to them must still neither fail nor write.
NO_POST = {
    "home": "a redirect or a dashboard",
    "healthz": "a liveness check",
    "referrals:public_done": "the thank-you page",
    "referrals:triage": "a list",
    "referrals:overview": "figures, filtered by GET",
    "referrals:detail": "a page; its forms post to link, new_person and decide",
    "caseload:my_caseload": "a list; its inline forms post to contact_new and follow_up_done",
    "caseload:team_capacity": "figures",
    "caseload:person_detail": "a page; its inline form posts to contact_new",
    "caseload:contact_detail": "a page",
    "caseload:plan": "a page",
    "caseload:plan_pdf": "a PDF",
    "caseload:events": "a page; its form posts to event_new",
    "assessments:history": "a page",
    "assessments:detail": "a page",
    "reqol:history": "a page",
    "domestic_abuse:overview": "a page; its forms post to marac_action_update",
    "mdt:meetings": "a list",
    "mdt:my_actions": "a list; its forms post to action_update",
    "mdt:meeting": "a page; its forms post to the agenda and attendance URLs",
    "mdt:live": "the chair's screen; its forms post to case_notes and action_add",
    "mdt:owners": "a type-ahead's matches, asked for by GET",
    "mdt:minutes": "a page",
    "mdt:minutes_pdf": "a PDF",
    "mdt:case": "a page",
    "documents:download": "a file",
    "appointments:detail": "a page; its form posts to not_attended",
    "appointments:feed": "a calendar file, fetched with GET by calendar apps",
    "returns:index": "a list; its forms post to generate and sign_off",
    "returns:live": "figures, chosen by GET",
    "returns:people": "a list, chosen by GET",
    "returns:status": "a row htmx polls",
    "returns:download_pdf": "a file",
    "returns:download_csv": "a file",
    "returns:extract": "a list; its forms post to extract_generate and extract_retry",
    "returns:extract_status": "a row htmx polls",
    "returns:extract_download": "a file",
    "profile": "a page",
    "admin_login": "a redirect to the sign-in page",
    "audit:index": "a list, searched by GET",
    "audit:person": "a list, filtered by GET",
    "audit:person_csv": "a file",
    "audit:user": "a list, filtered by GET",
    "audit:user_csv": "a file",
    "audit:history": "a page",
    "sharing:register": "a list; its links go to dsa_new and dsa_edit",
    "rights:retention": "a list; its form posts to retention_erase",
    "notifications:list": "a list; its forms post to read and read_all",
    "api:tokens": "a list; its forms post to token_revoke",
    "api:schema": "the API's description",
    "api:docs": "the API's description",
    # The API reads only, and only for a token: a POST is refused (401 without one).
    **{
        f"api:{name}": "the read-only API"
        for name in (
            "people",
            "person",
            "episodes",
            "contacts",
            "assessments",
            "reqol",
            "crisis_events",
            "accommodation",
            "referrals",
            "allocations",
            "mdt_figures",
            "returns",
        )
    },
    "service_worker": "the app's script",
    "manifest": "the app's name and icons",
    "offline:offline": "a page saying there is no signal",
    "offline:caseload_shell": "My caseload's frame; its script queues contacts for contact_send",
    "offline:caseload_data": "My caseload as data, for the phone",
    "offline:key": "the user's device key",
    "importer:run": "a page htmx polls; its form posts to confirm",
    "importer:held": "a list; its forms post to decide",
}

DOWNLOADS = {"returns:download_pdf", "returns:download_csv", "returns:extract_download"}


def test_every_url_is_in_a_table():
    names = set(url_names())
    assert not set(FORMS) & set(NO_POST)
    assert names - set(FORMS) - set(NO_POST) == set(), "add these to FORMS or NO_POST"
    assert set(FORMS) | set(NO_POST) <= names, "these URLs are gone: remove them here"


# --- posting -----------------------------------------------------------------------------------


def _client(world, role, confirmed=False, **kwargs):
    client = Client(**kwargs)
    if role in PASSWORD_ONLY:
        client.force_login(world["users"][role], backend=PASSWORD_BACKEND)
    elif role is not None:
        sign_in(client, world["users"][role])
        if confirmed:
            password_confirmed(client)
    return client


def _post(client, url, data, htmx=False):
    """The response, or a test failure naming the exception a user would have seen as a 500."""
    headers = {"HX-Request": "true"} if htmx else {}
    try:
        response = client.post(url, data, headers=headers)
    except Exception as error:
        pytest.fail(f"POST {url} raised {error!r} (a 500)")
    assert response.status_code < 500, f"POST {url}: {response.status_code}"
    return response


def _errors(response):
    """The error summary of a refused form, for the failure message."""
    page = response.content.decode()
    start = page.find("alert-danger")
    return page[start : start + 2000] if start >= 0 else page[:2000]


class Rollback(Exception):
    pass


def rolled_back(run):
    """Run in a savepoint and undo everything it wrote, so each example starts from the world."""
    try:
        with transaction.atomic():
            run()
            raise Rollback
    except Rollback:
        pass
    cache.clear()  # rate-limit counters


def _check(spec, client, url, data, *, other_ids, htmx=False):
    before = database_rows()
    response = _post(client, url, data, htmx=htmx)
    after = database_rows()
    others = changed_tables(records_of(before, other_ids), records_of(after, other_ids))
    assert not others, f"another team's records changed in {others}"
    accepted = spec.accepted | ({200} if htmx else set())
    if response.status_code not in accepted:
        ignoring = spec.refusal_writes
        changed = changed_tables(fingerprint(before, ignoring), fingerprint(after, ignoring))
        assert not changed, f"refused with {response.status_code} but wrote to {changed}"
    return response


def _forgeries(name, home, other):
    """The URL with one of its records swapped for the other team's, one at a time."""
    url = url_for(name, home)
    for key in sorted(set(home) - {"users", "team"}):
        forged = url_for(name, {**home, key: other[key]})
        if forged != url:
            yield key, forged


@pytest.mark.parametrize("name", sorted(FORMS))
def test_valid_post_is_accepted_and_forged_ones_refused(worlds, name):
    """The baseline the hostile posts start from is accepted as it stands; without the CSRF
    token it is refused (403), and at a URL naming another team's record it is not found (404),
    writing nothing."""
    home, other = worlds
    spec = FORMS[name]
    url = url_for(name, home)
    other_ids = world_ids(other)

    def valid():
        client = _client(home, spec.role, spec.confirmed)
        before = fingerprint(database_rows())
        response = _check(spec, client, url, spec.payload(home), other_ids=other_ids)
        assert response.status_code in spec.accepted, _errors(response)
        if spec.writes:
            assert changed_tables(before, fingerprint(database_rows())), "accepted: no write"

    rolled_back(valid)

    client = _client(home, spec.role, spec.confirmed, enforce_csrf_checks=True)
    signed_in = _client(home, spec.role, spec.confirmed)
    before = fingerprint(database_rows())
    assert _post(client, url, spec.payload(home)).status_code == 403, "no CSRF token"
    if spec.role is not None and name != "logout":
        client = signed_in
        for key, forged in _forgeries(name, home, other):
            assert _post(client, forged, spec.payload(home)).status_code == 404, key
    assert changed_tables(before, fingerprint(database_rows())) == []


@pytest.mark.parametrize("name", sorted(FORMS))
def test_hostile_post_never_fails_writes_half_or_touches_others(worlds, name):
    home, other = worlds
    spec = FORMS[name]
    url = url_for(name, home)
    client = _client(home, spec.role, spec.confirmed)
    other_ids = world_ids(other)
    baseline = spec.payload(home)

    @settings(max_examples=max(2, round(settings.default.max_examples * spec.examples)))
    @given(
        data=hostile_payloads(baseline, other_ids),
        htmx=st.booleans() if spec.htmx else st.just(False),
    )
    def post_hostile(data, htmx):
        rolled_back(lambda: _check(spec, client, url, data, other_ids=other_ids, htmx=htmx))

    post_hostile()


def test_pages_without_a_form_take_hostile_posts_harmlessly(worlds):
    home, other = worlds
    other_ids = world_ids(other)

    def post_hostile_to(name):
        # A download is logged, whichever way it was asked for.
        refused = Form(role=None, accepted={200} if name in DOWNLOADS else set())
        managers = ("returns:", "audit:", "rights:", "api:", "importer:")
        client = _client(home, "manager" if name.startswith(managers) else "team_leader")
        url = url_for(name, home)

        @settings(max_examples=max(2, settings.default.max_examples // 3))
        @given(data=hostile_payloads({}, other_ids))
        def post_hostile(data):
            rolled_back(lambda: _check(refused, client, url, data, other_ids=other_ids))

        post_hostile()

    for name in sorted(NO_POST):
        post_hostile_to(name)


def test_code_step_sends_on_to_a_next_that_is_not_a_path(worlds):
    """A `next` without a slash is followed as it stands, not looked up as a view's name (that
    was a 500, found by the hostile posts above)."""
    home, _ = worlds
    user = home["users"]["password_only"]
    client = _client(home, "password_only")
    code = _code_now(app_device(user))
    response = _post(
        client, url_for("two_factor:verify", home), {"code": code, "next": "elsewhere"}
    )
    assert response.status_code == 302
    assert response["Location"] == "elsewhere"


def test_an_over_long_username_is_refused_before_signing_in(worlds):
    """The username's length is checked by the form: an over-long one never reached django-axes,
    whose record of the failure could not hold it (a 500 on PostgreSQL)."""
    home, _ = worlds
    response = _post(Client(), url_for("login", home), {"username": "x" * 300, "password": "x"})
    assert response.status_code == 200
    assert "username" in response.context["form"].errors


# A file refused on its contents (documents.files): too big, not a kind the team keeps, empty,
# or a PDF that would run a script. Each is refused on the form (400), stores nothing and keeps
# what else was typed.
HOSTILE_FILES = {
    "oversized": (PDF + b"0" * (10 * 1024 * 1024), "too big"),
    "wrong type": (b"MZ\x90\x00 an executable", "Upload a PDF"),
    "zero bytes": (b"", "empty"),
    "pdf with script": (
        b"%PDF-1.7\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj",
        "scripts",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_FILES))
def test_hostile_files_are_refused_on_the_form(worlds, case, settings):
    home, _ = worlds
    content, says = HOSTILE_FILES[case]
    client = _client(home, "navigator")
    data = {**_upload(home), "file": Upload("x.pdf", content, content_type="application/pdf")}
    before = Document.objects.count()
    response = _post(client, url_for("documents:upload", home), data)
    assert response.status_code == 400
    assert says in response.content.decode()
    assert "Letter from the council" in response.content.decode()
    assert Document.objects.count() == before
