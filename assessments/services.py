"""Writes for schemes and assessments. Each runs in one transaction: all of it or none of it."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessments.models import (
    MAX_LEVEL,
    Assessment,
    AssessmentCorrection,
    AssessmentScheme,
    ItemScore,
    SchemeItem,
)
from smd.submission import once_per_submission
from smd.versioning import UNCHECKED, version_claim

SCHEME_KEYS = {"code", "name", "version", "instruction", "items", "comparable_to"}
REQUIRED_SCHEME_KEYS = SCHEME_KEYS - {"comparable_to"}
ITEM_KEYS = {"key", "title", "guidance", "weight", "levels"}
REQUIRED_ITEM_KEYS = ITEM_KEYS - {"guidance"}


class SchemeFileError(ValidationError):
    """A scheme file that cannot be imported; `messages` lists every problem found."""


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def key_errors(data, *, allowed, required):
    """Unknown and missing top-level keys of a definition file, as plain-words messages."""
    errors = []
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        errors.append(f"Unknown keys: {', '.join(unknown)}.")
    missing = sorted(set(required) - set(data))
    if missing:
        errors.append(f"Missing keys: {', '.join(missing)}.")
    return errors


def item_errors(n, item, *, allowed, required):
    """How messages name item n of a definition file ("Item 3 (housing)"), and what is wrong
    with its keys. Of an item that is not an object, only that is said."""
    where = f"Item {n}"
    if not isinstance(item, dict):
        return where, [f"{where} must be an object."]
    key = item.get("key")
    if isinstance(key, str) and key:
        where = f"Item {n} ({key})"
    errors = []
    unknown = sorted(set(item) - set(allowed))
    if unknown:
        errors.append(f"{where}: unknown keys {', '.join(unknown)}.")
    missing = sorted(set(required) - set(item))
    if missing:
        errors.append(f"{where}: missing {', '.join(missing)}.")
    return where, errors


def scheme_errors(data):
    """Every problem with a scheme file's contents, in plain words; empty when it is valid."""
    if not isinstance(data, dict):
        return ["The file must hold one JSON object describing the scheme."]
    errors = key_errors(data, allowed=SCHEME_KEYS, required=REQUIRED_SCHEME_KEYS)
    for key in ("code", "name", "instruction"):
        if key in data and (not isinstance(data[key], str) or not data[key].strip()):
            errors.append(f"“{key}” must be non-empty text.")
    if "version" in data and (not _is_int(data["version"]) or data["version"] < 1):
        errors.append("“version” must be a whole number, 1 or more.")
    comparable = data.get("comparable_to")
    if comparable is not None and (
        not isinstance(comparable, dict)
        or set(comparable) != {"code", "version"}
        or not isinstance(comparable["code"], str)
        or not _is_int(comparable["version"])
    ):
        errors.append('“comparable_to” must be {"code": …, "version": …}.')
    items = data.get("items")
    if "items" in data and (not isinstance(items, list) or not items):
        errors.append("“items” must be a non-empty list.")
        items = []
    seen = set()
    for n, item in enumerate(items or [], start=1):
        where, problems = item_errors(n, item, allowed=ITEM_KEYS, required=REQUIRED_ITEM_KEYS)
        if not isinstance(item, dict):
            errors.extend(problems)
            continue
        key = item.get("key")
        if isinstance(key, str) and key:
            if key in seen:
                errors.append(f"{where} is a duplicate: each item key must appear once.")
            seen.add(key)
        errors.extend(problems)
        if "key" in item and (not isinstance(key, str) or not key.replace("_", "").isalnum()):
            errors.append(f"{where}: “key” must be letters, digits and underscores.")
        if "title" in item and (not isinstance(item["title"], str) or not item["title"].strip()):
            errors.append(f"{where}: “title” must be non-empty text.")
        if "guidance" in item and not isinstance(item["guidance"], str):
            errors.append(f"{where}: “guidance” must be text.")
        if "weight" in item and (not _is_int(item["weight"]) or item["weight"] <= 0):
            errors.append(f"{where}: “weight” must be a whole number above 0.")
        if "levels" in item:
            levels = item["levels"]
            if (
                not isinstance(levels, list)
                or len(levels) != MAX_LEVEL + 1
                or not all(isinstance(level, str) and level.strip() for level in levels)
            ):
                errors.append(
                    f"{where}: “levels” must give {MAX_LEVEL + 1} descriptions, one for each "
                    f"score from 0 to {MAX_LEVEL}."
                )
    return errors


