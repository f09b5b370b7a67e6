"""Change history of the records about people (django-simple-history), read per person for the
"Record history" page, and purged per person when their record is erased (ADR 0015, ADR 0017).

The records are the kinds in `smd.person_records` whose models keep simple-history versions.
Contacts keep their own versions (ContactVersion) and NDT assessments their corrections
(AssessmentCorrection); MDT case notes are locked when the meeting finishes, and each save
while it runs is in the audit log. Those models have no simple-history table.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import models, transaction
from django.utils import formats, timezone

from smd import person_records
from smd.models import User

HIDDEN = {"id", "created_at", "updated_at", "version", "submission_key"}


def tracked():
    """The kinds of record that keep earlier versions, as (model, path to the person): a
    record after the one it reaches the person through."""
    return [(r.model, r.path) for r in person_records.records() if r.history is not None]


def _object_ids(model, path, person_id):
    """Ids of the model's records that, in any version, belonged to the person: so a record
    linked to them later (a referral) takes its earlier versions with it. A record that reaches
    the person through another (an allocation through its episode) is found through that
    record's history, so it is found after either is deleted."""
    name, _, rest = path.partition("__")
    if name == "pk":
        return model.history.filter(id=person_id).values("id")
    link = model._meta.get_field(name)
    if not rest:
        return model.history.filter(**{link.attname: person_id}).values("id")
    parents = _object_ids(link.related_model, rest, person_id)
    return model.history.filter(**{f"{link.attname}__in": parents}).values("id")


def _history_of(model, path, person_id):
    return model.history.filter(id__in=_object_ids(model, path, person_id))


@transaction.atomic
def history_purge_person(*, person_id):
    """Delete every earlier version of a person's records: for erasure, where keeping old
    values would defeat it. Returns the number of rows deleted. Call it before or after the
    records themselves are deleted: history rows have no foreign key to them."""
    deleted = 0
    # Children first: their link to the person runs through their parents' history.
    for model, path in reversed(tracked()):
        count, _ = _history_of(model, path, person_id).delete()
        deleted += count
    return deleted


@dataclass
class Change:
    at: datetime
    by: User | None
    record: str
    kind: str  # "Created", "Changed", "Deleted"
    fields: list = field(default_factory=list)  # (label, before, after)


def _fields(model):
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in HIDDEN and not f.name.startswith("history_")
    ]


def _shown(model_field, value, users):
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(model_field, models.ForeignKey):
        if model_field.related_model is User:
            user = users.get(value)
            return str(user) if user else "a former user"
        return "(another record)"
    choices = dict(model_field.flatchoices) if model_field.choices else {}
    if isinstance(value, list):
        return ", ".join(str(choices.get(v, v)) for v in value)
    if choices:
        return str(choices.get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "j M Y H:i")
    if isinstance(value, date):
        return formats.date_format(value, "j M Y")
    return str(value)


def record_history(*, person):
    """Every version of the person's records, newest first, each with what changed from the
    version before. One query per kind of record, and one for the names of staff."""
    versions = []
    for model, path in tracked():
        rows = list(
            _history_of(model, path, person.pk)
            .select_related("history_user")
            .order_by("id", "history_date", "history_id")
        )
        versions.append((model, rows))
    user_fks = {
        f.attname
        for model, _ in versions
        for f in _fields(model)
        if isinstance(f, models.ForeignKey) and f.related_model is User
    }
    user_ids = {
        getattr(row, name)
        for _, rows in versions
        for row in rows
        for name in user_fks
        if getattr(row, name, None)
    }
    users = User.objects.in_bulk(user_ids) if user_ids else {}

    changes = []
    for model, rows in versions:
        fields = _fields(model)
        label = model._meta.verbose_name.capitalize()
        previous = None
        for row in rows:
            if previous is None or previous.id != row.id:
                previous = None
            kind = {"+": "Created", "~": "Changed", "-": "Deleted"}[row.history_type]
            diff = []
            if previous is not None and kind == "Changed":
                for f in fields:
                    before, after = getattr(previous, f.attname), getattr(row, f.attname)
                    if before != after:
                        diff.append(
                            (
                                f.verbose_name.capitalize(),
                                _shown(f, before, users),
                                _shown(f, after, users),
                            )
                        )
            if kind != "Changed" or diff or previous is None:
                changes.append(Change(row.history_date, row.history_user, label, kind, diff))
            previous = row
    changes.sort(key=lambda change: change.at, reverse=True)
    return changes
