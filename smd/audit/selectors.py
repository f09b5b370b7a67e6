"""Reading the audit log, scoped to what the reader may see."""

from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from smd import person_records
from smd.audit.models import AuditEvent
from smd.models import User


def audit_staff_visible_to(user):
    """The staff whose access a manager may review: their team's, and their organisation's."""
    if not user.can_read_audit:
        return User.objects.none()
    scope = Q(team_id=user.team_id)
    if user.organisation_id:
        scope |= Q(organisation_id=user.organisation_id)
    return User.objects.filter(scope)


def _period(events, date_from, date_to):
    zone = timezone.get_current_timezone()
    if date_from:
        events = events.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=zone))
    if date_to:
        end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone)
        events = events.filter(at__lt=end)
    return events


def person_access_log(*, person, date_from=None, date_to=None):
    """Every entry about one person, newest first, with the staff member who made it."""
    events = AuditEvent.objects.filter(person_id=person.pk).select_related("user")
    return _period(events, date_from, date_to)


def user_access_log(*, staff, date_from=None, date_to=None):
    """Every entry one staff member made, newest first."""
    return _period(AuditEvent.objects.filter(user=staff), date_from, date_to)


def people_named(*, reader, events):
    """{person id: Person} for the people in `events` the reader may see: one query. Anyone
    else is shown without a name."""
    ids = {event.person_id for event in events if event.person_id}
    if not ids:
        return {}
    return {p.pk: p for p in person_records.people_visible_to(reader).filter(pk__in=ids)}
