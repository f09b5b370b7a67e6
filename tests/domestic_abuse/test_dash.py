"""The DASH checklist: scoring (visible high risk at 14 yes, professional judgement, escalation
from police call-outs), the wording loaded from a definition file like ReQoL-10's, and nothing
recordable until it is loaded.

The wording in these tests is the shipped fictional example: the project never ships DASH's."""

import copy
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test import override_settings

from caseload.models import EventKind, ServiceEvent
from domestic_abuse.models import DashAnswer, DashChecklist, DashDefinition, DashDefinitionInUse
from domestic_abuse.selectors import current_definition, due_after
from domestic_abuse.services import (
    DashFileError,
    DashUnavailable,
    checklist_record,
    definition_errors,
    definition_import,
    risk_level,
)
from tests.domestic_abuse.conftest import EXAMPLE, answers, dash_data

# --- scoring -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yes", "level", "because"),
    [
        (0, "standard", []),
        (13, "standard", []),
        (14, "high", ["visible_high_risk"]),
        (24, "high", ["visible_high_risk"]),
    ],
)
def test_visible_high_risk_is_14_or_more_yes(yes, level, because):
    assert risk_level(yes_count=yes, escalation_at=3) == (level, because)


def test_professional_judgement_sets_the_level_below_the_threshold_and_raises_it_to_high():
    assert risk_level(yes_count=13, judgement="medium", escalation_at=3) == ("medium", [])
    assert risk_level(yes_count=2, judgement="high", escalation_at=3) == (
        "high",
        ["professional_judgement"],
    )
    # Judgement cannot lower a visible high risk.
    assert risk_level(yes_count=14, judgement="standard", escalation_at=3)[0] == "high"


def test_escalation_is_high_at_the_set_number_of_police_call_outs():
    assert risk_level(yes_count=3, police_call_outs=2, escalation_at=3) == ("standard", [])
    assert risk_level(yes_count=3, police_call_outs=3, escalation_at=3) == (
        "high",
        ["escalation"],
    )
    assert risk_level(yes_count=20, judgement="high", police_call_outs=5, escalation_at=3) == (
        "high",
        ["visible_high_risk", "professional_judgement", "escalation"],
    )


@pytest.mark.parametrize("bad", [-1, 25])
def test_a_count_outside_0_to_24_is_refused(bad):
    with pytest.raises(ValueError):
        risk_level(yes_count=bad)


def _record(person, definition, by, yes=0, **kwargs):
    kwargs.setdefault("completed_on", date(2026, 11, 20))
    return checklist_record(
        person=person, definition=definition, answers=answers(yes), by=by, **kwargs
    )


@pytest.mark.parametrize(("yes", "level"), [(0, "standard"), (13, "standard"), (14, "high")])
def test_a_recorded_checklist_keeps_its_count_level_and_every_answer(
    dash, survivor, navigator, yes, level
):
    checklist = _record(survivor, dash, navigator, yes=yes)
    assert (checklist.yes_count, checklist.risk_level) == (yes, level)
    assert checklist.answers.count() == 24
    assert checklist.answers.filter(answer="yes").count() == yes


def test_all_24_yes_is_high(dash, survivor, navigator):
    checklist = _record(survivor, dash, navigator, yes=24)
    assert (checklist.yes_count, checklist.risk_level) == (24, "high")


def test_not_known_is_not_yes(dash, survivor, navigator):
    checklist = checklist_record(
        person=survivor,
        definition=dash,
        completed_on=date(2026, 11, 20),
        answers=answers(13, not_known=11),
        by=navigator,
    )
    assert (checklist.yes_count, checklist.risk_level) == (13, "standard")


def test_judgement_needs_a_reason(dash, survivor, navigator):
    with pytest.raises(ValidationError) as refused:
        _record(survivor, dash, navigator, yes=2, judgement="high")
    assert "judgement_reason" in refused.value.message_dict
    assert not DashChecklist.objects.exists()
    checklist = _record(
        survivor, dash, navigator, yes=2, judgement="high", judgement_reason="Threats to kill"
    )
    assert (checklist.risk_level, checklist.high_because) == ("high", ["professional_judgement"])


@override_settings(DASH_ESCALATION_CALL_OUTS=3)
def test_escalation_counts_police_call_outs_in_the_12_months_before(dash, survivor, navigator):
    on = date(2026, 11, 20)
    for days_before in (10, 100, 400):  # the third is more than a year before
        ServiceEvent.objects.create(
            person=survivor,
            kind=EventKind.DOMESTIC_ABUSE_POLICE,
            occurred_on=on - timedelta(days=days_before),
            source="partner_record",
            recorded_by=navigator,
        )
    assert _record(survivor, dash, navigator, yes=1, completed_on=on).risk_level == "standard"
    ServiceEvent.objects.create(
        person=survivor,
        kind=EventKind.DOMESTIC_ABUSE_POLICE,
        occurred_on=on - timedelta(days=1),
        source="partner_record",
        recorded_by=navigator,
    )
    checklist = _record(survivor, dash, navigator, yes=1, completed_on=on)
    assert (checklist.police_call_outs, checklist.risk_level) == (3, "high")
    assert checklist.high_because == ["escalation"]


