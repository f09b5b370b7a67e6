"""The registry of a person's records is the one list record history, exports and erasure read:
a model that reaches a person and is not in it would be left out of all three."""

from django.apps import apps

from smd import person_records
from smd.audit.history import tracked


def _relations(model):
    return [f for f in model._meta.concrete_fields if f.is_relation and f.related_model]


def _is_history_model(model):
    return hasattr(model, "instance_type") and model._meta.model_name.startswith("historical")


def _reaches(record):
    """The models a record's path passes through, ending with the one it names last."""
    model, passed = record.model, []
    if record.path == "pk":
        return [model]
    for name in record.path.split("__"):
        model = model._meta.get_field(name).related_model
        passed.append(model)
    return passed


def test_every_model_that_reaches_a_person_by_foreign_keys_is_registered():
    """Walked from the app registry: a model with a foreign key to the person, or to a model
    that has one, however deep. django-simple-history's copies go with the model they copy."""
    person = person_records.person_model()
    found = {person}
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            if model in found or _is_history_model(model):
                continue
            if model._meta.label in person_records.EXCLUDED:
                continue
            if any(f.related_model in found for f in _relations(model)):
                found.add(model)
                changed = True
    registered = {r.label for r in person_records.records()}
    missing = {m._meta.label for m in found} - registered
    assert not missing, (
        f"Register in the app's ready() with person_records.register (or register_excluded, "
        f"saying why): {missing}"
    )
    assert registered <= {m._meta.label for m in found}, "registered but no longer reaches a person"
    assert not registered & set(person_records.EXCLUDED)


def test_every_path_ends_at_the_person():
    person = person_records.person_model()
    for record in person_records.records():
        assert _reaches(record)[-1] is person, record


def test_a_record_comes_after_the_records_it_reaches_the_person_through():
    """History is purged children first, and read parents first."""
    order = [r.model for r in person_records.records()]
    assert order[0] is person_records.person_model()
    for record in person_records.records():
        for model in _reaches(record)[:-1]:
            assert order.index(model) < order.index(record.model), record


def test_record_history_follows_every_kind_that_keeps_earlier_versions():
    """A record reached through another is found through that one's earlier versions, so the
    other must keep them too."""
    kept = {r.model for r in person_records.records() if r.history is not None}
    assert {model for model, _ in tracked()} == kept
    for record in person_records.records():
        if record.history is not None:
            for model in _reaches(record)[:-1]:
                assert person_records.history_model_of(model) is not None, record
