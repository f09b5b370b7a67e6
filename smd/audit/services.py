"""Writing the audit log. The one way in: `audit_record`."""

import uuid
from ipaddress import ip_address

from django.db import connection, transaction

from smd.audit.models import AuditAction, AuditEvent
from smd.client_ip import client_ip

__all__ = ["AuditAction", "audit_purge", "audit_record"]


def _client_ip(request):
    try:
        return str(ip_address(client_ip(request)))
    except ValueError:
        return None


def _person_id(person):
    if person is None or isinstance(person, uuid.UUID):
        return person
    if isinstance(person, str):
        return uuid.UUID(person)
    return person.pk


def audit_record(
    *,
    user,
    action,
    person=None,
    obj=None,
    object_ref=None,
    request=None,
    description="",
    status_code=None,
    username="",
):
    """Append one entry to the audit log and return it.

    `person` is a Person or its id (kept as a plain id, never a foreign key); `obj` the record
    seen or changed, if not the person themselves (or `object_ref`, a pair of model label and
    id, when only the id is known); `request` fills in path (never the query
    string), method, address and browser. `description` must not hold personal data: say
    what kind of thing happened ("Contact edited"), not what it said. `username` names who
    acted when no staff user did (an API token's system, "api:Insight hub").
    """
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    event = AuditEvent(
        user=user,
        username=user.get_username() if user is not None else username[:150],
        action=AuditAction(action),
        person_id=_person_id(person),
        description=description[:255],
        status_code=status_code,
    )
    if obj is not None:
        event.object_type = obj._meta.label_lower
        event.object_id = str(obj.pk)
    elif object_ref is not None:
        event.object_type, event.object_id = object_ref[0], str(object_ref[1])[:64]
    if request is not None:
        event.path = request.path[:500]
        event.method = request.method or ""
        event.ip_address = _client_ip(request)
        event.user_agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    event.save(force_insert=True)
    return event


@transaction.atomic
def audit_purge(*, before):
    """Delete the entries made before `before`, at the end of their retention period; the one
    deletion the log allows. On PostgreSQL the transaction declares it to the trigger."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL smd.audit_maintenance = 'on'")
        # Plain SQL: the model and its queryset refuse deletion on purpose.
        cursor.execute(f"DELETE FROM {table} WHERE at < %s", [before])  # noqa: S608
        return cursor.rowcount
