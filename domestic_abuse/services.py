"""Domestic-abuse writes: scoring the DASH checklist, loading its licensed wording, recording a
checklist, a MARAC referral, what the MARAC agreed and its actions. One transaction each."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from assessments.services import item_errors, key_errors
from caseload.models import EventKind, ServiceEvent
from domestic_abuse.models import (
    DASH_HIGH_RISK_YES,
    DASH_QUESTION_COUNT,
    Answer,
    AnswerSource,
    DashAnswer,
    DashChecklist,
    DashDefinition,
    DashQuestion,
    HighBecause,
    MaracAction,
    MaracReferral,
    RiskLevel,
    SharingBasis,
)
from domestic_abuse.notifications import action_assigned_notify
from smd.submission import once_per_submission
from smd.versioning import UNCHECKED, version_claim

MEASURE = "DASH"
FILE_KEYS = {"measure", "version", "acknowledgement", "instructions", "questions"}
QUESTION_KEYS = {"key", "text"}
REPEAT_WITHIN = timedelta(days=365)

UNAVAILABLE = (
    "The DASH checklist can't be recorded yet: its wording belongs to its publisher, and your "
    "organisation's copy has not been loaded. Ask whoever runs the system to load it."
)


class DashFileError(ValidationError):
    """A definition file that cannot be loaded; `messages` lists every problem found."""


class DashUnavailable(ValidationError):
    """No wording is loaded, so the checklist cannot be recorded."""


# --- scoring -----------------------------------------------------------------------------------


def risk_level(*, yes_count, judgement="", police_call_outs=0, escalation_at=None):
    """The risk level and why it is high, from the number of yes answers, the assessor's
    professional judgement (blank, standard, medium or high) and the police call-outs for
    domestic abuse in the 12 months before. High at 14 or more yes, on judgement, or on
    escalation; otherwise the judgement (standard or medium), or standard when none is given."""
    if not 0 <= yes_count <= DASH_QUESTION_COUNT:
        raise ValueError(f"Yes answers run from 0 to {DASH_QUESTION_COUNT}, not {yes_count}.")
    if judgement not in {"", *RiskLevel.values}:
        raise ValueError(f"Unknown judgement: {judgement}")
    threshold = settings.DASH_ESCALATION_CALL_OUTS if escalation_at is None else escalation_at
    because = []
    if yes_count >= DASH_HIGH_RISK_YES:
        because.append(HighBecause.VISIBLE.value)
    if judgement == RiskLevel.HIGH:
        because.append(HighBecause.JUDGEMENT.value)
    if threshold and police_call_outs >= threshold:
        because.append(HighBecause.ESCALATION.value)
    if because:
        return RiskLevel.HIGH.value, because
    return (judgement or RiskLevel.STANDARD.value), []


def police_call_outs(person, *, before):
    """Police call-outs for domestic abuse recorded for the person in the 12 months to `before`
    (the crisis events caseload records)."""
    return ServiceEvent.objects.filter(
        person=person,
        kind=EventKind.DOMESTIC_ABUSE_POLICE,
        occurred_on__gt=before - REPEAT_WITHIN,
        occurred_on__lte=before,
    ).count()


# --- the definition file -----------------------------------------------------------------------


def _text(value):
    return isinstance(value, str) and value.strip()


def definition_errors(data):
    """Every problem with a DASH definition file's contents, in plain words; empty when valid."""
    if not isinstance(data, dict):
        return ["The file must hold one JSON object describing the DASH wording."]
    errors = key_errors(data, allowed=FILE_KEYS, required=FILE_KEYS)
    if "measure" in data and data["measure"] != MEASURE:
        errors.append(f"“measure” must be “{MEASURE}”.")
    version = data.get("version")
    if "version" in data and (
        not isinstance(version, int) or isinstance(version, bool) or version < 1
    ):
        errors.append("“version” must be a whole number, 1 or more.")
    for key in ("acknowledgement", "instructions"):
        if key in data and not _text(data[key]):
            errors.append(f"“{key}” must be non-empty text.")
    questions = data.get("questions")
    if "questions" not in data:
        return errors
    if not isinstance(questions, list):
        return [*errors, f"“questions” must be a list of {DASH_QUESTION_COUNT} questions."]
    if len(questions) != DASH_QUESTION_COUNT:
        errors.append(
            f"“questions” must hold exactly {DASH_QUESTION_COUNT} questions, not {len(questions)}."
        )
    keys, texts = set(), set()
    for n, question in enumerate(questions, start=1):
        where, problems = item_errors(n, question, allowed=QUESTION_KEYS, required=QUESTION_KEYS)
        errors.extend(problems)
        if not isinstance(question, dict):
            continue
        key = question.get("key")
        if "key" in question:
            if not isinstance(key, str) or not key or not key.replace("_", "").isalnum():
                errors.append(f"{where}: “key” must be letters, digits and underscores.")
            elif key in keys:
                errors.append(f"{where} is a duplicate: each question key must appear once.")
            else:
                keys.add(key)
        if "text" in question:
            if not _text(question["text"]):
                errors.append(f"{where}: “text” must be the question's wording.")
            elif question["text"].strip() in texts:
                errors.append(f"{where}: the same wording appears twice.")
            else:
                texts.add(question["text"].strip())
    return errors


