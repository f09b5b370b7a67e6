"""Everything held about a person: the rows of the kinds of record in `smd.person_records`.

Each app registers its kinds of record about a person there, and a test walks every model's
foreign keys so that one reaching a person cannot be left out; the same list gives record
history, this export and erasure. A person's records are the rows of those models that point
at the person by a foreign key, or at one of those rows (an allocation through its episode, a
goal review through its goal, an NDT item score through its assessment), however deep. A model
that points at a person but is not part of their record (the audit log, the retention list
itself) is registered as excluded, with why: `EXCLUDED`.
"""

from collections import defaultdict

from django.db.models import Q

from smd import person_records
from smd.person_records import EXCLUDED as EXCLUDED
from smd.person_records import history_model_of as history_model_of


def label(model):
    return model._meta.label


# How exports and the retention page name a kind of record, where Django's plural reads badly.
NAMES = {
    "caseload.Person": "The person's record",
    "caseload.PersonAlias": "Other names used",
    "assessments.Assessment": "NDT assessments",
    "assessments.ItemScore": "NDT item scores",
    "assessments.AssessmentCorrection": "NDT corrections",
    "assessments.ReqolRecord": "ReQoL-10 records",
    "assessments.ReqolAnswer": "ReQoL-10 answers",
    "mdt.MdtReferral": "MDT referrals",
    "mdt.AgendaItem": "MDT agenda items",
    "mdt.Action": "MDT actions",
}


def name_of(model):
    """A kind of record, as people read it: "Contacts", "MDT actions"."""
    if is_history_model(model):
        return f"{name_of(model.instance_type)}: earlier versions"
    return NAMES.get(label(model)) or str(model._meta.verbose_name_plural).capitalize()


def is_history_model(model):
    """A django-simple-history table: dealt with alongside the model it records."""
    return hasattr(model, "instance_type") and model._meta.model_name.startswith("historical")


def links(model):
    """The foreign keys (and one-to-ones) a model holds."""
    return [
        f for f in model._meta.concrete_fields if f.is_relation and f.many_to_one or f.one_to_one
    ]


def person_models():
    """Person, then every kind of record registered about them, a model before the models
    that reach the person through it."""
    return [record.model for record in person_records.records()]


def collect(person_ids):
    """{model: set of primary keys} of every record belonging to these people.

    Repeated until nothing new turns up, because a record can be reached by more than one
    path (an allocation through its episode, and its successor through `handed_over_from`).
    """
    models = person_models()
    person = models[0]
    found = defaultdict(set)
    found[person] = set(
        person._base_manager.filter(pk__in=list(person_ids)).values_list("pk", flat=True)
    )
    if not found[person]:
        return {}
    changed = True
    while changed:
        changed = False
        for model in models[1:]:
            where = Q()
            for field in links(model):
                keys = found.get(field.related_model)
                if keys:
                    where |= Q(**{f"{field.attname}__in": list(keys)})
            if not where:
                continue
            keys = set(model._base_manager.filter(where).values_list("pk", flat=True))
            if keys - found[model]:
                found[model] |= keys
                changed = True
    return {model: found[model] for model in models if found[model]}
