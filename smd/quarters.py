"""UK financial-year quarters: Q1 April–June, Q2 July–September, Q3 October–December, Q4
January–March. A financial year is named by its first calendar year and labelled "2025/26";
a quarter is labelled "2025/26 Q3".

Outcome selectors and the quarterly return count by quarter, so both use this one definition.
Dates only: callers that filter datetimes convert a quarter's `start` and `end` themselves.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

# Month each quarter starts in, and how many calendar years after the financial year's first.
_QUARTER_START = {1: (4, 0), 2: (7, 0), 3: (10, 0), 4: (1, 1)}
_LABEL = re.compile(r"^\s*(\d{4})/(\d{2})\s*Q([1-4])\s*$", re.IGNORECASE)


def financial_year_of(day):
    """The financial year (starting 1 April) that contains the day, as its first calendar year."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(year):
    return f"{year}/{str(year + 1)[-2:]}"


@dataclass(frozen=True, order=True)
class Quarter:
    """One financial-year quarter. `year` is the financial year's first calendar year, so
    Quarter(2025, 4) runs from 1 January to 31 March 2026."""

    year: int
    number: int

    def __post_init__(self):
        if self.number not in _QUARTER_START:
            raise ValueError(f"A quarter is numbered 1 to 4, not {self.number}.")

    @classmethod
    def containing(cls, day):
        """The quarter a date falls in."""
        year = financial_year_of(day)
        number = ((day.month - 4) % 12) // 3 + 1
        return cls(year, number)

    @classmethod
    def from_label(cls, label):
        """Parse "2025/26 Q3". Raises ValueError for anything else, including "2025/27 Q1"."""
        match = _LABEL.match(label or "")
        if not match:
            raise ValueError(f'"{label}" is not a quarter like "2025/26 Q3".')
        year, next_two, number = int(match[1]), match[2], int(match[3])
        if not 1900 <= year <= 2999:
            raise ValueError(f'"{label}" is outside the years this programme can run in.')
        if str(year + 1)[-2:] != next_two:
            raise ValueError(
                f'"{label}" is not a financial year: {year} is followed by {year + 1}.'
            )
        return cls(year, number)

    @property
    def start(self):
        """The first day of the quarter."""
        month, offset = _QUARTER_START[self.number]
        return date(self.year + offset, month, 1)

    @property
    def end(self):
        """The last day of the quarter (inclusive)."""
        return self.next().start - timedelta(days=1)

    @property
    def label(self):
        return f"{financial_year_label(self.year)} Q{self.number}"

    @property
    def months_label(self):
        """ "Oct–Dec 2025": the months, for a heading beside the label."""
        return f"{self.start:%b}–{self.end:%b %Y}"

    def next(self):
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    def previous(self):
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    def __contains__(self, day):
        return self.start <= day <= self.end

    def __str__(self):
        return self.label
