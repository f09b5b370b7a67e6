"""My caseload's rows are written in Python (caseload_extras.caseload_rows and caseload_row, with
ndt.ndt_row_lines; ADR 0048): the same bytes `caseload/my_caseload.html#row_markup` draws, for
every kind of row, hostile values included."""

from datetime import date, timedelta

import pytest
from django.template import Context, Template
from django.template.loader import get_template
from django.utils import timezone

from assessments.selectors import Comparison, EpisodeChange, Scale
from caseload import selectors
from caseload.models import Allocation, ContactKind, Episode, EpisodeStatus
from caseload.models.people import YesNo
from tests.factories import AllocationFactory, ContactFactory, EpisodeFactory, PersonFactory

HOSTILE = [
    '<script>alert("x")</script>',
    'O\'Brien & "Sons"',
    "\u202eevil {{ person }} {% csrf_token %}",
    "😀 <b>&amp;</b>",
]
MARKUP = get_template("caseload/my_caseload.html#row_markup")
ROWS = Template(
    "{% load caseload_extras ndt %}{% ndt_row_lines people changes as lines %}"
    "{% caseload_rows people lines %}"
)
ONE_ROW = Template(
    "{% load caseload_extras ndt %}{% ndt_row_lines person changes as lines %}"
    "{% caseload_row person lines saved %}"
)
SCALE = Scale("s1", "NDT", 1, 48, None)
AMENDED = Scale("a1", "Amended NDT", 1, 68, "s1")


def _comparison(baseline, latest, scale=SCALE):
    return Comparison(
        "b", "l", date(2025, 1, 6), date(2025, 10, 2), scale, scale, baseline, latest, baseline
    )


def _people(navigator):
    """Twelve people on the navigator's caseload, each a different kind of row."""
    now, today = timezone.now(), timezone.localdate()
    for i in range(12):
        hostile = HOSTILE[i % 4]
        person = PersonFactory(
            team=navigator.team,
            first_name=f"{hostile[:30]} {i}",
            last_name=HOSTILE[(i + 1) % 4][:40],
            known_as=HOSTILE[(i + 2) % 4][:40] if i % 2 else "",
            risk_flags=["visit_in_pairs", hostile] if i % 3 == 0 else [],
            safe_time=hostile if i % 4 == 1 else "",
            code_word="word" if i % 5 == 2 else "",
            abuser_may_be_present=YesNo.YES if i % 2 else YesNo.NOT_KNOWN,
            safe_to_phone=YesNo.NO if i % 3 == 1 else YesNo.NOT_KNOWN,
            safe_to_text=YesNo.NO if i % 6 == 1 else YesNo.NOT_KNOWN,
        )
        episode = EpisodeFactory(
            person=person, status=EpisodeStatus.PAUSED if i % 4 == 3 else EpisodeStatus.ACTIVE
        )
        if i % 6 == 5:  # the baseline NDT not due yet
            Episode.objects.filter(pk=episode.pk).update(start_date=today + timedelta(days=30 + i))
        AllocationFactory(episode=episode, worker=navigator, kind=Allocation.Kind.LEAD_NAVIGATOR)
        if i % 7 != 6:  # someone never contacted
            ContactFactory(
                person=person,
                author=navigator,
                kind=[ContactKind.PHONE, ContactKind.FACE_TO_FACE][i % 2],
                occurred_at=now - timedelta(days=[0, 1, 13, 14, 40][i % 5]),
                follow_up_action=hostile if i % 2 == 0 else "",
                follow_up_due=(today + timedelta(days=(i % 3) - 1)) if i % 4 == 0 else None,
            )
        if i % 3 == 2:  # tried since
            ContactFactory(person=person, author=navigator, kind=ContactKind.ATTEMPTED)
    rows = selectors.my_caseload(navigator)
    rows = list(rows)
    for i, row in enumerate(rows):  # the other apps' columns, every way they show
        row.da_risk_level = ["high", "medium", None][i % 3]
        row.open_marac_actions = [0, 2, None][i % 3]
        row.open_mdt_actions = [3, 0, 1][i % 3]
        row.overdue_mdt_actions = [1, 0, 0][i % 3]
    return rows


def _changes(rows):
    """A change for some rows: standard only, better and worse, and amended."""
    changes = {}
    for i, row in enumerate(rows[:6]):
        changes[row.pk] = EpisodeChange(
            "e",
            row.pk,
            date(2025, 1, 2),
            _comparison(30, [22, 35, 30][i % 3]),
            _comparison(50, 40, AMENDED) if i % 2 else None,
        )
    return changes


@pytest.mark.parametrize("token", ["tok<&\"'>en", "NOTPROVIDED", ""])
def test_rows_are_the_bytes_the_partial_draws(navigator, token):
    rows = _people(navigator)
    changes = _changes(rows)
    context = {"csrf_token": token} if token else {}
    expected = "".join(
        "\n" + MARKUP.render({**context, "person": row, "ndt_changes": changes}) + "\n"
        for row in rows
    )
    written = ROWS.render(Context({**context, "people": rows, "changes": changes}))
    assert written == expected
    assert "&lt;script&gt;" in written and "<script>" not in written
    assert "ndt-change" in written and "Tried to reach them" in written


@pytest.mark.parametrize("saved", [False, True])
def test_one_row_is_the_bytes_the_partial_draws(navigator, saved):
    rows = _people(navigator)
    changes = _changes(rows)
    for row in rows:
        context = {"csrf_token": "token", "person": row, "saved": saved}
        expected = MARKUP.render({**context, "ndt_changes": changes})
        assert ONE_ROW.render(Context({**context, "changes": changes})) == expected


def test_one_row_works_out_its_own_change(navigator):
    """Drawn alone (a contact's answer), a row asks for its own change, as the partial does:
    none here, and the same bytes."""
    row = _people(navigator)[0]
    context = {"csrf_token": "token", "person": row}
    assert ONE_ROW.render(Context(context)) == MARKUP.render(context)
