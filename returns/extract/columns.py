"""The evaluation extract's format, declared once: every column with its type, meaning and
source. The CSV's header, docs/evaluation-extract.md and its test read this list, so a column
cannot be added without being described. Change what a column means, or remove one, and
FORMAT_VERSION goes up by one (ADR 0032); adding a column at the end also does, now that
format 1 is to be released (the DASH and MARAC columns joined it before any release)."""

from dataclasses import dataclass

from caseload.models import EVENT_UNITS, AccommodationStatus, EventKind, ExitDestination
from domestic_abuse.models import RiskLevel
from smd.characteristics import Ethnicity, Gender, Religion, SexualOrientation, YesNo

FORMAT_VERSION = 1
PURPOSE = "evaluation"  # the pseudonym series (smd.pseudonyms): never shared with another use

# Ten-year bands as the partnership's demographic categories count them (docs: DOMAIN), not the
# return's equity bands: they map onto coarser bands an evaluation may ask for.
AGE_BANDS = [
    ("18_29", 18, 29),
    ("30_39", 30, 39),
    ("40_49", 40, 49),
    ("50_59", 50, 59),
    ("60_plus", 60, None),
]

YES_NO = "yes | no"


def _codes(choices, *extra):
    return " | ".join([*(str(value) for value in choices.values), *extra])


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # text, code, date (YYYY-MM-DD), integer
    meaning: str
    source: str
    codes: str = ""


_BEFORE_END = "on or before the quarter's last day"
# (event kind, its column): stays are counted in their unit, and the column says which.
EVENT_COLUMNS = [
    (str(kind), f"events_{kind}" + (f"_{EVENT_UNITS[kind]}" if kind in EVENT_UNITS else ""))
    for kind in EventKind.values
]

