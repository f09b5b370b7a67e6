"""Values written into HTML as a template's `{{ value }}` and `{{ value|date:"…" }}` write them.

For the repeated rows some pages write in Python instead of through the template engine
(ADR 0040, ADR 0047). `shown` is what a variable node writes: the value in the current time zone
and localised as the template would (`render_value_in_context`), then escaped. `day` is the
`date` filter for the formats of a calendar day the pages use, on the value in the current time
zone as the filter's `expects_localtime` has it; Django's formatting of a day (its translated
day and month names) is kept per day, format and language, as it depends on nothing else: a
person page writes about sixty dates, each a few microseconds of `dateformat` otherwise.
tests/smd/test_markup.py compares both with a template's output.
"""

from functools import lru_cache

from django.template.base import render_value_in_context
from django.template.defaultfilters import date as date_filter
from django.utils.html import conditional_escape, escape
from django.utils.timezone import template_localtime
from django.utils.translation import get_language

# Formats that read only the calendar day (no time of day, no time zone).
DAY_FORMATS = frozenset({"j M Y", "D j M Y", "Y-m-d"})


def shown(value, context):
    """`{{ value }}` in `context`."""
    return conditional_escape(render_value_in_context(value, context))


@lru_cache(maxsize=4096)
def _day(day, fmt, language):
    return escape(date_filter(day, fmt))


def day(value, fmt, context):
    """`{{ value|date:fmt }}` in `context`, for a date or time and a format of DAY_FORMATS."""
    if fmt not in DAY_FORMATS:
        raise ValueError(f"not a format of a day: {fmt!r}")
    if value is None or value == "":
        return ""
    value = template_localtime(value, context.use_tz)
    key = value.date() if hasattr(value, "date") else value
    return _day(key, fmt, get_language())


def day_and_time(value, fmt, context):
    """`{{ value|date:"<fmt>, H:i" }}` in `context`, for a time and a format of DAY_FORMATS."""
    if fmt not in DAY_FORMATS:
        raise ValueError(f"not a format of a day: {fmt!r}")
    if value is None or value == "":
        return ""
    value = template_localtime(value, context.use_tz)
    return f"{_day(value.date(), fmt, get_language())}, {value.hour:02d}:{value.minute:02d}"


def iso(value, context):
    """`{{ value|date:"c" }}` in `context`: the ISO 8601 form of the value in the current time
    zone (what the filter's `c` gives)."""
    if value is None or value == "":
        return ""
    return escape(template_localtime(value, context.use_tz).isoformat())
