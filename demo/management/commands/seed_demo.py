"""A small, realistic, fictional data set for trying the app. Idempotent; never in production."""

import json
from base64 import b32decode
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from api.models import ApiToken, key_digest
from appointments import services as appointments
from appointments.models import Appointment
from appointments.notifications import appointment_reminders_send
from assessments.models import Assessment, AssessmentScheme
from assessments.services import assessment_save
from caseload import capacity_cache
from caseload.models import (
    Allocation,
    Contact,
    ContactKind,
    Episode,
    EpisodeStatus,
    EpisodeStatusChange,
    ExitDestination,
    Goal,
    GoalReview,
    GoalStatus,
    PauseReason,
    Person,
    PersonalBudget,
    PersonAlias,
    RiskFlag,
    WorkerGender,
)
from caseload.outcomes import services as outcomes
from domestic_abuse import services as domestic_abuse
from domestic_abuse.models import DashChecklist
from domestic_abuse.selectors import current_definition as current_dash
from importer.models import ImportRun
from importer.services import import_command_run, import_run_record, records_import
from mdt import services as mdt
from mdt.models import Action, MdtMeeting, MdtReferral
from referrals import services
from referrals.models import EligibilityDecision, Referral
from returns.extract.models import EvaluationExtract
from returns.extract.services import extract_request
from rights.services import retention_review_run
from sharing import services as sharing
from sharing.models import (
    Article6Basis,
    Article9Condition,
    DataSharingAgreement,
    HowRecorded,
    Purpose,
)
from smd.characteristics import Ethnicity, Gender
from smd.models import Organisation, Role, Sector, Specialism, Team, User
from smd.notifications.models import Notification
from smd.notifications.security import NEW_DEVICE
from smd.notifications.services import notifications_sweep, notify
from smd.outbox.models import OutboxMessage
from smd.quarters import Quarter
from smd.two_factor.services import APP_DEVICE_NAME

DEMO_PASSWORD = "demo-password-2026"
# The demo's insight hub reads the team's records with this key (a pseudonymised token): known,
# like the password, and so only ever made with DEBUG on.
DEMO_API_KEY = "smd_demo-insight-hub-key-not-for-real-use"

# Every demo user already has an authenticator app set up, with this secret (base32, as an app
# takes it): add it to an app by hand, or print the current code with the command in the
# README. Known secrets are why seed_demo refuses to run without DEBUG.
DEMO_TOTP_SECRETS = {
    "navigator": "L6K7BYVSGNMREVJO5O6WYUPDISIU5BRS",
    "navigator2": "POS6EMBBGCYOZN7TKBDXUKAJVHLXIGXH",
    "peer": "AKKQI3SJNZ75QX75FUYKJU4QZ7AXYTBX",
    "teamleader": "BERGF37TQ2VSO7RAQBZ2TH6P2NPNGUNU",
    "chair": "FKY2JTUMUH62CVIDDTDC75SJZJNS2JLI",
    "partner": "KQ7F3RA7XIZ43BKGXZZZKVB33VO63OAL",
    "manager": "RP5C5TMZUIQCYI22MJQYUDDKURURWGMW",
    "admin": "5GI5IP7XC4EAY3GKRHE6NDS26M6DXUZF",
    "othernavigator": "4WTNMOB4O6OXV2B3HTZVTVBQYILH2JRO",
}

ORGANISATIONS = [
    ("Changing Futures City", Sector.COUNCIL),
    ("City Council Housing Options", Sector.HOUSING),
    ("Northgate Probation Delivery Unit", Sector.PROBATION),
    ("City Police", Sector.POLICE),
    ("Riverside Mental Health NHS Trust", Sector.MENTAL_HEALTH),
    ("Turning Point Recovery", Sector.SUBSTANCE_MISUSE),
    ("Safe Haven Domestic Abuse Service", Sector.DOMESTIC_ABUSE),
    ("St Anne's Day Centre", Sector.VOLUNTARY),
    ("Eastfield Medical Practice", Sector.HEALTH),
    ("Westmoor Outreach", Sector.VOLUNTARY),
]

# username, first, last, role, specialism, organisation, team
USERS = [
    ("navigator", "Nadia", "Okafor", Role.NAVIGATOR, Specialism.WOMEN, 0, "team"),
    ("peer", "Pete", "Marsh", Role.PEER_MENTOR, Specialism.NONE, 0, "team"),
    ("teamleader", "Tara", "Lewis", Role.TEAM_LEADER, Specialism.NONE, 0, "team"),
    ("chair", "Charles", "Mensah", Role.MDT_CHAIR, Specialism.NONE, 0, "team"),
    ("partner", "Priya", "Shah", Role.MDT_MEMBER, Specialism.NONE, 2, None),
    ("manager", "Maureen", "Doyle", Role.MANAGER, Specialism.NONE, 0, "team"),
    ("admin", "Adam", "Iqbal", Role.ADMIN, Specialism.NONE, 0, "team"),
    ("othernavigator", "Owen", "Price", Role.NAVIGATOR, Specialism.NONE, 9, "other"),
    ("navigator2", "Samir", "Hussain", Role.NAVIGATOR, Specialism.ETHNIC_MINORITY, 0, "team"),
]

