"""Writes about users that more than one part of the project needs."""

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from smd.audit.services import AuditAction, audit_record
from smd.outbox.services import notify_user

# What an account change says, in the audit log and in the message to the user.
PASSWORD_SET = "Password set by an administrator"
PASSWORD_CHANGED = "Password changed"
SECOND_FACTOR_RESET = "Two-factor sign-in reset"
SUPERUSER_GIVEN = "Superuser status given"


def role_given(role_label):
    return f"Role given: {role_label}"


@transaction.atomic
def user_sessions_end(*, user):
    """End every session the user has, at once, on every device."""
    user_id = str(user.pk)
    doomed = [
        s.session_key
        for s in Session.objects.iterator()
        if s.get_decoded().get("_auth_user_id") == user_id
    ]
    Session.objects.filter(session_key__in=doomed).delete()


@transaction.atomic
def account_change_record(*, user, by, change, request=None):
    """A change to a user's access or sign-in: written to the audit log, and told to the user,
    so a change they did not expect is noticed (ADR 0014)."""
    audit_record(user=by, action=AuditAction.CHANGE, obj=user, request=request, description=change)
    who = "you" if by is not None and by.pk == user.pk else _name(by)
    when = timezone.localtime().strftime("%d %B %Y at %H:%M")
    # Through the outbox, in this transaction: a mail server or broker that is down loses
    # nothing, and a change rolled back sends nothing.
    notify_user(
        user=user,
        subject="Your smd account was changed",
        body=(
            f"Hello {user.get_short_name() or user.get_username()},\n\n"
            f"Your smd account was changed on {when} by {who}:\n\n"
            f"    {change}\n\n"
            "If you did not expect this, tell your team leader or your organisation's data "
            "protection lead straight away.\n"
        ),
    )


def _name(user):
    if user is None:
        return "the system"
    return f"{user.get_full_name() or user.get_username()} (an administrator)"
