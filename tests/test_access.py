"""Every URL, for every role: the expected status, walked from the URL configuration itself.

A new URL without an entry in EXPECTED fails `test_every_url_is_in_the_table`, so each new
page must say who may open it.
"""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from api.services import api_token_create
from appointments.models import CalendarFeed
from assessments.models import AssessmentScheme
from assessments.reqol.services import definition_import
from assessments.services import assessment_save
from caseload.models import Allocation
from caseload.notifications import ALLOCATED
from caseload.outcomes import services as outcome_services
from importer.models import HeldPerson, ImportRun
from mdt import services as mdt_services
from mdt.models import MdtMeeting, MdtReferral
from returns.models import EvaluationExtract, QuarterlyReturn
from smd.access import OFF_MENU, menu_for
from smd.models import Role
from smd.notifications.services import notify
from smd.pseudonyms import pseudonym
from tests.assessments.test_reqol import definition_data as reqol_definition_data
from tests.conftest import app_device, sign_in
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
    dsa_for_mdt,
    marac_records,
    share_for_mdt,
    signed_consent,
)

ROLES = [
    "anonymous",
    "navigator",
    "peer_mentor",
    "team_leader",
    "mdt_chair",
    "mdt_member",
    "manager",
    "admin",
    "other_team_leader",  # a team leader of another organisation's team
    "deactivated",  # a navigator in the team whose account was deactivated (is_active=False)
    "password_only",  # a navigator who gave their password but not yet their second factor
]

LOGIN = "login"  # a redirect to the sign-in page
VERIFY = "verify"  # a redirect to the code step of signing in
REAUTH = "reauth"  # a redirect to give the password again (smd.reauth)
# A POST made without the password given recently: the password is asked for on the spot, on a
# page that carries what was sent (smd.reauth.ask_for_password).
ASK_HERE = "ask here"


def _signed_out_columns(table):
    """A deactivated user is treated as signed out everywhere. A password alone opens only what
    needs no sign-in; every other page asks for the second factor first."""
    table["deactivated"] = table["anonymous"]
    table["password_only"] = VERIFY if table["anonymous"] == LOGIN else table["anonymous"]
    return table


def statuses(anonymous=LOGIN, default=200, **by_role):
    table = {role: by_role.get(role, default) for role in ROLES}
    table["anonymous"] = anonymous
    return _signed_out_columns(table)


TEAM_STAFF = {"navigator", "team_leader", "mdt_chair", "manager"}
# Everyone who can open the world's person (the peer mentor is allocated to them).
IN_SCOPE = TEAM_STAFF | {"peer_mentor"}
CONTACT_LOGGERS = {"navigator", "team_leader", "peer_mentor"}


def only(allowed, denied, anonymous=LOGIN, ok=200):
    return _signed_out_columns(
        {
            role: (anonymous if role == "anonymous" else ok if role in allowed else denied)
            for role in ROLES
        }
    )


MDT_READERS = TEAM_STAFF | {"mdt_member", "other_team_leader"}
RETURNS = {"manager", "admin"}
PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"
# The navigator's calendar feed address's secret (appointments.models.CalendarFeed).
FEED_TOKEN = "the-worlds-feed-secret-0123456789abcdefghijk"


def mdt_read(ok):
    """Readers of this team's meeting: its staff and the invited partner; others' teams 404."""
    return {
        **only(TEAM_STAFF | {"mdt_member"}, denied=404, ok=ok),
        "peer_mentor": 403,
        "admin": 403,
    }


def mdt_run(ok):
    """Running this team's meeting: its chair and team leaders; readers who don't run it 403."""
    return {
        **only({"team_leader", "mdt_chair"}, denied=404, ok=ok),
        "navigator": 403,
        "manager": 403,
        "mdt_member": 403,
    }


OUTCOME_RECORDERS = {"navigator", "team_leader"}
WITH_PERSON = OUTCOME_RECORDERS | {"peer_mentor"}


def with_person(ok):
    """Goals, events and accommodation: recorded by navigators, team leaders and the
    allocated peer mentor; the chair and manager read them (403); others' people are 404."""
    return {**only(WITH_PERSON, denied=404, ok=ok), **dict.fromkeys(IN_SCOPE - WITH_PERSON, 403)}


def da_recorders(ok=200):
    """The DASH checklist and MARAC: navigators and team leaders; others who see the person
    403; everyone else 404."""
    return {
        **only(OUTCOME_RECORDERS, denied=404, ok=ok),
        **dict.fromkeys(IN_SCOPE - OUTCOME_RECORDERS, 403),
    }


