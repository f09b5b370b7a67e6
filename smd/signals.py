import time

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django_otp import DEVICE_ID_SESSION_KEY

from smd.middleware import LOGIN_AT, SEEN_AT
from smd.models import User
from smd.services import user_sessions_end


@receiver(pre_save, sender=User)
def end_sessions_of_deactivated_user(sender, instance, **kwargs):
    """Deactivating a user ends every session they have, at once, on every device."""
    if instance.pk is None or instance.is_active:
        return
    was_active = User.objects.filter(pk=instance.pk, is_active=True).exists()
    if not was_active:
        return
    user_sessions_end(user=instance)


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs):
    """The session's limits count from signing in (smd.middleware.SessionLimitsMiddleware),
    and a new sign-in asks for the second factor again, even in a session that gave it."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[LOGIN_AT] = now
        request.session[SEEN_AT] = now
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
