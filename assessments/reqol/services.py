"""ReQoL-10 writes: scoring, checking and loading the definition file, recording a result."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessments.reqol.models import (
    REQOL_ITEM_COUNT,
    REQOL_MAX_RESPONSE,
    REQOL_REVERSED_COUNT,
    ReqolAnswer,
    ReqolDefinition,
    ReqolItem,
    ReqolRecord,
)
from assessments.services import item_errors, key_errors
from smd.submission import once_per_submission

MEASURE = "ReQoL-10"
FILE_KEYS = {"measure", "version", "acknowledgement", "instructions", "response_labels", "items"}
ITEM_KEYS = {"key", "text", "reversed"}


class ReqolFileError(ValidationError):
    """A definition file that cannot be loaded; `messages` lists every problem found."""


class ReqolUnavailable(ValidationError):
    """No licensed wording is loaded, so ReQoL-10 cannot be recorded."""


UNAVAILABLE = (
    "ReQoL-10 can't be recorded yet: its wording is licensed, and your organisation's licensed "
    "copy has not been loaded. Ask whoever runs the system to load it."
)


# --- scoring -----------------------------------------------------------------------------------


def item_score(response, *, reversed):
    """One item's score from the response ticked (0-4)."""
    if not isinstance(response, int) or isinstance(response, bool):
        raise ValueError(f"A response is a whole number from 0 to {REQOL_MAX_RESPONSE}.")
    if not 0 <= response <= REQOL_MAX_RESPONSE:
        raise ValueError(f"A response runs from 0 to {REQOL_MAX_RESPONSE}, not {response}.")
    return REQOL_MAX_RESPONSE - response if reversed else response


def total_score(responses, reversed_keys):
    """The total (0-40, higher is better) from {item key: response 0-4} for all ten items,
    reversing the negatively worded ones."""
    if len(responses) != REQOL_ITEM_COUNT:
        raise ValueError(f"ReQoL-10 needs all {REQOL_ITEM_COUNT} answers, not {len(responses)}.")
    return sum(item_score(r, reversed=key in reversed_keys) for key, r in responses.items())


# --- the definition file -----------------------------------------------------------------------


def _text(value):
    return isinstance(value, str) and value.strip()


def definition_errors(data):
    """Every problem with a definition file's contents, in plain words; empty when valid."""
    if not isinstance(data, dict):
        return ["The file must hold one JSON object describing the ReQoL-10 wording."]
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
    labels = data.get("response_labels")
    if "response_labels" in data and (
        not isinstance(labels, list)
        or len(labels) != REQOL_MAX_RESPONSE + 1
        or not all(_text(label) for label in labels)
    ):
        errors.append(
            f"“response_labels” must give {REQOL_MAX_RESPONSE + 1} labels, one for each "
            f"response from 0 to {REQOL_MAX_RESPONSE}."
        )
    elif isinstance(labels, list) and len({label.strip() for label in labels}) != len(labels):
        errors.append("“response_labels” must all differ.")
    items = data.get("items")
    if "items" not in data:
        return errors
    if not isinstance(items, list):
        errors.append(f"“items” must be a list of {REQOL_ITEM_COUNT} items.")
        return errors
    if len(items) != REQOL_ITEM_COUNT:
        errors.append(f"“items” must hold exactly {REQOL_ITEM_COUNT} items, not {len(items)}.")
    keys, texts, reversed_count = set(), set(), 0
    for n, item in enumerate(items, start=1):
        where, problems = item_errors(n, item, allowed=ITEM_KEYS, required=ITEM_KEYS)
        errors.extend(problems)
        if not isinstance(item, dict):
            continue
        key = item.get("key")
        if "key" in item:
            if not isinstance(key, str) or not key or not key.replace("_", "").isalnum():
                errors.append(f"{where}: “key” must be letters, digits and underscores.")
            elif key in keys:
                errors.append(f"{where} is a duplicate: each item key must appear once.")
            else:
                keys.add(key)
        if "text" in item:
            if not _text(item["text"]):
                errors.append(f"{where}: “text” must be the item's wording.")
            elif item["text"].strip() in texts:
                errors.append(f"{where}: the same wording appears twice.")
            else:
                texts.add(item["text"].strip())
        if "reversed" in item:
            if not isinstance(item["reversed"], bool):
                errors.append(f"{where}: “reversed” must be true or false.")
            elif item["reversed"]:
                reversed_count += 1
    if len(items) == REQOL_ITEM_COUNT and reversed_count != REQOL_REVERSED_COUNT:
        errors.append(
            f"{reversed_count} items are marked “reversed”; the published measure "
            f"reverse-scores {REQOL_REVERSED_COUNT}. Check the file against the licensed copy."
        )
    return errors


