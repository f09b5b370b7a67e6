"""The evaluation extract's rows: one per person the team supported on at least one day of the
quarter, every column as returns/extract/columns.py declares it. A fixed number of queries
however many people it covers."""

import csv
import io

from django.db.models import Count, Q
from django.db.models.functions import Coalesce

from assessments.models import Assessment, ItemScore, ReqolRecord
from caseload.models import AccommodationChange, Episode, Person, RiskFlag
from caseload.outcomes.selectors import accommodation_on, event_counts
from domestic_abuse.selectors import marac_referral_counts, risk_levels_on
from referrals.selectors import domestic_abuse_survivors
from returns.extract.columns import AGE_BANDS, EVENT_COLUMNS, FORMAT_VERSION, NAMES, PURPOSE
from smd.characteristics import age_on, is_ethnic_minority
from smd.pseudonyms import pseudonym

DISADVANTAGES = ["homelessness", "mental_health", "substance_misuse", "offending", "domestic_abuse"]
PERSON_FIELDS = [
    "gender",
    "gender_same_as_sex_at_birth",
    "ethnicity",
    "sexual_orientation",
    "religion",
    "disability",
]


def supported_episodes(team, quarter):
    """The team's periods of support that ran on at least one day of the quarter (begun, by
    the start date or else the day accepted, by its last day; not ended before its first),
    as the quarterly return counts them. Erased people are left out: a per-person file is
    not an aggregate figure (ADR 0032)."""
    return (
        Episode.objects.filter(person__team=team)
        .annotate(began=Coalesce("start_date", "accepted_on"))
        .filter(began__lte=quarter.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=quarter.start))
        .exclude(person__retention_reviews__status="erased")
    )


def _yes_no(value):
    if value is None:
        return ""
    return "yes" if value else "no"


def _date(value):
    return value.isoformat() if value else ""


def age_band(age):
    if age is None:
        return "not_known"
    for key, youngest, oldest in AGE_BANDS:
        if age >= youngest and (oldest is None or age <= oldest):
            return key
    return "under_18"


def _first_and_last(rows, key):
    """{key: (first row, last row)} from rows already in date order."""
    found = {}
    for row in rows:
        first, _ = found.get(row[key], (row, None))
        found[row[key]] = (first, row)
    return found


