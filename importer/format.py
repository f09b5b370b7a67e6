"""The import format: one sheet (or CSV file) per kind of record, its columns named after the
fields of the model it fills. docs/import.md describes it; docs/examples holds templates.

Every row carries its source system's id (`source_id`); a row about a person names them by
`person_source_id`, and a row within a period of support names it by `episode_source_id`.
Staff are named by username or email address.
"""

from dataclasses import dataclass

from assessments.models import Assessment
from caseload.models import Allocation, Contact, Episode, Person
from caseload.outcomes.models import AccommodationChange, ServiceEvent
from importer.models import ImportedRecord
from referrals.models import Referral

# The NDT's item keys (standard and amended schemes), one score column each (0-4, blank where
# the scheme has no such item). A scheme file loaded later may add others: any column named
# after an item of the row's scheme is read.
NDT_ITEM_COLUMNS = (
    "engagement",
    "intentional_self_harm",
    "unintentional_self_harm",
    "risk_to_others",
    "risk_from_others",
    "stress_anxiety",
    "social_effectiveness",
    "substance_misuse",
    "impulse_control",
    "housing",
    "cultural_gender_reluctance",
    "social_withdrawal",
    "domestic_abuse",
    "isolation",
)


@dataclass(frozen=True)
class Kind:
    """One kind of record: its sheet (or CSV file) name, its model and its columns."""

    sheet: str
    record: str  # ImportedRecord.Kind
    model: type
    columns: tuple
    required: tuple
    # Columns naming a member of staff -> the model field they fill.
    staff: tuple = ()
    label: str = ""

    @property
    def all_columns(self):
        return self.columns + (NDT_ITEM_COLUMNS if self.record == "assessment" else ())


PEOPLE = Kind(
    sheet="people",
    record=ImportedRecord.Kind.PERSON,
    model=Person,
    label="people",
    columns=(
        "source_id",
        "first_name",
        "last_name",
        "known_as",
        "aliases",
        "date_of_birth",
        "approximate_age",
        "approximate_age_recorded_on",
        "nhs_number",
        "phone",
        "safe_to_text",
        "safe_to_leave_voicemail",
        "contact_notes",
        "gender",
        "gender_same_as_sex_at_birth",
        "ethnicity",
        "sexual_orientation",
        "religion",
        "disability",
        "preferred_language",
        "interpreter_needed",
        "worker_gender_preference",
        "wants_lived_experience",
        "allocation_notes",
        "risk_flags",
    ),
    required=("source_id", "first_name", "last_name"),
)

EPISODES = Kind(
    sheet="episodes",
    record=ImportedRecord.Kind.EPISODE,
    model=Episode,
    label="support periods",
    columns=(
        "source_id",
        "person_source_id",
        "status",
        "accepted_on",
        "start_date",
        "end_date",
        "exit_destination",
        "ending_planned",
        "closing_note",
    ),
    required=("source_id", "person_source_id", "status", "accepted_on"),
)

ALLOCATIONS = Kind(
    sheet="allocations",
    record=ImportedRecord.Kind.ALLOCATION,
    model=Allocation,
    label="allocations",
    columns=(
        "source_id",
        "person_source_id",
        "episode_source_id",
        "worker",
        "kind",
        "started_at",
        "ended_at",
        "reason",
        "end_reason",
    ),
    required=("source_id", "person_source_id", "episode_source_id", "worker", "kind"),
    staff=("worker",),
)

ASSESSMENTS = Kind(
    sheet="assessments",
    record=ImportedRecord.Kind.ASSESSMENT,
    model=Assessment,
    label="NDT assessments",
    columns=(
        "source_id",
        "person_source_id",
        "episode_source_id",
        "scheme",
        "scheme_version",
        "assessed_on",
        "assessor",
        "participation",
    ),
    required=(
        "source_id",
        "person_source_id",
        "episode_source_id",
        "scheme",
        "scheme_version",
        "assessed_on",
        "participation",
    ),
    staff=("assessor",),
)

CONTACTS = Kind(
    sheet="contacts",
    record=ImportedRecord.Kind.CONTACT,
    model=Contact,
    label="contacts",
    columns=(
        "source_id",
        "person_source_id",
        "episode_source_id",
        "author",
        "occurred_at",
        "kind",
        "duration_minutes",
        "with_person",
        "summary",
        "topics",
        "follow_up_action",
        "follow_up_due",
    ),
    required=(
        "source_id",
        "person_source_id",
        "occurred_at",
        "kind",
        "duration_minutes",
        "summary",
    ),
    staff=("author",),
)

EVENTS = Kind(
    sheet="events",
    record=ImportedRecord.Kind.EVENT,
    model=ServiceEvent,
    label="crisis events",
    columns=(
        "source_id",
        "person_source_id",
        "episode_source_id",
        "kind",
        "occurred_on",
        "quantity",
        "source",
        "note",
        "recorded_by",
    ),
    required=("source_id", "person_source_id", "kind", "occurred_on", "source"),
    staff=("recorded_by",),
)

ACCOMMODATION = Kind(
    sheet="accommodation",
    record=ImportedRecord.Kind.ACCOMMODATION,
    model=AccommodationChange,
    label="accommodation",
    columns=("source_id", "person_source_id", "status", "from_date", "note", "recorded_by"),
    required=("source_id", "person_source_id", "status", "from_date"),
    staff=("recorded_by",),
)

REFERRALS = Kind(
    sheet="referrals",
    record=ImportedRecord.Kind.REFERRAL,
    model=Referral,
    label="referrals",
    columns=(
        "source_id",
        "person_source_id",
        "episode_source_id",
        "received_at",
        "channel",
        "status",
        "consent",
        "homelessness",
        "mental_health",
        "substance_misuse",
        "offending",
        "domestic_abuse",
        "is_self_referral",
        "referrer_organisation",
        "decision",
        "decided_at",
        "decided_by",
        "reason",
        "signposted_to",
    ),
    required=("source_id", "person_source_id", "received_at"),
    staff=("decided_by",),
)

# In the order they are read: people first, then what hangs off a person, then off an episode.
KINDS = (PEOPLE, EPISODES, REFERRALS, ALLOCATIONS, ASSESSMENTS, CONTACTS, EVENTS, ACCOMMODATION)
BY_SHEET = {kind.sheet: kind for kind in KINDS}
# Columns holding a list, its items separated by semicolons.
LIST_SEPARATOR = ";"
