"""Security events, told to the user themself and always emailed straight away: their
two-factor sign-in reset, new backup codes made, a sign-in from a device not seen before.

A device is a browser, known by a random token in a long-lived signed cookie set when the
second factor is given; the database keeps only the token's SHA-256 for each user (ADR 0027).
The first device a user ever signs in from is recorded without a notification: there is
nothing yet to compare it with.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from smd.notifications.models import Delivery, KnownDevice
from smd.notifications.services import notify, register_kind

SECOND_FACTOR_RESET = "security_two_factor_reset"
BACKUP_CODES = "security_backup_codes"
NEW_DEVICE = "security_new_device"

DEVICE_COOKIE = "smd_device"
DEVICE_SALT = "smd.notifications.device"
# Browsers keep a cookie at most 400 days; it is set again at each sign-in.
DEVICE_COOKIE_AGE = timedelta(days=400)


def register():
    for code, label in (
        (SECOND_FACTOR_RESET, "Your two-factor sign-in was reset"),
        (BACKUP_CODES, "New backup codes were made for your account"),
        (NEW_DEVICE, "Your account was signed in to from a new device"),
    ):
        register_kind(code, label=label, default=Delivery.IMMEDIATELY, fixed=True)


def _when():
    return timezone.localtime().strftime("%-d %B %Y at %H:%M")


def second_factor_reset_notify(*, user):
    """In the reset's transaction. The account-change email has told them already."""
    now = timezone.now()
    return notify(
        user=user,
        kind=SECOND_FACTOR_RESET,
        key=now.isoformat(),
        due=timezone.localdate(),
        title=f"Your two-factor sign-in was reset on {_when()}",
        url=reverse("profile"),
        email=False,
    )


def backup_codes_notify(*, user, device):
    """In the transaction that made the codes: `device` is their new set."""
    return notify(
        user=user,
        kind=BACKUP_CODES,
        key=f"backup:{device.pk}",
        due=timezone.localdate(),
        title=f"New backup codes were made for your account on {_when()}",
        url=reverse("two_factor:backup_codes"),
    )


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def device_recognise(request, response):
    """After the second factor: the user is told when this browser is new to their account,
    and the browser keeps (or gets) its device cookie for next time."""
    user = request.user
    try:
        token = request.get_signed_cookie(DEVICE_COOKIE, salt=DEVICE_SALT)
    except (KeyError, signing.BadSignature):
        token = None
    if not token or len(token) > 100:
        token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        first_ever = not KnownDevice.objects.filter(user=user).exists()
        device, created = KnownDevice.objects.get_or_create(
            user=user, token_hash=_token_hash(token), defaults={"last_seen_at": now}
        )
        if not created:
            KnownDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
        elif not first_ever:
            notify(
                user=user,
                kind=NEW_DEVICE,
                key=f"device:{device.pk}",
                due=timezone.localdate(),
                title=(
                    f"Your account was signed in to from a new device on {_when()}. "
                    "If this was not you, tell your team leader."
                ),
                url=reverse("profile"),
            )
    response.set_signed_cookie(
        DEVICE_COOKIE,
        token,
        salt=DEVICE_SALT,
        max_age=int(DEVICE_COOKIE_AGE.total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response
