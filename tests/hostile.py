"""Hostile form data for the property-based tests in tests/test_hostile_input.py.

A payload starts as a valid one and has a few of its fields replaced, removed or added: huge
strings, NUL and other control characters, odd unicode, text where a number, date, UUID or
choice belongs, a list where one value belongs, and the ids of another team's records.
"""

import uuid
from datetime import date, datetime

from django.apps import apps
from django.db import connection, models
from django.utils import timezone
from hypothesis import strategies as st

HUGE = [
    "x" * 100_000,
    "é" * 50_000,
    "🏠" * 30_000,
    "a\x00" * 50_000,
]

ODD = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n",
    "\x1b[31m",
    "\x7f\x08\x0c",
    "\u202eevil",
    "\u200b",
    "\ufeff",
    "e\u0301\u0301\u0301",
    "Ⅻ",
    "１２",
    "𝟗",
    "<script>alert(1)</script>",
    "'; DROP TABLE caseload_person; --",
    "%00",
    "../../etc/passwd",
    "{{ 7*7 }}",
    "null",
    "None",
]

WRONG_TYPES = [
    "abc",
    "-1",
    "0",
    "1.5",
    "1e309",
    "NaN",
    "-Infinity",
    "99999999999999999999999999",
    "0x10",
    "on",
    "true",
    "2026-02-30",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "31/12/99999",
    "2026-11-22T25:61",
    "2026-11-22\x00",
    "not-a-uuid",
    "00000000-0000-0000-0000-000000000000",
    "£-5",
    "£1,000,000,000,000",
]

# Names a form never asks for, but a forged post might: fields a careless form would let through.
EXTRA_FIELDS = [
    "id",
    "pk",
    "team",
    "team_id",
    "person",
    "person_id",
    "episode",
    "author",
    "created_by",
    "recorded_by",
    "status",
    "is_superuser",
    "role",
    "version",
    "submission_key",
    "form",
    "next",
    "from",
    "csrfmiddlewaretoken",
]

scalar_text = st.text(
    alphabet=st.characters(exclude_categories=["Cs"]),  # lone surrogates cannot be sent as UTF-8
    max_size=40,
)


def hostile_values(forged_ids):
    """One hostile value: a string, or a list of them where the form wants one."""
    ids = sorted(forged_ids)
    scalar = st.one_of(
        st.sampled_from(HUGE),
        st.sampled_from(ODD),
        st.sampled_from(WRONG_TYPES),
        st.sampled_from(ids),
        st.uuids().map(str),
        scalar_text,
    )
    return st.one_of(scalar, st.lists(scalar, min_size=2, max_size=3))


@st.composite
def hostile_payloads(draw, baseline, forged_ids):
    """The valid baseline with hostile changes: either one field replaced or left out (so the
    rest stays valid and the post gets as far as the service), or every field kept, replaced or
    left out at random; and perhaps a few fields the form never asks for, added."""
    values = hostile_values(forged_ids)
    data = dict(baseline)
    fields = sorted(baseline)
    if fields and draw(st.booleans()):
        for name in fields:
            change = draw(st.sampled_from(["keep", "replace", "remove"]))
            if change == "replace":
                data[name] = draw(values)
            elif change == "remove":
                del data[name]
    elif fields:
        name = draw(st.sampled_from(fields))
        if draw(st.booleans()):
            data[name] = draw(values)
        else:
            del data[name]
    for name in draw(st.lists(st.sampled_from(EXTRA_FIELDS), max_size=2, unique=True)):
        data[name] = draw(values)
    if data == baseline:
        data[draw(st.sampled_from(EXTRA_FIELDS))] = draw(values)
    return data


# --- valid baselines ---------------------------------------------------------------------------


def _post_value(value):
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "pk"):
        return str(value.pk)
    return str(value)


def as_post(form, **overrides):
    """What a browser sends for an unbound form as it is shown: each field's initial value, in
    the form's own field names (prefix included). `overrides` set fields (by unprefixed name);
    None leaves one out."""
    data = {}
    for bound in form:
        value = bound.value()
        if value is None:
            continue  # as a browser leaves out an unticked box or an unchosen option
        if isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [_post_value(v) for v in value]
        else:
            data[bound.html_name] = _post_value(value)
    for name, value in overrides.items():
        key = form.add_prefix(name)
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


# --- what the database holds -------------------------------------------------------------------

NOT_FINGERPRINTED = {
    # Written on every signed-in request (the session's clock): not a change anyone made.
    "django_session",
    # The access log: append-only by design, it records every read and every refused post
    # (DENIED) too, so a row here is the attempt being recorded, not the attempt succeeding.
    # What it holds is tested in tests/audit/.
    "audit_auditevent",
}

# A table (or "*" for all its columns) a refused post may still write, by design.
ALL_COLUMNS = "*"


def database_rows():
    """Every row of every table: {table: (column names, rows)}."""
    tables = sorted(set(connection.introspection.table_names()) - NOT_FINGERPRINTED)
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows[table] = ([c[0] for c in cursor.description], cursor.fetchall())
    return rows


def fingerprint(rows, ignoring=None):
    """The rows as sorted text, table by table: equal fingerprints mean nothing was written,
    changed or deleted. `ignoring` is {table: columns, or ALL_COLUMNS}: what may change."""
    ignoring = ignoring or {}
    found = {}
    for table, (names, table_rows) in rows.items():
        skip = ignoring.get(table, ())
        if skip == ALL_COLUMNS:
            continue
        keep = [i for i, name in enumerate(names) if name not in skip]
        found[table] = sorted(repr(tuple(row[i] for i in keep)) for row in table_rows)
    return found


def _id_columns():
    """{table: the columns holding a UUID id: its primary key and foreign keys to UUID ids}."""
    columns = {}
    for model in apps.get_models(include_auto_created=True):
        for f in model._meta.concrete_fields:
            target = f.target_field if f.is_relation else f if f.primary_key else None
            if isinstance(target, models.UUIDField):
                columns.setdefault(model._meta.db_table, []).append(f.column)
    return columns


def records_of(rows, ids):
    """Of `rows`, those that are one of `ids` or refer to one (another team's records and
    everything hanging off them), as sorted text, table by table."""
    ids = {uuid.UUID(str(i)) for i in ids}
    found = {}
    for table, id_columns in _id_columns().items():
        if table not in rows:
            continue
        names, table_rows = rows[table]
        at = [names.index(c) for c in id_columns]
        found[table] = sorted(
            repr(row)
            for row in table_rows
            if any(row[i] is not None and uuid.UUID(str(row[i])) in ids for i in at)
        )
    return found


def changed_tables(before, after):
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))
