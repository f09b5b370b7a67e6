"""A subject access export: every record held about one person, as JSON and as a readable PDF.

The records are those `collect` finds, so a model added later that points at a person is in the
export without changes here. Staff are shown by name (they acted in their role). Nothing about
anyone else is included: only this person's rows are read, a link to another person is withheld,
and fields that hold a third party's own details are listed in `WITHHELD` with why.
"""

import datetime
import io
import json
import zipfile
from decimal import Decimal
from uuid import UUID

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from rights.collect import (
    EXCLUDED,
    collect,
    history_model_of,
    is_history_model,
    name_of,
)
from smd.person_records import person_model, records

# (model label, field) -> (why it is withheld, when: a test on the record; None for always).
WITHHELD = {
    ("referrals.Referral", "referrer_contact"): (
        "The referrer's own phone number or email address.",
        lambda obj: not obj.is_self_referral,
    ),
}
ANOTHER_PERSON = "Another person (withheld)"
# Left out of the PDF only, to keep it readable; the JSON has them.
PDF_HIDDEN = {"id", "submission_key", "version", "history_id"}


def _staff(user):
    return user.get_full_name() or user.get_username()


def _plain(value):
    if isinstance(value, datetime.datetime):
        return (
            timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


def _readable(value):
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%-d %b %Y, %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%-d %b %Y")
    if isinstance(value, list):
        return "; ".join(_readable(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_readable(v)}" for k, v in value.items())
    return str(value)


def _fields(model):
    return list(model._meta.concrete_fields) + list(model._meta.many_to_many)


def _record(model, obj, found, person_pk):
    """One record as (name, label, JSON value, readable value) per field."""
    user_model = get_user_model()
    # An earlier version of a record withholds what the record does.
    kind = model.instance_type if is_history_model(model) else model
    out = []
    for field in _fields(model):
        name, label = field.name, str(field.verbose_name)
        withheld = WITHHELD.get((kind._meta.label, name))
        if withheld and (withheld[1] is None or withheld[1](obj)):
            out.append((name, label, f"Withheld: {withheld[0]}", "Withheld"))
            continue
        if field.many_to_many:
            names = [str(o) for o in getattr(obj, name).all()]
            out.append((name, label, names, _readable(names)))
            continue
        if field.is_relation:
            key = getattr(obj, field.attname)
            target = field.related_model
            if key is None:
                out.append((name, label, None, "—"))
            elif target is person_model():
                value = str(key) if key == person_pk else ANOTHER_PERSON
                out.append((name, label, value, "This person" if key == person_pk else value))
            elif target in found:
                out.append((name, label, str(key), str(key)))  # another record in this export
            elif target is user_model:
                staff = _staff(getattr(obj, name))
                out.append((name, label, staff, staff))
            else:
                text = str(getattr(obj, name))
                out.append((name, label, text, text))
            continue
        value = getattr(obj, field.attname)
        labels = getattr(obj, f"get_{name}_display", None)
        if isinstance(value, list) and labels is not None:
            # A list of codes (topics, risk flags): the codes, and their labels to read.
            shown = [str(x) for x in labels()]
            out.append((name, label, {"codes": value, "labels": shown}, _readable(shown)))
            continue
        if field.choices:
            shown = getattr(obj, f"get_{name}_display")()
            out.append((name, label, {"code": value, "label": str(shown)}, str(shown)))
            continue
        out.append((name, label, _plain(value), _readable(value)))
    return out


def _rows(model, keys, found):
    related = [
        f.name
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model not in found and f.related_model is not person_model()
    ]
    rows = model._base_manager.filter(pk__in=list(keys)).select_related(*related)
    m2m = [f.name for f in model._meta.many_to_many]
    return rows.prefetch_related(*m2m) if m2m else rows


def person_export(person, *, by):
    """Everything held about `person`: {"manifest": ..., "records": {label: [...]}} for the
    JSON, and `sections` for the PDF."""
    found = collect([person.pk])
    sections = []
    for model, keys in found.items():
        records = [_record(model, obj, found, person.pk) for obj in _rows(model, keys, found)]
        sections.append((model, records))
        history = history_model_of(model)
        if history is not None:
            earlier = history._base_manager.filter(
                **{f"{model._meta.pk.attname}__in": list(keys)}
            ).select_related("history_user")
            earlier_records = [_record(history, obj, found, person.pk) for obj in earlier]
            if earlier_records:
                sections.append((history, earlier_records))
    manifest = {
        "about": "Every record this service holds about one person, for a subject access request.",
        "person_id": str(person.pk),
        "team": str(person.team),
        "generated_at": timezone.localtime().isoformat(),
        "generated_by": _staff(by),
        "retention_years": settings.RETENTION_YEARS,
        "contents": [
            {
                "model": model._meta.label,
                "name": name_of(model),
                "records": len(records),
            }
            for model, records in sections
        ],
        "not_included": [{"model": m, "why": why} for m, why in sorted(EXCLUDED.items())],
        "withheld_fields": [
            {"model": m, "field": f, "why": why} for (m, f), (why, _) in sorted(WITHHELD.items())
        ],
        "notes": [
            "Staff are shown by name. Other people's details are not included: a link to another "
            "person is shown as withheld.",
            "Fields with a fixed list of answers are given as their code and label.",
            "An id links one record to another within this file.",
        ],
    }
    records = {
        model._meta.label: [{name: raw for name, _, raw, _ in rec} for rec in recs]
        for model, recs in sections
    }
    return {"manifest": manifest, "records": records}, sections


def attached_files(found):
    """The files among the records found (uploaded documents): [(name, bytes)], each under the
    kind of record it belongs to."""
    files = []
    for record in records():
        keys = found.get(record.model)
        if record.files is None or not keys:
            continue
        folder = record.model._meta.label.lower()
        for obj in record.model._base_manager.filter(pk__in=list(keys)).order_by("pk"):
            files += [(f"files/{folder}/{name}", data) for name, data in record.files(obj)]
    return files


def to_zip(json_bytes, pdf_bytes, files):
    """The export as one archive: the readable PDF, the JSON, and the files themselves."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("subject-access.pdf", pdf_bytes)
        archive.writestr("subject-access.json", json_bytes)
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()


def to_json(data):
    return json.dumps(data, indent=2, ensure_ascii=False).encode()


def _pdf_columns(model, found):
    """(fields shown, links to other records in the file): not ids or bookkeeping."""
    links = [
        f.name
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model in found and f.related_model is not person_model()
    ]
    shown = [
        f.name
        for f in _fields(model)
        if f.name not in PDF_HIDDEN
        and f.name != "updated_at"
        and f.name not in links
        # Every record here is this person's: saying so on each would be noise.
        and not (f.is_relation and f.related_model is person_model())
    ]
    return shown, links


# A kind of record with this many fields or fewer is a table, one row a record (NDT item
# scores, ReQoL-10 answers); longer ones are one block a record.
PDF_TABLE_MAX_COLUMNS = 5


def to_pdf(person, sections, manifest):
    """The export to read: each record numbered within its kind ("Contacts 3"), and a record
    that belongs to another (an item score to its assessment) says which, by that number."""
    found = {model for model, _ in sections}
    numbers = {}
    for model, recs in sections:
        for i, rec in enumerate(recs, start=1):
            numbers[next(raw for name, _, raw, _ in rec if name == "id")] = f"{name_of(model)} {i}"
    readable = []
    for model, recs in sections:
        columns, links = _pdf_columns(model, found)
        rows = []
        for rec in recs:
            values = {name: (label, raw, shown) for name, label, raw, shown in rec}
            part_of = [numbers.get(values[n][1]) for n in links if values[n][1] in numbers]
            row = [("Part of", "; ".join(part_of))] if links else []
            row += [
                ("recorded" if n == "created_at" else values[n][0], values[n][2])
                for n in columns
                if n in values
            ]
            rows.append(row)
        if links:
            rows.sort(key=lambda row: row[0][1])  # grouped by the record they belong to
        readable.append(
            {
                "name": name_of(model),
                "table": len(columns) + bool(links) <= PDF_TABLE_MAX_COLUMNS,
                "headings": [label for label, _ in rows[0]] if rows else [],
                "records": rows,
            }
        )
    html = render_to_string(
        "rights/export_pdf.html",
        {"person": person, "sections": readable, "manifest": manifest, "made": timezone.now()},
    )
    return HTML(string=html).write_pdf()
