"""Everything held about a person, found from the models themselves.

A person's records are the rows of every model that points at `caseload.Person` by a foreign
key, or at one of those rows (an allocation through its episode, a goal review through its
goal, an NDT item score through its assessment), however deep. The models are found from
Django's model meta, so a model added later that points at a person is exported and erased
without anyone remembering to list it here. A model that points at a person but is not part of
their record (the audit log, the retention list itself) is named in `EXCLUDED`, with why.
"""

from collections import defaultdict

from django.apps import apps
from django.db.models import Q

PERSON = "caseload.Person"

# label -> why it is neither exported nor erased.
EXCLUDED = {
    "audit.AuditEvent": (
        "The audit log: who opened or changed the record, kept unchanged (append-only) so that "
        "access stays accountable after erasure. It holds the person's id only, never their "
        "details."
    ),
    "rights.RetentionReview": (
        "The retention list: the record that the person was due for erasure and of the "
        "decision taken. It holds the person's id and dates only."
    ),
}


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


def history_model_of(model):
    """The django-simple-history model holding `model`'s earlier versions, if it has one."""
    attribute = getattr(model._meta, "simple_history_manager_attribute", None)
    if not attribute:
        return None
    return getattr(model, attribute).model


def is_history_model(model):
    """A django-simple-history table: dealt with alongside the model it records."""
    return hasattr(model, "instance_type") and model._meta.model_name.startswith("historical")


def links(model):
    """The foreign keys (and one-to-ones) a model holds."""
    return [
        f for f in model._meta.concrete_fields if f.is_relation and f.many_to_one or f.one_to_one
    ]


def person_models():
    """Person, then every model reachable from it by foreign keys pointing towards it, in the
    order found (a model before the models that reach the person through it)."""
    found = [apps.get_model(PERSON)]
    candidates = [
        m
        for m in apps.get_models()
        if label(m) not in EXCLUDED and not is_history_model(m) and m is not found[0]
    ]
    changed = True
    while changed:
        changed = False
        for model in candidates:
            if model not in found and any(f.related_model in found for f in links(model)):
                found.append(model)
                changed = True
    return found


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