@transaction.atomic
def scheme_import(*, data, make_current=False):
    """Publish a scheme version from its file contents, refusing the whole file on any problem."""
    errors = scheme_errors(data)
    comparable = None
    if not errors:
        if AssessmentScheme.objects.filter(code=data["code"], version=data["version"]).exists():
            errors.append(
                f"{data['code']} version {data['version']} already exists. Versions never "
                "change once published: give this one a new version number."
            )
        if data.get("comparable_to"):
            ref = data["comparable_to"]
            comparable = (
                AssessmentScheme.objects.filter(code=ref["code"], version=ref["version"])
                .prefetch_related("items")
                .first()
            )
            if comparable is None:
                errors.append(f"“comparable_to”: no scheme {ref['code']} version {ref['version']}.")
            else:
                ours = {item["key"] for item in data["items"]}
                absent = [i.key for i in comparable.items.all() if i.key not in ours]
                if absent:
                    errors.append(
                        "Every item of the comparable scheme must be scored too; missing: "
                        + ", ".join(absent)
                        + "."
                    )
    if errors:
        raise SchemeFileError(errors)
    scheme = AssessmentScheme.objects.create(
        code=data["code"],
        name=data["name"],
        version=data["version"],
        instruction=data["instruction"],
        comparable_to=comparable,
    )
    SchemeItem.objects.bulk_create(
        SchemeItem(
            scheme=scheme,
            position=n,
            key=item["key"],
            title=item["title"],
            guidance=item.get("guidance", ""),
            weight=item["weight"],
            levels=item["levels"],
        )
        for n, item in enumerate(data["items"], start=1)
    )
    if make_current or not AssessmentScheme.objects.filter(code=scheme.code, is_current=True):
        scheme_make_current(scheme=scheme)
    return scheme


SHIPPED_SCHEMES = ["ndt-standard-v1.json", "ndt-amended-v1.json"]


def shipped_schemes_load():
    """Publish the schemes the project ships (assessments/schemes/) that are missing. The data
    migration does this on a new database; this is for one emptied since (a test flush)."""
    folder = Path(__file__).resolve().parent / "schemes"
    for name in SHIPPED_SCHEMES:
        data = json.loads((folder / name).read_text())
        if not AssessmentScheme.objects.filter(code=data["code"], version=data["version"]).exists():
            scheme_import(data=data)


def scheme_export(*, scheme):
    """The scheme as the JSON-ready dict that scheme_import reads."""
    data = {
        "code": scheme.code,
        "name": scheme.name,
        "version": scheme.version,
        "instruction": scheme.instruction,
    }
    if scheme.comparable_to_id:
        data["comparable_to"] = {
            "code": scheme.comparable_to.code,
            "version": scheme.comparable_to.version,
        }
    data["items"] = [
        {
            "key": item.key,
            "title": item.title,
            "guidance": item.guidance,
            "weight": item.weight,
            "levels": list(item.levels),
        }
        for item in scheme.items.all()
    ]
    return data


@transaction.atomic
def scheme_make_current(*, scheme):
    """Make this version the one new assessments in its family use."""
    AssessmentScheme.objects.filter(code=scheme.code, is_current=True).exclude(pk=scheme.pk).update(
        is_current=False
    )
    AssessmentScheme.objects.filter(pk=scheme.pk).update(is_current=True)
    scheme.is_current = True
    return scheme


def totals(*, scheme, scores):
    """(total, standard total) for {item key: score 0-4}, each item's score times its weight.

    The standard total scores the comparable (standard) scheme's items under that scheme's own
    weights, so an amended assessment stays comparable with other areas' standard NDTs.
    """
    total = sum(scores[item.key] * item.weight for item in scheme.items.all())
    if scheme.comparable_to_id is None:
        return total, total
    standard = sum(scores[item.key] * item.weight for item in scheme.comparable_to.items.all())
    return total, standard


def missing_items(*, scheme, scores):
    return [item for item in scheme.items.all() if scores.get(item.key) is None]


