"""Logs every use of a page about people, by URL name (smd/audit/policy.py): a successful GET
as a view (or an export or download), a POST that wrote to the database as a change (one that
did not, such as a form shown again with its errors, as a view), a 403 or 404 as denied."""

import uuid

from django.db import connection

from smd.audit.models import AuditAction
from smd.audit.policy import AUDITED
from smd.audit.services import audit_record

DENIED = {403, 404}


def audit_person(request, person, obj=None):
    """For views whose URL does not name the person: say whose record this request is about
    (a Person or its id), and optionally the record within it."""
    request.audit_person = person
    if obj is not None:
        request.audit_object = obj


def audit_recorded(request):
    """For views whose service wrote its own entry (an export saying JSON or PDF, an erasure):
    the middleware adds none for a success, but still logs a refusal."""
    request.audit_recorded = True


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


class _WriteWatch:
    """Notes whether the request ran an INSERT, UPDATE or DELETE: whatever path the view took
    to write (a service, a queryset update), that is what made a POST a change."""

    def __init__(self):
        self.wrote = False

    def __call__(self, execute, sql, params, many, context):
        if not self.wrote and sql.lstrip()[:6].upper() in {"INSERT", "UPDATE", "DELETE"}:
            self.wrote = True
        return execute(sql, params, many, context)


def _action(request, status, rule, wrote):
    if status in DENIED:
        return AuditAction.DENIED
    if not 200 <= status < 500:
        return None  # a 500: the error log has it
    if request.method in {"GET", "HEAD"}:
        return AuditAction(rule.get) if status < 400 else None
    if request.method == "POST":
        if wrote:
            return AuditAction(rule.post)
        # A form shown again with its errors (400), or a conflicting save (409): seen, not
        # changed. Any other refusal (405, 429) showed nothing.
        return AuditAction.VIEW if status < 400 or status in {400, 409} else None
    return None


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        watch = _WriteWatch()
        if request.method == "POST":
            with connection.execute_wrapper(watch):
                response = self.get_response(request)
        else:
            response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        if match is None or user is None or not user.is_authenticated:
            return response
        rule = AUDITED.get(match.view_name)
        if rule is None:
            return response
        status = response.status_code
        action = _action(request, status, rule, watch.wrote)
        if action is None:
            return response
        if action != AuditAction.DENIED and getattr(request, "audit_recorded", False):
            return response
        person = getattr(request, "audit_person", None)
        if person is None and rule.person:
            person = _uuid(match.kwargs.get(rule.person))
        obj = getattr(request, "audit_object", None)
        audit_record(
            user=user,
            action=action,
            person=person,
            obj=obj,
            object_ref=None if obj is not None or rule.obj is None else _object_ref(match, rule),
            request=request,
            description=rule.description,
            status_code=status,
        )
        return response


def _object_ref(match, rule):
    kwarg, label = rule.obj
    value = match.kwargs.get(kwarg)
    return (label, str(value)) if value is not None else None
