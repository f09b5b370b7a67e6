"""Small words for dates and numbers on the caseload pages."""

from datetime import datetime

from django import template
from django.utils import timezone

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
