"""Views reach person data only through a scoped queryset (ADR 0003).

Every views module in the project's apps is read with `ast`: a person-data model's `.objects`
may be used only as `Model.objects.visible_to(...)`, and `get_object_or_404` /
`get_list_or_404` never take a person-data model itself. Anything else goes through a selector,
a `visible_to` queryset, or the related records of a person already found through one.

Person-data models are the kinds of record about a person that the apps register in
`smd.person_records`, so a new model about people is covered without a list to keep here.
"""

import ast
import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from smd import person_records

SHORTCUTS = {"get_object_or_404", "get_list_or_404"}
SCOPED = "visible_to"


def person_data_models():
    """Every kind of record about a person, from the one list of them (smd.person_records,
    which tests/smd/test_person_records.py holds to the models' foreign keys)."""
    return {record.model for record in person_records.records()}


def views_modules():
    """The module name and path of every views module in the project's own apps."""
    base = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        root = Path(config.path).resolve()
        if base not in root.parents and root != base:
            continue  # a third-party app
        for path in sorted(root.rglob("*.py")):
            relative = path.relative_to(root)
            if "migrations" in relative.parts or "tests" in relative.parts:
                continue
            if path.name == "views.py" or path.stem.endswith("_views") or "views" in relative.parts:
                dotted = ".".join(relative.with_suffix("").parts)
                yield f"{config.name}.{dotted}", path


def _parents(tree):
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    return parents


def unscoped_uses(source, namespace, models):
    """`(line, text)` for each use of a person-data model that bypasses the scope. `namespace`
    is the module's globals, which say what each name in the source is."""
    tree = ast.parse(source)
    parents = _parents(tree)

    def is_person_data(node):
        return isinstance(node, ast.Name) and namespace.get(node.id) in models

    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "objects"
            and is_person_data(node.value)
        ):
            scoped = parents.get(node)
            call = parents.get(scoped)
            if not (
                isinstance(scoped, ast.Attribute)
                and scoped.attr == SCOPED
                and isinstance(call, ast.Call)
                and call.func is scoped
            ):
                found.append((node.lineno, ast.get_source_segment(source, node)))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in SHORTCUTS
            and node.args
            and is_person_data(node.args[0])
        ):
            found.append((node.lineno, ast.get_source_segment(source, node)))
    return sorted(found)


MODULES = sorted(views_modules())


def test_person_data_models_are_the_registered_records():
    labels = {model._meta.label for model in person_data_models()}
    assert {
        "caseload.Person",
        "caseload.Episode",
        "caseload.Allocation",
        "caseload.Contact",
        "caseload.Goal",
        "referrals.Referral",
        "assessments.Assessment",
        "assessments.ReqolRecord",
        "mdt.MdtReferral",
        "mdt.AgendaItem",
        "mdt.Action",
        "sharing.SharingAgreement",
        "sharing.LawfulBasis",
    } <= labels
    assert not labels & {"smd.User", "smd.Team", "smd.Organisation", "mdt.MdtMeeting"}


def test_every_app_with_pages_has_its_views_read():
    names = {name for name, _ in MODULES}
    assert {
        "caseload.views",
        "caseload.outcomes.views",
        "mdt.views",
        "sharing.views",
        "referrals.views",
        "assessments.views",
        "assessments.reqol.views",
        "returns.views",
        "rights.views",
        "smd.audit.views",
        "smd.views",
    } <= names


@pytest.mark.parametrize(("module_name", "path"), MODULES, ids=[name for name, _ in MODULES])
def test_views_reach_person_data_only_through_a_scope(module_name, path):
    namespace = vars(importlib.import_module(module_name))
    assert unscoped_uses(path.read_text(), namespace, person_data_models()) == []


def test_the_check_finds_an_unscoped_read():
    """The check itself: each way round the scope is caught, the scoped form is not."""
    source = (
        "from django.shortcuts import get_object_or_404\n"
        "from caseload.models import Contact, Person\n"
        "def a(request, pk):\n"
        "    return get_object_or_404(Person, pk=pk)\n"
        "def b(request, pk):\n"
        "    return Contact.objects.filter(pk=pk)\n"
        "def c(request, pk):\n"
        "    return Person.objects.visible_to(request.user).get(pk=pk)\n"
        "def d(request):\n"
        "    return Person.objects\n"
    )
    namespace = {}
    exec(compile(source, "views.py", "exec"), namespace)  # noqa: S102 - the sample above
    found = unscoped_uses(source, namespace, person_data_models())
    assert [line for line, _ in found] == [4, 6, 10]
