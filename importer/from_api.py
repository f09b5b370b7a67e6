"""From the API's answers to the import format: the records another smd's read-only API
(docs/api.md) gives, as the sheets the importer reads (docs/import.md, "From another smd").

It reads JSON, never the api package's objects: the two ends may be different installations.
Each record's `source_id` is the API's id for it (a person's is their `person` field: the record
id for an identifiable token, the pseudonym otherwise). An allocation's worker is the username
an identifiable token is given (a member of staff of that name in the importing team); the
other staff columns are left blank, so the import names the member of staff running it (the
API gives a contact's or an event's worker by role, never who).
Referrals not yet linked to a person are left out: the import hangs every record on a person.
"""

import json
from urllib.parse import urljoin, urlsplit
from urllib.request import Request, urlopen

from importer import format as fmt
from importer.reading import Sheet

# The API's list endpoints the format carries, in the order the importer reads them.
ENDPOINTS = {
    "people": "v1/people/",
    "episodes": "v1/episodes/",
    "referrals": "v1/referrals/",
    "allocations": "v1/allocations/",
    "assessments": "v1/assessments/",
    "contacts": "v1/contacts/",
    "events": "v1/crisis-events/",
    "accommodation": "v1/accommodation/",
}


def _text(value):
    if value is None:
        return ""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list):
        return fmt.LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


def _person(record):
    return {
        "source_id": record["person"],
        **{
            column: record.get(column)
            for column in (
                "first_name",
                "last_name",
                "known_as",
                "date_of_birth",
                "approximate_age",
                "nhs_number",
                "phone",
                "gender",
                "ethnicity",
                "disability",
            )
        },
    }


def _child(record, *columns, episode=True):
    row = {"source_id": record["id"], "person_source_id": record["person"]}
    if episode:
        row["episode_source_id"] = record.get("episode")
    row.update({column: record.get(column) for column in columns})
    return row


def _assessment(record):
    row = _child(record, "scheme", "scheme_version", "assessed_on", "participation")
    row.update({item["key"]: item["score"] for item in record["items"]})
    return row


def _referral(record):
    row = {
        "source_id": record["id"],
        "person_source_id": record["person"],
        "episode_source_id": record.get("episode"),
        "received_at": record["received_at"],
        "referrer_organisation": record.get("referrer_organisation"),
        **{
            column: record.get(column)
            for column in (
                "channel",
                "status",
                "consent",
                "homelessness",
                "mental_health",
                "substance_misuse",
                "offending",
                "domestic_abuse",
                "is_self_referral",
            )
        },
    }
    if record.get("decisions"):
        decision = record["decisions"][-1]
        row.update(
            decision=decision["outcome"],
            decided_at=decision["decided_at"],
            reason=decision.get("reason"),
            signposted_to=decision.get("signposted_to"),
        )
    return row


def _linked(records):
    # A referral not yet linked to anyone has no person to import it with.
    return [record for record in records if record.get("person")]


ROWS = {
    "people": _person,
    "episodes": lambda r: _child(
        r,
        "status",
        "accepted_on",
        "start_date",
        "end_date",
        "exit_destination",
        "ending_planned",
        "closing_note",
        episode=False,
    ),
    "referrals": _referral,
    "allocations": lambda r: {
        **_child(r, "kind", "started_at", "ended_at", "reason", "end_reason"),
        "worker": r.get("worker"),
    },
    "assessments": _assessment,
    "contacts": lambda r: _child(
        r,
        "occurred_at",
        "kind",
        "duration_minutes",
        "with_person",
        "summary",
        "topics",
        "follow_up_action",
    ),
    "events": lambda r: _child(r, "kind", "occurred_on", "quantity", "source", "note"),
    "accommodation": lambda r: _child(r, "status", "from_date", "note", episode=False),
}


def sheets_from_api(records):
    """The importer's sheets for `records`: {sheet name (a key of ENDPOINTS): [each record the
    endpoint answered, every page's results in order]}."""
    sheets = []
    for name, convert in ROWS.items():
        given = records.get(name, [])
        rows = [convert(record) for record in (_linked(given) if name == "referrals" else given)]
        if name == "assessments":
            # The item columns of the schemes present, in the format's order.
            present = {key for row in rows for key in row}
            header = [*fmt.ASSESSMENTS.columns]
            header += [key for key in fmt.NDT_ITEM_COLUMNS if key in present]
        else:
            header = list(fmt.BY_SHEET[name].columns)
        values = [
            (number, [_text(row.get(column)) for column in header])
            for number, row in enumerate(rows, start=2)
        ]
        sheets.append(Sheet(name, f"{name} (API)", header, len(values), iter(values)))
    return sheets


def fetch_all(base_url, key, opener=None):
    """Every page of every endpoint ENDPOINTS names, from the API at `base_url` (".../api/")."""
    records = {}
    for name, path in ENDPOINTS.items():
        url, results = urljoin(base_url, path), []
        while url:
            if urlsplit(url).scheme not in ("http", "https"):
                raise ValueError(f"Not a web address: {url}")
            request = Request(url, headers={"Authorization": f"Bearer {key}"})  # noqa: S310
            with (opener or urlopen)(request) as response:
                page = json.load(response)
            results.extend(page["results"])
            url = page.get("next")
        records[name] = results
    return records