def _check_date(*, episode, assessed_on):
    errors = {}
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = "The assessment date cannot be in the future."
    started = episode.start_date or episode.accepted_on
    if started and assessed_on < started:
        errors["assessed_on"] = (
            f"The assessment date cannot be before this episode of support began "
            f"({started:%-d %B %Y})."
        )
    return errors


def _write_scores(*, assessment, scores, notes):
    existing = {s.item_id: s for s in assessment.scores.all()}
    for item in assessment.scheme.items.all():
        row = existing.get(item.pk) or ItemScore(assessment=assessment, item=item)
        row.score = scores.get(item.key)
        row.note = notes.get(item.key, "")
        row.save()


def _finish(*, assessment, scores, complete):
    if complete:
        missing = missing_items(scheme=assessment.scheme, scores=scores)
        if missing:
            raise ValidationError(
                {item.key: f"Choose a score for {item.title}." for item in missing}
            )
        assessment.total, assessment.standard_total = totals(
            scheme=assessment.scheme, scores=scores
        )
        assessment.status = Assessment.Status.COMPLETED
        assessment.completed_at = assessment.completed_at or timezone.now()
    else:
        assessment.total = assessment.standard_total = None
        assessment.status = Assessment.Status.DRAFT


@transaction.atomic
@once_per_submission(Assessment, same=lambda saved, *, person, **_: saved.person_id == person.pk)
def assessment_save(
    *,
    person,
    episode,
    scheme,
    assessed_on,
    assessor,
    participation,
    scores,
    notes,
    complete,
    by,
    assessment=None,
    seen_version=UNCHECKED,
    submission_key=None,
):
    """Create or update a draft, or complete it (every item scored). Raises ValidationError
    with per-field messages and writes nothing when anything is wrong. A new assessment's form
    sent twice makes one."""
    errors = _check_date(episode=episode, assessed_on=assessed_on)
    if errors:
        raise ValidationError(errors)
    if assessment is not None:
        version_claim(record=assessment, seen=seen_version)
        # Locked and read afresh: a draft completed in another tab meanwhile is not a draft.
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if assessment.status != Assessment.Status.DRAFT:
            raise ValidationError(
                "A completed assessment is changed by a correction, with a reason."
            )
    assessment = assessment or Assessment(
        person=person, episode=episode, scheme=scheme, submission_key=submission_key
    )
    assessment.assessed_on = assessed_on
    assessment.assessor = assessor
    assessment.participation = participation
    _finish(assessment=assessment, scores=scores, complete=complete)
    assessment.save()
    _write_scores(assessment=assessment, scores=scores, notes=notes)
    return assessment


def _snapshot(assessment):
    return {
        "assessed_on": assessment.assessed_on.isoformat(),
        "assessor": str(assessment.assessor_id),
        "participation": assessment.participation,
        "total": assessment.total,
        "standard_total": assessment.standard_total,
        "scores": {
            s.item.key: {"score": s.score, "note": s.note}
            for s in assessment.scores.select_related("item")
        },
    }


@transaction.atomic
@once_per_submission(
    AssessmentCorrection,
    same=lambda correction, *, assessment, **_: correction.assessment_id == assessment.pk,
    found=lambda correction: correction.assessment,
)
def assessment_correct(
    *,
    assessment,
    assessed_on,
    assessor,
    participation,
    scores,
    notes,
    reason,
    by,
    seen_version=UNCHECKED,
    submission_key=None,
):
    """Correct a completed assessment, keeping what it said before and why it changed."""
    if not assessment.can_be_changed_by(by):
        raise ValidationError("Only the assessor or a team leader can correct an assessment.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the assessment is being corrected."})
    errors = _check_date(episode=assessment.episode, assessed_on=assessed_on)
    if errors:
        raise ValidationError(errors)
    version_claim(record=assessment, seen=seen_version)
    # Locked, so two corrections at once each keep the version they replaced.
    assessment = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("scheme", "episode")
        .get(pk=assessment.pk)
    )
    previous = _snapshot(assessment)
    assessment.assessed_on = assessed_on
    assessment.assessor = assessor
    assessment.participation = participation
    _finish(assessment=assessment, scores=scores, complete=True)
    assessment.save()
    _write_scores(assessment=assessment, scores=scores, notes=notes)
    AssessmentCorrection.objects.create(
        assessment=assessment,
        corrected_by=by,
        reason=reason.strip(),
        previous=previous,
        submission_key=submission_key,
    )
    return assessment
