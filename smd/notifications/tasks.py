from celery import shared_task
from django.core.mail import send_mail
from django.utils import timezone

from smd.notifications.models import Digest, Notification
from smd.notifications.services import centre_link, digest_send, kind_label, notifications_sweep
from smd.outbox.services import outbox_once


@shared_task
def notifications_sweep_daily():
    """Queued by Celery beat each morning (migration `notifications/0002`): the reminders that
    fall due with time (due soon, overdue, waiting)."""
    return notifications_sweep()


@shared_task
def notifications_digest_daily():
    """Queued by Celery beat each morning after the sweep: each user's daily summary."""
    return digest_send()


def _addressee(user):
    return user if user.is_active and user.email else None


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_email(notification_id, outbox_id=None):
    """One notification, emailed straight away: its kind and a link, nothing more."""
    with outbox_once(outbox_id) as todo:
        notification = (
            Notification.objects.select_related("user").filter(pk=notification_id).first()
        )
        if not todo or notification is None or _addressee(notification.user) is None:
            return 0
        label = kind_label(notification.kind)
        sent = send_mail(
            subject=f"smd: {label}",
            message=(
                f"You have a new notification in smd: {label}.\n\n"
                f"Sign in to see it: {centre_link()}\n"
            ),
            from_email=None,
            recipient_list=[notification.user.email],
        )
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        return sent


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def digest_email(digest_id, outbox_id=None):
    """A user's daily summary: how many of each kind, and a link."""
    with outbox_once(outbox_id) as todo:
        digest = Digest.objects.select_related("user").filter(pk=digest_id).first()
        if not todo or digest is None or _addressee(digest.user) is None or not digest.counts:
            return 0
        total = sum(digest.counts.values())
        lines = "\n".join(f"    {label}: {n}" for label, n in digest.counts.items())
        sent = send_mail(
            subject=f"smd: {total} new notification{'s' if total != 1 else ''}",
            message=(
                f"Since your last summary smd has {total} new "
                f"notification{'s' if total != 1 else ''} for you:\n\n{lines}\n\n"
                f"Sign in to see them: {centre_link()}\n"
            ),
            from_email=None,
            recipient_list=[digest.user.email],
        )
        now = timezone.now()
        Digest.objects.filter(pk=digest.pk).update(sent_at=now)
        Notification.objects.filter(digest=digest).update(emailed_at=now)
        return sent
