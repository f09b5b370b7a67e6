"""Small words for dates and numbers on the caseload pages."""

from datetime import datetime

from django import template
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from caseload import capacity
from caseload.models import ContactKind

register = template.Library()


def _day(value):
    return timezone.localdate(value) if isinstance(value, datetime) else value


@register.filter
def days_since(value):
    """Whole days from a date or time to today; None when there is none."""
    if not value:
        return None
    return (timezone.localdate() - _day(value)).days


@register.filter
def days_ago(value):
    """ "today", "yesterday", "12 days ago"."""
    days = days_since(value)
    if days is None:
        return ""
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"


@register.filter
def due_state(due):
    """ "overdue" or "due today" for a due date, else ""."""
    if not due:
        return ""
    today = timezone.localdate()
    if due < today:
        return "overdue"
    if due == today:
        return "due today"
    return ""


@register.filter
def attempted_since_contact(person):
    """A later attempt to reach the person than the last contact made."""
    attempt = getattr(person, "last_attempt_at", None)
    made = getattr(person, "last_contact_at", None)
    return attempt is not None and (made is None or attempt > made)


@register.filter
def places(value):
    return capacity.places(value)


@register.filter
def minutes(value):
    """75 -> "1 h 15 min"."""
    if value is None:
        return ""
    hours, mins = divmod(int(value), 60)
    if not hours:
        return f"{mins} min"
    return f"{hours} h {mins} min" if mins else f"{hours} h"


@register.filter
def contact_kind(value):
    """The label of a contact type held as a code (from a query annotation)."""
    return ContactKind(value).label if value in ContactKind.values else ""


# Team capacity's rows: fifty people waiting and fifty workers of each role on a page, each row a
# dozen values. Drawn through the template engine they were over a third of the page's time
# (about 90 microseconds a row); written here they cost a tenth of that. The markup is the
# template's as it was, byte for byte (ADR 0040).
_WAITING_ROW = (
    "\n    <li"
    ' class="list-group-item d-flex flex-wrap justify-content-between align-items-center gap-2">'
    '\n      <div>\n        <a href="{}">{}</a>\n        <br><span class="small">Waiting {} day{}'
    " · {}</span>\n      </div>\n      {}\n    </li>\n    "
)
_ALLOCATE = (
    '<a class="btn btn-primary btn-sm" href="{}">Allocate'
    '<span class="visually-hidden"> {}</span></a>'
)
_NOT_ACTIVE = ' <span class="badge text-bg-secondary">Not active: hand over</span>'
_OVER_BY = '<span class="badge text-bg-danger">Over by {}</span>'
# The cells before the load: a navigator's specialism, FTE and languages; a peer mentor's
# planned hours and languages.
_WORKER_CELLS = {
    "navigator": (
        '\n        <td data-label="Specialism">{}</td>\n        <td data-label="FTE">{}</td>'
        '\n        <td data-label="Languages">{}</td>'
    ),
    "peer_mentor": (
        '\n        <td data-label="Planned hours a week">{}</td>'
        '\n        <td data-label="Languages">{}</td>'
    ),
}
# A worker's caseload against capacity: words first, the bar only repeats them.
_WORKER_ROW = (
    "\n      <tr>\n        <td>{}{}</td>{}"
    '\n        <td data-label="Caseload">\n<span class="text-nowrap">{} of {}</span>'
    '\n<div class="progress load-bar" aria-hidden="true"><div class="progress-bar{}"'
    ' style="width: {}%"></div></div>\n</td>\n        <td data-label="Free">{}</td>'
    "\n      </tr>\n    "
)


@register.simple_tag
def waiting_rows(episodes, user):
    """The people waiting on a page of team capacity, as list items (with their people)."""
    can_allocate = user.can_allocate
    rows = []
    for episode in episodes:
        person = episode.person
        days = days_since(episode.accepted_on)
        allocate = (
            format_html(_ALLOCATE, reverse("caseload:allocate", args=[person.pk]), person)
            if can_allocate
            else ""
        )
        rows.append(
            format_html(
                _WAITING_ROW,
                person.get_absolute_url(),
                person,
                days,
                pluralize(days),
                episode.get_status_display(),
                allocate,
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above went through format_html


@register.simple_tag
def worker_rows(loads, role):
    """A page of a role's workers on team capacity, as table rows: each worker's load
    (caseload.capacity.Load) against capacity."""
    rows = []
    for item in loads:
        worker = item.worker
        if role == "navigator":
            cells = format_html(
                _WORKER_CELLS[role],
                worker.get_specialism_display() or "—",
                places(worker.fte),
                worker.languages or "—",
            )
        else:
            cells = format_html(
                _WORKER_CELLS[role], places(worker.planned_hours), worker.languages or "—"
            )
        free = places(item.free)
        rows.append(
            format_html(
                _WORKER_ROW,
                worker,
                mark_safe(_NOT_ACTIVE) if not worker.is_active else "",  # noqa: S308
                cells,
                item.load,
                places(item.capacity),
                " bg-danger" if item.over else " bg-warning" if item.full else "",
                item.percent,
                format_html(_OVER_BY, free.replace("-", "")) if item.over else free,
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above went through format_html