@transaction.atomic
def definition_import(*, data, make_current=False):
    """Load a version of the wording, refusing the whole file on any problem. The first version
    loaded becomes current; a later one only with make_current."""
    errors = definition_errors(data)
    if not errors and DashDefinition.objects.filter(version=data["version"]).exists():
        errors.append(
            f"Version {data['version']} is already loaded. A loaded version never changes: "
            "give this one a new version number."
        )
    if errors:
        raise DashFileError(errors)
    definition = DashDefinition.objects.create(
        version=data["version"],
        instructions=data["instructions"].strip(),
        acknowledgement=data["acknowledgement"].strip(),
    )
    DashQuestion.objects.bulk_create(
        DashQuestion(definition=definition, position=n, key=q["key"], text=q["text"].strip())
        for n, q in enumerate(data["questions"], start=1)
    )
    if make_current or not DashDefinition.objects.filter(is_current=True).exists():
        DashDefinition.objects.filter(is_current=True).update(is_current=False)
        DashDefinition.objects.filter(pk=definition.pk).update(is_current=True)
        definition.is_current = True
    return definition


# --- the checklist -----------------------------------------------------------------------------


@transaction.atomic
@once_per_submission(
    DashChecklist, same=lambda record, *, person, **_: record.person_id == person.pk
)
def checklist_record(
    *,
    person,
    definition,
    completed_on,
    answers,
    judgement="",
    judgement_reason="",
    by,
    submission_key=None,
):
    """Record a completed checklist from {question key: (answer, source, note)}: every question
    answered yes, no or not known. Raises ValidationError, writing nothing, when anything is
    missing or wrong."""
    if definition is None:
        raise DashUnavailable(UNAVAILABLE)
    questions = list(definition.questions.all())
    errors = {}
    if completed_on is None:
        errors["completed_on"] = "Give the date it was completed."
    elif completed_on > timezone.localdate():
        errors["completed_on"] = "That date is in the future."
    if judgement not in {"", *RiskLevel.values}:
        errors["judgement"] = "Choose a risk level, or leave it to the answers."
    elif judgement and not judgement_reason.strip():
        errors["judgement_reason"] = "Say why, in your professional judgement, the risk is this."
    for n, question in enumerate(questions, start=1):
        answer, source, _note = answers.get(question.key, (None, None, ""))
        if answer not in Answer.values:
            errors[f"q_{question.key}"] = f"Question {n}: answer yes, no or not known."
        elif source not in AnswerSource.values:
            errors[f"src_{question.key}"] = f"Question {n}: say whose answer it is."
    if set(answers) - {q.key for q in questions}:
        errors["__all__"] = "The form does not match the loaded wording: open it again."
    if errors:
        raise ValidationError(errors)
    yes_count = sum(1 for q in questions if answers[q.key][0] == Answer.YES)
    call_outs = police_call_outs(person, before=completed_on)
    level, because = risk_level(
        yes_count=yes_count, judgement=judgement, police_call_outs=call_outs
    )
    checklist = DashChecklist.objects.create(
        person=person,
        definition=definition,
        completed_on=completed_on,
        assessor=by,
        yes_count=yes_count,
        judgement=judgement,
        judgement_reason=judgement_reason.strip() if judgement else "",
        police_call_outs=call_outs,
        risk_level=level,
        high_because=because,
        submission_key=submission_key,
    )
    DashAnswer.objects.bulk_create(
        DashAnswer(
            checklist=checklist,
            question=q,
            answer=answers[q.key][0],
            source=answers[q.key][1],
            note=(answers[q.key][2] or "").strip(),
        )
        for q in questions
    )
    return checklist


# --- MARAC -------------------------------------------------------------------------------------


