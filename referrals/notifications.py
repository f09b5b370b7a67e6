"""A referral left waiting for a decision longer than REFERRAL_WAITING_DAYS is told to its
team's leaders, once, by its reference. Registered by ReferralsConfig.ready()."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from referrals.models import Referral
from smd.models import Role, User
from smd.notifications.services import notify, register_kind, register_sweep

WAITING = "referral_waiting"


def register():
    register_kind(WAITING, label="Referral waiting for triage")
    register_sweep(referrals_waiting_sweep)


def referrals_waiting_sweep(*, today):
    days = settings.REFERRAL_WAITING_DAYS
    # Received on or before the day `days` ago: it has waited `days` days or more.
    before = timezone.make_aware(datetime.combine(today - timedelta(days=days - 1), time.min))
    waiting = Referral.objects.filter(status=Referral.Status.NEW, created_at__lt=before)
    leaders = {}
    made = 0
    for referral in waiting.only("pk", "reference", "team_id", "created_at"):
        if referral.team_id not in leaders:
            leaders[referral.team_id] = list(
                User.objects.filter(team_id=referral.team_id, role=Role.TEAM_LEADER, is_active=True)
            )
        received = timezone.localdate(referral.created_at)
        for leader in leaders[referral.team_id]:
            made += bool(
                notify(
                    user=leader,
                    kind=WAITING,
                    key=f"referral:{referral.pk}",
                    due=received + timedelta(days=days),
                    title=(
                        f"Referral {referral.reference} has waited {days} days or more "
                        "for a decision"
                    ),
                    url=reverse("referrals:detail", args=[referral.pk]),
                )
            )
    return made
