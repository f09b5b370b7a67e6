"""A small, realistic, fictional data set for trying the app. Idempotent; never in production."""

from datetime import date, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from caseload.models import Allocation, Episode, Person, PersonAlias
from referrals import services
from referrals.models import EligibilityDecision, Referral
from smd.characteristics import Ethnicity, Gender
from smd.models import Organisation, Role, Sector, Specialism, Team, User

DEMO_PASSWORD = "demo-password-2026"

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


class Command(BaseCommand):
    help = "Load fictional demo data: organisations, one user per role, people and referrals."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DEBUG=true: it creates known passwords.")
        with transaction.atomic():
            self.seed()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Password for every user: {DEMO_PASSWORD}")
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
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
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
