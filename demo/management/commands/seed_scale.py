"""Fictional data at a multiple of one city's volumes, for benchmarks (docs/performance.md).

`seed_scale --factor N` fills ONE team with N times what a city's programme holds over three
years (DOMAIN.md, "Volumes, for benchmarks"): about 400 people, 180 of them active at once,
30 staff, two contacts a week per active person, an NDT every three months, an MDT fortnightly
with about twelve cases. One team, not N teams, because the question the benchmark asks is how
one team's quarterly return behaves when that team is very large.

Everything comes from seeded random streams (one per table), and every id is drawn from them,
so the same factor and seed give the same rows and ids. Dates are day offsets from the start of
a three-year window ending on --until (default today), so a different day moves the dates and
nothing else. Rows go in by PostgreSQL COPY (executemany on SQLite), never one save() a row,
and the database's own constraints check them: on PostgreSQL a table's non-unique indexes and
foreign keys are set aside during its COPY and restored (and so re-checked) in the same
transaction, which is the whole run.
"""

import errno
import heapq
import io
import json
import math
import os
import random
import time as clock
import uuid
from bisect import bisect
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone
from PIL import Image

from appointments.models import Appointment, AppointmentKind, AppointmentStatus, Reminder
from assessments.models import (
    Assessment,
    AssessmentScheme,
    ItemScore,
    ReqolAnswer,
    ReqolDefinition,
    ReqolRecord,
)
from assessments.reqol.services import definition_import, item_score, total_score
from assessments.services import shipped_schemes_load, totals
from caseload.capacity import capacity_of
from caseload.models import (
    MAX_EVENT_QUANTITY,
    AccommodationChange,
    AccommodationStatus,
    Allocation,
    BudgetSpend,
    Contact,
    ContactKind,
    ContactVersion,
    Episode,
    EpisodeStatus,
    EpisodeStatusChange,
    EventKind,
    EventSource,
    ExitDestination,
    Goal,
    GoalReview,
    GoalStatus,
    OutcomesStarRecord,
    PauseReason,
    Person,
    PersonalBudget,
    PersonAlias,
    RiskFlag,
    ServiceEvent,
    Topic,
)
from demo.management.commands.seed_demo import DEMO_PASSWORD
from documents.files import check_upload
from documents.models import Document
from domestic_abuse.models import (
    DASH_HIGH_RISK_YES,
    Answer,
    AnswerSource,
    DashAnswer,
    DashChecklist,
    HighBecause,
    MaracAction,
    MaracReferral,
    RiskLevel,
    SharingBasis,
)
from domestic_abuse.selectors import current_definition as current_dash
from domestic_abuse.services import REPEAT_WITHIN, risk_level
from domestic_abuse.services import definition_import as dash_definition_import
from mdt.models import Action, AgendaItem, Invitation, LawfulBasis, MdtMeeting, MdtReferral
from referrals.models import REFERENCE_ALPHABET, EligibilityDecision, Referral
from sharing.models import DataSharingAgreement, HowRecorded, Purpose, SharingAgreement
from smd.characteristics import Ethnicity, Gender
from smd.models import Organisation, Role, Sector, Specialism, Team, User
from smd.quarters import Quarter

# --- one city ("1×") ----------------------------------------------------------------------------

DAYS = 3 * 365 + 1  # the three-year window, ending on --until
PEOPLE = 400
INTAKE_BY_YEAR = (56, 128, 216)  # new people a year, growing to about 180 active at once
NOT_ACCEPTED_SHARE = 0.3  # referrals decided not eligible or withdrawn, per person accepted
STAFF = {  # 30 in the team
    Role.NAVIGATOR: 23,
    Role.PEER_MENTOR: 3,
    Role.TEAM_LEADER: 2,
    Role.MDT_CHAIR: 1,
    Role.MANAGER: 1,
}
MDT_MEMBERS_PER_ORGANISATION = 0.5  # partner staff at the MDT, per factor
CONTACTS_PER_DAY = 2 / 7
NDT_EVERY = 91
MDT_EVERY = 14
CASES_PER_MEETING = (10, 16)
WITHDRAW_SHARE = 0.3  # people who later withdraw the MDT sharing they agreed to
DNA_SHARE = 0.25  # appointments missed, per appointment kept
CANCELLED_SHARE = 0.08  # appointments called off, per appointment kept
DASH_FIRST_SHARE = 0.85  # survivors given a DASH checklist early in their support
MARAC_SHARE = 0.85  # high-risk checklists referred to the MARAC

HOST = ("Changing Futures City", Sector.COUNCIL)
PARTNERS = [
    ("City Council Housing Options", Sector.HOUSING),
    ("City Council Adult Social Care", Sector.COUNCIL),
    ("Northgate Probation Delivery Unit", Sector.PROBATION),
    ("Southside Probation Delivery Unit", Sector.PROBATION),
    ("City Police", Sector.POLICE),
    ("Riverside Mental Health NHS Trust", Sector.MENTAL_HEALTH),
    ("Crisis Resolution Team", Sector.MENTAL_HEALTH),
    ("Turning Point Recovery", Sector.SUBSTANCE_MISUSE),
    ("Change Grow Live City", Sector.SUBSTANCE_MISUSE),
    ("Safe Haven Domestic Abuse Service", Sector.DOMESTIC_ABUSE),
    ("Women's Aid City", Sector.DOMESTIC_ABUSE),
    ("St Anne's Day Centre", Sector.VOLUNTARY),
    ("Westmoor Outreach", Sector.VOLUNTARY),
    ("Harbour Hostel", Sector.HOUSING),
    ("Eastfield Medical Practice", Sector.HEALTH),
    ("City Hospital Emergency Department", Sector.HEALTH),
    ("Homeless Health Service", Sector.HEALTH),
    ("Jobcentre Plus City", Sector.OTHER),
    ("Refugee Support Network", Sector.VOLUNTARY),
    ("Youth Offending Service", Sector.COUNCIL),
]

LONDON = ZoneInfo(settings.TIME_ZONE)
REQOL_EXAMPLE = Path(settings.BASE_DIR) / "docs" / "examples" / "reqol-10-FICTIONAL-example.json"
DASH_EXAMPLE = Path(settings.BASE_DIR) / "docs" / "examples" / "dash-FICTIONAL-example.json"
REPEAT_DAYS = REPEAT_WITHIN.days  # MARAC repeats, and police call-outs counted, over 12 months

# --- fictional wording ----------------------------------------------------------------------------


def words(text):
    return text.split()


WOMEN = words(
    "Amina Aisha Agnieszka Bridget Chantelle Chloe Danielle Fatima Gemma Grace Hannah Jade "
    "Jasmine Joanne Kerry Leanne Lisa Maria Mariam Michelle Nadia Nicola Priya Rachel Roxanne "
    "Samina Sarah Sharon Shona Siobhan Stacey Tracey Yasmin Zainab Zofia Kemi Ngozi Mei Roisin "
    "Precious"
)
MEN = words(
    "Aaron Adam Ahmed Andrzej Ben Callum Carl Craig Darren Dean Delroy Gary Hassan Imran Jamal "
    "Jason Kwame Lee Liam Marcus Mark Michael Mohammed Nathan Neil Paul Piotr Ryan Sean Shane "
    "Stephen Tariq Tomasz Wayne Winston Yusuf Kofi Connor Patrick Daniel"
)
SURNAMES = words(
    "Ahmed Ali Asante Baker Begum Bennett Brown Campbell Chowdhury Clarke Collins Davies "
    "Doherty Evans Francis Green Hall Hughes Hussain Iqbal Jackson James Johnson Jones Kaur "
    "Kelly Khan Kowalski Lewis Malik Martin McDonagh Mensah Mitchell Morgan Murphy Nowak "
    "O'Brien Okafor Owusu Patel Price Reid Roberts Robinson Shah Singh Smith Taylor Thomas "
    "Walker Ward Watson White Williams Wilson Wright Yilmaz Zielinski"
)

SUMMARIES = {
    ContactKind.FACE_TO_FACE: [
        "Met at the day centre. Talked through the housing bid and what to bring to the viewing.",
        "Coffee in town. Low mood this week; agreed to ring the crisis line if it gets worse.",
        "Home visit. Post sorted together; two letters from the council needed a reply.",
        "Met at the hostel. Talked about seeing the children and what contact could look like.",
        "Walked to the chemist together for the script; talked about cutting down.",
        "Met at the library. Filled in the benefits form together; posted it the same day.",
    ],
    ContactKind.PHONE: [
        "Phone call. Checked in after the hospital discharge; says the pain is better.",
        "Phone call to confirm Thursday's appointment and arrange to meet beforehand.",
        "Rang about the rent arrears letter; agreed to go through it together on Monday.",
        "Phone call. Sounded well; had been to the recovery group twice this week.",
    ],
    ContactKind.MESSAGE: [
        "Text reminder about tomorrow's appointment; replied to say they will be there.",
        "Messages back and forth about the food bank voucher; collected it later.",
        "Text to check they got home safely after the court date.",
    ],
    ContactKind.OUTREACH: [
        "Outreach with the street team; found them near the station and brought a sleeping bag.",
        "Outreach round the usual spots; spoke briefly, agreed to meet at the day centre.",
    ],
    ContactKind.ACCOMPANIED: [
        "Went with them to the GP; registration done and a health check booked.",
        "Accompanied to the housing options appointment; placed on the register.",
        "Went with them to probation; stayed for the meeting at their request.",
        "Accompanied to the mental health assessment; follow-up letter expected.",
    ],
    ContactKind.ATTEMPTED: [
        "Called twice, no answer; left a message as agreed.",
        "Went to the hostel; not in. Left a note with the key worker.",
        "Looked at the usual places on outreach; not found today.",
    ],
}
FOLLOW_UPS = [
    "Chase the housing application",
    "Book the GP appointment",
    "Send the form to the benefits office",
    "Ring probation about the appointment change",
    "Find out about the recovery group times",
    "Ask the hostel about keeping the room",
]
WHY_NOW = [
    "Evicted from the hostel last week and sleeping rough again; drinking has increased.",
    "Released from prison with nowhere to go; missed the first probation appointment.",
    "Repeated A&E attendances this month; services keep losing touch.",
    "Left an abusive partner and staying on a friend's sofa; not registered with a GP.",
    "Mental health has got worse since losing the tenancy; says they want help now.",
]
SIGNPOSTED = [
    "Housing Options for a homelessness assessment",
    "The recovery service's open-access group",
    "The GP and the community mental health team",
    "The domestic abuse helpline and the women's centre",
]
NOT_ELIGIBLE_REASONS = [
    "One of the five disadvantages; current support from the recovery service is working.",
    "Lives outside the city; passed to their local team.",
    "Two disadvantages and well supported by the housing team already.",
]
GOALS = [
    "Get my own place, somewhere quiet.",
    "Stop using on the street.",
    "See my kids again, properly.",
    "Sort out my benefits so I'm not always skint.",
    "Get back on a GP's list and get my chest looked at.",
    "Stay out of prison this time.",
    "Do a course, maybe cooking.",
    "Feel less on edge all the time.",
]
STEPS = [
    {"what": "Put in a bid on the housing register every week", "who": "the person"},
    {"what": "Go to the Tuesday group", "who": "the person"},
    {"what": "Ask Housing Options about a transfer", "who": "navigator"},
    {"what": "Come along to the first appointment", "who": "peer mentor"},
    {"what": "Book the GP registration", "who": "navigator"},
]
SPENDS = [
    "Bus pass for a month",
    "Deposit towards a room",
    "Phone and credit",
    "Bedding and kitchen things for the new flat",
    "Clothes for an interview",
    "ID documents",
    "Course fees",
]
MDT_WHY = [
    "Three evictions in a year; every service has closed the case for non-engagement.",
    "Risk from an ex-partner has increased since release; needs a joined-up safety plan.",
    "Frequent A&E and police contact; no agency holds the whole picture.",
]
ACTIONS = [
    "Share the risk assessment with the hostel",
    "Offer a joint appointment with the navigator",
    "Fast-track the mental health assessment",
    "Check for outstanding warrants and agree a plan",
    "Hold the room open until the hospital discharge",
    "Arrange a prescribing review",
    "Refer to the women's service for safety planning",
]
STAR_PLACES = ["Turning Point Recovery", "Harbour Hostel", "St Anne's Day Centre"]
NICKNAMES = ["Dee", "Jay", "Sam", "Bee", "Kez", "Mo", "Tee", "Bel", "Frankie", "Sonny"]
WITHDRAWAL_REASONS = [
    "Does not want the police told about her any more.",
    "Wants to deal with each service herself now.",
    "Unhappy that the MDT talked about the children; asked for it to stop.",
    "Feels better and does not want to be discussed by agencies.",
]
JUDGEMENT_REASONS = [
    "Recent strangulation; answers are guarded because he may be listening.",
    "Ex-partner released from prison next week and knows where she is staying.",
    "Says things are fine, but bruising seen today and the account keeps changing.",
    "Risk is real but steady; safety plan in place and she knows the helpline.",
]
MARAC_OUTCOMES = [
    "Police marker on the address; refuge place to be explored; housing to prioritise a move.",
    "IDVA to make contact; probation to review licence conditions; safety plan shared.",
    "Agencies to share any new incidents at once; GP told; children's services informed.",
]
MARAC_ACTIONS = [
    "Ask Housing Options to prioritise a management transfer",
    "Check the police marker is on the address",
    "Talk through a refuge place",
    "Make the IDVA referral and go along to the first meeting",
    "Update the safety plan with the new phone number",
]
LAWFUL_BASES = [
    "Serious risk of harm to her and the children; she could not be asked safely.",
    "Prevention of crime: threats to kill made this week; consent would raise the risk.",
]
PLACES = [
    "Day centre, quiet room",
    "The library café",
    "Outside the GP surgery",
    "Home visit",
    "Hostel, interview room",
    "Housing Options, Civic Centre",
]
CANCEL_REASONS = [
    "The person rang to rearrange: a court date on the same day.",
    "Worker off sick; rebooked for next week.",
    "The benefits office moved it.",
    "In hospital; will rebook on discharge.",
]
# Appointments booked ahead, by the kind of contact they became: visits and going along to
# appointments are mostly booked, phone calls seldom, outreach never (found on the street).
BOOKED_SHARE = {
    ContactKind.FACE_TO_FACE: 0.4,
    ContactKind.ACCOMPANIED: 0.75,
    ContactKind.PHONE: 0.1,
}
assert set(BOOKED_SHARE) <= set(AppointmentKind.values)
REMINDERS = [None, None, *Reminder.values]
DOCUMENT_TITLES = {
    Document.Kind.CONSENT: ["Consent to share information (signed)", "Consent form"],
    Document.Kind.ID: ["Birth certificate (scan)", "Photo of passport", "Driving licence (photo)"],
    Document.Kind.LETTER: [
        "Letter from Housing Options",
        "Benefits award letter",
        "Hospital discharge letter",
        "Probation appointment letter",
        "Rent arrears letter",
    ],
    Document.Kind.ASSESSMENT: ["Care Act assessment", "Mental health assessment summary"],
}


