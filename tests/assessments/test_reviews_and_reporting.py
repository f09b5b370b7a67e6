from datetime import date, timedelta

import pytest

from assessments.selectors import ndt_changes, person_history, review_status
from caseload.models import Episode
from tests.factories import EpisodeFactory, PersonFactory

TODAY = date(2025, 6, 30)


@pytest.mark.parametrize(
    ("latest", "text", "overdue"),
    [
        (TODAY - timedelta(weeks=13), "NDT review due today", False),
        (TODAY - timedelta(weeks=13, days=1), "NDT review overdue by 1 day", True),
        (TODAY - timedelta(weeks=13, days=-1), "NDT review due in 1 day", False),
        (TODAY - timedelta(weeks=13, days=10), "NDT review overdue by 10 days", True),
        (TODAY - timedelta(weeks=1), "NDT review due in 84 days", False),
    ],
)
def test_review_due_edges(episode, latest, text, overdue):
    status = review_status(episode, latest, today=TODAY)
    assert status.text == text and status.overdue is overdue


def test_review_interval_is_a_setting(episode, settings):
    settings.NDT_REVIEW_INTERVAL_WEEKS = 4
    assert review_status(episode, TODAY - timedelta(weeks=4), today=TODAY).text == (
        "NDT review due today"
    )


def test_baseline_is_due_from_the_start_of_the_episode(episode):
    status = review_status(episode, None, today=episode.start_date + timedelta(days=3))
    assert status.text == "NDT baseline overdue by 3 days"


def test_latest_completed_ignores_drafts(episode, amended, assess, navigator):
    assess(episode, amended, on=date(2025, 2, 1))
    assess(episode, amended, on=date(2025, 5, 1), complete=False)
    history = person_history(navigator, episode.person)
    latest_completed_on = {a.episode_id: a.assessed_on for a in history.completed}
    assert latest_completed_on == {episode.pk: date(2025, 2, 1)}


@pytest.fixture
def cohort(team, amended, standard, assess):
    """Three people with a baseline and a later NDT, and one with a baseline only."""

    def person_with(scores):
        episode = EpisodeFactory(person=PersonFactory(team=team), start_date=date(2025, 1, 6))
        for month, (scheme, rest) in enumerate(scores, start=2):
            assess(episode, scheme, on=date(2025, month, 1), rest=rest)
        return episode

    # standard totals are 12 x rest (every item at `rest`, two doubled); amended 17 x rest
    return [
        person_with([(amended, 3), (standard, 2), (amended, 1)]),  # 36 -> 12
        person_with([(amended, 2), (amended, 2)]),  # 24 -> 24
        person_with([(amended, 1), (amended, 2)]),  # 12 -> 24
        person_with([(amended, 4)]),  # baseline only: no change
    ]


def test_change_from_baseline_to_latest(cohort):
    changes = ndt_changes(Episode.objects.all())
    assert [changes[e.pk].standard.change for e in cohort[:3]] == [-24, 0, 12]
    assert cohort[3].pk not in changes


def test_amended_change_uses_amended_assessments_only(cohort):
    # First person: amended 3 -> amended 1; the standard NDT in between is skipped: 51 -> 17
    changes = ndt_changes(Episode.objects.all())
    first = changes[cohort[0].pk].amended
    assert (first.baseline_total, first.latest_total, first.change) == (51, 17, -34)
    assert first.latest_on == date(2025, 4, 1)


def test_change_up_to_a_date(cohort):
    # Up to 1 March only the first two assessments of each person count.
    changes = ndt_changes(Episode.objects.all(), until=date(2025, 3, 1))
    assert [changes[e.pk].standard.change for e in cohort[:3]] == [-12, 0, 12]
    assert changes[cohort[0].pk].amended is None  # one amended NDT by then
