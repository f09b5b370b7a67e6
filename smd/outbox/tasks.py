from celery import shared_task
from django.core.mail import send_mail

from smd.models import User
from smd.outbox.services import outbox_once, outbox_sweep


@shared_task
def outbox_sweep_each_minute():
    """Queued by Celery beat every minute (migration `outbox/0002`)."""
    return outbox_sweep()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def user_notify(user_id, subject, body, outbox_id=None):
    """Email one user (`notify_user`). Nothing is sent to an inactive user or one with no
    email address."""

    with outbox_once(outbox_id) as todo:
        user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
        if not todo or user is None:
            return 0
        return send_mail(
            subject=subject, message=body, from_email=None, recipient_list=[user.email]
        )