def extract_rows(team, quarter):
    """[{column name: text}], one per person, ordered by pseudonym (so the order says nothing
    about who joined when)."""
    episodes = supported_episodes(team, quarter)
    chosen = {}
    # A person with two periods of support in the quarter (one ended, one opened) is described
    # by the later one.
    for episode in episodes.order_by("began", "created_at").values(
        "id",
        "person_id",
        "accepted_on",
        "start_date",
        "end_date",
        "exit_destination",
        "ending_planned",
        "referral_id",
        *[f"referral__{key}" for key in DISADVANTAGES],
    ):
        chosen[episode["person_id"]] = episode
    if not chosen:
        return []
    people_qs = Person.objects.filter(pk__in=episodes.values("person_id"))
    people = {
        p["id"]: p
        for p in people_qs.values(
            "id",
            *PERSON_FIELDS,
            "date_of_birth",
            "approximate_age",
            "approximate_age_recorded_on",
            "risk_flags",
        )
    }
    episode_ids = {e["id"] for e in chosen.values()}
    assessments = [
        a
        for a in Assessment.objects.completed()
        .filter(episode__in=episodes, assessed_on__lte=quarter.end)
        .order_by("assessed_on", "created_at")
        .values(
            "id",
            "episode_id",
            "assessed_on",
            "total",
            "standard_total",
            "scheme__code",
            "scheme__version",
            "scheme__comparable_to_id",
        )
        if a["episode_id"] in episode_ids
    ]
    ndt = _first_and_last(assessments, "episode_id")
    amended = _first_and_last(
        [a for a in assessments if a["scheme__comparable_to_id"] is not None], "episode_id"
    )
    # The domestic-abuse item of every amended assessment read above (the latest of each is
    # used): joined, not listed by id, which at 100x is a list of thousands.
    da_items = dict(
        ItemScore.objects.filter(
            item__key="domestic_abuse",
            assessment__status=Assessment.Status.COMPLETED,
            assessment__episode__in=episodes,
            assessment__assessed_on__lte=quarter.end,
            assessment__scheme__comparable_to__isnull=False,
        ).values_list("assessment_id", "score")
    )
    reqol = _first_and_last(
        [
            r
            for r in ReqolRecord.objects.filter(episode__in=episodes, completed_on__lte=quarter.end)
            .order_by("completed_on", "created_at")
            .values("episode_id", "completed_on", "total")
            if r["episode_id"] in episode_ids
        ],
        "episode_id",
    )
    events = event_counts(people_qs, quarter.start, quarter.end)
    at_start = accommodation_on(people_qs, quarter.start)
    at_end = accommodation_on(people_qs, quarter.end)
    changes = dict(
        AccommodationChange.objects.filter(
            person__in=people_qs, from_date__range=(quarter.start, quarter.end)
        )
        .values("person_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("person_id", "n")
    )
    survivors = domestic_abuse_survivors(people_qs)
    risk_levels = risk_levels_on(people_qs, quarter.end)
    maracs = marac_referral_counts(people_qs, quarter.start, quarter.end)

    rows = []
    for person_id, episode in chosen.items():
        person = people[person_id]
        row = dict.fromkeys(NAMES, "")
        row.update(
            format_version=FORMAT_VERSION,
            quarter=quarter.label,
            pseudonym=pseudonym(person_id, PURPOSE),
            **{field: person[field] for field in PERSON_FIELDS},
        )
        minority = is_ethnic_minority(person["ethnicity"])
        row["ethnic_minority"] = "not_known" if minority is None else _yes_no(minority)
        row["age_band"] = age_band(
            age_on(
                date_of_birth=person["date_of_birth"],
                approximate_age=person["approximate_age"],
                approximate_age_recorded_on=person["approximate_age_recorded_on"],
                on=quarter.end,
            )
        )
        row["age_basis"] = (
            "date_of_birth"
            if person["date_of_birth"]
            else "approximate"
            if person["approximate_age"] is not None
            else "not_known"
        )
        if episode["referral_id"]:
            ticked = [episode[f"referral__{key}"] for key in DISADVANTAGES]
            for key, value in zip(DISADVANTAGES, ticked, strict=True):
                row[f"disadvantage_{key}"] = _yes_no(value)
            row["disadvantage_count"] = sum(ticked)
        ended = episode["end_date"] and episode["end_date"] <= quarter.end
        row.update(
            support_accepted_on=_date(episode["accepted_on"]),
            support_start=_date(episode["start_date"]),
            support_end=_date(episode["end_date"]) if ended else "",
            exit_destination=episode["exit_destination"] if ended else "",
            ending_planned=_yes_no(episode["ending_planned"]) if ended else "",
        )
        for which, found in zip(
            ["baseline", "latest"], ndt.get(episode["id"], (None, None)), strict=True
        ):
            if found:
                row[f"ndt_{which}_date"] = _date(found["assessed_on"])
                row[f"ndt_{which}_scheme"] = f"{found['scheme__code']} v{found['scheme__version']}"
                row[f"ndt_{which}_standard_total"] = found["standard_total"]
                if found["scheme__comparable_to_id"] is not None:
                    row[f"ndt_{which}_amended_total"] = found["total"]
        for which, found in zip(
            ["baseline", "latest"], reqol.get(episode["id"], (None, None)), strict=True
        ):
            if found:
                row[f"reqol_{which}_date"] = _date(found["completed_on"])
                row[f"reqol_{which}_total"] = found["total"]
        counts = events.get(person_id)
        for kind, name in EVENT_COLUMNS:
            row[name] = counts.counts[kind] if counts else 0
        row["accommodation_at_start"] = at_start.get(person_id) or ""
        row["accommodation_at_end"] = at_end.get(person_id) or ""
        row["accommodation_changes"] = changes.get(person_id, 0)
        row["da_survivor"] = _yes_no(person_id in survivors)
        row["da_risk_flag"] = _yes_no(RiskFlag.DOMESTIC_ABUSE in (person["risk_flags"] or []))
        last_amended = amended.get(episode["id"], (None, None))[1]
        if last_amended and da_items.get(last_amended["id"]) is not None:
            row["da_ndt_item"] = da_items[last_amended["id"]]
        row["da_risk_level"] = risk_levels.get(person_id) or "none"
        referred, repeats = maracs.get(person_id, (0, 0))
        row["marac_referrals"] = referred
        row["marac_repeat"] = _yes_no(repeats > 0) if referred else ""
        rows.append(row)
    rows.sort(key=lambda row: row["pseudonym"])
    return rows


def to_csv(rows):
    """The file: a header of column names, then one row per person. No comment lines, so any
    CSV reader takes it as it is; the format version is the first column."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=NAMES, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