# url name -> (method, {role: status})
EXPECTED = {
    # Navigators and peer mentors are sent on to My caseload, their home page.
    "home": ("get", statuses(navigator=302, peer_mentor=302)),
    "healthz": ("get", statuses(anonymous=200)),
    "login": ("get", statuses(anonymous=200)),
    "logout": ("post", statuses(anonymous=302, default=302)),
    "profile": ("get", statuses()),
    # Two-factor sign-in. The code step and set-up send a user who has already given their
    # second factor on (302); a password alone opens the code step and sign-out, nothing else.
    "two_factor:verify": ("get", {**statuses(default=302), "password_only": 200}),
    "two_factor:setup": ("get", {**statuses(default=302), "password_only": 302}),
    "two_factor:backup_codes": ("get", statuses()),
    # The admin site's own sign-in page is ours, with the second factor and cool-off.
    "admin_login": ("get", {**statuses(default=302), "password_only": 302}),
    "referrals:public": ("get", statuses(anonymous=200)),
    "referrals:public_done": ("get", statuses(anonymous=200)),
    "referrals:new": (
        "get",
        only(TEAM_STAFF | {"peer_mentor", "other_team_leader"}, denied=403),
    ),
    "referrals:triage": ("get", only({"team_leader", "other_team_leader"}, denied=403)),
    "referrals:overview": (
        "get",
        only({"team_leader", "manager", "other_team_leader"}, denied=403),
    ),
    "referrals:detail": ("get", only(TEAM_STAFF, denied=404)),
    # Person data out of scope is a 404; a teammate without the triage role is refused (403).
    "referrals:link": (
        "post",
        {
            **only({"team_leader"}, denied=404, ok=302),
            **{r: 403 for r in TEAM_STAFF - {"team_leader"}},
        },
    ),
    "referrals:new_person": (
        "post",
        {
            **only({"team_leader"}, denied=404, ok=302),
            **{r: 403 for r in TEAM_STAFF - {"team_leader"}},
        },
    ),
    "referrals:decide": (
        "post",
        {
            **only({"team_leader"}, denied=404, ok=400),
            **{r: 403 for r in TEAM_STAFF - {"team_leader"}},
        },
    ),
    "caseload:person_list": (
        "get",
        only(TEAM_STAFF | {"peer_mentor", "other_team_leader"}, denied=403),
    ),
    "caseload:person_detail": ("get", only(TEAM_STAFF | {"peer_mentor"}, denied=404)),
    # A peer mentor reads an allocated person's record but does not edit it.
    "caseload:person_edit": ("get", {**only(TEAM_STAFF, denied=404), "peer_mentor": 403}),
    # NDT: peer mentors read their own people's scores; staff assess; a completed assessment is
    # corrected only by its assessor (the navigator here) or a team leader.
    "assessments:history": ("get", only(TEAM_STAFF | {"peer_mentor"}, denied=404)),
    "assessments:new": ("get", {**only(TEAM_STAFF, denied=404), "peer_mentor": 403}),
    "assessments:detail": ("get", only(TEAM_STAFF | {"peer_mentor"}, denied=404)),
    "assessments:edit": (
        "get",
        {
            **only({"navigator", "team_leader"}, denied=404),
            "mdt_chair": 403,
            "manager": 403,
            "peer_mentor": 403,
        },
    ),
    # My caseload is for the people who hold one; team capacity for those who watch it.
    "caseload:my_caseload": ("get", only({"navigator", "peer_mentor"}, denied=403)),
    "caseload:team_capacity": (
        "get",
        only({"team_leader", "manager", "other_team_leader"}, denied=403),
    ),
    # The delivery plan's yearly target beside the projection: the manager enters it.
    "caseload:plan_targets": ("get", only({"manager"}, denied=403)),
    # Allocating is the team leader's; pausing and closing support the lead's and the leader's.
    "caseload:allocate": (
        "get",
        {**only({"team_leader"}, denied=404), **dict.fromkeys(IN_SCOPE - {"team_leader"}, 403)},
    ),
    "caseload:episode_change": (
        "get",
        {
            **only({"navigator", "team_leader"}, denied=404),
            **dict.fromkeys(IN_SCOPE - {"navigator", "team_leader"}, 403),
        },
    ),
    # Contacts are logged by the people who work with the person; a chair or manager reads them.
    "caseload:contact_new": (
        "get",
        {**only(CONTACT_LOGGERS, denied=404), **dict.fromkeys(IN_SCOPE - CONTACT_LOGGERS, 403)},
    ),
    "caseload:contact_detail": ("get", only(IN_SCOPE, denied=404)),
    # The phone app (ADR 0033). The service worker, manifest and offline page hold no data and
    # open for anyone; the rest are for those with a caseload. The key is refused (403) to a
    # password alone rather than sent to the code step; an empty contact from the queue is
    # refused with its reasons (422).
    "service_worker": ("get", statuses(anonymous=200)),
    "manifest": ("get", statuses(anonymous=200)),
    "offline:offline": ("get", statuses(anonymous=200)),
    "offline:caseload_shell": ("get", only({"navigator", "peer_mentor"}, denied=403)),
    "offline:caseload_data": ("get", only({"navigator", "peer_mentor"}, denied=403)),
    "offline:key": (
        "get",
        {**only({"navigator", "peer_mentor"}, denied=403), "password_only": 403},
    ),
    "offline:contact_send": (
        "post",
        only({"navigator", "peer_mentor"}, denied=403, ok=422),
    ),
    # An appointment's outcome from the phone: only the worker's own appointment (the world's is
    # the navigator's: the peer mentor's phone never had it, 404). An empty contact is refused
    # with its reasons (422); "did not attend" needs nothing more than the POST (201).
    "offline:appointment_attended": (
        "post",
        {**only({"navigator"}, denied=403, ok=422), "peer_mentor": 404},
    ),
    "offline:appointment_not_attended": (
        "post",
        {**only({"navigator"}, denied=403, ok=201), "peer_mentor": 404},
    ),
    # The world's contact is the navigator's, logged just now: theirs to correct, and the team
    # leader's (with a reason); nobody else's.
    "caseload:contact_edit": (
        "get",
        {
            **only({"navigator", "team_leader"}, denied=404),
            **dict.fromkeys(IN_SCOPE - {"navigator", "team_leader"}, 403),
        },
    ),
    "caseload:follow_up_done": (
        "post",
        {
            **only(CONTACT_LOGGERS, denied=404, ok=302),
            **dict.fromkeys(IN_SCOPE - CONTACT_LOGGERS, 403),
        },
    ),
    # MDT. Team staff read their team's meetings; the chair and team leaders run them; a partner
    # member reads the meetings they are invited to (agenda shared, within the window) and
    # updates the actions they own; peer mentors and admins have no MDT pages.
    "mdt:meetings": ("get", only(MDT_READERS, denied=403)),
    "mdt:my_actions": ("get", only(MDT_READERS, denied=403)),
    "mdt:meeting_new": (
        "get",
        only({"team_leader", "mdt_chair", "other_team_leader"}, denied=403),
    ),
    "mdt:meeting": ("get", mdt_read(200)),
    "mdt:minutes": ("get", mdt_read(200)),
    "mdt:minutes_pdf": ("get", mdt_read(200)),
    "mdt:case": ("get", mdt_read(200)),
    "mdt:referral_new": ("get", only(TEAM_STAFF | {"mdt_member"}, denied=404)),
    "mdt:live": ("get", mdt_run(200)),
    "mdt:owners": ("get", mdt_run(200)),
    "mdt:agenda_add": ("post", mdt_run(302)),
    "mdt:agenda_share": ("post", mdt_run(302)),
    "mdt:attendance": ("post", mdt_run(302)),
    "mdt:start": ("post", mdt_run(302)),
    "mdt:finish": ("post", mdt_run(302)),
    "mdt:agenda_move": ("post", mdt_run(302)),
    "mdt:agenda_remove": ("post", mdt_run(302)),
    "mdt:case_notes": ("post", mdt_run(302)),
    "mdt:action_add": ("post", mdt_run(400)),
    # The action's owner is the partner member; the chair and team leaders may update it too.
    "mdt:action_update": (
        "post",
        {**mdt_run(302), "mdt_member": 302},
    ),
    # Support plan and outcomes: team staff and the allocated peer mentor read; navigators and
    # team leaders record; a peer mentor also records goals, events and accommodation for their
    # own people; MDT chairs and managers only read.
    "caseload:plan": ("get", only(IN_SCOPE, denied=404)),
    "caseload:plan_pdf": ("get", only(IN_SCOPE, denied=404)),
    "caseload:goal_new": ("get", with_person(200)),
    "caseload:goal_edit": ("get", with_person(200)),
    "caseload:goal_review": ("get", with_person(200)),
    "caseload:events": ("get", only(IN_SCOPE, denied=404)),
    "caseload:event_new": ("get", with_person(200)),
    "caseload:accommodation": ("get", only(IN_SCOPE, denied=404)),
    "caseload:budget": ("get", only(IN_SCOPE, denied=404)),
    "caseload:stars": ("get", only(IN_SCOPE, denied=404)),
    "reqol:history": ("get", only(IN_SCOPE, denied=404)),
    "reqol:new": (
        "get",
        {**only(OUTCOME_RECORDERS, denied=404), **dict.fromkeys(IN_SCOPE - OUTCOME_RECORDERS, 403)},
    ),
    # Domestic abuse: whoever may see the person reads; navigators and team leaders record the
    # DASH checklist and MARAC referrals. A MARAC action is updated by its owner (the world's
    # navigator) or a team leader.
    "domestic_abuse:overview": ("get", only(IN_SCOPE, denied=404)),
    "domestic_abuse:checklist_new": ("get", da_recorders()),
    "domestic_abuse:marac_new": ("get", da_recorders()),
    "domestic_abuse:marac_edit": ("get", da_recorders()),
    "domestic_abuse:marac_action_new": ("get", da_recorders()),
    "domestic_abuse:marac_action_update": ("post", da_recorders(ok=302)),
    # Consent and sharing: team staff record the lawful basis and sharing agreements (a peer
    # mentor reads them on the person page); the register of data-sharing agreements is read by
    # team leaders, chairs and managers and kept by managers.
    "sharing:lawful_basis": ("get", {**only(TEAM_STAFF, denied=404), "peer_mentor": 403}),
    "sharing:agreement_new": ("get", {**only(TEAM_STAFF, denied=404), "peer_mentor": 403}),
    "sharing:agreement_withdraw": ("get", {**only(TEAM_STAFF, denied=404), "peer_mentor": 403}),
    "sharing:register": (
        "get",
        only({"team_leader", "mdt_chair", "manager", "other_team_leader"}, denied=403),
    ),
    "sharing:dsa_new": ("get", only({"manager"}, denied=403)),
    "sharing:dsa_edit": ("get", only({"manager"}, denied=403)),
    # Documents: opened by whoever may see the person, and by the invited partner when marked
    # shareable with the MDT (the world's is); uploaded and changed by the roles that log
    # contacts; removed by team leaders. Others' people are 404.
    "documents:upload": (
        "get",
        {**only({"navigator", "team_leader", "peer_mentor"}, denied=403), "other_team_leader": 404},
    ),
    "documents:download": ("get", only(IN_SCOPE | {"mdt_member"}, denied=404)),
    "documents:edit": (
        "get",
        {**only({"navigator", "team_leader", "peer_mentor"}, denied=403), "other_team_leader": 404},
    ),
    "documents:remove": (
        "get",
        {**only({"team_leader"}, denied=403), "other_team_leader": 404},
    ),
    # Appointments: seen by whoever may see the person; booked, changed, cancelled and recorded
    # by the roles that log contacts (a peer mentor for their own people). Others' people 404.
    "appointments:new": ("get", {**only(CONTACT_LOGGERS, denied=403), "other_team_leader": 404}),
    "appointments:detail": ("get", only(IN_SCOPE, denied=404)),
    "appointments:edit": ("get", {**only(CONTACT_LOGGERS, denied=403), "other_team_leader": 404}),
    "appointments:cancel": (
        "get",
        {**only(CONTACT_LOGGERS, denied=403), "other_team_leader": 404},
    ),
    "appointments:attended": (
        "get",
        {**only(CONTACT_LOGGERS, denied=403), "other_team_leader": 404},
    ),
    "appointments:not_attended": (
        "post",
        {**only(CONTACT_LOGGERS, denied=403, ok=302), "other_team_leader": 404},
    ),
    # Each user's own calendar feed page; the feed itself needs no session, only its secret.
    "appointments:calendar": (
        "get",
        only(TEAM_STAFF | {"peer_mentor", "other_team_leader"}, denied=403),
    ),
    "appointments:feed": ("get", statuses(anonymous=200)),
    # Quarterly returns: a team's managers and admins; the people behind a figure are listed
    # only for managers (admins see no person data).
    "returns:index": ("get", only(RETURNS, denied=403)),
    "returns:live": ("get", only(RETURNS, denied=403)),
    "returns:people": ("get", {**only({"manager"}, denied=403), "admin": 404}),
    "returns:generate": ("post", only(RETURNS, denied=403, ok=302)),
    "returns:status": ("get", only(RETURNS, denied=403)),
    "returns:sign_off": ("post", only(RETURNS, denied=403, ok=302)),
    "returns:retry": ("post", only(RETURNS, denied=403, ok=302)),
    "returns:download_pdf": ("get", only(RETURNS, denied=403)),
    "returns:download_csv": ("get", only(RETURNS, denied=403)),
    # The evaluation extract: a row per person, so managers only (admins see no person data).
    # An empty request is a form shown again with its error (400).
    "returns:extract": ("get", only({"manager"}, denied=403)),
    "returns:extract_generate": ("post", only({"manager"}, denied=403, ok=400)),
    "returns:extract_status": ("get", only({"manager"}, denied=403)),
    "returns:extract_retry": ("post", only({"manager"}, denied=403, ok=302)),
    "returns:extract_download": ("get", only({"manager"}, denied=403)),
    # Access logs are the manager's (information governance); record history is also the team
    # leader's. Another team's manager gets a 404 for this team's person or staff member.
    "audit:index": ("get", only({"manager"}, denied=403)),
    "audit:person": ("get", only({"manager"}, denied=403)),
    "audit:person_csv": ("get", only({"manager"}, denied=403)),
    "audit:user": ("get", only({"manager"}, denied=403)),
    "audit:user_csv": ("get", only({"manager"}, denied=403)),
    "audit:history": (
        "get",
        {**only({"team_leader", "manager"}, denied=403), "other_team_leader": 404},
    ),
    # A person's rights: a manager exports a person they can see (others' people 404; team
    # staff and the allocated peer mentor who may see the person but not export, 403) and
    # decides on erasure; an empty erase form is refused with errors (400).
    # Who may not is told so first; the manager is then asked for their password again
    # (tests/smd/test_reauth.py; with it, the pages open: tests/rights/).
    "rights:export": (
        "get",
        {**only({"manager"}, denied=404, ok=REAUTH), **dict.fromkeys(IN_SCOPE - {"manager"}, 403)},
    ),
    "rights:retention": ("get", only({"manager"}, denied=403, ok=REAUTH)),
    "rights:retention_erase": ("post", only({"manager"}, denied=403, ok=ASK_HERE)),
    # Notifications: every signed-in user's own. One is opened only by the user it is for:
    # another's is not found.
    "notifications:list": ("get", statuses()),
    "notifications:preferences": ("get", statuses()),
    "notifications:read_all": ("post", statuses(default=302)),
    "notifications:read": ("post", only({"navigator"}, denied=404, ok=302)),
    # API tokens are the manager's to make, list and revoke. The API itself answers only to a
    # token, never to a signed-in session: without one every call is a 401 (tests/api/ walks
    # it with tokens of every kind). Its description is public.
    "api:tokens": ("get", only({"manager"}, denied=403)),
    "api:token_new": ("get", only({"manager"}, denied=403)),
    "api:token_revoke": ("post", only({"manager"}, denied=403, ok=302)),
    "api:schema": ("get", statuses(anonymous=200)),
    "api:docs": ("get", statuses(anonymous=200)),
    **{
        f"api:{name}": ("get", statuses(anonymous=401, default=401))
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
    # Importing records from a previous system: the team's managers. The confirm button on a
    # run still being checked is refused with a message (302); a decision without one is too.
    "importer:index": ("get", only({"manager"}, denied=403)),
    "importer:run": ("get", only({"manager"}, denied=403)),
    "importer:confirm": ("post", only({"manager"}, denied=403, ok=302)),
    "importer:held": ("get", only({"manager"}, denied=403)),
    "importer:decide": ("post", only({"manager"}, denied=403, ok=302)),
    # The user's own password: changing it, and giving it again before a sensitive step.
    "password_change": ("get", statuses()),
    "password_confirm": ("get", statuses()),
}


def url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's own admin: covered by test_admin_is_for_admins_only
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_is_in_the_table():
    assert set(url_names()) == set(EXPECTED)


@pytest.fixture
def world(shipped_schemes):
    team = TeamFactory(receives_public_referrals=True)
    other = TeamFactory()
    users = {
        role: UserFactory(role=role, team=None if role == Role.MDT_MEMBER else team)
        for role in Role.values
    }
    users["other_team_leader"] = UserFactory(role=Role.TEAM_LEADER, team=other)
    users["deactivated"] = UserFactory(role=Role.NAVIGATOR, team=team, is_active=False)
    users["password_only"] = UserFactory(role=Role.NAVIGATOR, team=team)
    app_device(users["password_only"])
    person = PersonFactory(team=team)
    AllocationFactory(episode=EpisodeFactory(person=person), worker=users["peer_mentor"])
    AllocationFactory(
        episode=person.episodes.get(),
        worker=users["navigator"],
        kind=Allocation.Kind.LEAD_NAVIGATOR,
    )
    # Logged by the navigator just now, with a next action still to do.
    contact = ContactFactory(
        person=person, author=users["navigator"], follow_up_action="Call the housing team"
    )
    referral = ReferralFactory(team=team)
    assessment = assessment_save(
        person=person,
        episode=person.episodes.get(),
        scheme=AssessmentScheme.objects.get(code="ndt-standard", version=1),
        assessed_on=person.episodes.get().start_date,
        assessor=users["navigator"],
        participation="yes",
        scores={
            item.key: 1 for item in AssessmentScheme.objects.get(code="ndt-standard").items.all()
        },
        notes={},
        complete=True,
        by=users["navigator"],
    )
    partner = users["mdt_member"]
    partner.organisation = OrganisationFactory(name="Northgate Probation")
    partner.save()
    dsa = dsa_for_mdt(team.organisation, partner.organisation, by=users["manager"])
    (sharing,) = share_for_mdt(person, partner.organisation, by=users["navigator"])
    meeting = mdt_services.meeting_create(
        meeting=MdtMeeting(
            team=team,
            starts_at=timezone.now() + timedelta(days=2),
            place="Room 4",
            chair=users["mdt_chair"],
        ),
        organisations=[],
        members=[partner],
    )
    mdt_referral = MdtReferral.objects.create(
        person=person,
        source="navigator",
        referring_organisation=team.organisation,
        referred_by=users["navigator"],
        why_now="Risk rising",
        tried="Hostel",
        asked_of_partners="Joint plan",
        sharing_basis="agreed",
    )
    item = mdt_services.agenda_add(meeting=meeting, person=person, mdt_referral=mdt_referral)
    mdt_services.agenda_share(meeting=meeting)
    action = mdt_services.action_add(
        item=item,
        description="Book a joint appointment",
        owner=partner,
        owner_organisation=partner.organisation,
        due_on=timezone.localdate(),
        by=users["mdt_chair"],
    )
    goal = outcome_services.goal_add(
        person=person,
        by=users["navigator"],
        in_their_words="Get my own place",
        review_on=timezone.localdate() + timedelta(weeks=6),
    )
    definition_import(data=reqol_definition_data())
    document = signed_consent(person, by=users["navigator"])
    appointment = booked_appointment(person, worker=users["navigator"])
    feed = CalendarFeed(user=users["navigator"])
    feed.set_token(FEED_TOKEN)
    feed.save()
    da = marac_records(person, by=users["navigator"], owner=users["navigator"])
    done = QuarterlyReturn.objects.create(
        team=team, quarter="2025/26 Q3", version=1, status="done", figures=[]
    )
    done.pdf.save("r.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    done.csv.save("r.csv", ContentFile(b"section,key"), save=True)
    failed = QuarterlyReturn.objects.create(
        team=team, quarter="2025/26 Q3", version=2, status="failed", error="Worker lost"
    )
    import_run = ImportRun.objects.create(
        team=team, source="Old CRM", original_name="records.xlsx", uploaded_by=users["manager"]
    )
    held = HeldPerson.objects.create(
        run=import_run,
        team=team,
        source="Old CRM",
        source_id="P-1",
        data={"first_name": person.first_name, "last_name": person.last_name},
        candidate=person,
        score=80,
        reasons=["same name"],
    )
    extract = EvaluationExtract.objects.create(
        team=team, quarter="2025/26 Q3", status="done", requested_by=users["manager"], rows=0
    )
    extract.csv.save("e.csv", ContentFile(b"format_version,quarter"), save=True)
    failed_extract = EvaluationExtract.objects.create(
        team=team, quarter="2025/26 Q3", status="failed", requested_by=users["manager"]
    )
    notification = notify(
        user=users["navigator"],
        kind=ALLOCATED,
        key="world",
        due=timezone.localdate(),
        title="A person was allocated to you as lead navigator",
        url=person.get_absolute_url(),
    )
    api_token, _ = api_token_create(
        team=team,
        by=users["manager"],
        system="Insight hub",
        purpose="outcomes",
        expires_on=timezone.localdate() + timedelta(days=30),
    )
    return {
        "api_token": api_token,
        "import_run": import_run,
        "held": held,
        "extract": extract,
        "failed_extract": failed_extract,
        "notification": notification,
        "failed_return": failed,
        "dsa": dsa,
        "sharing": sharing,
        "return": done,
        "goal": goal,
        "users": users,
        "person": person,
        "referral": referral,
        "assessment": assessment,
        "contact": contact,
        "meeting": meeting,
        "item": item,
        "action": action,
        "document": document,
        "appointment": appointment,
        **da,
    }


OUTCOME_PAGES = {
    "caseload:plan",
    "caseload:plan_pdf",
    "caseload:goal_new",
    "caseload:events",
    "caseload:event_new",
    "caseload:accommodation",
    "caseload:budget",
    "caseload:stars",
}


def url_for(name, world):
    if name == "api:token_revoke":
        return reverse(name, args=[world["api_token"].pk])
    if name == "api:person":
        return reverse(name, args=[pseudonym(world["person"].pk, "api:outcomes")])
    if name in {"audit:person", "audit:person_csv", "audit:history"}:
        return reverse(name, args=[world["person"].pk])
    if name in {"audit:user", "audit:user_csv"}:
        return reverse(name, args=[world["users"]["navigator"].pk])
    if name in {"sharing:lawful_basis", "sharing:agreement_new"}:
        return reverse(name, args=[world["person"].pk])
    if name == "sharing:agreement_withdraw":
        return reverse(name, args=[world["person"].pk, world["sharing"].pk])
    if name == "sharing:dsa_edit":
        return reverse(name, args=[world["dsa"].pk])
    if name == "documents:upload":
        return reverse(name, args=[world["person"].pk])
    if name.startswith("documents:"):
        return reverse(name, args=[world["document"].pk])
    if name == "notifications:read":
        return reverse(name, args=[world["notification"].pk])
    if name == "appointments:new":
        return reverse(name, args=[world["person"].pk])
    if name == "appointments:feed":
        return reverse(name, args=[FEED_TOKEN])
    if (
        name.startswith("appointments:")
        and name != "appointments:calendar"
        or name
        in {
            "offline:appointment_attended",
            "offline:appointment_not_attended",
        }
    ):
        return reverse(name, args=[world["appointment"].pk])
    if name in {"domestic_abuse:marac_edit", "domestic_abuse:marac_action_new"}:
        return reverse(name, args=[world["person"].pk, world["marac"].pk])
    if name == "domestic_abuse:marac_action_update":
        return reverse(name, args=[world["person"].pk, world["marac_action"].pk])
    if name.startswith("domestic_abuse:"):
        return reverse(name, args=[world["person"].pk])
    if name in {"importer:run", "importer:confirm"}:
        return reverse(name, args=[world["import_run"].pk])
    if name == "importer:decide":
        return reverse(name, args=[world["held"].pk])
    if name == "rights:export":
        return reverse(name, args=[world["person"].pk])
    if name in {"returns:status", "returns:sign_off"}:
        return reverse(name, args=[world["return"].pk])
    if name in {"returns:download_pdf", "returns:download_csv"}:
        return reverse(name, args=[world["return"].pk])
    if name in {"returns:extract_status", "returns:extract_download"}:
        return reverse(name, args=[world["extract"].pk])
    if name == "returns:extract_retry":
        return reverse(name, args=[world["failed_extract"].pk])
    if name == "returns:retry":
        return reverse(name, args=[world["failed_return"].pk])
    if name == "returns:people":
        return reverse(name) + "?figure=active_at_end&split=all"
    if name in {
        "mdt:meeting",
        "mdt:agenda_add",
        "mdt:agenda_share",
        "mdt:attendance",
        "mdt:start",
        "mdt:live",
        "mdt:owners",
        "mdt:finish",
        "mdt:minutes",
        "mdt:minutes_pdf",
    }:
        return reverse(name, args=[world["meeting"].pk])
    if name in {
        "mdt:case",
        "mdt:agenda_move",
        "mdt:agenda_remove",
        "mdt:case_notes",
        "mdt:action_add",
    }:
        return reverse(name, args=[world["item"].pk])
    if name == "mdt:action_update":
        return reverse(name, args=[world["action"].pk])
    if name == "mdt:referral_new":
        return reverse(name, args=[world["person"].pk])
    if name == "referrals:public_done":
        return reverse(name)
    if name.startswith("referrals:") and name not in {
        "referrals:public",
        "referrals:new",
        "referrals:triage",
        "referrals:overview",
    }:
        return reverse(name, args=[world["referral"].pk])
    if name in {"assessments:detail", "assessments:edit"}:
        return reverse(name, args=[world["person"].pk, world["assessment"].pk])
    if name.startswith("assessments:"):
        return reverse(name, args=[world["person"].pk])
    if name in {"caseload:goal_edit", "caseload:goal_review"}:
        return reverse(name, args=[world["person"].pk, world["goal"].pk])
    if name.startswith("reqol:") or name in OUTCOME_PAGES:
        return reverse(name, args=[world["person"].pk])
    if name in {"caseload:contact_detail", "caseload:contact_edit", "caseload:follow_up_done"}:
        return reverse(name, args=[world["person"].pk, world["contact"].pk])
    if name in {
        "caseload:person_detail",
        "caseload:person_edit",
        "caseload:allocate",
        "caseload:episode_change",
        "caseload:contact_new",
        "offline:contact_send",
    }:
        return reverse(name, args=[world["person"].pk])
    return reverse(name)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_url_by_role(world, name, role):
    method, expected = EXPECTED[name]
    client = Client()
    if role == "password_only":
        client.force_login(world["users"][role], backend=PASSWORD_BACKEND)
    elif role != "anonymous":
        sign_in(client, world["users"][role])
    url = url_for(name, world)
    response = getattr(client, method)(url)
    want = expected[role]
    if want in {LOGIN, VERIFY, REAUTH}:
        to = {
            LOGIN: reverse("login"),
            VERIFY: reverse("two_factor:verify"),
            REAUTH: reverse("password_confirm"),
        }[want]
        assert response.status_code == 302, url
        assert response["Location"].startswith(to), url
    elif want == ASK_HERE:
        assert response.status_code == 200, url
        assert 'name="password_again-password"' in response.content.decode(), url
    else:
        assert response.status_code == want, f"{role} {method.upper()} {url}"


# The roles of the world above who are signed in with both factors.
SIGNED_IN = [role for role in ROLES if role not in {"anonymous", "deactivated", "password_only"}]
REFUSED = {403, 404, LOGIN, VERIFY}


def test_each_page_with_a_permission_refuses_exactly_those_without_it(world):
    """The table above against smd.access: a page whose view asks for a permission (403 without
    it) is refused to every role that lacks it, and to nobody else for that reason."""
    guarded = {}
    for name in EXPECTED:
        path = url_for(name, world).split("?")[0]
        permission = getattr(resolve(path).func, "permission", None)
        if permission:
            guarded[name] = permission
    assert {"referrals:triage", "mdt:meetings", "returns:index", "audit:history"} <= set(guarded)
    for name, permission in guarded.items():
        for role in SIGNED_IN:
            holds = getattr(world["users"][role], permission)
            status = EXPECTED[name][1][role]
            assert (status == 403) == (not holds), f"{name} for {role}: {status}, {permission}"


def _no_record_in_address(name):
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


def test_the_menu_offers_each_role_the_pages_it_may_open(world):
    """Everything in a role's menu opens for it; every page without a record in its address that
    the role may open is in its menu, or named in smd.access.OFF_MENU with where it is found."""
    assert set(OFF_MENU) <= set(EXPECTED)
    pages = [
        name
        for name, (method, _) in EXPECTED.items()
        if method == "get"
        and _no_record_in_address(name)
        and getattr(resolve(reverse(name)).func, "login_required", True)
    ]
    for role in SIGNED_IN:
        menu = {resolve(url).view_name for _, url in menu_for(world["users"][role])}
        for name in menu:
            assert EXPECTED[name][1][role] not in REFUSED, f"{role} is offered {name}"
        for name in pages:
            if EXPECTED[name][1][role] == 200:
                assert name in menu or name in OFF_MENU, f"{role} can open {name}: not offered"


def test_the_admin_site_is_in_the_menu_for_admin_accounts_with_the_staff_flag(world):
    admin_user = world["users"]["admin"]
    assert ("Admin", reverse("admin:index")) not in menu_for(admin_user)
    admin_user.is_staff = True
    assert ("Admin", reverse("admin:index")) in menu_for(admin_user)
    world["users"]["team_leader"].is_staff = True
    assert ("Admin", reverse("admin:index")) not in menu_for(world["users"]["team_leader"])


def test_peer_mentor_cannot_see_unallocated_person(world, client):
    sign_in(client, world["users"]["peer_mentor"])
    stranger = PersonFactory(team=world["person"].team)
    assert client.get(stranger.get_absolute_url()).status_code == 404
    assert list(client.get(reverse("caseload:person_list")).context["page"]) == [world["person"]]


def test_peer_mentor_sees_no_plan_or_outcomes_of_people_not_theirs(world, client):
    sign_in(client, world["users"]["peer_mentor"])
    stranger = PersonFactory(team=world["person"].team)
    EpisodeFactory(person=stranger)
    goal = outcome_services.goal_add(
        person=stranger,
        by=world["users"]["navigator"],
        in_their_words="Someone else's goal",
        review_on=timezone.localdate(),
    )
    urls = [reverse(name, args=[stranger.pk]) for name in sorted(OUTCOME_PAGES)]
    urls += [reverse(name, args=[stranger.pk]) for name in ("reqol:history", "reqol:new")]
    urls += [
        reverse(n, args=[stranger.pk, goal.pk])
        for n in ("caseload:goal_edit", "caseload:goal_review")
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url


def test_peer_mentor_loses_sight_when_allocation_ends(world, client):
    from django.utils import timezone

    world["person"].episodes.get().allocations.update(ended_at=timezone.now())
    sign_in(client, world["users"]["peer_mentor"])
    assert client.get(world["person"].get_absolute_url()).status_code == 404


def test_deactivated_user_sees_nothing(world, client):
    navigator = world["users"]["navigator"]
    sign_in(client, navigator)
    navigator.is_active = False
    navigator.save()
    response = client.get(world["person"].get_absolute_url())
    assert response.status_code == 302


def test_admin_is_for_admins_only(world):
    admin_user = world["users"]["admin"]
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = sign_in(Client(), admin_user)
    assert client.get(reverse("admin:index")).status_code == 200
    sign_in(client, world["users"]["team_leader"])
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_admin_site_needs_the_second_factor_too(world):
    admin_user = world["users"]["admin"]
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user, backend=PASSWORD_BACKEND)
    for url in (reverse("admin:index"), reverse("admin:smd_user_changelist")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two_factor:verify"))


def test_no_person_data_in_the_admin_site():
    from django.contrib import admin

    registered = {model._meta.label for model in admin.site._registry}
    assert not registered & {
        "caseload.Person",
        "caseload.PersonAlias",
        "caseload.Episode",
        "caseload.Allocation",
        "caseload.Contact",
        "caseload.ContactVersion",
        "caseload.EpisodeStatusChange",
        "referrals.Referral",
        "referrals.EligibilityDecision",
        "assessments.Assessment",
        "assessments.ItemScore",
        "assessments.AssessmentCorrection",
        "assessments.ReqolRecord",
        "assessments.ReqolAnswer",
        "caseload.Goal",
        "caseload.GoalReview",
        "caseload.ServiceEvent",
        "caseload.AccommodationChange",
        "caseload.PersonalBudget",
        "caseload.BudgetSpend",
        "caseload.OutcomesStarRecord",
        "sharing.LawfulBasis",
        "sharing.SharingAgreement",
    }
