import time

from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.models import Session
from django.db.models.signals import pre_save
from django.dispatch import receiver

from smd.models import User


@receiver(pre_save, sender=User)
def end_sessions_of_deactivated_user(sender, instance, **kwargs):
    """Deactivating a user ends every session they have, at once, on every device."""
    if instance.pk is None or instance.is_active:
        return
    was_active = User.objects.filter(pk=instance.pk, is_active=True).exists()
    if not was_active:
        return
    user_id = str(instance.pk)
    doomed = [
        s.session_key
        for s in Session.objects.iterator()
        if s.get_decoded().get("_auth_user_id") == user_id
    ]
    Session.objects.filter(session_key__in=doomed).delete()


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs):
    """The session's limits count from signing in (smd.middleware.SessionLimitsMiddleware)."""
    from smd.middleware import LOGIN_AT, SEEN_AT

    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[LOGIN_AT] = now
        request.session[SEEN_AT] = now