def test_an_unanswered_question_writes_nothing(dash, survivor, navigator):
    partial = answers(3)
    del partial["q07"]
    with pytest.raises(ValidationError) as refused:
        checklist_record(
            person=survivor,
            definition=dash,
            completed_on=date(2026, 11, 20),
            answers=partial,
            by=navigator,
        )
    assert "q_q07" in refused.value.message_dict
    assert not DashChecklist.objects.exists() and not DashAnswer.objects.exists()


def test_the_database_holds_visible_high_as_high(dash, survivor, navigator):
    checklist = _record(survivor, dash, navigator, yes=14)
    with pytest.raises(IntegrityError), transaction.atomic():
        DashChecklist.objects.filter(pk=checklist.pk).update(risk_level="medium")


# --- due again -----------------------------------------------------------------------------------


@override_settings(DASH_REVIEW_WEEKS=13)
def test_due_on_the_review_interval_and_at_once_after_a_new_incident(dash, survivor, navigator):
    checklist = _record(survivor, dash, navigator, yes=3, completed_on=date(2026, 6, 1))
    review = due_after(checklist, None, today=date(2026, 7, 1))
    assert (review.on, review.overdue) == (date(2026, 8, 31), False)
    assert due_after(checklist, None, today=date(2026, 9, 1)).overdue
    incident = due_after(checklist, date(2026, 6, 20), today=date(2026, 7, 1))
    assert incident.overdue and "new incident" in incident.reason
    # An incident before the checklist was taken into account by it.
    assert not due_after(checklist, date(2026, 5, 20), today=date(2026, 7, 1)).overdue
    # Never assessed: nothing due without an incident, due at once with one.
    assert due_after(None, None) is None
    assert due_after(None, date(2026, 6, 20)).overdue


# --- the wording ---------------------------------------------------------------------------------


def test_the_fictional_example_file_loads_with_24_questions_and_its_acknowledgement(db):
    call_command("import_dash", str(EXAMPLE))
    definition = current_definition()
    assert definition.version == 1 and definition.is_current
    assert [q.key for q in definition.questions.all()] == [f"q{n:02d}" for n in range(1, 25)]
    assert definition.acknowledgement.startswith("FICTIONAL EXAMPLE")
    assert "NOT the DASH" in definition.acknowledgement


def test_the_check_option_loads_nothing(db):
    call_command("import_dash", str(EXAMPLE), "--check")
    assert not DashDefinition.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(measure="ReQoL-10"), "“measure” must be “DASH”"),
        (lambda d: d["questions"].pop(), "exactly 24 questions, not 23"),
        (lambda d: d["questions"][1].update(key="q01"), "duplicate"),
        (lambda d: d["questions"][2].update(text=d["questions"][0]["text"]), "appears twice"),
        (lambda d: d.update(acknowledgement=" "), "“acknowledgement” must be non-empty"),
        (lambda d: d["questions"][3].update(score=1), "unknown keys score"),
    ],
)
def test_a_malformed_file_is_refused_whole(db, tmp_path, change, message):
    data = copy.deepcopy(dash_data())
    change(data)
    assert any(message in problem for problem in definition_errors(data))
    path = tmp_path / "dash.json"
    path.write_text(__import__("json").dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was saved"):
        call_command("import_dash", str(path))
    assert not DashDefinition.objects.exists()


def test_a_loaded_version_is_never_loaded_again_or_changed_once_used(dash, survivor, navigator):
    with pytest.raises(DashFileError):
        definition_import(data=dash_data())
    _record(survivor, dash, navigator, yes=1)
    dash.acknowledgement = "Changed"
    with pytest.raises(DashDefinitionInUse):
        dash.save()
    with pytest.raises(DashDefinitionInUse):
        dash.questions.first().delete()
    second = definition_import(data=dash_data(version=2))
    assert not second.is_current and current_definition().version == 1
    assert definition_import(data=dash_data(version=3), make_current=True).is_current


def test_nothing_is_recorded_without_the_wording(db, survivor, navigator):
    with pytest.raises(DashUnavailable):
        checklist_record(
            person=survivor,
            definition=None,
            completed_on=date(2026, 11, 20),
            answers=answers(1),
            by=navigator,
        )
