"""smd.markup writes a value and a date as a template's `{{ value }}` and `|date` write them,
in any time zone and language, across the clock changes, hostile text escaped."""

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from smd import markup

HOSTILE = 'Ann O\'Neill <script>alert(1)</script> & "Cally"'
ZONES = ["Europe/London", "UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"]
TIMES = [
    datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # the hour before and after the clocks go forward
    datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 59, tzinfo=UTC),
    datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
    datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(1999, 1, 1, 0, 0, tzinfo=UTC),
    datetime(2026, 12, 5, 9, 5),  # naive, as a value the database gives without time zones
]
DAYS = [date(2026, 2, 28), date(2024, 2, 29), date(1905, 7, 4), date(2026, 12, 6)]


def _template(text, value):
    return Template(text).render(Context({"v": value}))


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("language", ["en", "en-gb", "de", "cy"])
def test_dates_are_what_the_date_filter_writes(zone, language):
    context = Context()
    with timezone.override(zone), translation.override(language):
        for value in [*TIMES, *DAYS, None, ""]:
            for fmt in sorted(markup.DAY_FORMATS):
                assert markup.day(value, fmt, context) == _template(
                    f'{{{{ v|date:"{fmt}" }}}}', value
                )
            if not isinstance(value, date) or isinstance(value, datetime):
                for fmt in sorted(markup.DAY_FORMATS):
                    expected = _template(f'{{{{ v|date:"{fmt}, H:i" }}}}', value)
                    assert markup.day_and_time(value, fmt, context) == expected
                assert markup.iso(value, context) == _template('{{ v|date:"c" }}', value)


def test_a_day_written_in_one_language_is_not_written_in_another():
    context = Context()
    with translation.override("de"):
        german = markup.day(date(2026, 3, 5), "D j M Y", context)
    with translation.override("en"):
        english = markup.day(date(2026, 3, 5), "D j M Y", context)
    assert german != english
    assert english == "Thu 5 Mar 2026"


def test_only_formats_of_a_day_are_taken():
    with pytest.raises(ValueError, match="not a format of a day"):
        markup.day(date(2026, 3, 5), "H:i", Context())
    with pytest.raises(ValueError, match="not a format of a day"):
        markup.day_and_time(TIMES[0], "c", Context())


def test_values_are_what_a_variable_writes():
    values = [
        HOSTILE,
        mark_safe("<b>kept</b>"),  # noqa: S308 - a value marked safe stays as it is
        12345,
        Decimal("1.50"),
        uuid.UUID("3c56c2fc-0000-4000-8000-000000000000"),
        None,
        "",
        True,
        TIMES[0],
        timedelta(days=1),
    ]
    for zone in ZONES[:2]:
        with timezone.override(zone):
            for value in values:
                assert markup.shown(value, Context()) == _template("{{ v }}", value)
    assert "<script>" not in markup.shown(HOSTILE, Context())
