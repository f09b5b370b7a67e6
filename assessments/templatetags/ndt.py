from html import escape

from django import template
from django.template.defaultfilters import date
from django.utils import formats
from django.utils.safestring import mark_safe

from assessments.models import NDT_ACKNOWLEDGEMENT, Assessment
from assessments.selectors import (
    ndt_change,
    ndt_changes_in_open_episodes,
    review_status,
    review_status_from,
)
from caseload.models import EpisodeStatus, records_of
from caseload.selectors import record_from
from smd.links import id_url

register = template.Library()


@register.inclusion_tag("assessments/person_panels.html#ndt_panel", takes_context=True)
def ndt_summary(context, person):
    """The NDT panel on the person page: latest totals, change since the baseline, when the next
    one is due, and links.

    Reads the person's episodes from the page's own prefetch, and the latest completed
    assessment in the open episode with how many there are from the page's own query
    (selectors.person_annotations; one query for a person read elsewhere); when there are two
    or more, the change costs its own queries (at most three): with one or none there is no
    change to work out."""
    user = context["request"].user
    open_episode = next(
        (e for e in person.episodes.all() if e.status != EpisodeStatus.CLOSED), None
    )
    latest, completed = None, 0
    if open_episode is not None and hasattr(person, "ndt_latest"):
        latest = record_from(Assessment, person.ndt_latest)
        completed = latest.of if latest else 0
    elif open_episode is not None:
        latest_two = list(
            records_of(Assessment.objects, person, user)
            .completed()
            .filter(episode=open_episode)
            .select_related("scheme")
            .order_by("-assessed_on", "-created_at")[:2]
        )
        latest = latest_two[0] if latest_two else None
        completed = len(latest_two)
    change = None
    if completed >= 2:
        change = ndt_change(open_episode.pk)
    return {
        "person": person,
        "latest": latest,
        "change": change,
        "review": review_status(open_episode, latest.assessed_on if latest else None)
        if open_episode
        else None,
        "can_assess": user.in_team and open_episode is not None,
        "acknowledgement": NDT_ACKNOWLEDGEMENT,
    }


@register.simple_tag
def ndt_review(episode_began, latest_assessed_on):
    """The review status for a caseload row, from its annotations (no query)."""
    if episode_began is None:
        return None
    return review_status_from(episode_began, latest_assessed_on)


@register.simple_tag
def ndt_changes_for(people):
    """{person id: EpisodeChange} in each person's open episode, for a list of caseload rows:
    a fixed number of queries for the whole list, and none when no row's open episode has the
    two completed NDTs a change needs (the rows' `ndt_completed`)."""
    ids = [p.pk for p in people if getattr(p, "ndt_completed", 2) >= 2]
    changes = ndt_changes_in_open_episodes(ids) if ids else {}
    return {change.person_id: change for change in changes.values()}


@register.simple_tag
def ndt_change_of(person, changes=None):
    """One caseload row's change: from the list's `ndt_changes_for` when the whole list is
    drawn, worked out for this person alone when only their row is."""
    if changes is None or changes == "":
        changes = ndt_changes_for([person])
    return changes.get(person.pk)


def _change_words(value):
    """What `components/assessment.html#change` draws for a change in a total."""
    shown = escape(str(formats.localize(value)))
    if value < 0:
        return f'<span class="text-success fw-semibold">{shown} <span class="small">(better)</span></span>'
    if value > 0:
        return f'<span class="text-danger fw-semibold">+{shown} <span class="small">(worse)</span></span>'
    return '0 <span class="small">(no change)</span>'


@register.simple_tag
def ndt_change_since(change):
    """What `components/assessment.html#change_since` draws for an EpisodeChange, the same bytes,
    written here for My caseload's rows, where including the partial once a row cost about
    0.15 ms each (ADR 0040's way). A change to that partial's markup is made here too:
    tests/assessments/test_change_since.py compares the two."""
    standard, amended = change.standard, change.amended
    words = f"since baseline ({escape(date(change.main.baseline_on, 'j M Y'))}): standard " + (
        _change_words(standard.change) if standard.comparable else "not comparable"
    )
    if amended:
        words += ", amended " + (
            _change_words(amended.change)
            if amended.comparable
            else "not comparable (scheme versions differ)"
        )
    return mark_safe(words)  # noqa: S308 - the values above are escaped


def _row_lines(person, change):
    """A caseload row's NDT lines, as `caseload/my_caseload.html#row_markup` draws them after
    its `{% ndt_review %}` and `{% ndt_change_of %}`: the change (if any), then a newline, then
    the review (if one is due). The row puts the lines' own indentation around them."""
    lines = f'<li class="ndt-change">NDT {ndt_change_since(change)}</li>' if change else ""
    lines += "\n      "
    review = ndt_review(person.episode_began, person.ndt_latest_on)
    if review:
        badge = (
            ' <span class="badge text-bg-danger">overdue</span>'
            if review.overdue
            else ' <span class="badge text-bg-warning">soon</span>'
            if review.days <= 14
            else ""
        )
        url = escape(id_url("assessments:history", person.pk))
        lines += f'\n      <li><a href="{url}">{escape(review.text)}</a>{badge}</li>\n      '
    return lines


@register.simple_tag
def ndt_row_lines(people, changes=None):
    """{person id: their row's NDT lines} for My caseload's rows (`caseload_extras`'
    `{% caseload_rows %}` and `{% caseload_row %}` put them in place), from the list's
    `ndt_changes_for`; for one person (not a list), their change is worked out alone, as
    `ndt_change_of` does. The lines are escaped."""
    if not isinstance(people, list | tuple):
        people = [people]
    if changes is None or changes == "":
        changes = ndt_changes_for(people)
    return {person.pk: mark_safe(_row_lines(person, changes.get(person.pk))) for person in people}  # noqa: S308