# --- weighted choices, fast -----------------------------------------------------------------


class Pick:
    """A weighted choice among values by one random draw (bisect on cumulative weights)."""

    def __init__(self, weighted):
        self.values = [v for v, _ in weighted]
        total, self.cum = 0, []
        for _, w in weighted:
            total += w
            self.cum.append(total)
        self.total = total

    def __call__(self, rng):
        return self.values[bisect(self.cum, rng.random() * self.total)]


GENDERS = Pick(
    [
        (Gender.WOMAN, 47),
        (Gender.MAN, 47),
        (Gender.NON_BINARY, 1),
        (Gender.OTHER, 0.5),
        (Gender.NOT_KNOWN, 3.5),
        (Gender.PREFER_NOT, 1),
    ]
)
# A city's SMD cohort: about three in ten of those recorded from ethnic minority groups,
# White minorities included; some not asked, a few declining.
ETHNICITIES = Pick(
    [
        (Ethnicity.WHITE_BRITISH, 64),
        (Ethnicity.WHITE_IRISH, 3),
        (Ethnicity.WHITE_GYPSY_TRAVELLER, 1.5),
        (Ethnicity.WHITE_ROMA, 0.5),
        (Ethnicity.WHITE_OTHER, 6),
        (Ethnicity.ASIAN_BANGLADESHI, 1.5),
        (Ethnicity.ASIAN_CHINESE, 0.5),
        (Ethnicity.ASIAN_INDIAN, 1.5),
        (Ethnicity.ASIAN_PAKISTANI, 3),
        (Ethnicity.ASIAN_OTHER, 1),
        (Ethnicity.BLACK_AFRICAN, 3),
        (Ethnicity.BLACK_CARIBBEAN, 3),
        (Ethnicity.BLACK_OTHER, 1),
        (Ethnicity.MIXED_WHITE_ASIAN, 0.5),
        (Ethnicity.MIXED_WHITE_BLACK_AFRICAN, 0.5),
        (Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN, 2),
        (Ethnicity.MIXED_OTHER, 1),
        (Ethnicity.OTHER_ARAB, 1),
        (Ethnicity.OTHER_ANY, 1),
        (Ethnicity.NOT_KNOWN, 4),
        (Ethnicity.PREFER_NOT, 1),
    ]
)
ORIENTATIONS = Pick(
    [
        ("heterosexual", 78),
        ("gay_lesbian", 4),
        ("bisexual", 4),
        ("other", 1),
        ("not_known", 10),
        ("prefer_not", 3),
    ]
)
RELIGIONS = Pick(
    [
        ("none", 45),
        ("christian", 25),
        ("muslim", 8),
        ("hindu", 1),
        ("sikh", 1),
        ("buddhist", 1),
        ("jewish", 0.5),
        ("other", 1.5),
        ("not_known", 14),
        ("prefer_not", 3),
    ]
)
YES_NO = Pick([("yes", 45), ("no", 35), ("not_known", 17), ("prefer_not", 3)])
PARTICIPATION = Pick([("yes", 70), ("partly", 20), ("no", 10)])
CONSENT = Pick([("yes", 85), ("not_asked", 10), ("no", 5)])
ATTENDANCE = Pick([("present", 78), ("apologies", 14), ("absent", 8)])
MDT_SOURCES = Pick([("navigator", 60), ("partner", 30), ("self", 10)])
URGENCY = Pick([("routine", 70), ("soon", 22), ("urgent", 8)])
CASE_OUTCOMES = Pick(
    [("continue", 45), ("resolved", 27), ("closed", 13), ("escalated", 10), ("declined", 5)]
)
ACTIONS_PER_CASE = Pick([(0, 10), (1, 35), (2, 35), (3, 20)])
DESTINATIONS = Pick(
    [
        (ExitDestination.NO_LONGER_NEEDED, 25),
        (ExitDestination.OTHER_SUPPORT, 25),
        (ExitDestination.DISENGAGED, 15),
        (ExitDestination.PRISON, 8),
        (ExitDestination.HOSPITAL, 4),
        (ExitDestination.DECEASED, 3),
        (ExitDestination.MOVED_AWAY, 7),
        (ExitDestination.EXCLUDED, 2),
        (ExitDestination.OTHER, 3),
        (ExitDestination.UNKNOWN, 8),
    ]
)
PLANNED_ENDINGS = {ExitDestination.NO_LONGER_NEEDED, ExitDestination.OTHER_SUPPORT}
DURATIONS = {  # days from the first contact to the end, by where people went
    ExitDestination.NO_LONGER_NEEDED: (300, 540),
    ExitDestination.OTHER_SUPPORT: (240, 540),
    ExitDestination.DISENGAGED: (45, 300),
}
CONTACT_KINDS = Pick(
    [
        (ContactKind.FACE_TO_FACE, 35),
        (ContactKind.PHONE, 25),
        (ContactKind.MESSAGE, 15),
        (ContactKind.OUTREACH, 8),
        (ContactKind.ACCOMPANIED, 7),
        (ContactKind.ATTEMPTED, 10),
    ]
)
CONTACT_MINUTES = {
    ContactKind.FACE_TO_FACE: (20, 120),
    ContactKind.PHONE: (5, 45),
    ContactKind.MESSAGE: (2, 15),
    ContactKind.OUTREACH: (30, 180),
    ContactKind.ACCOMPANIED: (60, 240),
    ContactKind.ATTEMPTED: (5, 30),
}
EVENT_KINDS = Pick(
    [
        (EventKind.AE_ATTENDANCE, 25),
        (EventKind.EMERGENCY_ADMISSION, 8),
        (EventKind.MENTAL_HEALTH_INPATIENT, 4),
        (EventKind.ARREST, 12),
        (EventKind.CUSTODY, 6),
        (EventKind.EVICTION, 3),
        (EventKind.ROUGH_SLEEPING, 22),
        (EventKind.AMBULANCE, 20),
    ]
)
EVENT_STAYS = {
    EventKind.MENTAL_HEALTH_INPATIENT: (2, 30),
    EventKind.CUSTODY: (1, 60),
    EventKind.ROUGH_SLEEPING: (1, 14),
}
EVENT_SOURCES = Pick(
    [
        (EventSource.SELF_REPORTED, 50),
        (EventSource.PARTNER_RECORD, 35),
        (EventSource.STAFF_OBSERVED, 15),
    ]
)
FIRST_HOMES = Pick(
    [
        (AccommodationStatus.ROUGH_SLEEPING, 25),
        (AccommodationStatus.SOFA_SURFING, 15),
        (AccommodationStatus.TEMPORARY, 20),
        (AccommodationStatus.HOSTEL, 25),
        (AccommodationStatus.SETTLED, 5),
        (AccommodationStatus.PRISON, 5),
        (AccommodationStatus.HOSPITAL, 2),
        (AccommodationStatus.OTHER, 3),
    ]
)
NEXT_HOMES = {  # where people move on to: mostly towards a settled tenancy
    AccommodationStatus.ROUGH_SLEEPING: ["hostel", "temporary", "sofa_surfing", "prison"],
    AccommodationStatus.SOFA_SURFING: ["hostel", "temporary", "rough_sleeping", "settled"],
    AccommodationStatus.TEMPORARY: ["hostel", "settled", "settled", "sofa_surfing"],
    AccommodationStatus.HOSTEL: ["settled", "settled", "temporary", "rough_sleeping"],
    AccommodationStatus.SETTLED: ["settled", "hostel", "hospital"],
    AccommodationStatus.PRISON: ["hostel", "temporary", "rough_sleeping"],
    AccommodationStatus.HOSPITAL: ["hostel", "temporary", "settled"],
    AccommodationStatus.OTHER: ["hostel", "temporary"],
}
# Topics a contact covered, as the JSON the column holds.
TOPIC_SETS = [
    json.dumps(topics.split())
    for topics in [
        "",
        "housing",
        "health",
        "mental_health",
        "substance_use",
        "money",
        "housing money",
        "mental_health substance_use",
        "justice",
        "family safety",
        "housing health money",
        "work_training",
    ]
]
assert all(t in Topic.values for s in TOPIC_SETS for t in json.loads(s))


# --- the plan: people, episodes and who worked with them ------------------------------------------


@dataclass(slots=True)
class Worker:
    id: uuid.UUID
    role: str
    organisation: uuid.UUID
    capacity: float = 0.0
    load: int = 0
    n: int = 0


@dataclass(slots=True)
class Someone:
    id: uuid.UUID
    n: int
    gender: str
    ethnicity: str
    first: str
    last: str
    known_as: str
    dob: date | None
    nhs: str


@dataclass(slots=True)
class Ep:
    n: int
    id: uuid.UUID
    person: Someone
    referral: uuid.UUID
    r: int  # referral received (day)
    d: int  # decision, episode opened
    a: int | None = None  # first lead navigator allocated
    s: int | None = None  # first contact that reached the person: the start date
    e: int | None = None  # closed (None: open at the end of the window)
    destination: str = ""
    pause: tuple | None = None  # (from, to or None, reason)
    handover: int | None = None
    peer: tuple | None = None  # (from, to or None) wanted; allocated in the sweep
    leads: list = field(default_factory=list)  # [(from day, Worker, allocation id, over)]
    peers: list = field(default_factory=list)  # [(from day, to day or None, Worker, id, over)]
    disadvantages: tuple = ()

    def last_day(self, end):
        return end if self.e is None else self.e

    def lead_on(self, day):
        worker = None
        for start, who, _, _ in self.leads:
            if start <= day:
                worker = who
        return worker

    def peer_on(self, day):
        for start, stop, who, _, _ in self.peers:
            if start <= day and (stop is None or day < stop):
                return who
        return None

    def paused_on(self, day):
        if self.pause is None:
            return False
        start, stop, _ = self.pause
        return start <= day and (stop is None or day < stop)

    @property
    def status(self):
        if self.e is not None:
            return EpisodeStatus.CLOSED
        if self.a is None:
            return EpisodeStatus.AWAITING_ALLOCATION
        if self.pause and self.pause[1] is None:
            return EpisodeStatus.PAUSED
        return EpisodeStatus.ACTIVE


