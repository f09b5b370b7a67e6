"""My caseload's rows write an NDT change in Python (ndt.ndt_change_since, ADR 0040's way): the
same bytes components/assessment.html#change_since draws, for every kind of change."""

from datetime import date

import pytest
from django.template import Context, Template

from assessments.selectors import Comparison, EpisodeChange, Scale

THROUGH_THE_TEMPLATE = Template(
    '{% include "components/assessment.html#change_since" with change=change %}'
)
IN_PYTHON = Template("{% load ndt %}{% ndt_change_since change %}")

STANDARD = Scale("s1", "NDT", 1, 48, None)
AMENDED = Scale("a1", "Amended NDT", 1, 68, "s1")
AMENDED_2 = Scale("a2", "Amended NDT", 2, 72, "s1")


def _comparison(baseline, latest, *, scale=STANDARD, baseline_scale=None, comparable=True):
    return Comparison(
        baseline_id="b",
        latest_id="l",
        baseline_on=date(2025, 1, 6),
        latest_on=date(2025, 10, 2),
        baseline_scale=baseline_scale or scale,
        scale=scale,
        baseline_stored=baseline,
        latest_total=latest,
        baseline_total=baseline if comparable else None,
    )


@pytest.mark.parametrize(
    ("standard", "amended"),
    [
        (_comparison(30, 22), None),  # better
        (_comparison(22, 30), None),  # worse
        (_comparison(25, 25), None),  # no change
        (_comparison(25, 20, comparable=False), None),
        (_comparison(30, 12), _comparison(50, 40, scale=AMENDED)),
        (_comparison(12, 30), _comparison(40, 50, scale=AMENDED)),
        (_comparison(0, 0), _comparison(68, 68, scale=AMENDED)),
        (
            _comparison(30, 22),
            _comparison(50, 40, scale=AMENDED_2, baseline_scale=AMENDED, comparable=False),
        ),
        (_comparison(30, 22, comparable=False), _comparison(50, 40, scale=AMENDED)),
    ],
)
def test_each_kind_of_change_is_written_as_the_partial_writes_it(standard, amended):
    change = EpisodeChange(
        episode_id="e",
        person_id="p",
        accepted_on=date(2025, 1, 2),
        standard=standard,
        amended=amended,
    )
    context = Context({"change": change})
    written = IN_PYTHON.render(context)
    assert written == THROUGH_THE_TEMPLATE.render(context)
    assert written.startswith("since baseline (6 Jan 2025): standard ")
