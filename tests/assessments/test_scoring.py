from datetime import date

import pytest

from assessments.services import scheme_export, scheme_import, totals
from tests.assessments.conftest import ADDED_KEYS, STANDARD_KEYS


def test_shipped_schemes_have_the_published_items_and_weights(standard, amended):
    assert [i.key for i in standard.items.all()] == STANDARD_KEYS
    assert [i.key for i in amended.items.all()] == STANDARD_KEYS + ADDED_KEYS
    doubled = {i.key for i in amended.items.all() if i.weight == 2}
    assert doubled == {"risk_to_others", "risk_from_others", "domestic_abuse"}
    assert standard.max_total == 48 and amended.max_total == 68
    assert all(len(i.levels) == 5 for i in amended.items.all())
    assert amended.comparable_to == standard


@pytest.mark.parametrize(
    ("scores", "amended_total", "standard_total"),
    [
        ({}, 0, 0),
        ({k: 4 for k in STANDARD_KEYS + ADDED_KEYS}, 68, 48),
        # engagement 3, risk to others 2 (x2 = 4), risk from others 1 (x2 = 2), housing 4,
        # domestic abuse 3 (x2 = 6), isolation 2: standard 3+4+2+4 = 13; amended 13+6+2 = 21
        (
            {
                "engagement": 3,
                "risk_to_others": 2,
                "risk_from_others": 1,
                "housing": 4,
                "domestic_abuse": 3,
                "isolation": 2,
            },
            21,
            13,
        ),
    ],
)
def test_amended_totals_by_hand(amended, scores, amended_total, standard_total):
    full = {i.key: scores.get(i.key, 0) for i in amended.items.all()}
    assert totals(scheme=amended, scores=full) == (amended_total, standard_total)


@pytest.mark.parametrize(
    ("scores", "total"),
    [
        ({}, 0),
        ({k: 4 for k in STANDARD_KEYS}, 48),
        # every item 1, the two doubled items count 2 each: 8 + 4 = 12
        ({k: 1 for k in STANDARD_KEYS}, 12),
    ],
)
def test_standard_totals_by_hand(standard, scores, total):
    full = {i.key: scores.get(i.key, 0) for i in standard.items.all()}
    assert totals(scheme=standard, scores=full) == (total, total)


def test_weights_are_applied_once_and_stored(episode, amended, assess):
    assessment = assess(episode, amended, risk_to_others=3)
    assert (assessment.total, assessment.standard_total) == (6, 6)
    score = assessment.scores.get(item__key="risk_to_others")
    assert score.score == 3 and score.weighted == 6


def test_standard_total_uses_standard_weights_whatever_the_amended_weights(amended):
    data = scheme_export(scheme=amended)
    data["version"] = 2
    for item in data["items"]:
        if item["key"] == "housing":
            item["weight"] = 3
    revised = scheme_import(data=data)
    scores = {i.key: 0 for i in revised.items.all()} | {"housing": 2}
    # Housing counts x3 in the revised amended total but x1 in the comparable standard total.
    assert totals(scheme=revised, scores=scores) == (6, 2)


def test_draft_has_no_totals(episode, amended, assess):
    draft = assess(episode, amended, complete=False, engagement=2)
    assert draft.status == "draft" and draft.total is None
    assert draft.scores.get(item__key="engagement").score == 2
    assert draft.assessed_on == date(2025, 2, 1)