class Room:
    """Workers by room left (load against capacity, most room first) in a heap whose stale
    entries are skipped: each allocation costs a few heap steps, not a sort of the team."""

    def __init__(self, workers):
        self.heap = [(w.load - w.capacity, w.n, w) for w in workers]
        heapq.heapify(self.heap)

    def add(self, worker, n):
        worker.load += n
        heapq.heappush(self.heap, (worker.load - worker.capacity, worker.n, worker))

    def roomiest(self, rng, exclude=None, among=3):
        """One of the `among` workers with most room (not `exclude`), by chance."""
        found, seen = [], set()
        while self.heap and len(found) < among + 1:
            key, n, worker = heapq.heappop(self.heap)
            if key == worker.load - worker.capacity and n not in seen:
                seen.add(n)
                found.append(worker)
        for worker in found:
            heapq.heappush(self.heap, (worker.load - worker.capacity, worker.n, worker))
        found = [w for w in found if w is not exclude][:among]
        return found[rng.randrange(len(found))] if found else None


def nhs_number(rng):
    """A fictional NHS number that passes the modulus 11 check."""
    while True:
        digits = [rng.randrange(10) for _ in range(9)]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        if check == 11:
            check = 0
        if check != 10:
            return "".join(map(str, digits)) + str(check)


# --- writing rows -------------------------------------------------------------------------------


class Loader:
    """Writes rows of plain values to a model's table: COPY on PostgreSQL, executemany
    elsewhere. Columns not given take the field's constant default (or NULL/empty)."""

    def __init__(self, write):
        self.postgres = connection.vendor == "postgresql"
        self.write = write
        self.rows = 0

    def load(self, label, model, columns, rows):
        """Write `rows` (tuples, in the order of `columns`, a space-separated string of
        attribute names) and report how many and how long."""
        started = clock.monotonic()
        fields = [model._meta.get_field(name) for name in columns.split()]
        given = {f.attname for f in fields}
        rest = [
            f
            for f in model._meta.concrete_fields
            if f.attname not in given and not isinstance(f, models.AutoField | models.BigAutoField)
        ]
        tail = tuple(self._default(model, f) for f in rest)
        fields += rest
        if self.postgres:
            n = self._copy(model._meta.db_table, fields, rows, tail)
        else:
            n = self._insert(model._meta.db_table, fields, rows, tail)
        self.rows += n
        self.write(f"  {label:<32} {n:>11,} rows {clock.monotonic() - started:8.1f} s")
        return n

    @staticmethod
    def _default(model, f):
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            raise ValueError(f"{model.__name__}.{f.name} must be given: it is a date of record.")
        if f.has_default():
            if callable(f.default) and f.default not in (list, dict):
                raise ValueError(f"{model.__name__}.{f.name} has a per-row default: give it.")
            value = f.get_default()
        elif f.null:
            value = None
        elif f.empty_strings_allowed:
            value = ""
        else:
            raise ValueError(f"{model.__name__}.{f.name} needs a value.")
        return json.dumps(value) if isinstance(f, models.JSONField) else value

    def _copy(self, table, fields, rows, tail):
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in fields)
        n = 0
        with connection.cursor() as cursor:
            aside = self._set_aside(cursor, table)
            with cursor.copy(f"COPY {qn(table)} ({columns}) FROM STDIN") as copy:
                write = copy.write_row
                for n, row in enumerate(rows, 1):  # noqa: B007 - n is the count
                    write(row + tail if tail else row)
            self._restore(cursor, table, aside)
            cursor.execute(f"ANALYZE {qn(table)}")
        return n

    @staticmethod
    def _set_aside(cursor, table):
        """Drop the table's non-unique indexes and its foreign keys for the COPY: rebuilding
        an index once is far quicker than updating it row by row. Unique and check constraints
        stay, and the foreign keys are re-added (so re-checked) before the transaction ends."""
        # Rows written through the ORM earlier in the transaction (the shipped schemes) leave
        # deferred checks pending, and a table with pending checks cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class c ON c.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisunique",
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        keys = cursor.fetchall()
        qn = connection.ops.quote_name
        for name, _ in keys:
            cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {qn(name)}")
        return indexes, keys

    @staticmethod
    def _restore(cursor, table, aside):
        indexes, keys = aside
        qn = connection.ops.quote_name
        for _, definition in indexes:
            cursor.execute(definition)
        for name, definition in keys:
            cursor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    @staticmethod
    def _insert(table, fields, rows, tail):
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {qn(table)} ({columns}) VALUES ({marks})"  # noqa: S608 - model names
        # JSON arrives already encoded; everything else is prepared as the ORM would.
        preps = [None if isinstance(f, models.JSONField) else f.get_db_prep_save for f in fields]
        n, batch = 0, []
        with connection.cursor() as cursor:
            for n, row in enumerate(rows, 1):  # noqa: B007 - n is the count
                row = row + tail
                batch.append(
                    [v if p is None else p(v, connection) for v, p in zip(row, preps, strict=True)]
                )
                if len(batch) >= 500:
                    cursor.executemany(sql, batch)
                    batch.clear()
            if batch:
                cursor.executemany(sql, batch)
        return n


