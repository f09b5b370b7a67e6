"""ReQoL-10: scoring with reverse items, the licensed wording loaded from a definition file
(refused whole if malformed), and nothing recordable until it is loaded.

The wording in these tests is made up: the project never ships the licensed wording.
"""

import copy
import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from assessments.models import (
    ReqolAnswer,
    ReqolDefinition,
    ReqolDefinitionInUse,
    ReqolItem,
    ReqolRecord,
)
from assessments.reqol.selectors import current_definition, person_panel
from assessments.reqol.services import (
    ReqolFileError,
    ReqolUnavailable,
    definition_errors,
    definition_import,
    item_score,
    reqol_record,
    total_score,
)
from returns.figures import build_return
from smd.quarters import Quarter

# Items 2, 4, 7 and 9 are the made-up "negatively worded" ones.
REVERSED = {"item_2", "item_4", "item_7", "item_9"}


def definition_data(**changes):
    data = {
        "measure": "ReQoL-10",
        "version": 1,
        "acknowledgement": "Made-up acknowledgement for tests.",
        "instructions": "Made-up instructions: think about the last week.",
        "response_labels": ["Never", "Rarely", "Half the time", "Mostly", "Always"],
        "items": [
            {
                "key": f"item_{n}",
                "text": f"Made-up statement {n}",
                "reversed": f"item_{n}" in REVERSED,
            }
            for n in range(1, 11)
        ],
    }
    data.update(changes)
    return data


@pytest.fixture
def definition(db):
    return definition_import(data=definition_data())


# --- scoring, by hand ---------------------------------------------------------------------------


def test_a_reversed_item_scores_four_minus_the_response():
    assert [item_score(r, reversed=False) for r in range(5)] == [0, 1, 2, 3, 4]
    assert [item_score(r, reversed=True) for r in range(5)] == [4, 3, 2, 1, 0]
    with pytest.raises(ValueError):
        item_score(5, reversed=False)
    with pytest.raises(ValueError):
        item_score(True, reversed=False)


@pytest.mark.parametrize(
    ("responses", "total"),
    [
        # Every answer 4: six positive items score 4 (24), four reversed score 0. 24.
        ({f"item_{n}": 4 for n in range(1, 11)}, 24),
        # Every answer 0: positives 0, reversed 4 each. 16.
        ({f"item_{n}": 0 for n in range(1, 11)}, 16),
        # The best possible: 4 on positives, 0 on reversed. 6×4 + 4×4 = 40.
        ({f"item_{n}": 0 if f"item_{n}" in REVERSED else 4 for n in range(1, 11)}, 40),
        # The worst possible: 0 on positives, 4 on reversed. 0.
        ({f"item_{n}": 4 if f"item_{n}" in REVERSED else 0 for n in range(1, 11)}, 0),
        # Mixed, worked by hand: positives 1,3,5,6,8,10 answer 3,2,4,1,0,3 → 13;
        # reversed 2,4,7,9 answer 1,0,3,2 → 3+4+1+2 = 10. Total 23.
        (
            {
                "item_1": 3,
                "item_2": 1,
                "item_3": 2,
                "item_4": 0,
                "item_5": 4,
                "item_6": 1,
                "item_7": 3,
                "item_8": 0,
                "item_9": 2,
                "item_10": 3,
            },
            23,
        ),
    ],
)
def test_total_scores_reverse_the_negatively_worded_items(responses, total):
    assert total_score(responses, REVERSED) == total


def test_a_total_needs_all_ten_answers():
    with pytest.raises(ValueError):
        total_score({f"item_{n}": 2 for n in range(1, 10)}, REVERSED)


# --- the definition file -------------------------------------------------------------------------


def test_a_valid_file_loads_and_becomes_current(definition):
    assert definition.is_current and definition.version == 1
    items = list(definition.items.all())
    assert [i.key for i in items] == [f"item_{n}" for n in range(1, 11)]
    assert {i.key for i in items if i.reversed} == REVERSED
    assert definition.response_labels[2] == "Half the time"


