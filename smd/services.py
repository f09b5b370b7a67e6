"""Writes about users that more than one part of the project needs."""

from django.contrib.sessions.models import Session
from django.db import transaction


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
