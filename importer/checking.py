"""Turning a row's text into model values, and checking a row by the model's own rules: its
fields' validation (choices, lengths, validators) and its check constraints, read from
`Meta.constraints` and evaluated here, in Python, so half a million rows are checked without a
query each (ADR 0030)."""

import operator
import re
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

TRUE = {"yes", "y", "true", "1", "t"}
FALSE = {"no", "n", "false", "0", "f"}
UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def to_bool(value):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValidationError("Write yes or no.")


def _uk(text):
    found = UK_DATE.match(text)
    if not found:
        return None
    day, month, year, hour, minute, second = found.groups()
    try:
        return datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        ), hour is not None
    except ValueError:
        return None


def to_date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        parsed = parse_date(text[:10]) if len(text) >= 10 and text[4] == "-" else None
    except ValueError:
        parsed = None
    if parsed is None:
        uk = _uk(text)
        parsed = uk[0].date() if uk else None
    if parsed is None:
        raise ValidationError("Write a real date, like 2024-03-31 or 31/03/2024.")
    return parsed


def to_datetime(value):
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(12))
    else:
        text = str(value).strip()
        try:
            moment = parse_datetime(text)
        except ValueError:
            moment = None
        if moment is None:
            uk = _uk(text)
            if uk:
                moment = uk[0] if uk[1] else datetime.combine(uk[0].date(), time(12))
        if moment is None:
            try:
                day = parse_date(text)
            except ValueError:
                day = None
            # A date alone is taken as midday, so no time zone moves it to another day.
            moment = datetime.combine(day, time(12)) if day else None
    if moment is None:
        raise ValidationError("Write a real date and time, like 2024-03-31 14:30.")
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def choice(field, value):
    """A choice by its code or (any case) its label."""
    text = str(value).strip()
    for code, label in field.choices:
        if text == code or text.lower() == str(label).lower():
            return code
    raise ValidationError(f"“{text}” is not one of the choices: {', '.join(_codes(field))}.")


def _codes(field):
    return [code for code, _ in field.choices if code]


def choice_list(choices, value):
    """A semicolon-separated list of choices (codes or labels)."""
    codes = []
    by_label = {str(label).lower(): code for code, label in choices}
    for part in str(value).split(";"):
        text = part.strip()
        if not text:
            continue
        code = text if text in dict(choices) else by_label.get(text.lower())
        if code is None:
            raise ValidationError(
                f"“{text}” is not one of the choices: {', '.join(c for c, _ in choices)}."
            )
        if code not in codes:
            codes.append(code)
    return codes


def field_value(field, value):
    """The model value for one cell, or ValidationError saying what to write."""
    if isinstance(field, models.BooleanField):
        return to_bool(value)
    if isinstance(field, models.DateTimeField):
        return to_datetime(value)
    if isinstance(field, models.DateField):
        return to_date(value)
    if field.choices:
        return choice(field, value)
    if isinstance(field, models.IntegerField):
        try:
            return int(str(value).strip())
        except ValueError as error:
            raise ValidationError("Write a whole number.") from error
    return field.to_python(value if isinstance(value, str) else str(value))


# --- the model's check constraints, in Python ---------------------------------------------------

OPERATORS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "in": lambda a, b: a in b,
}


class Unsupported(Exception):
    """A condition this evaluator does not read: the database checks it instead."""


def _value(instance, name):
    return getattr(instance, instance._meta.get_field(name).attname)


def _leaf(instance, lookup, expected):
    name, _, op = lookup.partition("__")
    if op == "isnull":
        return (_value(instance, name) is None) == bool(expected)
    op = op or "exact"
    if op not in OPERATORS or "__" in op:
        raise Unsupported(lookup)
    actual = _value(instance, name)
    if isinstance(expected, F):
        expected = _value(instance, expected.name)
    elif hasattr(expected, "resolve_expression"):
        raise Unsupported(lookup)
    if op == "exact" and expected is None:
        return actual is None
    if actual is None or (op != "in" and expected is None):
        return None  # SQL's unknown
    return OPERATORS[op](actual, expected)


def holds(condition, instance):
    """True, False or None (unknown, as SQL has it) for a Q against an unsaved instance."""
    if isinstance(condition, Q):
        results = [holds(child, instance) for child in condition.children]
        if condition.connector == Q.AND:
            result = False if False in results else (None if None in results else True)
        else:
            result = True if True in results else (None if None in results else False)
        if condition.negated and result is not None:
            result = not result
        return result
    if isinstance(condition, tuple):
        return _leaf(instance, *condition)
    raise Unsupported(condition)


def constraint_errors(instance):
    """The names of the model's check constraints the instance breaks. A condition this module
    cannot read is checked by the database (one query), so nothing is skipped."""
    broken = []
    for constraint in instance._meta.constraints:
        if not isinstance(constraint, models.CheckConstraint):
            continue
        try:
            # A CHECK passes unless its condition is false: unknown (NULL) passes.
            ok = holds(constraint.condition, instance) is not False
        except Unsupported:
            try:
                constraint.validate(type(instance), instance)
                ok = True
            except ValidationError:
                ok = False
        if not ok:
            broken.append(constraint.name)
    return broken
