from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from referrals.models import Referral
from smd.models import Role
from smd.outbox.services import outbox_once


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def referral_notify_team(referral_id, outbox_id=None):
    """Email the team's leaders that a referral is waiting. No person details leave the app.
    Sent once per outbox message, however often the message is handed over."""
    with outbox_once(outbox_id) as todo:
        if not todo:
            return 0
        referral = Referral.objects.select_related("team").get(pk=referral_id)
        recipients = list(
            referral.team.members.filter(role=Role.TEAM_LEADER, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if not recipients:
            return 0
        link = settings.SITE_URL.rstrip("/") + reverse("referrals:detail", args=[referral.pk])
        return send_mail(
            subject=f"New referral {referral.reference} is waiting for triage",
            message=(
                f"A new referral ({referral.reference}) is waiting in the triage queue.\n\n"
                f"Sign in to read it: {link}\n"
            ),
            from_email=None,
            recipient_list=recipients,
        )