def earlier_referral_within_year(person, *, on, exclude=None):
    """The person's latest MARAC referral in the 12 months before `on`, if any."""
    earlier = MaracReferral.objects.filter(
        person=person, referred_on__lte=on, referred_on__gt=on - REPEAT_WITHIN
    )
    if exclude is not None:
        earlier = earlier.exclude(pk=exclude.pk)
    return earlier.order_by("-referred_on").first()


@transaction.atomic
@once_per_submission(
    MaracReferral, same=lambda record, *, person, **_: record.person_id == person.pk
)
def marac_refer(
    *,
    person,
    referred_on,
    marac,
    criteria,
    sharing_basis,
    lawful_basis="",
    checklist=None,
    by,
    submission_key=None,
):
    """Record a MARAC referral. A referral within 12 months of an earlier one is a repeat, and
    says so among its criteria."""
    errors = {}
    if referred_on is None:
        errors["referred_on"] = "Give the date it was referred."
    elif referred_on > timezone.localdate():
        errors["referred_on"] = "That date is in the future."
    if marac not in settings.MARACS:
        errors["marac"] = "Choose the MARAC it went to."
    criteria = [c for c in criteria if c in HighBecause.values and c != HighBecause.REPEAT]
    if sharing_basis not in SharingBasis.values:
        errors["sharing_basis"] = "Say whether they agreed, or the lawful basis for sharing."
    elif sharing_basis == SharingBasis.WITHOUT_CONSENT and not lawful_basis.strip():
        errors["lawful_basis"] = "Give the lawful basis for sharing without their consent."
    if checklist is not None and checklist.person_id != person.pk:
        errors["__all__"] = "That checklist is someone else's."
    if errors:
        raise ValidationError(errors)
    repeat = earlier_referral_within_year(person, on=referred_on) is not None
    if repeat:
        criteria.append(HighBecause.REPEAT.value)
    if not criteria:
        raise ValidationError({"criteria": "Choose the criterion the referral meets."})
    return MaracReferral.objects.create(
        person=person,
        checklist=checklist,
        referred_on=referred_on,
        marac=marac,
        referred_by=by,
        criteria=criteria,
        is_repeat=repeat,
        sharing_basis=sharing_basis,
        lawful_basis=lawful_basis.strip() if sharing_basis == SharingBasis.WITHOUT_CONSENT else "",
        submission_key=submission_key,
    )


@transaction.atomic
def marac_heard(*, referral, heard_on, outcome_note, seen=UNCHECKED):
    """Record when the MARAC heard the referral and what it decided; refused over a newer save."""
    version_claim(record=referral, seen=seen)
    if heard_on is not None and heard_on < referral.referred_on:
        raise ValidationError({"heard_on": "The MARAC can't hear it before it was referred."})
    if heard_on is not None and heard_on > timezone.localdate() + timedelta(days=366):
        raise ValidationError({"heard_on": "Give a date within the next year."})
    referral.heard_on = heard_on
    referral.outcome_note = outcome_note.strip()
    referral.save()
    return referral


@transaction.atomic
@once_per_submission(
    MaracAction, same=lambda action, *, referral, **_: action.referral_id == referral.pk
)
def marac_action_add(
    *, referral, description, owner, owner_organisation=None, due_on, by, submission_key=None
):
    """An action the MARAC agreed, with its owner (a member of the team) and a due date. Its
    owner is told in the same transaction (`notifications.action_assigned_notify`)."""
    errors = {}
    if not description.strip():
        errors["description"] = "Say what the action is."
    if owner is None or owner.team_id != referral.person.team_id or not owner.is_active:
        errors["owner"] = "Choose who owns it, from the team."
    if due_on is None:
        errors["due_on"] = "Give the date it is due."
    if errors:
        raise ValidationError(errors)
    action = MaracAction.objects.create(
        referral=referral,
        person_id=referral.person_id,
        description=description.strip(),
        owner=owner,
        owner_organisation=owner_organisation or owner.organisation,
        due_on=due_on,
        created_by=by,
        submission_key=submission_key,
    )
    action_assigned_notify(action=action, by=by)
    return action


@transaction.atomic
def marac_action_update(*, action, done, by, seen=UNCHECKED):
    """Mark an action done or open again: its owner, or a team leader of the person's team."""
    if by.pk != action.owner_id and not (by.can_overrule and by.team_id == action.person.team_id):
        raise PermissionDenied("Only the action's owner or a team leader can change it.")
    version_claim(record=action, seen=seen)
    action.done_at = (action.done_at or timezone.now()) if done else None
    action.save()
    return action