# first, last, known as, dob, gender, ethnicity, disadvantages, source org index or None (self)
REFERRALS = [
    (
        "Margaret",
        "Kelly",
        "Peggy",
        date(1979, 3, 5),
        Gender.WOMAN,
        Ethnicity.WHITE_IRISH,
        ["homelessness", "mental_health", "substance_misuse", "domestic_abuse"],
        6,
        "new",
    ),
    (
        "Daniel",
        "Asante",
        "Danny",
        date(1988, 11, 21),
        Gender.MAN,
        Ethnicity.BLACK_AFRICAN,
        ["homelessness", "offending"],
        2,
        "new",
    ),
    (
        "Sophie",
        "Nowak",
        "",
        None,
        "",
        "",
        ["mental_health", "substance_misuse", "offending"],
        None,
        "new",
    ),
    (
        "Aisha",
        "Rahman",
        "",
        date(1992, 6, 14),
        Gender.WOMAN,
        Ethnicity.ASIAN_BANGLADESHI,
        ["domestic_abuse", "mental_health", "homelessness"],
        6,
        "eligible",
    ),
    (
        "Lee",
        "Barnes",
        "",
        date(1975, 1, 30),
        Gender.MAN,
        Ethnicity.WHITE_BRITISH,
        ["homelessness", "substance_misuse", "offending", "mental_health"],
        3,
        "eligible",
    ),
    (
        "Kerry",
        "Walsh",
        "",
        date(1984, 8, 2),
        Gender.WOMAN,
        Ethnicity.WHITE_BRITISH,
        ["substance_misuse", "domestic_abuse"],
        5,
        "discretion",
    ),
    (
        "Tomasz",
        "Zielinski",
        "Tom",
        date(1981, 4, 12),
        Gender.MAN,
        Ethnicity.WHITE_OTHER,
        ["substance_misuse"],
        7,
        "not_eligible",
    ),
    (
        "Jordan",
        "Reid",
        "",
        date(1996, 9, 9),
        Gender.NON_BINARY,
        Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN,
        ["homelessness", "mental_health", "offending"],
        1,
        "withdrawn",
    ),
]


DEMO_IMPORT_SOURCE = "Previous CRM"