def _broken(mutate):
    data = definition_data()
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["items"].pop(), "exactly 10 items, not 9"),
        (lambda d: d["items"].append(dict(d["items"][0], key="item_11")), "not 11"),
        (lambda d: d["items"][1].update(key="item_1"), "duplicate"),
        (lambda d: d["items"][3].update(text="  "), "“text” must be the item's wording"),
        (lambda d: d["items"][3].pop("text"), "missing text"),
        (lambda d: d["items"][0].update(reversed=True), "5 items are marked “reversed”"),
        (lambda d: d["items"][1].update(reversed=False), "3 items are marked “reversed”"),
        (lambda d: d["items"][0].update(reversed="yes"), "true or false"),
        (lambda d: d["items"][0].update(score=3), "unknown keys score"),
        (lambda d: d.update(colour="blue"), "Unknown keys: colour"),
        (lambda d: d.pop("acknowledgement"), "Missing keys: acknowledgement"),
        (lambda d: d["response_labels"].pop(), "5 labels"),
        (lambda d: d.update(response_labels=["A", "B", "C", "D", "A"]), "must all differ"),
        (lambda d: d.update(measure="ReQoL-20"), "“measure” must be “ReQoL-10”"),
        (lambda d: d.update(version=0), "“version” must be a whole number"),
        (lambda d: d["items"][5].update(text="Made-up statement 1"), "same wording appears twice"),
    ],
)
def test_a_malformed_file_is_refused_whole(db, mutate, expected):
    with pytest.raises(ReqolFileError) as error:
        definition_import(data=_broken(mutate))
    assert any(expected in message for message in error.value.messages), error.value.messages
    assert not ReqolDefinition.objects.exists() and not ReqolItem.objects.exists()


def test_every_problem_is_listed_at_once(db):
    data = definition_data(measure="Other")
    data["items"][0]["key"] = "bad key!"
    data["items"][1]["text"] = ""
    messages = definition_errors(data)
    assert len(messages) == 3, messages


def test_a_loaded_version_is_never_replaced(definition):
    with pytest.raises(ReqolFileError) as error:
        definition_import(data=definition_data(instructions="Changed"))
    assert "already loaded" in error.value.messages[0]


def test_a_later_version_becomes_current_only_when_asked(definition):
    second = definition_import(data=definition_data(version=2))
    assert not second.is_current and current_definition() == definition
    third = definition_import(data=definition_data(version=3), make_current=True)
    assert third.is_current and current_definition() == third
    assert ReqolDefinition.objects.filter(is_current=True).count() == 1


def test_the_command_loads_a_file_and_refuses_a_broken_one(db, tmp_path):
    good = tmp_path / "reqol.json"
    good.write_text(json.dumps(definition_data()))
    bad = tmp_path / "bad.json"
    data = definition_data()
    data["items"] = data["items"][:7]
    bad.write_text(json.dumps(data))
    with pytest.raises(CommandError) as error:
        call_command("import_reqol", str(bad))
    assert "nothing was saved" in str(error.value) and "exactly 10 items" in str(error.value)
    assert not ReqolDefinition.objects.exists()
    call_command("import_reqol", str(good), "--check")
    assert not ReqolDefinition.objects.exists()
    call_command("import_reqol", str(good))
    assert ReqolDefinition.objects.get().is_current


def test_the_fictional_example_file_is_valid_and_says_so():
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "docs/examples/reqol-10-FICTIONAL-example.json"
    data = json.loads(path.read_text())
    assert definition_errors(data) == []
    assert "NOT the licensed ReQoL-10 wording" in data["acknowledgement"]
    assert all("FICTIONAL" in item["text"] for item in data["items"])


# --- recording ------------------------------------------------------------------------------------


def answers(value=2, **overrides):
    found = {f"item_{n}": value for n in range(1, 11)}
    found.update(overrides)
    return found


def record(person, episode, definition, by, responses, on=date(2025, 3, 1)):
    return reqol_record(
        person=person,
        episode=episode,
        definition=definition,
        completed_on=on,
        completion="themself",
        responses=responses,
        by=by,
    )


