"""Writes about users that more than one part of the project needs."""

import logging

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from smd.audit.services import AuditAction, audit_record

logger = logging.getLogger(__name__)

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


def user_notify(*, user, subject, body):
    """Tell a user something about their own account, by email once the change that prompted
    it commits (nothing is sent for a change rolled back). Every message to a user goes
    through here. The body must hold no personal data about the people the team supports."""
    if not user.email:
        logger.warning("Account message not sent: user %s has no email address.", user.pk)
        return
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]),
        # A mail server that is down must not turn a change already saved into an error page.
        robust=True,
    )


@transaction.atomic
def account_change_record(*, user, by, change, request=None):
    """A change to a user's access or sign-in: written to the audit log, and told to the user,
    so a change they did not expect is noticed (ADR 0014)."""
    audit_record(user=by, action=AuditAction.CHANGE, obj=user, request=request, description=change)
    who = "you" if by is not None and by.pk == user.pk else _name(by)
    when = timezone.localtime().strftime("%d %B %Y at %H:%M")
    user_notify(
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