COLUMNS = [
    Column(
        "format_version",
        "integer",
        "The version of this format the file is written in; the same on every row.",
        "The software (returns/extract/columns.py).",
        str(FORMAT_VERSION),
    ),
    Column(
        "quarter",
        "text",
        "The UK financial-year quarter the row describes, e.g. 2025/26 Q3 (1 October to 31 "
        "December 2025).",
        "The quarter asked for.",
    ),
    Column(
        "pseudonym",
        "text",
        "The person, pseudonymised: the same person has the same pseudonym in every extract "
        "this service makes, and a different one in any other use (an API, another service). "
        "It cannot be turned back into the person: only this service, holding its secret key, "
        "can say whose it is.",
        "HMAC-SHA256 of the person's internal id under a key derived from SECRET_KEY "
        "(smd/pseudonyms.py), purpose 'evaluation'.",
        "PS- and 16 hexadecimal capitals",
    ),
    Column(
        "gender",
        "code",
        "Gender as the person describes it.",
        "Person: gender.",
        _codes(Gender),
    ),
    Column(
        "gender_same_as_sex_at_birth",
        "code",
        "Whether their gender identity is the same as the sex registered at birth.",
        "Person: gender identity the same as sex registered at birth.",
        _codes(YesNo),
    ),
    Column(
        "ethnicity",
        "code",
        "Ethnic group, 2021 Census categories (England and Wales).",
        "Person: ethnicity.",
        _codes(Ethnicity),
    ),
    Column(
        "ethnic_minority",
        "code",
        "From an ethnic minority community: every recorded group other than White British, "
        "White minorities included (the return's equity split). not_known when the ethnic "
        "group is not recorded or the person preferred not to say.",
        "Derived from ethnicity.",
        "yes | no | not_known",
    ),
    Column(
        "sexual_orientation",
        "code",
        "Sexual orientation.",
        "Person: sexual orientation.",
        _codes(SexualOrientation),
    ),
    Column(
        "religion",
        "code",
        "Religion or belief.",
        "Person: religion or belief.",
        _codes(Religion),
    ),
    Column(
        "disability",
        "code",
        "A long-term condition that limits day-to-day activities.",
        "Person: long-term condition.",
        _codes(YesNo),
    ),
    Column(
        "age_band",
        "code",
        "Age in whole years on the quarter's last day, as a ten-year band. The date of birth "
        "itself is never in the file.",
        "Derived from the date of birth or, without one, the approximate age recorded (a year "
        "older for every full year since it was recorded).",
        "under_18 | " + " | ".join(key for key, *_ in AGE_BANDS) + " | not_known",
    ),
    Column(
        "age_basis",
        "code",
        "What age_band was worked out from.",
        "Person: date of birth, approximate age.",
        "date_of_birth | approximate | not_known",
    ),
    *[
        Column(
            f"disadvantage_{key}",
            "code",
            f"{label} was ticked on the referral that opened this period of support. "
            "Blank when the period of support was opened without a referral.",
            f"Referral: {key}.",
            YES_NO,
        )
        for key, label in [
            ("homelessness", "Homelessness"),
            ("mental_health", "Mental ill-health"),
            ("substance_misuse", "Substance misuse"),
            ("offending", "Offending"),
            ("domestic_abuse", "Domestic abuse (as a victim or survivor)"),
        ]
    ],
    Column(
        "disadvantage_count",
        "integer",
        "How many of the five disadvantages the referral recorded (0-5). Blank without a referral.",
        "Derived from the five columns before it.",
    ),
    Column(
        "support_accepted_on",
        "date",
        "The day the referral was accepted and the period of support opened.",
        "Episode: accepted on.",
    ),
    Column(
        "support_start",
        "date",
        "The day engagement began. Blank when it had not begun.",
        "Episode: start date.",
    ),
    Column(
        "support_end",
        "date",
        "The day support ended, when it ended " + _BEFORE_END + "; otherwise blank.",
        "Episode: end date.",
    ),
    Column(
        "exit_destination",
        "code",
        "Where the person went when support ended (blank while it continues).",
        "Episode: where they went.",
        _codes(ExitDestination),
    ),
    Column(
        "ending_planned",
        "code",
        "Whether the ending was planned with the person (blank while support continues).",
        "Episode: ending planned with the person.",
        YES_NO,
    ),
    *[
        column
        for which, when in [
            ("baseline", "first"),
            ("latest", "most recent"),
        ]
        for column in [
            Column(
                f"ndt_{which}_date",
                "date",
                f"The date of the {when} completed NDT assessment in this period of support, "
                + _BEFORE_END
                + ". Blank when none.",
                "Assessment: assessed on.",
            ),
            Column(
                f"ndt_{which}_scheme",
                "text",
                "The scheme and version it was scored under, e.g. ndt-standard v1 or "
                "ndt-amended v1. Scores under different versions are not always comparable "
                "(ADR 0020).",
                "Assessment: scheme code and version.",
            ),
            Column(
                f"ndt_{which}_standard_total",
                "integer",
                "Its standard NDT total, 0-48 (every amended assessment also has one).",
                "Assessment: standard total, stored when completed.",
            ),
            Column(
                f"ndt_{which}_amended_total",
                "integer",
                "Its amended NDT total (0-68 in ndt-amended v1); blank for a standard assessment.",
                "Assessment: total, when scored under an amended scheme.",
            ),
        ]
    ],
    *[
        column
        for which, when in [("baseline", "first"), ("latest", "most recent")]
        for column in [
            Column(
                f"reqol_{which}_date",
                "date",
                f"The date of the {when} ReQoL-10 in this period of support, "
                + _BEFORE_END
                + ". Blank when none.",
                "ReQoL-10 record: date completed.",
            ),
            Column(
                f"reqol_{which}_total",
                "integer",
                "Its total, 0-40, higher is better (four items reverse-scored).",
                "ReQoL-10 record: total, scored when recorded.",
            ),
        ]
    ],
    *[
        Column(
            name,
            "integer",
            f"{EventKind(kind).label} in the quarter: "
            + (
                f"{EVENT_UNITS[kind]} counted (a stay split at quarter edges)."
                if kind in EVENT_UNITS
                else "how many."
            )
            + " 0 when none.",
            "Service and crisis events dated in the quarter.",
        )
        for kind, name in EVENT_COLUMNS
    ],
    Column(
        "accommodation_at_start",
        "code",
        "Where the person lived on the quarter's first day: the latest accommodation change "
        "dated on or before it. Blank when none was recorded by then.",
        "Accommodation changes.",
        _codes(AccommodationStatus),
    ),
    Column(
        "accommodation_at_end",
        "code",
        "Where the person lived on the quarter's last day, the same way.",
        "Accommodation changes.",
        _codes(AccommodationStatus),
    ),
    Column(
        "accommodation_changes",
        "integer",
        "How many accommodation changes are dated in the quarter.",
        "Accommodation changes.",
    ),
    Column(
        "da_survivor",
        "code",
        "Any referral of the person into the team recorded domestic abuse (as a victim or "
        "survivor): the return's domestic-abuse survivor split.",
        "Referrals: domestic abuse.",
        YES_NO,
    ),
    Column(
        "da_risk_flag",
        "code",
        "The record carries the safety flag 'Domestic abuse: the abuser may be present'. As "
        "the record stands when the extract is built, not as it stood in the quarter.",
        "Person: safety flags.",
        YES_NO,
    ),
    Column(
        "da_ndt_item",
        "integer",
        "The amended NDT's domestic-abuse item (risk from a partner, ex-partner or family "
        "member), as rated 0-4 (before its double weight), on the most recent amended "
        "assessment in this period of support " + _BEFORE_END + ". Blank when none.",
        "Assessment item score, key domestic_abuse.",
    ),
    Column(
        "da_risk_level",
        "code",
        "The domestic-abuse risk level in force on the quarter's last day: that of the latest "
        "DASH risk checklist completed " + _BEFORE_END + " (as the checklist recorded it, from "
        "the answers, the police call-outs and the practitioner's judgement). none when no "
        "checklist had been completed by then.",
        "DASH risk checklist: risk level.",
        _codes(RiskLevel, "none"),
    ),
    Column(
        "marac_referrals",
        "integer",
        "How many referrals to a MARAC were made in the quarter (by the date referred). 0 when "
        "none.",
        "MARAC referrals: date referred.",
    ),
    Column(
        "marac_repeat",
        "code",
        "Any MARAC referral made in the quarter was a repeat: within 12 months of an earlier "
        "one. Blank when none was made in the quarter.",
        "MARAC referrals: repeat.",
        YES_NO,
    ),
]

NAMES = [column.name for column in COLUMNS]