def test_nothing_can_be_recorded_until_wording_is_loaded(person, episode, navigator):
    assert current_definition() is None
    panel = person_panel(person)
    assert not panel.available
    with pytest.raises(ReqolUnavailable) as error:
        record(person, episode, None, navigator, answers())
    assert "licensed copy has not been loaded" in error.value.messages[0]
    assert not ReqolRecord.objects.exists()


def test_a_record_keeps_answers_scores_and_the_total(person, episode, navigator, definition):
    # Positives answer 3 (6×3 = 18); reversed answer 1 (4×(4-1) = 12). 30.
    responses = {k: 1 if k in REVERSED else 3 for k in answers()}
    saved = record(person, episode, definition, navigator, responses)
    assert saved.total == 30
    by_key = {a.item.key: a for a in saved.answers.select_related("item")}
    assert (by_key["item_2"].response, by_key["item_2"].score) == (1, 3)
    assert (by_key["item_1"].response, by_key["item_1"].score) == (3, 3)
    panel = person_panel(person)
    assert panel.available and panel.latest_total == 30 and panel.count == 1


def test_a_record_missing_an_answer_writes_nothing(person, episode, navigator, definition):
    responses = answers()
    del responses["item_7"]
    with pytest.raises(ValidationError) as error:
        record(person, episode, definition, navigator, responses)
    assert error.value.message_dict == {"item_item_7": ["Choose an answer for statement 7."]}
    assert not ReqolRecord.objects.exists() and not ReqolAnswer.objects.exists()


def test_a_record_date_is_not_in_the_future_nor_before_support(
    person, episode, navigator, definition
):
    with pytest.raises(ValidationError) as error:
        record(person, episode, definition, navigator, answers(), on=date(2024, 12, 31))
    assert "began on 6 January 2025" in error.value.message_dict["completed_on"][0]


def test_the_database_holds_the_reverse_scoring(person, episode, navigator, definition):
    saved = record(person, episode, definition, navigator, answers(1))
    answer = saved.answers.get(item__key="item_2")  # reversed: answered 1, scores 3
    with pytest.raises(IntegrityError), transaction.atomic():
        ReqolAnswer.objects.filter(pk=answer.pk).update(score=answer.response)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReqolRecord.objects.filter(pk=saved.pk).update(total=41)


def test_wording_in_use_cannot_change(person, episode, navigator, definition):
    record(person, episode, definition, navigator, answers())
    definition.instructions = "Changed after use"
    with pytest.raises(ReqolDefinitionInUse):
        definition.save()
    item = definition.items.first()
    item.text = "Changed"
    with pytest.raises(ReqolDefinitionInUse):
        item.save()
    with pytest.raises(ReqolDefinitionInUse):
        definition.delete()


def reqol_change(team, quarter):
    """The quarterly return's ReQoL-10 change: how many people have a first and a later record
    by the quarter's end, their mean change, and how many of them improved."""
    found = {f.key: f for f in build_return(team, quarter).figures}
    improved = found["reqol_improved"]
    return {
        "count": found["reqol_people"].values["all"],
        "mean_change": found["reqol_mean_change"].values["all"],
        "improved": round((improved.values["all"] or 0) * improved.bases["all"] / 100),
    }


def test_change_from_first_to_latest(person, episode, navigator, definition):
    record(person, episode, definition, navigator, answers(1), on=date(2025, 2, 1))
    record(person, episode, definition, navigator, answers(3), on=date(2025, 5, 1))
    first = total_score(answers(1), REVERSED)
    latest = total_score(answers(3), REVERSED)
    found = reqol_change(person.team, Quarter(2025, 1))  # April to June 2025
    assert found == {"count": 1, "mean_change": latest - first, "improved": int(latest > first)}
    assert reqol_change(person.team, Quarter(2024, 4))["count"] == 0  # to 31 March 2025


def test_a_copy_of_the_data_is_not_changed_by_loading(db):
    data = definition_data()
    before = copy.deepcopy(data)
    definition_import(data=data)
    assert data == before