@transaction.atomic
def definition_import(*, data, make_current=False):
    """Load a version of the licensed wording, refusing the whole file on any problem. The
    first version loaded becomes current; a later one only with make_current."""
    errors = definition_errors(data)
    if not errors and ReqolDefinition.objects.filter(version=data["version"]).exists():
        errors.append(
            f"Version {data['version']} is already loaded. A loaded version never changes: "
            "give this one a new version number."
        )
    if errors:
        raise ReqolFileError(errors)
    definition = ReqolDefinition.objects.create(
        version=data["version"],
        instructions=data["instructions"].strip(),
        response_labels=[label.strip() for label in data["response_labels"]],
        acknowledgement=data["acknowledgement"].strip(),
    )
    ReqolItem.objects.bulk_create(
        ReqolItem(
            definition=definition,
            position=n,
            key=item["key"],
            text=item["text"].strip(),
            reversed=item["reversed"],
        )
        for n, item in enumerate(data["items"], start=1)
    )
    if make_current or not ReqolDefinition.objects.filter(is_current=True).exists():
        ReqolDefinition.objects.filter(is_current=True).update(is_current=False)
        ReqolDefinition.objects.filter(pk=definition.pk).update(is_current=True)
        definition.is_current = True
    return definition


# --- recording ---------------------------------------------------------------------------------


@transaction.atomic
@once_per_submission(ReqolRecord, same=lambda record, *, person, **_: record.person_id == person.pk)
def reqol_record(
    *, person, episode, definition, completed_on, completion, responses, by, submission_key=None
):
    """Record a completed ReQoL-10 from {item key: response 0-4}, scored under `definition`.
    Raises ValidationError, writing nothing, when anything is missing or wrong."""
    if definition is None:
        raise ReqolUnavailable(UNAVAILABLE)
    items = list(definition.items.all())
    errors = {}
    if completed_on is None:
        errors["completed_on"] = "Give the date it was filled in."
    elif completed_on > timezone.localdate():
        errors["completed_on"] = "That date is in the future."
    elif completed_on < (episode.start_date or episode.accepted_on):
        began = episode.start_date or episode.accepted_on
        errors["completed_on"] = (
            f"This episode of support began on {began:%-d %B %Y}: the date can't be earlier."
        )
    if completion not in ReqolRecord.Completion.values:
        errors["completion"] = "Say how it was filled in."
    for n, item in enumerate(items, start=1):
        response = responses.get(item.key)
        if response is None:
            errors[f"item_{item.key}"] = f"Choose an answer for statement {n}."
        elif not isinstance(response, int) or not 0 <= response <= REQOL_MAX_RESPONSE:
            errors[f"item_{item.key}"] = f"Statement {n}: choose one of the five answers."
    unknown = set(responses) - {item.key for item in items}
    if unknown:
        errors["__all__"] = "The form does not match the loaded wording: open it again."
    if errors:
        raise ValidationError(errors)
    reversed_keys = {item.key for item in items if item.reversed}
    record = ReqolRecord.objects.create(
        person=person,
        episode=episode,
        definition=definition,
        completed_on=completed_on,
        completion=completion,
        total=total_score({item.key: responses[item.key] for item in items}, reversed_keys),
        recorded_by=by,
        submission_key=submission_key,
    )
    ReqolAnswer.objects.bulk_create(
        ReqolAnswer(
            record=record,
            item=item,
            response=responses[item.key],
            reversed=item.reversed,
            score=item_score(responses[item.key], reversed=item.reversed),
        )
        for item in items
    )
    return record
