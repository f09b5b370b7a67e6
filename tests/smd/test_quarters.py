from datetime import date

import pytest

from smd.quarters import Quarter, financial_year_label, financial_year_of


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2025, 4, 1), "2025/26 Q1"),
        (date(2025, 6, 30), "2025/26 Q1"),
        (date(2025, 7, 1), "2025/26 Q2"),
        (date(2025, 9, 30), "2025/26 Q2"),
        (date(2025, 10, 1), "2025/26 Q3"),
        (date(2025, 12, 31), "2025/26 Q3"),
        (date(2026, 1, 1), "2025/26 Q4"),
        (date(2026, 3, 31), "2025/26 Q4"),
        (date(2026, 4, 1), "2026/27 Q1"),
    ],
)
def test_it_finds_the_quarter_containing_a_day_at_the_edges(day, label):
    assert Quarter.containing(day).label == label


def test_it_knows_first_and_last_days():
    q4 = Quarter(2025, 4)
    assert (q4.start, q4.end) == (date(2026, 1, 1), date(2026, 3, 31))
    q3 = Quarter(2025, 3)
    assert (q3.start, q3.end) == (date(2025, 10, 1), date(2025, 12, 31))
    # A leap year's February is inside Q4.
    assert Quarter(2027, 4).end == date(2028, 3, 31)
    assert date(2028, 2, 29) in Quarter(2027, 4)


def test_it_steps_across_financial_years():
    assert Quarter(2025, 1).previous() == Quarter(2024, 4)
    assert Quarter(2024, 4).next() == Quarter(2025, 1)
    assert Quarter(2025, 2).previous() == Quarter(2025, 1)


def test_it_parses_its_own_label():
    for q in (Quarter(2025, 1), Quarter(2025, 4), Quarter(1999, 4)):
        assert Quarter.from_label(q.label) == q
    assert Quarter.from_label(" 2025/26 q3 ") == Quarter(2025, 3)


@pytest.mark.parametrize("label", ["", "2025 Q3", "2025/27 Q1", "2025/26 Q5", "Q3 2025/26"])
def test_it_refuses_labels_that_are_not_quarters(label):
    with pytest.raises(ValueError):
        Quarter.from_label(label)


def test_it_refuses_a_fifth_quarter():
    with pytest.raises(ValueError):
        Quarter(2025, 5)


def test_quarters_sort_in_time_order():
    assert sorted([Quarter(2025, 1), Quarter(2024, 4), Quarter(2024, 2)]) == [
        Quarter(2024, 2),
        Quarter(2024, 4),
        Quarter(2025, 1),
    ]


def test_financial_year_helpers():
    assert financial_year_of(date(2026, 3, 31)) == 2025
    assert financial_year_of(date(2026, 4, 1)) == 2026
    assert financial_year_label(2025) == "2025/26"
    assert financial_year_label(2099) == "2099/00"
    assert Quarter(2025, 3).months_label == "Oct–Dec 2025"
