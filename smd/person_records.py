"""The one list of the kinds of record held about a person: read by record history
(`smd.audit.history`), the subject access export and erasure (`rights`).

Each app names its own from its AppConfig.ready(), so the code that reads the list (core code
among it) never imports the apps that define the records:

    from smd import person_records

    person_records.register_person(Person, visible_to=lambda user: ...)
    person_records.register(Episode, path="person")
    person_records.register(Allocation, path="episode__person")
    person_records.register_excluded(RetentionReview, why="The retention list: ...")

`path` is the lookup from one row to the person, as `filter()` follows it: foreign keys ending
at the one to the person ("pk" for the person themselves). A record that reaches the person
through another (an allocation through its episode) is registered after it. Whether a kind of
record keeps earlier versions is read from the model (django-simple-history). A model that
holds a person's id but is not part of their record (the audit log) is registered as excluded,
with why: it is neither exported nor erased. `tests/smd/test_person_records.py` walks every
model's foreign keys and fails on one that reaches a person without being registered.
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class Record:
    """A kind of record about a person, and the lookup from one of its rows to the person."""

    model: type[models.Model]
    path: str
    # For a record that is a file (an uploaded document): files(row) -> [(name, bytes)], what
    # a subject access export adds beside the data (rights.export.attached_files).
    files: Callable[[models.Model], list[tuple[str, bytes]]] | None = None

    @property
    def label(self):
        return self.model._meta.label

    @property
    def history(self):
        """The django-simple-history model holding earlier versions, or None."""
        return history_model_of(self.model)


_person = None  # (model, visible_to)
_records: dict[str, Record] = {}
_excluded: dict[str, str] = {}
# label -> why it holds a person's id but is neither exported nor erased. Read-only, and filled
# as the apps register, so it can be imported before they have.
EXCLUDED = MappingProxyType(_excluded)


def register_person(model, *, visible_to: Callable[[object], models.QuerySet]):
    """The person model, and `visible_to(user)`: the people that user may see."""
    global _person
    _person = (model, visible_to)
    _records[model._meta.label] = Record(model, "pk")


def register(model, *, path, files=None):
    """A kind of record about a person, reaching them by `path` ("person", "episode__person"),
    with `files(row)` if its rows are files the person is given in an export."""
    _records[model._meta.label] = Record(model, path, files)


def register_excluded(model, *, why):
    """A model that holds a person's id but is not part of their record, and why."""
    _excluded[model._meta.label] = why


def person_model():
    if _person is None:
        raise LookupError("No person model is registered (person_records.register_person).")
    return _person[0]


def people_visible_to(user):
    """The people `user` may see, as a queryset of the person model."""
    person_model()
    return _person[1](user)


def records():
    """Every kind of record about a person: the person first, then by app in INSTALLED_APPS
    order and in the order each app registered them, so a record comes after the one it
    reaches the person through."""
    order = {config.label: i for i, config in enumerate(apps.get_app_configs())}
    person = person_model()
    ranked = sorted(
        enumerate(_records.values()),
        key=lambda pair: (
            pair[1].model is not person,
            order[pair[1].model._meta.app_label],
            pair[0],
        ),
    )
    return [record for _, record in ranked]


def history_model_of(model):
    """The django-simple-history model holding `model`'s earlier versions, if it has one."""
    attribute = getattr(model._meta, "simple_history_manager_attribute", None)
    if not attribute:
        return None
    return getattr(model, attribute).model
