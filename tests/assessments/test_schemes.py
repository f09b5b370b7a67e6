import copy
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assessments.models import AssessmentScheme, SchemeInUse, SchemeItem
from assessments.services import SchemeFileError, scheme_export, scheme_import


def test_new_version_with_new_weights_leaves_old_totals_alone(episode, amended, assess):
    old = assess(episode, amended, rest=2)
    before = (old.total, old.standard_total)
    data = scheme_export(scheme=amended)
    data["version"] = 2
    for item in data["items"]:
        item["weight"] = 3
    revised = scheme_import(data=data, make_current=True)
    old.refresh_from_db()
    assert (old.total, old.standard_total) == before == (34, 24)
    assert old.scheme == amended
    amended.refresh_from_db()
    assert revised.is_current and not amended.is_current
    new = assess(episode, revised, rest=2)
    assert new.total == 14 * 2 * 3 and new.standard_total == 24


def test_a_used_version_cannot_be_edited_or_deleted(episode, amended, assess):
    assess(episode, amended)
    item = amended.items.get(key="housing")
    item.weight = 5
    with pytest.raises(SchemeInUse):
        item.save()
    amended.name = "Renamed"
    with pytest.raises(SchemeInUse):
        amended.save()
    with pytest.raises(SchemeInUse):
        amended.delete()
    assert SchemeItem.objects.get(pk=item.pk).weight == 1


def test_an_unused_version_can_still_be_edited(amended):
    item = amended.items.get(key="housing")
    item.title = "Accommodation"
    item.save()
    assert amended.items.get(key="housing").title == "Accommodation"


def test_choosing_the_current_version_is_allowed_on_a_used_scheme(episode, standard, assess):
    assess(episode, standard)
    standard.is_current = False
    standard.save()


def test_export_then_import_round_trip(amended):
    data = scheme_export(scheme=amended)
    data["version"] = 7
    again = scheme_export(scheme=scheme_import(data=copy.deepcopy(data)))
    assert again == data


def test_commands_round_trip(amended, tmp_path):
    path = tmp_path / "amended.json"
    call_command("export_scheme", "ndt-amended", "-o", str(path))
    data = json.loads(path.read_text())
    data["version"] = 3
    path.write_text(json.dumps(data))
    call_command("import_scheme", str(path), "--make-current")
    assert AssessmentScheme.objects.get(code="ndt-amended", is_current=True).version == 3


def _valid(amended):
    data = scheme_export(scheme=amended)
    data["version"] = 9
    return data


def _break(mutation):
    def apply(data):
        mutation(data)
        return data

    return apply


INVALID = {
    "unknown top-level key": (_break(lambda d: d.update(colour="blue")), "Unknown keys: colour"),
    "unknown item key": (
        _break(lambda d: d["items"][0].update(score=3)),
        "Item 1 (engagement): unknown keys score",
    ),
    "duplicate item": (
        _break(lambda d: d["items"].append(copy.deepcopy(d["items"][0]))),
        "Item 15 (engagement) is a duplicate",
    ),
    "zero weight": (
        _break(lambda d: d["items"][3].update(weight=0)),
        "Item 4 (risk_to_others): “weight” must be a whole number above 0",
    ),
    "negative weight": (
        _break(lambda d: d["items"][3].update(weight=-2)),
        "“weight” must be a whole number above 0",
    ),
    "missing level": (
        _break(lambda d: d["items"][9]["levels"].pop()),
        "Item 10 (housing): “levels” must give 5 descriptions",
    ),
    "missing items": (_break(lambda d: d.pop("items")), "Missing keys: items"),
    "comparable item not scored": (
        _break(lambda d: d.update(items=d["items"][1:])),
        "missing: engagement",
    ),
    "version already published": (
        _break(lambda d: d.update(version=1)),
        "ndt-amended version 1 already exists",
    ),
    "not an object": (lambda d: [d], "one JSON object"),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_every_invalid_file_is_refused_whole(amended, case):
    mutate, message = INVALID[case]
    counts = (AssessmentScheme.objects.count(), SchemeItem.objects.count())
    with pytest.raises(SchemeFileError) as error:
        scheme_import(data=mutate(_valid(amended)))
    assert any(message in m for m in error.value.messages), error.value.messages
    assert (AssessmentScheme.objects.count(), SchemeItem.objects.count()) == counts


def test_import_command_lists_the_problems_and_saves_nothing(amended, tmp_path):
    data = _valid(amended)
    data["items"][0]["weight"] = 0
    data["colour"] = "blue"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError) as error:
        call_command("import_scheme", str(path))
    text = str(error.value)
    assert "nothing was saved" in text and "colour" in text and "weight" in text
    assert not AssessmentScheme.objects.filter(version=9).exists()


def test_import_command_refuses_broken_json(tmp_path, db):
    path = tmp_path / "broken.json"
    path.write_text('{"code": ')
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_scheme", str(path))


def test_the_standard_scheme_behind_amended_assessments_is_locked_too(
    episode, amended, standard, assess
):
    assess(episode, amended)
    assert standard.is_in_use
    item = standard.items.get(key="housing")
    item.weight = 2
    with pytest.raises(SchemeInUse):
        item.save()