# --- the command --------------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Fill an empty database with fictional people at N times one city's volumes, in one "
        "team, for benchmarks: seed_scale --factor 10. Needs DEBUG=true. See "
        "docs/performance.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--factor",
            type=float,
            default=1.0,
            help="Multiple of one city's volumes (1 = 400 people over three years). "
            "Fractions make a small data set: 0.02 is 8 people.",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--until",
            type=date.fromisoformat,
            default=None,
            help="Last day of the three years of data, YYYY-MM-DD (default today).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Add the data even though the database already holds people.",
        )
        parser.add_argument(
            "--team-name",
            default="Changing Futures City Navigators",
            help="The one team that holds the data.",
        )

    def handle(self, *args, factor, seed, until, force, team_name, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_scale fills the database with fictional people for benchmarks, so it "
                "runs only with DEBUG=true: never against a live service's database."
            )
        if not 0 < factor <= 1000:
            raise CommandError("--factor must be above 0 and at most 1000.")
        if Person.objects.exists() and not force:
            raise CommandError(
                "The database already holds people. seed_scale fills an empty database "
                "(run `manage.py flush` first), or add --force to add to what is there."
            )
        if Team.objects.filter(name=team_name).exists():
            raise CommandError(
                f"A team called “{team_name}” already exists: choose another with --team-name."
            )
        if User.objects.filter(username__startswith="scale-").exists():
            raise CommandError(
                "This database already holds a seed_scale data set (users named scale-…). "
                "Flush it first."
            )
        started = clock.monotonic()
        self.factor, self.seed = factor, seed
        self.end_day = until or timezone.localdate()
        self.day0 = self.end_day - timedelta(days=DAYS - 1)
        self.END = DAYS - 1
        self.days = [self.day0 + timedelta(days=i) for i in range(DAYS + 400)]
        self.team_name = team_name
        self.out(
            f"seed_scale: factor {factor:g}, seed {seed}, {self.day0} to {self.end_day}, "
            f"{connection.vendor}"
        )
        loader = Loader(self.out)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            self.plan()
            self.load(loader)
        self.out(
            f"Done: {loader.rows:,} rows in {clock.monotonic() - started:.1f} s. Latest "
            f"complete quarter: {Quarter.containing(self.end_day).previous()}."
        )

    def out(self, text):
        self.stdout.write(text)
        self.stdout.flush()

    # --- helpers -----------------------------------------------------------------------------

    def rng(self, name):
        """One random stream per table, so changing one table never moves another's ids."""
        return random.Random(f"seed_scale:{self.seed}:{name}")

    @staticmethod
    def uid(rng):
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    def at(self, day, minute):
        """Day offset and minutes after midnight, as an aware London time."""
        return datetime.combine(self.days[day], time(minute // 60, minute % 60), tzinfo=LONDON)

    def scaled(self, n):
        return max(1, round(n * self.factor))

    # --- the plan ----------------------------------------------------------------------------

    def plan(self):
        started = clock.monotonic()
        rng = self.rng("plan")
        uid = self.uid
        END = self.END

        self.host = (uid(rng), *HOST)
        self.partners = [(uid(rng), name, sector) for name, sector in PARTNERS]
        self.team_id = uid(rng)

        self.staff = {role: [] for role in STAFF}
        for role, n in STAFF.items():
            for i in range(self.scaled(n)):
                w = Worker(uid(rng), role, self.host[0], n=i)
                self.staff[role].append(w)
        self.members = {}
        for org_id, _, _ in self.partners:
            self.members[org_id] = [
                Worker(uid(rng), Role.MDT_MEMBER, org_id, n=i)
                for i in range(self.scaled(MDT_MEMBERS_PER_ORGANISATION))
            ]
        self.profiles = {}  # worker id -> (first, last, gender, fte, hours, specialism, langs)
        for role, workers in self.staff.items():
            for w in workers:
                gender = Pick([(Gender.WOMAN, 62), (Gender.MAN, 36), (Gender.NON_BINARY, 2)])(rng)
                fte, hours, specialism = Decimal("1.00"), Decimal("0"), Specialism.NONE
                if role == Role.NAVIGATOR:
                    fte = Pick(
                        [(Decimal("1.00"), 70), (Decimal("0.80"), 18), (Decimal("0.60"), 12)]
                    )(rng)
                    specialism = Pick(
                        [
                            (Specialism.NONE, 60),
                            (Specialism.WOMEN, 15),
                            (Specialism.ETHNIC_MINORITY, 10),
                            (Specialism.LIVED_EXPERIENCE, 10),
                            (Specialism.SOCIAL_WORKER, 5),
                        ]
                    )(rng)
                elif role == Role.PEER_MENTOR:
                    fte = Decimal("0.60")
                    hours = Decimal(rng.choice([9, 12, 15, 18]))
                first = rng.choice(WOMEN if gender == Gender.WOMAN else MEN)
                languages = rng.choice(["", "", "", "Polish", "Urdu, Punjabi", "Bengali", "Somali"])
                last = rng.choice(SURNAMES)
                self.profiles[w.id] = (first, last, gender, fte, hours, specialism, languages)
                probe = User(role=role, fte=fte, planned_hours=hours)
                w.capacity = float(capacity_of(probe))
        for members in self.members.values():
            for w in members:
                gender = Pick([(Gender.WOMAN, 55), (Gender.MAN, 45)])(rng)
                first = rng.choice(WOMEN if gender == Gender.WOMAN else MEN)
                last = rng.choice(SURNAMES)
                self.profiles[w.id] = (first, last, gender, Decimal("1.00"), Decimal("0"), "", "")

        # People and their first referral: intake grows year by year.
        people_n = self.scaled(PEOPLE)
        years = Pick([(y, w) for y, w in enumerate(INTAKE_BY_YEAR)])
        self.people, self.episodes, self.pending = [], [], []
        arrivals = sorted(years(rng) * 365 + rng.randrange(365) for _ in range(people_n))
        for n, r in enumerate(arrivals):
            person = self._someone(rng, n)
            d = r + 1 + min(int(rng.expovariate(1 / 7)), 40)
            if d > END:
                self.pending.append((r, person))
                continue
            self.people.append(person)
            self.episodes.append(self._episode(rng, person, r, d))
        # Some people come back: a new referral after an ending that was not planned.
        returners = []
        for ep in self.episodes:
            unplanned = ep.destination not in PLANNED_ENDINGS and ep.e is not None
            if unplanned and rng.random() < 0.15:
                r = ep.e + rng.randint(60, 240)
                d = r + 1 + min(int(rng.expovariate(1 / 7)), 40)
                if d <= END:
                    returners.append(self._episode(rng, ep.person, r, d))
        self.episodes += returners
        self.episodes.sort(key=lambda ep: (ep.r, ep.person.n))
        for n, ep in enumerate(self.episodes):
            ep.n = n
        self.by_person = {}
        for ep in self.episodes:
            self.by_person.setdefault(ep.person.id, []).append(ep)
        # Referrals that were not accepted (or are waiting), beside the people's own.
        self.others = []
        for _ in range(round(NOT_ACCEPTED_SHARE * people_n)):
            r = years(rng) * 365 + rng.randrange(365)
            self.others.append((r, self._someone(rng, -1)))
        self._allocate(rng)
        open_at_end = sum(1 for ep in self.episodes if ep.e is None and ep.s is not None)
        quarter = Quarter.containing(self.end_day).previous()
        q_end = (quarter.end - self.day0).days
        active_q = sum(
            1
            for ep in self.episodes
            if ep.s is not None and ep.s <= q_end and (ep.e is None or ep.e > q_end)
        )
        self.out(
            f"  {'plan':<32} {len(self.people):>7,} people, {len(self.episodes):,} episodes, "
            f"{open_at_end:,} active today, {active_q:,} at the end of {quarter} "
            f"{clock.monotonic() - started:8.1f} s"
        )

    def _someone(self, rng, n):
        gender = GENDERS(rng)
        if gender == Gender.WOMAN:
            first = rng.choice(WOMEN)
        elif gender == Gender.MAN:
            first = rng.choice(MEN)
        else:
            first = rng.choice(WOMEN + MEN)
        age = 18 + min(int(rng.gammavariate(4, 5)), 60)
        dob = None
        if rng.random() > 0.03:
            dob = self.end_day - timedelta(days=age * 365 + rng.randrange(365))
        return Someone(
            id=self.uid(rng),
            n=n,
            gender=gender,
            ethnicity=ETHNICITIES(rng),
            first=first,
            last=rng.choice(SURNAMES),
            known_as=rng.choice(NICKNAMES) if rng.random() < 0.1 else "",
            dob=dob,
            nhs=nhs_number(rng) if rng.random() < 0.6 else "",
        )

    def _episode(self, rng, person, r, d):
        """One episode's days: decision, allocation, first contact, pause, handover, end."""
        END = self.END
        ep = Ep(0, self.uid(rng), person, self.uid(rng), r, d)
        count = Pick([(3, 45), (4, 30), (5, 13), (2, 9), (1, 3)])(rng)
        flags = [True] * count + [False] * (5 - count)
        rng.shuffle(flags)
        if person.gender == Gender.WOMAN and not flags[4] and rng.random() < 0.5:
            # Half the women referred name domestic abuse: swap it in, keeping the count.
            flags[flags.index(True)], flags[4] = False, True
        ep.disadvantages = tuple(flags)
        a = d + min(int(rng.expovariate(1 / 4)), 30)
        if a > END:
            return ep  # waiting for a lead navigator at the end
        ep.a = a
        ep.destination = DESTINATIONS(rng)
        lo, hi = DURATIONS.get(ep.destination, (60, 400))
        length = rng.randint(lo, hi)
        if rng.random() < 0.02:  # never reached: closed as disengaged without a start
            ep.destination = ExitDestination.DISENGAGED
            e = a + rng.randint(60, 120)
            ep.e = e if e <= END else None
            if ep.e is None:
                ep.destination = ""
            return ep
        s = a + min(int(rng.expovariate(1 / 5)), 30)
        if s > END:
            ep.destination = ""
            return ep  # allocated, not reached yet
        ep.s = s
        e = s + length
        ep.e = e if e <= END else None
        last = ep.last_day(END)
        if rng.random() < 0.12 and length > 90:
            p1 = s + rng.randint(30, length - 30)
            if p1 < last:
                p2 = p1 + rng.randint(14, 120)
                reason = Pick(
                    [
                        (PauseReason.PRISON, 40),
                        (PauseReason.HOSPITAL, 35),
                        (PauseReason.PERSON_ASKED, 20),
                        (PauseReason.OTHER, 5),
                    ]
                )(rng)
                if p2 >= last:
                    p2 = None  # closed, or still paused at the end, without resuming
                ep.pause = (p1, p2, reason)
        if rng.random() < 0.2 and length > 120:
            h = s + rng.randint(60, length - 30)
            if h < last and not ep.paused_on(h):
                ep.handover = h
        if rng.random() < 0.12:
            p = s + rng.randint(14, 90)
            if p < last:
                ep.peer = (p, p + rng.randint(90, 300))
        if ep.e is None:
            ep.destination = ""
        return ep

    def _allocate(self, rng):
        """Walk the three years in order, giving each episode the navigator (and peer mentor)
        with most room, as a team leader would; over capacity when nobody has room."""
        END = self.END
        navigators = self.staff[Role.NAVIGATOR]
        peers = self.staff[Role.PEER_MENTOR]
        events = []
        for ep in self.episodes:
            if ep.a is not None:
                events.append((ep.a, 1, ep.n, "lead"))
            if ep.handover is not None:
                events.append((ep.handover, 1, ep.n, "handover"))
            if ep.e is not None:
                events.append((ep.e, 0, ep.n, "close"))
            if ep.peer is not None:
                events.append((ep.peer[0], 2, ep.n, "peer"))
                if ep.peer[1] <= END and (ep.e is None or ep.peer[1] < ep.e):
                    events.append((ep.peer[1], 0, ep.n, "peer_end"))
        events.sort()

        room = Room(navigators)
        for day, _, n, what in events:
            ep = self.episodes[n]
            if what == "lead":
                w = room.roomiest(rng)
                ep.leads.append((day, w, self.uid(rng), w.load + 1 > w.capacity))
                room.add(w, 1)
            elif what == "handover":
                old = ep.leads[-1][1]
                w = room.roomiest(rng, exclude=old) or old
                room.add(old, -1)
                ep.leads.append((day, w, self.uid(rng), w.load + 1 > w.capacity))
                room.add(w, 1)
            elif what == "close":
                room.add(ep.leads[-1][1], -1)
                if ep.peers and ep.peers[-1][1] is None:
                    ep.peers[-1][2].load -= 1
            elif what == "peer":
                free = [w for w in peers if w.load + 1 <= w.capacity]
                if free:
                    w = free[rng.randrange(len(free))]
                    ep.peers.append([day, None, w, self.uid(rng), False])
                    w.load += 1
            elif what == "peer_end" and ep.peers:
                ep.peers[-1][1] = day
                ep.peers[-1][2].load -= 1
        for ep in self.episodes:
            ep.peers = [tuple(p) for p in ep.peers]

    # --- loading -------------------------------------------------------------------------------

    def load(self, loader):
        self.organisations(loader)
        self.users(loader)
        self.persons(loader)
        self.referrals(loader)
        self.episodes_and_allocations(loader)
        self.contacts(loader)
        self.assessments(loader)
        self.reqol(loader)
        self.outcomes(loader)
        self.mdt(loader)
        self.domestic_abuse(loader)
        self.documents(loader)

    def organisations(self, loader):
        now = self.at(0, 9 * 60)
        existing = dict(Organisation.objects.values_list("name", "id"))
        rows, self.org_ids = [], {}
        for org_id, name, sector in [self.host, *self.partners]:
            self.org_ids[org_id] = existing.get(name, org_id)
            if name not in existing:
                rows.append((org_id, now, now, name, sector))
        loader.load(
            "organisations",
            Organisation,
            "id created_at updated_at name sector",
            iter(rows),
        )
        # Organisations that were there already keep their ids; ours map onto them.
        self.host = (self.org_ids[self.host[0]], *self.host[1:])
        self.partners = [(self.org_ids[o], n, s) for o, n, s in self.partners]
        self.members = {self.org_ids[o]: m for o, m in self.members.items()}
        for members in self.members.values():
            for w in members:
                w.organisation = self.org_ids[w.organisation]
        for workers in self.staff.values():
            for w in workers:
                w.organisation = self.host[0]
        public = not Team.objects.filter(receives_public_referrals=True).exists()
        loader.load(
            "teams",
            Team,
            "id created_at updated_at name organisation_id receives_public_referrals",
            iter([(self.team_id, now, now, self.team_name, self.host[0], public)]),
        )

    def users(self, loader):
        password = make_password(DEMO_PASSWORD)
        joined = self.at(0, 9 * 60)
        counters = {}

        def rows():
            everyone = [w for ws in self.staff.values() for w in ws]
            everyone += [w for ws in self.members.values() for w in ws]
            for w in everyone:
                first, last, gender, fte, hours, specialism, languages = self.profiles[w.id]
                counters[w.role] = counters.get(w.role, 0) + 1
                username = f"scale-{w.role.replace('_', '-')}-{counters[w.role]}"
                team = None if w.role == Role.MDT_MEMBER else self.team_id
                yield (
                    w.id,
                    password,
                    username,
                    first,
                    last,
                    f"{username}@example.org",
                    joined,
                    w.role,
                    specialism,
                    w.organisation,
                    team,
                    gender,
                    fte,
                    hours,
                    languages,
                )

        users = list(rows())
        loader.load(
            "users",
            User,
            (
                "id password username first_name last_name email date_joined role specialism "
                "organisation_id team_id gender fte planned_hours languages"
            ),
            iter(users),
        )
        # Loaded without save(), so each profile's first version is written here: capacity as
        # at a past quarter end reads the versions (ADR 0019).
        loader.load(
            "staff profile versions",
            User.history.model,
            (
                "id username is_active role specialism fte planned_hours team_id history_date "
                "history_type history_change_reason"
            ),
            (
                (u[0], u[2], True, u[7], u[8], u[12], u[13], u[10], u[6], "+", "Seeded")
                for u in users
            ),
        )

    def persons(self, loader):
        rng = self.rng("persons")
        flags = list(RiskFlag.values)
        aliases = []

        def rows():
            for person in self.people:
                first_ep = self.by_person[person.id][0]
                created = self.at(first_ep.d, 8 * 60 + 45)
                risk = []
                if rng.random() < 0.3:
                    risk = sorted(rng.sample(flags, rng.randint(1, 2)))
                approx = None
                if person.dob is None:
                    approx = 20 + rng.randrange(45)
                if rng.random() < 0.12:
                    for name in {f"{rng.choice(WOMEN + MEN)} {person.last}", person.last}:
                        aliases.append((self.uid(rng), created, created, person.id, name))
                yield (
                    person.id,
                    created,
                    created,
                    self.team_id,
                    person.first,
                    person.last,
                    person.known_as,
                    person.dob,
                    approx,
                    self.days[first_ep.d] if approx else None,
                    person.nhs,
                    f"07700 9{rng.randrange(100000):05d}" if rng.random() < 0.7 else "",
                    YES_NO(rng),
                    person.gender,
                    "yes" if rng.random() < 0.85 else YES_NO(rng),
                    person.ethnicity,
                    ORIENTATIONS(rng),
                    RELIGIONS(rng),
                    YES_NO(rng),
                    json.dumps(risk),
                    "woman" if person.gender == Gender.WOMAN and rng.random() < 0.3 else "",
                    rng.random() < 0.2,
                )

        loader.load(
            "people",
            Person,
            (
                "id created_at updated_at team_id first_name last_name known_as date_of_birth "
                "approximate_age approximate_age_recorded_on nhs_number phone safe_to_text "
                "gender gender_same_as_sex_at_birth ethnicity sexual_orientation religion "
                "disability risk_flags worker_gender_preference wants_lived_experience"
            ),
            rows(),
        )
        loader.load(
            "person aliases",
            PersonAlias,
            "id created_at updated_at person_id name",
            iter(aliases),
        )

    def referrals(self, loader):
        rng = self.rng("referrals")
        END = self.END
        references = set()
        leaders = self.staff[Role.TEAM_LEADER]
        navigators = self.staff[Role.NAVIGATOR]
        decisions = []
        keys = ["homelessness", "mental_health", "substance_misuse", "offending", "domestic_abuse"]

        def reference():
            while True:
                ref = "R-" + "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(6))
                if ref not in references:
                    references.add(ref)
                    return ref

        def row(ref_id, r, person, status, flags, linked):
            created = self.at(r, 8 * 60 + rng.randrange(10 * 60))
            public = rng.random() < 0.4
            source = rng.random()
            org, org_name, self_referral = None, "", False
            if source < 0.08:
                self_referral = True
            elif source < 0.93:
                org = self.partners[rng.randrange(len(self.partners))][0]
            else:
                org_name = rng.choice(["Salvation Army", "Local church", "Friend of the family"])
            told = rng.random() < 0.7
            return (
                ref_id,
                created,
                created,
                reference(),
                self.team_id,
                "public_form" if public else "staff",
                status,
                person.id if linked else None,
                person.first,
                person.last,
                person.known_as,
                person.dob,
                person.nhs if rng.random() < 0.5 else "",
                "Mobile, texts are safe." if rng.random() < 0.6 else "",
                person.gender if told else "",
                person.ethnicity if told else "",
                *flags,
                rng.choice(WHY_NOW),
                CONSENT(rng),
                "Visit in pairs." if rng.random() < 0.1 else "",
                self_referral,
                org,
                org_name,
                f"{person.first} {person.last}" if self_referral else rng.choice(MEN + WOMEN),
                "Phone 0113 496 0000" if not self_referral else "Via the day centre",
                None if public else navigators[rng.randrange(len(navigators))].id,
            )

        def decide(ref_id, d, outcome, count):
            reason = signposted = ""
            if outcome == "discretion":
                reason = "Below three, but services keep losing touch; the team agreed to try."
            elif outcome == "not_eligible":
                reason = rng.choice(NOT_ELIGIBLE_REASONS)
                signposted = rng.choice(SIGNPOSTED)
            elif outcome == "withdrawn":
                reason = "The person said they did not want it for now."
            at = self.at(d, 9 * 60 + rng.randrange(90))
            decisions.append(
                (
                    self.uid(rng),
                    at,
                    at,
                    ref_id,
                    outcome,
                    count,
                    reason,
                    signposted,
                    leaders[rng.randrange(len(leaders))].id,
                    at,
                )
            )

        def rows():
            for ep in self.episodes:
                count = sum(ep.disadvantages)
                outcome = "eligible" if count >= 3 else "discretion"
                if rng.random() < 0.04 and ep.d - ep.r >= 3:  # withdrawn, then reconsidered
                    decide(ep.referral, ep.r + 1, "withdrawn", count)
                decide(ep.referral, ep.d, outcome, count)
                yield row(ep.referral, ep.r, ep.person, outcome, self._notes(rng, ep), True)
            for r, person in self.pending:
                flags = self._flags(rng, Pick([(3, 60), (4, 25), (2, 15)])(rng))
                yield row(self.uid(rng), r, person, "new", flags, False)
            for r, person in self.others:
                ref_id = self.uid(rng)
                count = Pick([(1, 30), (2, 45), (3, 15), (0, 10)])(rng)
                d = r + 1 + min(int(rng.expovariate(1 / 10)), 60)
                if d > END:
                    outcome = "new"
                else:
                    outcome = "not_eligible" if rng.random() < 0.6 else "withdrawn"
                    decide(ref_id, d, outcome, count)
                flags = self._flags(rng, count)
                yield row(ref_id, r, person, outcome, flags, False)

        columns = (
            "id created_at updated_at reference team_id channel status person_id first_name "
            "last_name known_as date_of_birth nhs_number contact_details gender ethnicity "
            + " ".join(f"{key} {key}_note" for key in keys)
            + " why_now consent safety_information is_self_referral referrer_organisation_id "
            "referrer_organisation_name referrer_name referrer_contact referred_by_user_id"
        )
        loader.load("referrals", Referral, columns, rows())
        loader.load(
            "eligibility decisions",
            EligibilityDecision,
            (
                "id created_at updated_at referral_id outcome disadvantage_count reason "
                "signposted_to decided_by_id decided_at"
            ),
            iter(decisions),
        )

    @staticmethod
    def _flags(rng, count):
        flags = [True] * count + [False] * (5 - count)
        rng.shuffle(flags)
        return Command._with_notes(rng, flags)

    @staticmethod
    def _notes(rng, ep):
        return Command._with_notes(rng, list(ep.disadvantages))

    @staticmethod
    def _with_notes(rng, flags):
        out = []
        for flag in flags:
            out += [flag, "Told us at the first meeting." if flag and rng.random() < 0.2 else ""]
        return out

    def episodes_and_allocations(self, loader):
        rng = self.rng("episodes")
        leaders = self.staff[Role.TEAM_LEADER]
        changes, allocations = [], []

        def leader():
            return leaders[rng.randrange(len(leaders))].id

        def change(ep, day, minute, before, after, reason="", note=""):
            at = self.at(day, minute)
            changes.append(
                (self.uid(rng), at, at, ep.id, before, after, reason, note, at, leader())
            )

        def rows():
            for ep in self.episodes:
                opened = self.at(ep.d, 10 * 60 + 45)
                updated = opened
                if ep.a is not None:
                    change(ep, ep.a, 11 * 60, EpisodeStatus.AWAITING_ALLOCATION, "active")
                    updated = self.at(ep.a, 11 * 60)
                if ep.pause:
                    p1, p2, reason = ep.pause
                    change(ep, p1, 10 * 60, "active", "paused", reason, "Paused for now.")
                    if p2 is not None:
                        change(ep, p2, 10 * 60, "paused", "active")
                planned = None
                if ep.e is not None:
                    before = "paused" if ep.pause and ep.pause[1] is None else "active"
                    change(ep, ep.e, 18 * 60 + 45, before, "closed", note="Support ended.")
                    updated = self.at(ep.e, 18 * 60 + 45)
                    planned = (
                        rng.random() < 0.85
                        if ep.destination in PLANNED_ENDINGS
                        else rng.random() < 0.15
                    )
                self._allocation_rows(ep, allocations, leader)
                yield (
                    ep.id,
                    opened,
                    updated,
                    ep.person.id,
                    ep.referral,
                    ep.status,
                    self.days[ep.d],
                    self.days[ep.s] if ep.s is not None else None,
                    self.days[ep.e] if ep.e is not None else None,
                    ep.destination,
                    planned,
                    "Ending talked through together." if planned else "",
                )

        loader.load(
            "episodes",
            Episode,
            (
                "id created_at updated_at person_id referral_id status accepted_on start_date "
                "end_date exit_destination ending_planned closing_note"
            ),
            rows(),
        )
        loader.load(
            "episode status changes",
            EpisodeStatusChange,
            (
                "id created_at updated_at episode_id from_status to_status pause_reason note "
                "changed_at changed_by_id"
            ),
            iter(changes),
        )
        loader.load(
            "allocations",
            Allocation,
            (
                "id created_at updated_at episode_id worker_id kind started_at ended_at "
                "allocated_by_id reason handed_over_from_id over_capacity "
                "over_capacity_reason ended_by_id end_reason"
            ),
            iter(allocations),
        )

    def _allocation_rows(self, ep, out, leader):
        def add(alloc_id, started, ended, worker, kind, reason, previous, over, over_reason, why):
            """One allocation in the columns loaded above: made by a team leader, and ended by
            one when it has ended."""
            out.append(
                (
                    alloc_id,
                    started,
                    ended or started,
                    ep.id,
                    worker.id,
                    kind,
                    started,
                    ended,
                    leader(),
                    reason,
                    previous,
                    over,
                    over_reason,
                    leader() if ended else None,
                    why,
                )
            )

        closed = self.at(ep.e, 18 * 60 + 45) if ep.e is not None else None
        previous = None
        for i, (day, worker, alloc_id, over) in enumerate(ep.leads):
            started = self.at(day, 11 * 60)
            if i + 1 < len(ep.leads):
                ended, why = self.at(ep.leads[i + 1][0], 11 * 60), "Handed over."
            else:
                ended, why = closed, "Support closed." if closed else ""
            add(
                alloc_id,
                started,
                ended,
                worker,
                Allocation.Kind.LEAD_NAVIGATOR,
                "Handover: caseload rebalanced." if previous else "",
                previous,
                over,
                "Nobody has room; covering until a place frees up." if over else "",
                why,
            )
            previous = alloc_id
        for start, stop, worker, alloc_id, over in ep.peers:
            started = self.at(start, 14 * 60)
            ended = self.at(stop, 14 * 60) if stop is not None else closed
            add(
                alloc_id,
                started,
                ended,
                worker,
                Allocation.Kind.PEER_MENTOR,
                "Asked for someone with lived experience.",
                None,
                over,
                "",
                "Peer support finished."
                if stop is not None
                else ("Support closed." if ended else ""),
            )

    # --- contacts --------------------------------------------------------------------------------

    def contacts(self, loader):
        rng = self.rng("contacts")
        uid, at, END = self.uid, self.at, self.END
        leaders = self.staff[Role.TEAM_LEADER]
        partners = [p[0] for p in self.partners]
        versions, agencies, appointments = [], [], []
        kinds = CONTACT_KINDS
        rate = CONTACTS_PER_DAY
        booking = self.rng("appointments")  # its own stream: the contacts' ids stay the same

        def schedule(ep):
            """(day, kind) for one episode: attempts until the first contact that reached the
            person (the start date), then about two a week, few while support is paused."""
            last = ep.last_day(END)
            if ep.s is None:
                day = ep.a
                while (day := day + 1 + int(rng.expovariate(1 / 6))) <= last:
                    yield day, ContactKind.ATTEMPTED
                return
            for _ in range(rng.randint(0, 2) if ep.s > ep.a else 0):
                yield ep.a + int(rng.random() * (ep.s - ep.a)), ContactKind.ATTEMPTED
            yield ep.s, ContactKind.FACE_TO_FACE
            day = float(ep.s)
            while (d := int(day := day + rng.expovariate(rate))) <= last:
                if ep.paused_on(d) and rng.random() < 0.85:
                    continue
                yield d, kinds(rng)

        def rows():
            for ep in self.episodes:
                if ep.a is None:
                    continue
                for d, kind in schedule(ep):
                    author = ep.lead_on(d)
                    peer = ep.peer_on(d)
                    if peer is not None and rng.random() < 0.3:
                        author = peer
                    elif rng.random() < 0.02:
                        author = leaders[rng.randrange(len(leaders))]
                    lo, hi = CONTACT_MINUTES[kind]
                    minutes = lo + int(rng.random() * (hi - lo + 1))
                    when = at(d, 11 * 60 + 30 + int(rng.random() * 420))
                    action, due, done_at, done_by = "", None, None, None
                    if rng.random() < 0.25:
                        action = FOLLOW_UPS[int(rng.random() * len(FOLLOW_UPS))]
                        due_day = d + 1 + int(rng.random() * 14)
                        due = self.days[due_day]
                        if due_day + 7 <= END and rng.random() < 0.85:
                            done_day = min(max(d + 1, due_day - 2 + int(rng.random() * 8)), END)
                            done_at, done_by = at(done_day, 15 * 60), author.id
                    contact_id = uid(rng)
                    summaries = SUMMARIES[kind]
                    summary = summaries[int(rng.random() * len(summaries))]
                    topics = TOPIC_SETS[int(rng.random() * len(TOPIC_SETS))]
                    with_person = kind == ContactKind.ATTEMPTED or rng.random() > 0.08
                    edited = None
                    if rng.random() < 0.004:
                        edited = when + timedelta(hours=2)
                        versions.append(
                            (
                                uid(rng),
                                edited,
                                edited,
                                contact_id,
                                1,
                                when,
                                kind,
                                minutes,
                                with_person,
                                "The first version, before the spelling was corrected.",
                                topics,
                                action,
                                due,
                                author.id,
                                edited,
                            )
                        )
                    if rng.random() < 0.08:
                        agencies.append((contact_id, partners[int(rng.random() * len(partners))]))
                    share = BOOKED_SHARE.get(kind)
                    if share and d > ep.s and not ep.paused_on(d) and booking.random() < share:
                        self._booked(
                            booking, appointments, ep, d, when, minutes, kind, author, contact_id
                        )
                    yield (
                        contact_id,
                        when,
                        edited or when,
                        ep.person.id,
                        ep.id,
                        author.id,
                        when,
                        kind,
                        minutes,
                        with_person,
                        summary,
                        topics,
                        action,
                        due,
                        done_at,
                        done_by,
                        uid(rng),
                        edited,
                    )

        loader.load(
            "contacts",
            Contact,
            (
                "id created_at updated_at person_id episode_id author_id occurred_at kind "
                "duration_minutes with_person summary topics follow_up_action follow_up_due "
                "follow_up_done_at follow_up_done_by_id submission_key edited_at"
            ),
            rows(),
        )
        loader.load(
            "contact agencies",
            Contact.agencies.through,
            "contact_id organisation_id",
            iter(agencies),
        )
        loader.load(
            "contact versions",
            ContactVersion,
            (
                "id created_at updated_at contact_id number occurred_at kind duration_minutes "
                "with_person summary topics follow_up_action follow_up_due edited_by_id "
                "edited_at"
            ),
            iter(versions),
        )
        self._upcoming(booking, appointments)
        loader.load(
            "appointments",
            Appointment,
            (
                "id created_at updated_at person_id worker_id booked_by_id starts_at ends_at "
                "kind place other_attendees remind_before_hours status contact_id outcome_at "
                "outcome_by_id cancel_reason version"
            ),
            iter(appointments),
        )

    def _appointment(self, rng, ep, day, starts, minutes, kind, worker):
        """One appointment's columns up to its outcome: booked by its worker up to a fortnight
        ahead (never before support began, and before the day's first appointment)."""
        booked = self.at(max(ep.s, day - rng.randint(1, 14)), 8 * 60 + rng.randrange(90))
        place = "By phone" if kind == ContactKind.PHONE else PLACES[rng.randrange(len(PLACES))]
        return (
            self.uid(rng),
            booked,
            ep.person.id,
            worker.id,
            worker.id,
            starts,
            starts + timedelta(minutes=minutes),
            kind,
            place,
            "Housing officer" if rng.random() < 0.05 else "",
            REMINDERS[rng.randrange(len(REMINDERS))],
        )

    def _booked(self, rng, out, ep, d, when, minutes, kind, worker, contact_id):
        """An appointment kept (attended: the contact it became), and now and then an earlier
        one with the same worker that the person missed, or that was called off."""
        a_id, booked, *rest = self._appointment(rng, ep, d, when, minutes, kind, worker)
        out.append(
            (
                a_id,
                booked,
                when,
                *rest,
                AppointmentStatus.ATTENDED,
                contact_id,
                when,
                worker.id,
                "",
                2,
            )
        )
        for status, share in (
            (AppointmentStatus.NOT_ATTENDED, DNA_SHARE),
            (AppointmentStatus.CANCELLED, CANCELLED_SHARE),
        ):
            if rng.random() >= share:
                continue
            day = d - rng.randint(1, 10)
            if day <= ep.s or ep.paused_on(day):
                continue
            starts = self.at(day, 10 * 60 + 30 * rng.randrange(14))
            a_id, booked, *rest = self._appointment(rng, ep, day, starts, minutes, kind, worker)
            reason = ""
            if status == AppointmentStatus.CANCELLED:
                outcome = max(booked, starts - timedelta(hours=rng.randint(2, 72)))
                reason = CANCEL_REASONS[rng.randrange(len(CANCEL_REASONS))]
            elif day >= self.END - 7 and rng.random() < 0.4:
                # Missed in the last week and nothing recorded yet: still booked.
                out.append(
                    (a_id, booked, booked, *rest, AppointmentStatus.BOOKED, None, None, None, "", 1)
                )
                continue
            else:
                outcome = starts + timedelta(hours=1)
            out.append((a_id, booked, outcome, *rest, status, None, outcome, worker.id, reason, 2))

    def _upcoming(self, rng, out):
        """Appointments booked for the next three weeks with the people being supported now."""
        END = self.END
        for ep in self.episodes:
            if ep.s is None or ep.e is not None or ep.paused_on(END) or ep.a is None:
                continue
            worker = ep.lead_on(END)
            for _ in range(rng.choice((0, 1, 1, 2))):
                day = END + rng.randint(1, 21)
                kind = rng.choice(list(BOOKED_SHARE))
                lo, hi = CONTACT_MINUTES[kind]
                starts = self.at(day, 10 * 60 + 30 * rng.randrange(14))
                a_id, booked, *rest = self._appointment(
                    rng, ep, END, starts, rng.randint(lo, hi), kind, worker
                )
                out.append(
                    (a_id, booked, booked, *rest, AppointmentStatus.BOOKED, None, None, None, "", 1)
                )

    # --- NDT assessments -------------------------------------------------------------------------

    def _ndt_plan(self, schemes):
        """Every assessment with its scores, in a fixed order: generated twice (once for the
        assessments, once for their scores) rather than held in memory."""
        rng = self.rng("ndt")
        END = self.END
        amended, standard = schemes
        leaders = self.staff[Role.TEAM_LEADER]
        for ep in self.episodes:
            if ep.s is None:
                continue
            last = ep.last_day(END)
            scheme = amended if rng.random() < 0.75 else standard
            base = {item.key: rng.uniform(1.6, 3.6) for item in amended.items.all()}
            improve = rng.gauss(0.9, 0.7)  # levels a year; some people get worse
            day = ep.s + rng.randint(7, 28)
            while day <= last:
                if ep.paused_on(day):
                    day += 14
                    continue
                years = (day - ep.s) / 365
                scores = {
                    key: min(4, max(0, round(level - improve * years + rng.gauss(0, 0.6))))
                    for key, level in base.items()
                }
                if rng.random() < 0.05:
                    scheme = amended if scheme is standard else standard
                draft = day + NDT_EVERY > last and last == END and rng.random() < 0.1
                assessor = ep.lead_on(day) or leaders[0]
                if rng.random() < 0.05:
                    assessor = leaders[rng.randrange(len(leaders))]
                at = self.at(day, 10 * 60 + rng.randrange(6 * 60))
                yield (
                    ep,
                    scheme,
                    day,
                    at,
                    scores,
                    draft,
                    assessor,
                    PARTICIPATION(rng),
                    self.uid(rng),
                )
                day += NDT_EVERY + rng.randint(-14, 14)

    def assessments(self, loader):
        shipped_schemes_load()
        schemes = {
            s.code: s
            for s in AssessmentScheme.objects.filter(
                is_current=True, code__in=["ndt-standard", "ndt-amended"]
            ).prefetch_related("items", "comparable_to__items")
        }
        if set(schemes) != {"ndt-standard", "ndt-amended"}:
            raise CommandError("The shipped NDT schemes (ndt-standard, ndt-amended) are missing.")
        pair = (schemes["ndt-amended"], schemes["ndt-standard"])

        def rows():
            for ep, scheme, day, at, scores, draft, assessor, took_part, aid in self._ndt_plan(
                pair
            ):
                total = standard_total = completed = None
                if not draft:
                    total, standard_total = totals(scheme=scheme, scores=scores)
                    completed = at
                yield (
                    aid,
                    at,
                    at,
                    ep.person.id,
                    ep.id,
                    scheme.id,
                    "draft" if draft else "completed",
                    self.days[day],
                    assessor.id,
                    took_part,
                    total,
                    standard_total,
                    completed,
                )

        def scores():
            ids = self.rng("ndt-scores")
            for _, scheme, _, at, values, draft, _, _, aid in self._ndt_plan(pair):
                for n, item in enumerate(scheme.items.all()):
                    score = values[item.key]
                    if draft and n % 3 == 2:
                        score = None  # a draft is part-scored
                    yield (self.uid(ids), at, at, aid, item.id, score)

        loader.load(
            "NDT assessments",
            Assessment,
            (
                "id created_at updated_at person_id episode_id scheme_id status assessed_on "
                "assessor_id participation total standard_total completed_at"
            ),
            rows(),
        )
        loader.load(
            "NDT item scores",
            ItemScore,
            "id created_at updated_at assessment_id item_id score",
            scores(),
        )

    # --- ReQoL-10 --------------------------------------------------------------------------------

    def reqol(self, loader):
        definition = ReqolDefinition.objects.filter(is_current=True).first()
        if definition is None:
            # The licensed wording is never shipped: the data set uses the project's
            # FICTIONAL example file, whose acknowledgement says the scores mean nothing.
            definition = definition_import(data=json.loads(REQOL_EXAMPLE.read_text()))
        items = list(definition.items.order_by("position"))
        reversed_keys = {i.key for i in items if i.reversed}

        def plan():
            rng = self.rng("reqol")
            for ep in self.episodes:
                if ep.s is None or rng.random() > 0.55:
                    continue
                last = ep.last_day(self.END)
                base = rng.uniform(0.8, 2.2)
                better = rng.gauss(0.5, 0.5)
                day = ep.s + rng.randint(14, 45)
                while day <= last:
                    years = (day - ep.s) / 365
                    answers = {}
                    for item in items:
                        score = min(4, max(0, round(base + better * years + rng.gauss(0, 0.7))))
                        answers[item.key] = 4 - score if item.reversed else score
                    completion = "themself" if rng.random() < 0.6 else "supported"
                    yield ep, day, answers, completion, self.uid(rng)
                    day += rng.randint(150, 200)

        def records():
            for ep, day, answers, completion, rid in plan():
                at = self.at(day, 13 * 60)
                author = ep.lead_on(day) or self.staff[Role.TEAM_LEADER][0]
                yield (
                    rid,
                    at,
                    at,
                    ep.person.id,
                    ep.id,
                    definition.id,
                    self.days[day],
                    completion,
                    total_score(answers, reversed_keys),
                    author.id,
                )

        def answers():
            ids = self.rng("reqol-answers")
            for _, day, responses, _, rid in plan():
                at = self.at(day, 13 * 60)
                for item in items:
                    response = responses[item.key]
                    yield (
                        self.uid(ids),
                        at,
                        at,
                        rid,
                        item.id,
                        response,
                        item.reversed,
                        item_score(response, reversed=item.reversed),
                    )

        loader.load(
            "ReQoL-10 records",
            ReqolRecord,
            (
                "id created_at updated_at person_id episode_id definition_id completed_on "
                "completion total recorded_by_id"
            ),
            records(),
        )
        loader.load(
            "ReQoL-10 answers",
            ReqolAnswer,
            "id created_at updated_at record_id item_id response reversed score",
            answers(),
        )

    # --- outcomes: events, accommodation, budgets, goals, Stars ------------------------------------

    def outcomes(self, loader):
        END = self.END
        leaders = self.staff[Role.TEAM_LEADER]

        def recorder(ep, day):
            return (ep.lead_on(day) or leaders[0]).id

        def events():
            rng = self.rng("events")
            for ep in self.episodes:
                last = ep.last_day(END)
                crisis = rng.lognormvariate(0, 0.5) / 30  # events a day, early on
                began = ep.s if ep.s is not None else ep.d
                day = float(ep.d)
                while True:
                    day += rng.expovariate(crisis * 1.3)
                    d = int(day)
                    if d > last:
                        break
                    # Crises fall as support takes hold: thin the early rate over months.
                    if rng.random() > 0.3 + 0.7 * math.exp(-max(0, d - began) / 240):
                        continue
                    kind = EVENT_KINDS(rng)
                    quantity = 1
                    if kind in EVENT_STAYS:
                        lo, hi = EVENT_STAYS[kind]
                        quarter_end = (Quarter.containing(self.days[d]).end - self.day0).days
                        quantity = min(rng.randint(lo, hi), quarter_end - d + 1, MAX_EVENT_QUANTITY)
                    at = self.at(min(d + rng.randrange(7), END), 15 * 60)
                    yield (
                        self.uid(rng),
                        at,
                        at,
                        ep.person.id,
                        ep.id,
                        kind,
                        self.days[d],
                        quantity,
                        EVENT_SOURCES(rng),
                        recorder(ep, d),
                        self.uid(rng) if rng.random() < 0.8 else None,
                    )

        loader.load(
            "service events",
            ServiceEvent,
            (
                "id created_at updated_at person_id episode_id kind occurred_on quantity "
                "source recorded_by_id submission_key"
            ),
            events(),
        )

        def homes():
            rng = self.rng("accommodation")
            for ep in self.episodes:
                last = ep.last_day(END)
                status = FIRST_HOMES(rng)
                day = ep.d
                while day <= last:
                    at = self.at(day, 12 * 60)
                    note = "Staying with a cousin's friend." if status == "other" else ""
                    yield (
                        self.uid(rng),
                        at,
                        at,
                        ep.person.id,
                        status,
                        self.days[day],
                        note,
                        recorder(ep, day),
                    )
                    day += rng.randint(45, 200)
                    status = rng.choice(NEXT_HOMES[status])

        loader.load(
            "accommodation changes",
            AccommodationChange,
            "id created_at updated_at person_id status from_date note recorded_by_id",
            homes(),
        )

        spends = []

        def budgets():
            rng = self.rng("budgets")
            for ep in self.episodes:
                if ep.s is None or rng.random() > 0.35:
                    continue
                last = ep.last_day(END)
                offered = ep.s + rng.randint(30, 150)
                if offered > last:
                    continue
                budget_id = self.uid(rng)
                amount = Decimal(50 * rng.randint(2, 30))
                at = self.at(offered, 12 * 60)
                leader = leaders[rng.randrange(len(leaders))]
                left, day = amount, offered
                for _ in range(rng.randint(1, 5)):
                    day += rng.randint(3, 60)
                    if day > last:
                        break
                    over = rng.random() < 0.03
                    value = Decimal(rng.randint(10, max(10, int(amount) // 3)))
                    if over:
                        value = left + Decimal(rng.randint(5, 60))
                    elif value > left:
                        break
                    left -= value
                    spent_at = self.at(day, 14 * 60)
                    spends.append(
                        (
                            self.uid(rng),
                            spent_at,
                            spent_at,
                            budget_id,
                            self.days[day],
                            value,
                            rng.choice(SPENDS),
                            leader.id,
                            leader.id if over else recorder(ep, day),
                            over,
                            "Deposit due before the next payment; agreed." if over else "",
                        )
                    )
                    if over:
                        break
                yield (
                    budget_id,
                    at,
                    at,
                    ep.person.id,
                    ep.id,
                    amount,
                    self.days[offered],
                    "For the goals in the plan.",
                    leader.id,
                )

        loader.load(
            "personal budgets",
            PersonalBudget,
            (
                "id created_at updated_at person_id episode_id amount_offered offered_on note "
                "offered_by_id"
            ),
            budgets(),
        )
        loader.load(
            "budget spends",
            BudgetSpend,
            (
                "id created_at updated_at budget_id spent_on amount purpose approved_by_id "
                "recorded_by_id over_budget over_budget_reason"
            ),
            iter(spends),
        )

        reviews = []
        finished = [GoalStatus.ACHIEVED, GoalStatus.CHANGED, GoalStatus.NO_LONGER_RELEVANT]

        def review(rng, at, goal_id, status, after, note, review_on, who):
            """One goal review in the columns loaded below, made and reviewed at `at`."""
            return (self.uid(rng), at, at, goal_id, status, after, note, review_on, at, who)

        def goals():
            rng = self.rng("goals")
            for ep in self.episodes:
                if ep.s is None:
                    continue
                last = ep.last_day(END)
                for _ in range(rng.randint(2, 4)):
                    day = ep.s + rng.randint(7, 60)
                    if day > last:
                        break
                    goal_id = self.uid(rng)
                    who = recorder(ep, day)
                    status = GoalStatus.NOT_STARTED
                    when = day
                    for _ in range(rng.randint(0, 3)):
                        when += rng.randint(30, 120)
                        if when > last:
                            break
                        after = (
                            rng.choice(finished) if rng.random() < 0.4 else GoalStatus.IN_PROGRESS
                        )
                        at = self.at(when, 15 * 60)
                        next_review = self.days[when + 60] if after in OPEN_GOALS else None
                        reviews.append(
                            review(rng, at, goal_id, status, after, "", next_review, who)
                        )
                        status = after
                        if after not in OPEN_GOALS:
                            break
                    if ep.e is not None and status in OPEN_GOALS:
                        at = self.at(ep.e, 15 * 60)
                        after = rng.choice(finished)
                        reviews.append(
                            review(rng, at, goal_id, status, after, "Support ended.", None, who)
                        )
                        status = after
                    created = self.at(day, 14 * 60)
                    review_on = self.days[min(when + 60, len(self.days) - 1)]
                    yield (
                        goal_id,
                        created,
                        created,
                        ep.person.id,
                        ep.id,
                        rng.choice(GOALS),
                        "Knows the area; a sister who is on their side.",
                        json.dumps(rng.sample(STEPS, rng.randint(1, 3))),
                        status,
                        review_on if status in OPEN_GOALS else None,
                        who,
                    )

        loader.load(
            "goals",
            Goal,
            (
                "id created_at updated_at person_id episode_id in_their_words strengths steps "
                "status review_on recorded_by_id"
            ),
            goals(),
        )
        loader.load(
            "goal reviews",
            GoalReview,
            (
                "id created_at updated_at goal_id from_status to_status note review_on "
                "reviewed_at reviewed_by_id"
            ),
            iter(reviews),
        )

        def stars():
            rng = self.rng("stars")
            for ep in self.episodes:
                if ep.s is None or rng.random() > 0.15:
                    continue
                day = ep.s + rng.randint(20, 120)
                for _ in range(rng.randint(1, 2)):
                    if day > ep.last_day(END):
                        break
                    at = self.at(day, 12 * 60)
                    yield (
                        self.uid(rng),
                        at,
                        at,
                        ep.person.id,
                        self.days[day],
                        rng.choice(STAR_PLACES),
                        "Homelessness Star",
                        recorder(ep, day),
                    )
                    day += rng.randint(120, 240)

        loader.load(
            "Outcomes Star records",
            OutcomesStarRecord,
            ("id created_at updated_at person_id completed_on held_at star_name recorded_by_id"),
            stars(),
        )

    # --- MDT ---------------------------------------------------------------------------------------

    def mdt(self, loader):
        """Fortnightly MDT meetings: one panel per city's worth of people, each with its own
        chair and its share of the people, about twelve cases a meeting."""
        rng = self.rng("mdt")
        END = self.END
        uid, at = self.uid, self.at
        chairs = self.staff[Role.MDT_CHAIR]
        panels = max(1, round(self.factor))
        meetings, invitations, referrals, items, actions = [], [], [], [], []
        partner_orgs = [p[0] for p in self.partners]
        # Partners see MDT cases only under a data-sharing agreement in force and the person's
        # own MDT sharing agreement with them (ADR 0016): one agreement between the host and
        # every partner, and each person's agreement with every partner from their first case.
        agreed_people, sharing = set(), []
        last_case = {}  # person id -> (day, episode) of their latest case on an agenda
        register_id = uid(rng)
        by_panel = [[] for _ in range(panels)]
        for ep in self.episodes:
            if ep.s is not None:
                by_panel[ep.person.n % panels].append(ep)
        for panel, eps in enumerate(by_panel):
            chair = chairs[panel % len(chairs)]
            in_mdt = {}  # episode number -> episode, while its case is still being discussed
            m = 42 + panel % 10
            while m <= END + 13:
                meeting_id = uid(rng)
                starts = at(m, 10 * 60)
                held = m < END
                cancelled = held and rng.random() < 0.03
                status = "cancelled" if cancelled else ("held" if held else "planned")
                shared = at(m - 3, 16 * 60) if m - 3 <= END else None
                meetings.append(
                    (
                        meeting_id,
                        at(m - 14, 9 * 60),
                        starts,
                        self.team_id,
                        starts,
                        "Room 2, Civic Centre, or online",
                        chair.id,
                        status,
                        shared,
                        at(m, 13 * 60) if status == "held" else None,
                    )
                )
                for org in rng.sample(partner_orgs, min(8, len(partner_orgs))):
                    member = None
                    if rng.random() < 0.5:
                        member = self.members[org][rng.randrange(len(self.members[org]))].id
                    attendance = ""
                    if status == "held":
                        attendance = ATTENDANCE(rng)
                    invitations.append(
                        (uid(rng), starts, starts, meeting_id, org, member, attendance)
                    )
                if cancelled:
                    m += MDT_EVERY
                    continue
                eligible = [
                    ep
                    for ep in eps
                    if ep.s <= m - 3 and ep.last_day(END + 40) > m and not ep.paused_on(m)
                ]
                still = {ep.n for ep in eligible}
                in_mdt = {n: ep for n, ep in in_mdt.items() if n in still}
                target = min(rng.randint(*CASES_PER_MEETING), len(eligible))
                reviews = list(in_mdt.values())[: max(0, target - 4)]
                fresh = [ep for ep in eligible if ep.n not in in_mdt]
                new = rng.sample(fresh, min(len(fresh), max(0, target - len(reviews))))
                for position, ep in enumerate(reviews + new, 1):
                    is_new = position > len(reviews)
                    referral_id = None
                    basis = "agreed"
                    if is_new:
                        referral_id = uid(rng)
                        made = max(ep.s, m - rng.randint(3, 13))
                        source = MDT_SOURCES(rng)
                        org = self.host[0]
                        by = ep.lead_on(made) or chairs[0]
                        if source == "partner":
                            org = partner_orgs[rng.randrange(len(partner_orgs))]
                            by = self.members[org][0]
                        lawful, reason = "", ""
                        if rng.random() < 0.12:
                            basis, lawful = "lawful_basis", LawfulBasis.SAFEGUARDING
                            reason = "Serious risk of harm; the person could not be reached."
                        made_at = at(made, 11 * 60)
                        referrals.append(
                            (
                                referral_id,
                                made_at,
                                made_at,
                                ep.person.id,
                                source,
                                org,
                                by.id,
                                rng.choice(MDT_WHY),
                                "Navigator support, a hostel place, two GP appointments.",
                                "A joined-up plan and one named contact in each agency.",
                                URGENCY(rng),
                                basis,
                                lawful,
                                reason,
                                "on_agenda",
                            )
                        )
                    if ep.person.id not in agreed_people:
                        agreed_people.add(ep.person.id)
                        agreed = at(max(ep.s, m - 4), 11 * 60)
                        recorder = (ep.lead_on(m) or chair).id
                        for org in partner_orgs:
                            sharing.append(
                                (
                                    uid(rng),
                                    agreed,
                                    agreed,
                                    ep.person.id,
                                    org,
                                    Purpose.MDT,
                                    HowRecorded.VERBAL
                                    if basis == "agreed"
                                    else HowRecorded.WITHOUT_AGREEMENT,
                                    ""
                                    if basis == "agreed"
                                    else "Safeguarding: serious risk of harm.",
                                    agreed,
                                    recorder,
                                    self.days[END] + timedelta(days=365),
                                )
                            )
                    last_case[ep.person.id] = (m, ep)
                    item_id = uid(rng)
                    outcome, notes, decisions, saved = "", "", "", None
                    if status == "held":
                        outcome = CASE_OUTCOMES(rng)
                        notes = "Summary given; each agency said what it knows and can offer."
                        decisions = "Agreed a joint plan; actions below."
                        saved = at(m, 10 * 60 + 12 * position)
                    items.append(
                        (
                            item_id,
                            starts,
                            saved or starts,
                            meeting_id,
                            ep.person.id,
                            "new" if is_new else "review",
                            referral_id,
                            basis,
                            position,
                            12,
                            notes,
                            decisions,
                            outcome,
                            1 if saved else 0,
                            saved,
                            chair.id if saved else None,
                        )
                    )
                    if status != "held":
                        continue
                    if outcome in ("continue", "escalated"):
                        in_mdt[ep.n] = ep
                    else:
                        in_mdt.pop(ep.n, None)
                    for _ in range(ACTIONS_PER_CASE(rng)):
                        due = m + rng.randint(7, 28)
                        if rng.random() < 0.55:
                            org = partner_orgs[rng.randrange(len(partner_orgs))]
                            owner = self.members[org][rng.randrange(len(self.members[org]))]
                        else:
                            owner = ep.lead_on(m) or chair
                            org = self.host[0]
                        done = None
                        if due <= END and rng.random() < 0.85:
                            done_day = min(max(m + 1, due - rng.randint(-10, 7)), END)
                            done = at(done_day, 15 * 60)
                        elif due > END and m + 1 <= END and rng.random() < 0.25:
                            done = at(rng.randint(m + 1, END), 15 * 60)
                        actions.append(
                            (
                                uid(rng),
                                saved,
                                done or saved,
                                item_id,
                                ep.person.id,
                                rng.choice(ACTIONS),
                                owner.id,
                                org,
                                self.days[due],
                                done,
                                "Done." if done else "",
                                chair.id,
                            )
                        )
                m += MDT_EVERY
        # Requests still waiting without the person's agreement: never on an agenda.
        waiting_rng = self.rng("mdt-waiting")
        for ep in self.episodes:
            if ep.s is not None and ep.e is None and waiting_rng.random() < 0.02:
                made = self.at(max(ep.s, END - waiting_rng.randint(0, 20)), 11 * 60)
                referrals.append(
                    (
                        uid(waiting_rng),
                        made,
                        made,
                        ep.person.id,
                        "navigator",
                        self.host[0],
                        (ep.lead_on(END) or chairs[0]).id,
                        waiting_rng.choice(MDT_WHY),
                        "Navigator support.",
                        "A joined-up plan.",
                        "routine",
                        "none",
                        "",
                        "",
                        "pending",
                    )
                )

        withdrawn = self._withdrawals(last_case, sharing)
        register = DataSharingAgreement.objects.create(
            id=register_id,
            title="MDT information-sharing agreement",
            purpose=Purpose.MDT,
            start_on=self.days[0],
            review_on=self.days[END] + timedelta(days=180),
            document_location="Governance drive: DSAs/MDT agreement (signed).pdf",
            recorded_by_id=chairs[0].id,
        )
        register.parties.set([self.host[0], *partner_orgs])
        loader.load(
            "MDT sharing agreements",
            SharingAgreement,
            (
                "id created_at updated_at person_id organisation_id purpose how_recorded "
                "lawful_basis_reason recorded_at recorded_by_id expires_on withdrawn_at "
                "withdrawn_by_id withdrawal_reason version"
            ),
            (
                (*row[:2], gone[0], *row[3:], *gone, 2)
                if (gone := withdrawn.get((row[3], row[4])))
                else (*row, None, None, "", 1)
                for row in sharing
            ),
        )
        loader.load(
            "MDT meetings",
            MdtMeeting,
            (
                "id created_at updated_at team_id starts_at place chair_id status "
                "agenda_shared_at finished_at"
            ),
            iter(meetings),
        )
        loader.load(
            "MDT invitations",
            Invitation,
            "id created_at updated_at meeting_id organisation_id member_id attendance",
            iter(invitations),
        )
        loader.load(
            "MDT referrals",
            MdtReferral,
            (
                "id created_at updated_at person_id source referring_organisation_id "
                "referred_by_id why_now tried asked_of_partners urgency sharing_basis "
                "lawful_basis basis_reason status"
            ),
            iter(referrals),
        )
        loader.load(
            "MDT agenda items",
            AgendaItem,
            (
                "id created_at updated_at meeting_id person_id kind mdt_referral_id "
                "sharing_basis position minutes notes decisions outcome version saved_at "
                "saved_by_id"
            ),
            iter(items),
        )
        loader.load(
            "MDT actions",
            Action,
            (
                "id created_at updated_at agenda_item_id person_id description owner_id "
                "owner_organisation_id due_on done_at progress_note created_by_id"
            ),
            iter(actions),
        )

    def _withdrawals(self, last_case, sharing):
        """Some people who agreed to MDT sharing later withdraw it: with every partner, or with
        one or two (the police, most often), after their latest case, while their support goes
        on, recorded by their navigator with the reason they gave. Withdrawing ends their place
        at the MDT, so no case of theirs comes after it. {(person id, organisation id):
        (withdrawn at, by, reason)}."""
        rng = self.rng("sharing-withdrawn")
        END = self.END
        without = {row[3] for row in sharing if row[6] == HowRecorded.WITHOUT_AGREEMENT}
        partner_orgs = [p[0] for p in self.partners]
        police = [p[0] for p in self.partners if p[2] == Sector.POLICE]
        withdrawn = {}
        for person_id, (m, ep) in last_case.items():
            if person_id in without or rng.random() >= WITHDRAW_SHARE:
                continue
            day = m + rng.randint(1, 120)
            if day > ep.last_day(END) or ep.paused_on(day):
                continue
            if rng.random() < 0.7:
                orgs = partner_orgs
            else:
                orgs = police + rng.sample(partner_orgs, rng.randint(0, 1))
            gone = (
                self.at(day, 15 * 60 + rng.randrange(120)),
                (ep.lead_on(day) or self.staff[Role.TEAM_LEADER][0]).id,
                rng.choice(WITHDRAWAL_REASONS),
            )
            for org in orgs:
                withdrawn[(person_id, org)] = gone
        return withdrawn

    # --- domestic abuse: DASH and MARAC -------------------------------------------------------

    def domestic_abuse(self, loader):
        """For the survivors (people whose referral named domestic abuse): incidents and police
        call-outs; a DASH checklist early in support, again after most incidents and at review,
        scored as the app scores it (`domestic_abuse.services.risk_level`); a MARAC referral for
        most high-risk checklists, a repeat within 12 months of an earlier one; and once the
        MARAC has heard it, what it agreed and its actions, owned by the team."""
        definition = current_dash()
        if definition is None:
            # The licensed wording is never shipped: the FICTIONAL example, as for ReQoL-10.
            definition = dash_definition_import(data=json.loads(DASH_EXAMPLE.read_text()))
        questions = list(definition.questions.order_by("position"))
        rng = self.rng("dash")
        uid, at, END = self.uid, self.at, self.END
        leaders = self.staff[Role.TEAM_LEADER]
        review = 7 * settings.DASH_REVIEW_WEEKS
        events, checklists, referrals, actions = [], [], [], []
        call_outs = {}  # person id -> days of police call-outs, for escalation
        referred = {}  # person id -> days of MARAC referrals, for repeats
        for ep in self.episodes:
            if ep.s is None or not ep.disadvantages[4]:
                continue
            last, person = ep.last_day(END), ep.person.id
            police = call_outs.setdefault(person, [])
            incidents, day = [], float(ep.s)
            rate = rng.lognormvariate(0, 0.6) / 240  # incidents a day
            while (d := int(day := day + rng.expovariate(rate))) <= last:
                called = rng.random() < 0.5
                incidents.append(d)
                if called:
                    police.append(d)
                recorded = at(min(d + rng.randrange(4), END), 15 * 60)
                events.append(
                    (
                        uid(rng),
                        recorded,
                        recorded,
                        person,
                        ep.id,
                        EventKind.DOMESTIC_ABUSE_POLICE
                        if called
                        else EventKind.DOMESTIC_ABUSE_INCIDENT,
                        self.days[d],
                        1,
                        EventSource.PARTNER_RECORD if called else EventSource.SELF_REPORTED,
                        (ep.lead_on(d) or leaders[0]).id,
                        None,
                    )
                )
            due = set()
            if rng.random() < DASH_FIRST_SHARE:
                due.add(ep.s + rng.randint(0, 42))
            for d in incidents:
                if rng.random() < 0.8:
                    due.add(d + rng.randint(0, 10))
            base = Pick([(0.12, 45), (0.3, 35), (0.5, 20)])(rng)
            due = sorted(due)
            while due and (day := heapq.heappop(due)) <= last:
                if due and due[0] == day:
                    continue  # one checklist a day
                recent = sum(1 for d in incidents if day - 90 < d <= day)
                p = min(0.9, max(0.02, base + 0.08 * recent - 0.05 * (day - ep.s) / 365))
                answers, sources = [], []
                for _ in questions:
                    draw = rng.random()
                    answers.append("y" if draw < p else "k" if draw < p + 0.06 else "n")
                    sources.append("p" if rng.random() < 0.85 else "f")
                answers = "".join(answers)
                yes = answers.count("y")
                judgement = reason = ""
                if yes < DASH_HIGH_RISK_YES:
                    draw = rng.random()
                    if draw < 0.2:
                        judgement = RiskLevel.HIGH if draw < 0.08 else RiskLevel.MEDIUM
                        reason = rng.choice(JUDGEMENT_REASONS)
                calls = sum(1 for d in police if day - REPEAT_DAYS < d <= day)
                level, because = risk_level(
                    yes_count=yes, judgement=judgement, police_call_outs=calls
                )
                checklist_id = uid(rng)
                done = at(day, 14 * 60 + rng.randrange(180))
                checklists.append(
                    (
                        checklist_id,
                        done,
                        done,
                        person,
                        definition.id,
                        self.days[day],
                        (ep.lead_on(day) or leaders[0]).id,
                        yes,
                        judgement,
                        reason,
                        calls,
                        level,
                        json.dumps(because),
                        answers,
                        "".join(sources),
                    )
                )
                if level != RiskLevel.STANDARD and rng.random() < 0.5:
                    heapq.heappush(due, day + review + rng.randint(-14, 14))  # a review
                earlier = referred.setdefault(person, [])
                if level != RiskLevel.HIGH or rng.random() >= MARAC_SHARE:
                    continue
                on = day + rng.randint(0, 5)
                if on > last:
                    continue  # support ended first
                if earlier and not any(earlier[-1] < d <= day for d in incidents):
                    continue  # referred already, and nothing new has happened since
                repeat = any(on - REPEAT_DAYS < d <= on for d in earlier)
                earlier.append(on)
                criteria = [c for c in because if c != HighBecause.REPEAT]
                if repeat:
                    criteria.append(HighBecause.REPEAT.value)
                consent = rng.random() < 0.8
                heard = on + rng.randint(7, 35)
                heard = heard if heard <= END else None
                made = at(on, 12 * 60)
                by = (ep.lead_on(on) or leaders[0]).id
                referral_id = uid(rng)
                referrals.append(
                    (
                        referral_id,
                        made,
                        at(heard, 16 * 60) if heard else made,
                        person,
                        checklist_id,
                        self.days[on],
                        rng.choice(settings.MARACS),
                        by,
                        json.dumps(criteria),
                        repeat,
                        SharingBasis.CONSENT if consent else SharingBasis.WITHOUT_CONSENT,
                        "" if consent else rng.choice(LAWFUL_BASES),
                        self.days[heard] if heard else None,
                        rng.choice(MARAC_OUTCOMES) if heard else "",
                        2 if heard else 1,
                    )
                )
                if heard is None:
                    continue
                agreed = at(heard, 16 * 60)
                for description in rng.sample(MARAC_ACTIONS, rng.randint(1, 3)):
                    owner = ep.lead_on(heard) if rng.random() < 0.7 else None
                    owner = owner or leaders[rng.randrange(len(leaders))]
                    due_on = heard + rng.randint(7, 35)
                    finished = None
                    if due_on <= END and rng.random() < 0.8:
                        finished = min(max(heard + 1, due_on - rng.randint(-7, 10)), END)
                    elif due_on > END and heard < END and rng.random() < 0.25:
                        finished = rng.randint(heard + 1, END)
                    finished = at(finished, 15 * 60) if finished is not None else None
                    actions.append(
                        (
                            uid(rng),
                            agreed,
                            finished or agreed,
                            referral_id,
                            person,
                            description,
                            owner.id,
                            self.host[0],
                            self.days[due_on],
                            finished,
                            by,
                            2 if finished else 1,
                        )
                    )

        loader.load(
            "domestic-abuse incidents",
            ServiceEvent,
            (
                "id created_at updated_at person_id episode_id kind occurred_on quantity "
                "source recorded_by_id submission_key"
            ),
            iter(events),
        )
        loader.load(
            "DASH checklists",
            DashChecklist,
            (
                "id created_at updated_at person_id definition_id completed_on assessor_id "
                "yes_count judgement judgement_reason police_call_outs risk_level high_because"
            ),
            (row[:-2] for row in checklists),
        )
        answer_codes = {"y": Answer.YES, "n": Answer.NO, "k": Answer.NOT_KNOWN}
        source_codes = {"p": AnswerSource.PERSON, "f": AnswerSource.PROFESSIONAL}

        def answers():
            ids = self.rng("dash-answers")
            for row in checklists:
                checklist_id, done, answered, said = row[0], row[1], row[-2], row[-1]
                for question, answer, source in zip(questions, answered, said, strict=True):
                    yield (
                        uid(ids),
                        done,
                        done,
                        checklist_id,
                        question.id,
                        answer_codes[answer],
                        source_codes[source],
                    )

        loader.load(
            "DASH answers",
            DashAnswer,
            "id created_at updated_at checklist_id question_id answer source",
            answers(),
        )
        loader.load(
            "MARAC referrals",
            MaracReferral,
            (
                "id created_at updated_at person_id checklist_id referred_on marac "
                "referred_by_id criteria is_repeat sharing_basis lawful_basis heard_on "
                "outcome_note version"
            ),
            iter(referrals),
        )
        loader.load(
            "MARAC actions",
            MaracAction,
            (
                "id created_at updated_at referral_id person_id description owner_id "
                "owner_organisation_id due_on done_at created_by_id version"
            ),
            iter(actions),
        )

    # --- documents ---------------------------------------------------------------------------

    def documents(self, loader):
        """Documents on people's records: a signed consent form when support starts (with the
        referral), proof of identity for half, letters now and then, an assessment for some;
        a few removed by a team leader. Each row has its own file in storage, as the download
        needs, but the files are two tiny ones: on local disk every other name is a hard link
        to the first (see `_store`)."""
        rng = self.rng("documents")
        uid, at, END = self.uid, self.at, self.END
        leaders = self.staff[Role.TEAM_LEADER]
        pdf, png = (check_upload(ContentFile(data)) for data in document_blobs())
        self._stored = {}

        def rows():
            for ep in self.episodes:
                if ep.s is None:
                    continue
                last = ep.last_day(END)
                planned = []
                if rng.random() < 0.9:
                    planned.append((ep.s, Document.Kind.CONSENT))
                if rng.random() < 0.5:
                    planned.append((ep.s + rng.randint(0, 60), Document.Kind.ID))
                if rng.random() < 0.2:
                    planned.append((ep.s + rng.randint(14, 120), Document.Kind.ASSESSMENT))
                day = float(ep.s)
                while (d := int(day := day + rng.expovariate(1 / 150))) <= last:
                    planned.append((d, Document.Kind.LETTER))
                for day, kind in planned:
                    if day > last:
                        continue
                    checked = png if kind == Document.Kind.ID else pdf
                    name = f"documents/{uid(rng).hex}{checked.extension}"
                    self._store(name, checked)
                    uploaded = at(min(day + rng.randrange(4), END), 16 * 60 + rng.randrange(60))
                    removed, removed_by, why = None, None, ""
                    if rng.random() < 0.01 and day + 10 <= END:
                        removed = at(day + rng.randint(4, 10), 11 * 60)
                        removed_by = leaders[rng.randrange(len(leaders))].id
                        why = "A duplicate of another upload."
                    yield (
                        uid(rng),
                        uploaded,
                        removed or uploaded,
                        ep.person.id,
                        kind,
                        rng.choice(DOCUMENT_TITLES[kind]),
                        self.days[day],
                        name,
                        checked.content_type,
                        checked.extension,
                        len(checked.data),
                        checked.inline,
                        ep.referral if kind == Document.Kind.CONSENT else None,
                        kind in (Document.Kind.LETTER, Document.Kind.ASSESSMENT)
                        and rng.random() < 0.15,
                        uploaded,
                        (ep.lead_on(day) or leaders[0]).id,
                        removed,
                        removed_by,
                        why,
                        2 if removed else 1,
                    )

        loader.load(
            "documents",
            Document,
            (
                "id created_at updated_at person_id kind title dated stored_name content_type "
                "extension size inline referral_id shareable_with_mdt uploaded_at "
                "uploaded_by_id removed_at removed_by_id removal_reason version"
            ),
            rows(),
        )

    def _store(self, name, checked):
        """Put a document's file in storage under its own name. On local disk (the usual place
        for a benchmark) the first file of each kind is written and later names are hard links
        to it, until the file system's limit of links to one file (65,000 on ext4) starts a new
        copy: a link costs a directory entry, not a copy, and deleting one name (as erasure
        does) leaves the others. Elsewhere (S3) each name gets its own small copy. A name left
        by an earlier run is replaced."""
        try:
            path = default_storage.path(name)
        except NotImplementedError:
            default_storage.delete(name)
            default_storage.save(name, ContentFile(checked.data))
            return
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if os.path.lexists(path):
            os.unlink(path)
        first = self._stored.get(checked.extension)
        if first is not None:
            try:
                os.link(first, path)
                return
            except OSError as error:
                if error.errno != errno.EMLINK:
                    raise
        Path(path).write_bytes(checked.data)
        self._stored[checked.extension] = path


def document_blobs():
    """The two files every seeded document holds: a blank one-page PDF, and a small grey PNG
    for the photographed identity documents. Both pass the upload check as they are."""
    pdf = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )
    image = io.BytesIO()
    Image.new("L", (16, 16), 200).save(image, "PNG")
    return pdf, image.getvalue()


OPEN_GOALS = {GoalStatus.NOT_STARTED, GoalStatus.IN_PROGRESS}