class Command(BaseCommand):
    help = "Load fictional demo data: organisations, one user per role, people and referrals."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DEBUG=true: it creates known passwords.")
        with transaction.atomic():
            self.seed()
            self.seed_caseload()
            self.seed_ndt()
            self.seed_sharing()
            self.seed_mdt()
            self.seed_outcomes()
            self.seed_appointments()
            self.seed_domestic_abuse()
            self.seed_retention()
            self.seed_import()
            self.seed_evaluation_extract()
            self.seed_notifications()
            self.seed_api()
            # Some of the seed's writes are UPDATEs, which team capacity's cache does not hear.
            capacity_cache.changed()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Password for every user: {DEMO_PASSWORD}")
        )
        self.stdout.write("Authenticator app secrets (see the README for the current code):")
        for username, secret in DEMO_TOTP_SECRETS.items():
            self.stdout.write(f"  {username:<15} {secret}")
        self.stdout.write(
            f"API key of the demo insight hub (pseudonymised, see docs/api.md): {DEMO_API_KEY}"
        )

    def seed_api(self):
        """The insight hub's token, made by the manager: pseudonymised, for a year."""
        manager = User.objects.get(username="manager")
        ApiToken.objects.get_or_create(
            key_hash=key_digest(DEMO_API_KEY),
            defaults={
                "team": manager.team,
                "system": "Insight hub (demo)",
                "purpose": "outcomes-dashboard",
                "expires_on": timezone.localdate() + timedelta(days=365),
                "key_prefix": DEMO_API_KEY[:8],
                "created_by": manager,
            },
        )

    def seed(self):
        orgs = [
            Organisation.objects.get_or_create(name=name, defaults={"sector": sector})[0]
            for name, sector in ORGANISATIONS
        ]
        teams = {
            "team": Team.objects.get_or_create(
                name="Changing Futures Navigators",
                defaults={"organisation": orgs[0], "receives_public_referrals": True},
            )[0],
            "other": Team.objects.get_or_create(
                name="Westmoor Outreach Team", defaults={"organisation": orgs[9]}
            )[0],
        }
        users = {}
        for username, first, last, role, specialism, org, team in USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "role": role,
                    "specialism": specialism,
                    "organisation": orgs[org],
                    "team": teams.get(team),
                    "email": f"{username}@example.org",
                    "is_staff": role == Role.ADMIN,
                    "is_superuser": role == Role.ADMIN,
                    # Staff who were there for the demo's history (two years of it), so past
                    # quarters' returns count them (capacity as at quarter end, ADR 0019).
                    "date_joined": timezone.now() - timedelta(days=2 * 366),
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                TOTPDevice.objects.create(
                    user=user,
                    name=APP_DEVICE_NAME,
                    key=b32decode(DEMO_TOTP_SECRETS[username]).hex(),
                    confirmed=True,
                )
            users[username] = user

        team = teams["team"]
        if Referral.objects.filter(team=team).exists():
            return
        now = timezone.now()
        for i, (first, last, known_as, dob, gender, ethnicity, ticks, org, outcome) in enumerate(
            REFERRALS
        ):
            referral = Referral(
                team=team,
                channel=Referral.Channel.PUBLIC_FORM,
                first_name=first,
                last_name=last,
                known_as=known_as,
                date_of_birth=dob,
                gender=gender,
                ethnicity=ethnicity,
                contact_details="Via the day centre on weekday mornings. Safe to text.",
                why_now="Lost her tenancy last month and is sleeping at friends' houses. "
                "Wants help to find somewhere safe and to see her children again."
                if gender == Gender.WOMAN
                else "Released from custody three weeks ago with nowhere to stay. "
                "Wants a place to live and help with his drinking.",
                consent=Referral.Consent.YES,
                is_self_referral=org is None,
                referrer_organisation=orgs[org] if org is not None else None,
                referrer_name="Sam Taylor" if org is not None else f"{first} {last}",
                referrer_contact="sam.taylor@example.org" if org is not None else "07700 900123",
                **{key: True for key in ticks},
            )
            referral.full_clean()
            referral.save()  # no notification emails for demo data
            # Spread the demo referrals over the last eight months; the newest wait days, not
            # months, in the triage queue.
            days_ago = 2 + 4 * i if outcome == "new" else 30 * (len(REFERRALS) - i)
            Referral.objects.filter(pk=referral.pk).update(
                created_at=now - timedelta(days=days_ago)
            )
            if outcome == "new":
                continue
            leader = users["teamleader"]
            if outcome in {"eligible", "discretion"}:
                services.referral_create_person(referral=referral, by=leader)
            services.referral_decide(
                referral=referral,
                outcome=outcome,
                by=leader,
                reason="" if outcome == "eligible" else "Discussed with the referrer.",
                signposted_to="Turning Point Recovery open access"
                if outcome == EligibilityDecision.Outcome.NOT_ELIGIBLE
                else "",
            )

        # An existing person the first new referral should match (known as "Peggy", day and
        # month of birth swapped), allocated to the navigator and the peer mentor.
        peggy = Person.objects.create(
            team=team,
            first_name="Margaret",
            last_name="Kelly",
            known_as="Peggy",
            date_of_birth=date(1979, 5, 3),
            gender=Gender.WOMAN,
            ethnicity=Ethnicity.WHITE_IRISH,
            phone="07700 900456",
        )
        PersonAlias.objects.create(person=peggy, name="Maggie Byrne")
        episode = Episode.objects.create(person=peggy, status="active", start_date=date(2025, 6, 1))
        Allocation.objects.create(episode=episode, worker=users["navigator"], kind="lead_navigator")
        Allocation.objects.create(episode=episode, worker=users["peer"], kind="peer_mentor")

    # --- caseloads: staff profiles, allocations, contacts ---------------------------------------

    def seed_caseload(self):
        """Workers' FTE and hours, a few people on caseloads with contacts over the past weeks,
        a handover and a closed episode. Runs once per database, like the rest."""
        users = {u.username: u for u in User.objects.filter(username__in=[u[0] for u in USERS])}
        nadia, samir, pete, tara = (
            users["navigator"],
            users["navigator2"],
            users["peer"],
            users["teamleader"],
        )
        team = nadia.team
        if Contact.objects.filter(person__team=team).exists():
            return
        for worker, profile in [
            (
                nadia,
                {"fte": Decimal("1.00"), "languages": "English, Irish", "gender": Gender.WOMAN},
            ),
            (
                samir,
                {
                    "fte": Decimal("0.60"),
                    "languages": "English, Bengali, Urdu",
                    "gender": Gender.MAN,
                },
            ),
            (pete, {"planned_hours": Decimal("9"), "languages": "English", "gender": Gender.MAN}),
        ]:
            for name, value in profile.items():
                setattr(worker, name, value)
            # Saved, not updated, so the profile has a version; dated from when they joined,
            # as if it had been so all along.
            worker._history_date = worker.date_joined
            worker.save(update_fields=list(profile))
        now = timezone.now()

        def ago(days, hour=11):
            return (now - timedelta(days=days)).replace(hour=hour, minute=0, second=0)

        def person(first, last, **fields):
            found = Person.objects.filter(team=team, first_name=first, last_name=last).first()
            return found or Person.objects.create(
                team=team, first_name=first, last_name=last, **fields
            )

        def episode_for(someone, *, started_days_ago):
            episode = someone.episodes.exclude(status=EpisodeStatus.CLOSED).first()
            if episode is None:
                episode = Episode.objects.create(person=someone)
            Episode.objects.filter(pk=episode.pk).update(
                accepted_on=(now - timedelta(days=started_days_ago + 7)).date(),
                start_date=(now - timedelta(days=started_days_ago)).date(),
                created_at=ago(started_days_ago + 7),
            )
            episode.refresh_from_db()
            # The referral was decided when the episode was accepted, not when the seed ran.
            if episode.referral_id:
                EligibilityDecision.objects.filter(referral_id=episode.referral_id).update(
                    decided_at=ago(started_days_ago + 7)
                )
            return episode

        def allocate(episode, worker, kind, days_ago, **fields):
            if episode.status == EpisodeStatus.AWAITING_ALLOCATION:
                EpisodeStatusChange.objects.create(
                    episode=episode,
                    from_status=episode.status,
                    to_status=EpisodeStatus.ACTIVE,
                    changed_by=tara,
                    changed_at=ago(days_ago),
                    note=f"Allocated to {worker}.",
                )
                Episode.objects.filter(pk=episode.pk).update(status=EpisodeStatus.ACTIVE)
                episode.status = EpisodeStatus.ACTIVE
            return Allocation.objects.create(
                episode=episode,
                worker=worker,
                kind=kind,
                started_at=ago(days_ago),
                allocated_by=tara,
                **fields,
            )

        def contact(someone, author, days_ago, kind, minutes, summary, **fields):
            episode = someone.episodes.exclude(status=EpisodeStatus.CLOSED).first()
            made = Contact.objects.create(
                person=someone,
                episode=episode,
                author=author,
                occurred_at=ago(days_ago, hour=10 + days_ago % 6),
                kind=kind,
                duration_minutes=minutes,
                summary=summary,
                **fields,
            )
            Contact.objects.filter(pk=made.pk).update(created_at=made.occurred_at)

        lead, peer = Allocation.Kind.LEAD_NAVIGATOR, Allocation.Kind.PEER_MENTOR

        # Peggy: with Nadia and Pete since June (seeded above); preferences and a safety flag.
        peggy = Person.objects.get(
            team=team, first_name="Margaret", last_name="Kelly", known_as="Peggy"
        )
        Person.objects.filter(pk=peggy.pk).update(
            worker_gender_preference=WorkerGender.WOMAN,
            risk_flags=[RiskFlag.DOMESTIC_ABUSE],
            preferred_language="English",
        )
        Allocation.objects.filter(episode__person=peggy).update(
            started_at=ago(170), allocated_by=tara
        )
        Episode.objects.filter(person=peggy).update(
            accepted_on=(now - timedelta(days=175)).date(),
            start_date=(now - timedelta(days=170)).date(),
            created_at=ago(175),
        )
        contact(
            peggy,
            nadia,
            12,
            ContactKind.ATTEMPTED,
            10,
            "Not at the day centre; left a message with staff.",
        )
        contact(
            peggy,
            pete,
            5,
            ContactKind.OUTREACH,
            60,
            "Found Peggy by the market. Walked and talked; she is sleeping at her sister's for now.",
            topics=["housing", "family"],
        )
        contact(
            peggy,
            nadia,
            1,
            ContactKind.FACE_TO_FACE,
            45,
            "Met at the day centre. Talked through the housing options letter; she wants to bid on a flat near her sister.",
            topics=["housing"],
            follow_up_action="Help Peggy place a bid on the housing register",
            follow_up_due=(now + timedelta(days=3)).date(),
        )

        # Kerry (accepted on discretion): allocated to Nadia three weeks ago.
        kerry = Person.objects.get(team=team, first_name="Kerry", last_name="Walsh")
        Person.objects.filter(pk=kerry.pk).update(worker_gender_preference=WorkerGender.WOMAN)
        allocate(episode_for(kerry, started_days_ago=20), nadia, lead, 21)
        contact(
            kerry,
            nadia,
            20,
            ContactKind.PHONE,
            15,
            "First call. Agreed to meet at the recovery service on Thursday.",
        )
        contact(
            kerry,
            nadia,
            16,
            ContactKind.ACCOMPANIED,
            120,
            "Went with Kerry to her first appointment at Turning Point. She stayed for the whole session.",
            topics=["substance_use", "health"],
            follow_up_action="Ask the GP surgery about a repeat prescription review",
            follow_up_due=(now - timedelta(days=4)).date(),
        )

        # Aisha waits for a lead navigator: she asked for a woman who speaks Bengali, and the
        # team's Bengali speaker is a man. The allocation page shows the trade-off.
        Person.objects.filter(team=team, first_name="Aisha", last_name="Rahman").update(
            worker_gender_preference=WorkerGender.WOMAN, preferred_language="Bengali"
        )

        # Lee: handed over from Nadia to Samir when Nadia's caseload filled up.
        lee = Person.objects.get(team=team, first_name="Lee", last_name="Barnes")
        lee_episode = episode_for(lee, started_days_ago=60)
        first = allocate(lee_episode, nadia, lead, 62)
        Allocation.objects.filter(pk=first.pk).update(
            ended_at=ago(30),
            ended_by=tara,
            end_reason="Nadia's caseload was full; Samir knows Lee from the hostel.",
        )
        first.refresh_from_db()
        allocate(
            lee_episode,
            samir,
            lead,
            30,
            handed_over_from=first,
            reason="Nadia's caseload was full; Samir knows Lee from the hostel.",
        )
        contact(
            lee,
            nadia,
            55,
            ContactKind.FACE_TO_FACE,
            40,
            "Met at the hostel. Talked about probation appointments and his drinking.",
            topics=["justice", "substance_use"],
        )
        contact(
            lee,
            samir,
            9,
            ContactKind.FACE_TO_FACE,
            50,
            "Went through his benefits letter together; his Universal Credit claim was closed by mistake.",
            topics=["money"],
            follow_up_action="Call the Jobcentre about reopening the claim",
        )

        # New people, straight onto caseloads (referrals made before the system existed).
        chloe = person(
            "Chloe",
            "Adams",
            date_of_birth=date(1990, 2, 11),
            gender=Gender.WOMAN,
            ethnicity=Ethnicity.WHITE_BRITISH,
            wants_lived_experience=True,
        )
        allocate(episode_for(chloe, started_days_ago=45), nadia, lead, 46)
        allocate(chloe.episodes.get(status=EpisodeStatus.ACTIVE), pete, peer, 40)
        contact(
            chloe,
            nadia,
            9,
            ContactKind.FACE_TO_FACE,
            30,
            "Chloe is back in touch with her mum. Worried about rent arrears.",
            topics=["family", "money"],
        )
        contact(
            chloe,
            pete,
            3,
            ContactKind.MESSAGE,
            5,
            "Texted to check she got to the food bank. She did.",
        )

        marcus = person(
            "Marcus",
            "Bennett",
            date_of_birth=date(1983, 10, 2),
            gender=Gender.MAN,
            ethnicity=Ethnicity.BLACK_CARIBBEAN,
            risk_flags=[RiskFlag.VISIT_IN_PAIRS],
        )
        marcus_episode = episode_for(marcus, started_days_ago=90)
        allocate(marcus_episode, nadia, lead, 91)
        contact(
            marcus,
            nadia,
            24,
            ContactKind.FACE_TO_FACE,
            30,
            "Court date set for next week. Marcus expects a short sentence.",
            topics=["justice"],
        )
        EpisodeStatusChange.objects.create(
            episode=marcus_episode,
            from_status=EpisodeStatus.ACTIVE,
            to_status=EpisodeStatus.PAUSED,
            pause_reason=PauseReason.PRISON,
            note="Remanded; expected release in about two months.",
            changed_by=nadia,
            changed_at=ago(20),
        )
        Episode.objects.filter(pk=marcus_episode.pk).update(status=EpisodeStatus.PAUSED)

        grace = person(
            "Grace",
            "Mwangi",
            date_of_birth=date(1998, 5, 23),
            gender=Gender.WOMAN,
            ethnicity=Ethnicity.BLACK_AFRICAN,
            preferred_language="Swahili",
        )
        allocate(episode_for(grace, started_days_ago=2), nadia, lead, 2)
        Episode.objects.filter(person=grace).update(start_date=None)

        yusuf = person(
            "Yusuf",
            "Ali",
            date_of_birth=date(1979, 12, 1),
            gender=Gender.MAN,
            ethnicity=Ethnicity.ASIAN_PAKISTANI,
            preferred_language="Urdu",
        )
        allocate(
            episode_for(yusuf, started_days_ago=35),
            samir,
            lead,
            36,
            reason="Yusuf asked for someone who speaks Urdu.",
        )
        contact(
            yusuf,
            samir,
            14,
            ContactKind.PHONE,
            20,
            "Talked in Urdu about his GP registration. He has an appointment on Monday.",
            topics=["health"],
        )

        # Ryan: supported last year, ended well: moved on to the council's supported housing.
        ryan = person(
            "Ryan",
            "O'Neill",
            date_of_birth=date(1987, 7, 17),
            gender=Gender.MAN,
            ethnicity=Ethnicity.WHITE_IRISH,
        )
        if not ryan.episodes.exists():
            closed = Episode.objects.create(person=ryan, status=EpisodeStatus.AWAITING_ALLOCATION)
            Episode.objects.filter(pk=closed.pk).update(
                accepted_on=(now - timedelta(days=400)).date(),
                start_date=(now - timedelta(days=395)).date(),
            )
            closed.refresh_from_db()
            allocate(closed, nadia, lead, 396)
            contact(ryan, nadia, 380, ContactKind.FACE_TO_FACE, 60, "First meeting at the hostel.")
            Allocation.objects.filter(episode=closed).update(
                ended_at=ago(30), ended_by=nadia, end_reason="Support ended."
            )
            EpisodeStatusChange.objects.create(
                episode=closed,
                from_status=EpisodeStatus.ACTIVE,
                to_status=EpisodeStatus.CLOSED,
                changed_by=nadia,
                changed_at=ago(30),
                note="Moved into supported housing; celebrated with a coffee.",
            )
            Episode.objects.filter(pk=closed.pk).update(
                status=EpisodeStatus.CLOSED,
                end_date=(now - timedelta(days=30)).date(),
                exit_destination=ExitDestination.OTHER_SUPPORT,
                ending_planned=True,
                closing_note="Moved into supported housing.",
            )

    def seed_appointments(self):
        """Appointments for the navigator and the peer mentor: some today and this week on My
        caseload, and earlier ones attended (each with its contact), missed and cancelled."""
        users = {u.username: u for u in User.objects.filter(username__in=["navigator", "peer"])}
        if Appointment.objects.filter(worker__in=users.values()).exists():
            return
        now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
        today = timezone.localdate()

        def at(days, hour):
            return timezone.make_aware(
                datetime.combine(today + timedelta(days=days), time(hour, 0))
            )

        places = ["The library café", "Day centre, quiet room", "Outside the GP surgery"]
        for worker in users.values():
            people = list(
                Person.objects.filter(
                    episodes__allocations__worker=worker,
                    episodes__allocations__ended_at__isnull=True,
                )
                .exclude(episodes__status=EpisodeStatus.CLOSED)
                .distinct()
                .order_by("last_name")[:4]
            )
            for i, someone in enumerate(people):
                book = {"person": someone, "by": worker, "worker": worker, "kind": "face_to_face"}
                # Later today or in the coming days, with a reminder; the first within the
                # hour, so its reminder "1 hour before" is already due (seed_notifications).
                starts = now + timedelta(hours=1)
                if i:
                    starts = max(at(i, 10 + i), now + timedelta(hours=1 + i))
                appointments.appointment_book(
                    **book,
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=45),
                    place=places[i % len(places)],
                    other_attendees="Housing officer" if i == 0 else "",
                    remind_before_hours=1 if i % 2 == 0 else 24,
                )
                # Last week's: attended (logged as a contact), or not attended.
                past = appointments.appointment_book(
                    **book, starts_at=at(-7 + i, 14), place=places[(i + 1) % len(places)]
                )
                if i % 2 == 0:
                    appointments.appointment_attend(
                        appointment=past,
                        by=worker,
                        submission_key=None,
                        occurred_at=past.starts_at,
                        kind="face_to_face",
                        duration_minutes=40,
                        summary="Met as planned: went through the housing forms together.",
                    )
                else:
                    appointments.appointment_not_attended(appointment=past, by=worker)
            if people:
                cancelled = appointments.appointment_book(
                    person=people[0],
                    by=worker,
                    worker=worker,
                    kind="accompanied",
                    starts_at=at(10, 9),
                    place="Benefits office",
                )
                appointments.appointment_cancel(
                    appointment=cancelled, by=worker, reason="The benefits office moved it."
                )

    def seed_ndt(self):
        """Peggy's NDT history: an amended baseline in June 2025 and reviews since, falling."""
        peggy = Person.objects.get(first_name="Margaret", last_name="Kelly", known_as="Peggy")
        if Assessment.objects.filter(person=peggy).exists():
            return
        nadia = User.objects.get(username="navigator")
        episode = peggy.episodes.exclude(status=EpisodeStatus.CLOSED).get()
        amended = AssessmentScheme.objects.get(code="ndt-amended", is_current=True)
        standard = AssessmentScheme.objects.get(code="ndt-standard", is_current=True)
        began = episode.start_date or episode.accepted_on
        # (weeks after the episode began, scheme, score for most items, items scored higher)
        plan = [
            (1, amended, 3, {"risk_from_others": 4, "domestic_abuse": 4, "housing": 4}),
            (14, standard, 3, {"housing": 4}),
            (27, amended, 2, {"domestic_abuse": 3, "isolation": 3}),
            (40, amended, 2, {"housing": 1, "engagement": 1}),
        ]
        for weeks, scheme, usual, higher in plan:
            assessed_on = began + timedelta(weeks=weeks)
            if assessed_on > timezone.localdate():
                break
            saved = assessment_save(
                person=peggy,
                episode=episode,
                scheme=scheme,
                assessed_on=assessed_on,
                assessor=nadia,
                participation="yes",
                scores={i.key: higher.get(i.key, usual) for i in scheme.items.all()},
                notes={},
                complete=True,
                by=nadia,
            )
            # Completed on the day it was done, so the timeline puts it in its place.
            Assessment.objects.filter(pk=saved.pk).update(
                completed_at=timezone.make_aware(datetime.combine(assessed_on, time(11)))
            )

    def seed_sharing(self):
        """The register of data-sharing agreements (one in force for the MDT, one overdue for
        review, one ended), and Peggy's lawful basis and sharing agreements: she agreed to be
        discussed at the MDT with probation, the police and mental health, and withdrew her
        agreement to share with housing. The MDT partner sees her because of these."""
        if DataSharingAgreement.objects.exists():
            return
        manager = User.objects.get(username="manager")
        nadia = User.objects.get(username="navigator")
        team_org = manager.team.organisation
        orgs = {o.name: o for o in Organisation.objects.all()}
        today = timezone.localdate()
        mdt_parties = [
            orgs["Northgate Probation Delivery Unit"],
            orgs["City Police"],
            orgs["Riverside Mental Health NHS Trust"],
            orgs["Safe Haven Domestic Abuse Service"],
        ]
        for title, purpose, parties, start, review, ended, where in [
            (
                "Changing Futures MDT information-sharing agreement",
                Purpose.MDT,
                mdt_parties,
                today - timedelta(days=300),
                today + timedelta(days=65),
                None,
                "Governance drive: DSAs/2025 MDT agreement (signed).pdf",
            ),
            (
                "Housing Options referral protocol",
                Purpose.SERVICE_REFERRAL,
                [orgs["City Council Housing Options"]],
                today - timedelta(days=500),
                today - timedelta(days=20),
                None,
                "Held by the Housing Options service manager; copy on the governance drive",
            ),
            (
                "Recovery service referrals (pilot)",
                Purpose.SERVICE_REFERRAL,
                [orgs["Turning Point Recovery"]],
                today - timedelta(days=700),
                today - timedelta(days=400),
                today - timedelta(days=200),
                "Governance drive: DSAs/archive/recovery pilot.pdf",
            ),
        ]:
            sharing.data_sharing_agreement_save(
                agreement=DataSharingAgreement(
                    title=title,
                    purpose=purpose,
                    start_on=start,
                    review_on=review,
                    ended_on=ended,
                    document_location=where,
                ),
                parties=[team_org, *parties],
                by=manager,
            )
        for person in Person.objects.filter(team=manager.team):
            sharing.lawful_basis_record(
                person=person,
                article_6=Article6Basis.PUBLIC_TASK,
                article_9=Article9Condition.SUBSTANTIAL_PUBLIC_INTEREST,
                notes="Commissioned by the council to support adults facing multiple "
                "disadvantage; safeguarding adults at risk.",
                by=nadia,
            )
        peggy = Person.objects.get(first_name="Margaret", last_name="Kelly", known_as="Peggy")
        sharing.sharing_agreement_record(
            person=peggy,
            organisations=mdt_parties[:3],
            purpose=Purpose.MDT,
            how_recorded=HowRecorded.WRITTEN,
            expires_on=today + timedelta(days=180),
            by=nadia,
        )
        (housing,) = sharing.sharing_agreement_record(
            person=peggy,
            organisations=[orgs["City Council Housing Options"]],
            purpose=Purpose.SERVICE_REFERRAL,
            how_recorded=HowRecorded.VERBAL,
            expires_on=today + timedelta(days=180),
            by=nadia,
        )
        sharing.sharing_agreement_withdraw(
            agreement=housing,
            reason="Wants to deal with the council herself for now.",
            by=nadia,
        )

    def seed_mdt(self):
        """A held MDT last fortnight with an action for the partner member, and the next one
        planned with its agenda shared."""
        chair = User.objects.get(username="chair")
        team = chair.team
        if MdtMeeting.objects.filter(team=team).exists():
            return
        nadia = User.objects.get(username="navigator")
        partner = User.objects.get(username="partner")
        organisations = list(
            Organisation.objects.filter(
                name__in=["City Police", "Riverside Mental Health NHS Trust"]
            )
        )
        now = timezone.now()
        held = mdt.meeting_create(
            meeting=MdtMeeting(
                team=team,
                starts_at=now - timedelta(days=14),
                place="Room 4, Civic Centre",
                chair=chair,
            ),
            organisations=organisations,
            members=[partner],
        )
        peggy = Person.objects.get(first_name="Margaret", last_name="Kelly", known_as="Peggy")
        referral = MdtReferral.objects.create(
            person=peggy,
            source=MdtReferral.Source.NAVIGATOR,
            referring_organisation=nadia.organisation,
            referred_by=nadia,
            why_now="Her ex-partner has been released and knows where her sister lives.",
            tried="Safety planning with Safe Haven; a refuge place she turned down.",
            asked_of_partners="Probation to share licence conditions; police to flag the address.",
            urgency=MdtReferral.Urgency.URGENT,
            sharing_basis="agreed",
        )
        MdtReferral.objects.filter(pk=referral.pk).update(created_at=now - timedelta(days=20))
        item = mdt.agenda_add(meeting=held, person=peggy, mdt_referral=referral)
        mdt.agenda_share(meeting=held)
        mdt.meeting_start(meeting=held)
        mdt.case_notes_save(
            item=item,
            version=0,
            notes="Peggy agreed to the discussion. Risk is high while the address is known.",
            decisions="Flag the sister's address; ask probation about an exclusion zone.",
            outcome="continue",
            by=chair,
        )
        mdt.action_add(
            item=item,
            description="Ask the offender manager about an exclusion zone covering the address",
            owner=partner,
            owner_organisation=partner.organisation,
            due_on=timezone.localdate() + timedelta(days=3),
            by=chair,
        )
        Action.objects.filter(agenda_item=item).update(created_at=held.starts_at)
        held.invitations.update(attendance="present")
        mdt.meeting_finish(meeting=held)
        following = mdt.meeting_create(
            meeting=MdtMeeting(
                team=team,
                starts_at=now + timedelta(days=1),
                place="Room 4, Civic Centre",
                chair=chair,
            ),
            organisations=organisations,
            members=[partner],
        )
        mdt.agenda_add(meeting=following, person=peggy)
        mdt.agenda_share(meeting=following)

    def seed_outcomes(self):
        """Peggy's support plan, crisis events, where she has lived, a personal budget and an
        Outcomes Star done at the recovery service. No ReQoL-10 wording is loaded: it is
        licensed, so the demo shows that it can't be recorded yet."""
        peggy = Person.objects.get(first_name="Margaret", last_name="Kelly", known_as="Peggy")
        if Goal.objects.filter(person=peggy).exists():
            return
        nadia = User.objects.get(username="navigator")
        pete = User.objects.get(username="peer")
        tara = User.objects.get(username="teamleader")
        today = timezone.localdate()
        now = timezone.now()
        began = peggy.episodes.exclude(status=EpisodeStatus.CLOSED).get().start_date

        def when(days_ago):
            return today - timedelta(days=days_ago)

        flat = outcomes.goal_add(
            person=peggy,
            by=nadia,
            in_their_words="Get my own flat near my sister, somewhere he can't find me.",
            strengths="Knows the area well. Her sister is on her side. Kept her hostel room "
            "for three months.",
            steps=[
                {"what": "Put in a bid on the housing register every week", "who": "Peggy"},
                {"what": "Ask Housing Options about a management transfer", "who": "Nadia"},
                {"what": "Come along to the viewing", "who": "Pete"},
            ],
            status=GoalStatus.IN_PROGRESS,
            review_on=today + timedelta(days=10),
        )
        drink = outcomes.goal_add(
            person=peggy,
            by=pete,
            in_their_words="Cut down the drink so I can see the kids at Christmas.",
            strengths="Has done it before, in 2019. Wants it for the kids.",
            steps=[
                {"what": "Go to the Tuesday group at Turning Point", "who": "Peggy"},
                {"what": "Walk there with her the first time", "who": "Pete"},
            ],
            review_on=today + timedelta(days=30),
        )
        gp = outcomes.goal_add(
            person=peggy,
            by=nadia,
            in_their_words="Get back on a GP's list.",
            steps=[{"what": "Register at Eastfield Medical Practice", "who": "Peggy and Nadia"}],
            review_on=today,
        )
        outcomes.goal_review(
            goal=gp,
            by=nadia,
            to_status=GoalStatus.ACHIEVED,
            note="Registered; first appointment booked.",
        )
        Goal.objects.filter(pk=flat.pk).update(created_at=now - timedelta(days=150))
        Goal.objects.filter(pk=drink.pk).update(created_at=now - timedelta(days=40))
        Goal.objects.filter(pk=gp.pk).update(created_at=now - timedelta(days=150))
        GoalReview.objects.filter(goal=gp).update(reviewed_at=now - timedelta(days=100))

        # Where she has lived since support began: the street, her sister's sofa, a hostel.
        for status, days_ago, note in [
            ("rough_sleeping", (today - began).days, "Around the market and the station."),
            ("sofa_surfing", 120, "At her sister's, on and off."),
            ("hostel", 35, "St Anne's women's hostel."),
        ]:
            outcomes.accommodation_record(
                person=peggy, by=nadia, status=status, from_date=when(days_ago), note=note
            )

        # Crisis events: many in her first months, fewer since.
        for kind, days_ago, quantity, source in [
            ("rough_sleeping", (today - began).days, 12, "self_reported"),
            ("ae_attendance", 160, None, "partner_record"),
            ("ambulance", 160, None, "partner_record"),
            ("ae_attendance", 140, None, "self_reported"),
            ("arrest", 130, None, "partner_record"),
            ("mental_health_inpatient", 100, 6, "partner_record"),
            ("ae_attendance", 20, None, "self_reported"),
            ("rough_sleeping", 38, 2, "staff_observed"),
        ]:
            outcomes.service_event_record(
                person=peggy,
                by=nadia,
                kind=kind,
                occurred_on=when(days_ago),
                quantity=quantity,
                source=source,
            )

        budget = outcomes.budget_offer(
            person=peggy,
            by=tara,
            amount_offered=Decimal("500.00"),
            offered_on=when(90),
            note="For her housing goal: things to set up a home.",
        )
        for days_ago, amount, purpose in [
            (85, "89.99", "A basic phone, so the housing team can reach her"),
            (60, "45.00", "Phone top-ups for three months"),
            (34, "120.50", "Bedding and towels for the hostel room"),
        ]:
            outcomes.budget_spend_record(
                budget=budget,
                by=nadia,
                spent_on=when(days_ago),
                amount=Decimal(amount),
                purpose=purpose,
                approved_by=tara,
            )
        PersonalBudget.objects.filter(pk=budget.pk).update(created_at=now - timedelta(days=90))

        outcomes.outcomes_star_record(
            person=peggy,
            by=nadia,
            completed_on=when(45),
            held_at="Turning Point Recovery, on their Star Online account",
            star_name="Recovery Star",
        )

    def seed_domestic_abuse(self):
        """Peggy's safe-contact settings, a high-risk DASH checklist (scored under the shipped
        FICTIONAL wording, which says on every page that it is not the checklist's), a police
        call-out, and a MARAC referral that has been heard, with its actions on Nadia's and
        Tara's caseloads."""
        peggy = Person.objects.get(first_name="Margaret", last_name="Kelly", known_as="Peggy")
        if DashChecklist.objects.filter(person=peggy).exists():
            return
        nadia = User.objects.get(username="navigator")
        tara = User.objects.get(username="teamleader")
        today = timezone.localdate()
        Person.objects.filter(pk=peggy.pk).update(
            safe_to_phone="yes",
            safe_to_text="no",
            safe_to_leave_voicemail="no",
            safe_to_write="no",
            safe_to_visit="no",
            abuser_may_be_present="yes",
            safe_time="Weekday mornings, at the day centre",
            code_word="Bluebell",
        )
        definition = current_dash() or domestic_abuse.definition_import(
            data=json.loads(
                (settings.BASE_DIR / "docs" / "examples" / "dash-FICTIONAL-example.json").read_text(
                    encoding="utf-8"
                )
            )
        )
        outcomes.service_event_record(
            person=peggy,
            kind="domestic_abuse_police",
            occurred_on=today - timedelta(days=24),
            source="partner_record",
            note="Police called by a neighbour; her ex-partner had left before they arrived.",
            by=nadia,
        )
        checklist = domestic_abuse.checklist_record(
            person=peggy,
            definition=definition,
            completed_on=today - timedelta(days=21),
            answers={
                q.key: ("yes" if q.position <= 15 else "no", "person", "")
                for q in definition.questions.all()
            },
            by=nadia,
        )
        referral = domestic_abuse.marac_refer(
            person=peggy,
            referred_on=today - timedelta(days=20),
            marac=settings.MARACS[0],
            criteria=checklist.high_because,
            sharing_basis="consent",
            checklist=checklist,
            by=nadia,
        )
        domestic_abuse.marac_heard(
            referral=referral,
            heard_on=today - timedelta(days=6),
            outcome_note="Police marker on her sister's address; refuge place to be explored; "
            "housing to prioritise a management transfer.",
        )
        for description, owner, due in [
            ("Ask Housing Options to prioritise a management transfer", nadia, -2),
            ("Check the police marker is on her sister's address", tara, 5),
            ("Talk through a refuge place with Peggy", nadia, 9),
        ]:
            domestic_abuse.marac_action_add(
                referral=referral,
                description=description,
                owner=owner,
                due_on=today + timedelta(days=due),
                by=nadia,
            )

    def seed_import(self):
        """The example import file (docs/examples/records.xlsx) brought in by the manager from
        "Previous CRM": two people with their support, NDT history and contacts. Once: run
        again, the same source ids add nothing."""
        manager = User.objects.get(username="manager")
        if ImportRun.objects.filter(team=manager.team, source=DEMO_IMPORT_SOURCE).exists():
            return
        path = settings.BASE_DIR / "docs" / "examples" / "records.xlsx"
        run = import_command_run(
            team=manager.team, source=DEMO_IMPORT_SOURCE, by=manager, name=path.name
        )
        with path.open("rb") as handle:
            outcome = records_import(
                handle=handle,
                name=path.name,
                team=manager.team,
                source=DEMO_IMPORT_SOURCE,
                by=manager,
                write=True,
                run=run,
            )
        import_run_record(run=run, outcome=outcome)

    def seed_retention(self):
        """Two people past the retention period, on the manager's retention list: Lee, supported
        in 2017-19, and Jordan, referred in 2018 and signposted elsewhere."""
        nadia = User.objects.get(username="navigator")
        tara = User.objects.get(username="teamleader")
        team = nadia.team
        if Person.objects.filter(team=team, first_name="Lee", last_name="Hartley").exists():
            return

        def at(day):
            return timezone.make_aware(datetime.combine(day, time(11)))

        lee = Person.objects.create(
            team=team,
            first_name="Lee",
            last_name="Hartley",
            date_of_birth=date(1975, 4, 12),
            gender=Gender.MAN,
            ethnicity=Ethnicity.WHITE_BRITISH,
            phone="07700 900789",
        )
        Person.objects.filter(pk=lee.pk).update(created_at=at(date(2017, 3, 1)))
        episode = Episode.objects.create(
            person=lee,
            status=EpisodeStatus.CLOSED,
            accepted_on=date(2017, 3, 1),
            start_date=date(2017, 3, 8),
            end_date=date(2019, 6, 28),
            exit_destination=ExitDestination.NO_LONGER_NEEDED,
            ending_planned=True,
            closing_note="Settled in his flat and working part time.",
        )
        Allocation.objects.create(
            episode=episode,
            worker=nadia,
            kind=Allocation.Kind.LEAD_NAVIGATOR,
            started_at=at(date(2017, 3, 8)),
            ended_at=at(date(2019, 6, 28)),
            end_reason="Support ended.",
        )
        for day, summary in [
            (date(2017, 3, 8), "First meeting at the day centre. Wants a flat and work."),
            (date(2018, 9, 3), "Viewed a flat with him; he signed the tenancy."),
            (date(2019, 6, 28), "Last meeting: planned ending, he knows how to come back."),
        ]:
            Contact.objects.create(
                person=lee,
                episode=episode,
                author=nadia,
                occurred_at=at(day),
                kind=ContactKind.FACE_TO_FACE,
                duration_minutes=45,
                summary=summary,
            )
        jordan = Person.objects.create(
            team=team,
            first_name="Jordan",
            last_name="Fitch",
            gender=Gender.NOT_KNOWN,
            ethnicity=Ethnicity.NOT_KNOWN,
        )
        referral = Referral.objects.create(
            team=team,
            channel=Referral.Channel.STAFF,
            status=Referral.Status.NOT_ELIGIBLE,
            person=jordan,
            first_name="Jordan",
            last_name="Fitch",
            homelessness=True,
            why_now="Sofa surfing after a relationship ended.",
            consent=Referral.Consent.YES,
            referrer_name="Sam Taylor",
            referrer_contact="sam.taylor@example.org",
            referrer_organisation=Organisation.objects.get(name="St Anne's Day Centre"),
        )
        Referral.objects.filter(pk=referral.pk).update(created_at=at(date(2018, 5, 2)))
        Person.objects.filter(pk=jordan.pk).update(created_at=at(date(2018, 5, 2)))
        EligibilityDecision.objects.create(
            referral=referral,
            outcome=EligibilityDecision.Outcome.NOT_ELIGIBLE,
            disadvantage_count=1,
            reason="One of five; housing advice is the right service.",
            signposted_to="City Council Housing Options",
            decided_by=tara,
            decided_at=at(date(2018, 5, 9)),
        )
        retention_review_run(team=team)

    # --- the evaluation extract --------------------------------------------------------------

    def seed_evaluation_extract(self):
        """Last quarter's evaluation extract, asked for by the manager, so the page has one to
        download. Built when the seed's transaction commits (in-process without Redis, by the
        worker with it)."""
        maureen = User.objects.get(username="manager")
        if EvaluationExtract.objects.filter(team=maureen.team).exists():
            return
        quarter = Quarter.containing(timezone.localdate()).previous()
        extract_request(team=maureen.team, quarter=quarter, by=maureen)

    # --- notifications -----------------------------------------------------------------------

    def seed_notifications(self):
        """Today's reminders from the demo's own records (NDT reviews, MDT and MARAC actions,
        referrals waiting, sharing agreements' dates, appointments within the hour), and a
        sign-in from a new device for the navigator, one of them already read. Made once,
        however often this runs."""
        notifications_sweep(today=timezone.localdate())
        appointment_reminders_send()
        nadia = User.objects.get(username="navigator")
        notify(
            user=nadia,
            kind=NEW_DEVICE,
            key="device:demo",
            due=timezone.localdate(),
            title="Your account was signed in to from a new device. "
            "If this was not you, tell your team leader.",
            url="/accounts/profile/",
        )
        Notification.objects.filter(user=nadia, key="device:demo").update(read_at=timezone.now())
        # Demo data sends no email: the demo's addresses are made up.
        OutboxMessage.objects.filter(task__startswith="smd.notifications.tasks.").delete()
