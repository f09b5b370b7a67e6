"""The second factor: an authenticator app (TOTP) and one-time backup codes (ADR 0014)."""

import re
from base64 import b32encode

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from smd.notifications import security
from smd.services import SECOND_FACTOR_RESET, account_change_record, user_sessions_end

APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


NOT_RIGHT = (
    "That code is not right. Check that the time on your phone is correct, "
    "and enter the newest code."
)


class CodeRefused(Exception):
    """A code that signs nobody in, with what to tell the person."""


def secret_text(device):
    """The secret as a person types it into an app: base32 in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def app_device(user):
    """The user's confirmed authenticator app, or None if they have not set one up."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def backup_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def app_device_start(*, user):
    """The authenticator app being set up: the same secret until it is confirmed, so reloading
    the page does not invalidate what was already scanned."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def app_device_confirm(*, device, code):
    """Confirm a new authenticator app with a code it shows; return it with the backup codes
    made for it. Wrong codes are throttled like sign-in codes. Raises CodeRefused."""
    code = _normalise(code)
    if not re.fullmatch(r"\d{6}", code):
        raise CodeRefused("Enter the 6-digit code your authenticator app shows.")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        refusal = _refusal(device, code)
    if refusal:
        raise CodeRefused(refusal)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        codes, _ = _backup_codes_make(user=device.user)
        return device, codes


@transaction.atomic
def backup_codes_replace(*, user):
    """A new set of one-time backup codes; any earlier ones stop working. The codes are
    returned to show once, and the user is told (a security event), in this transaction."""
    codes, device = _backup_codes_make(user=user)
    security.backup_codes_notify(user=user, device=device)
    return codes


def _backup_codes_make(*, user):
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = []
    while len(codes) < settings.BACKUP_CODE_COUNT:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return [f"{code[:4]}-{code[4:]}" for code in codes], device


def second_factor_verify(*, user, code):
    """The device that accepts this code: a 6-digit code from the user's app, or one of their
    backup codes (used up by this). Raises CodeRefused otherwise."""
    code = _normalise(code)
    if re.fullmatch(r"\d{6}", code):
        devices = TOTPDevice.objects.devices_for_user(user, confirmed=True)
    elif re.fullmatch(r"[a-z2-7]{8}", code):
        devices = StaticDevice.objects.devices_for_user(user, confirmed=True)
    else:
        raise CodeRefused(
            "Enter the 6-digit code from your authenticator app, or one of your backup codes."
        )
    # The throttle's count of wrong codes is written inside this transaction, so the refusal is
    # raised after it commits.
    with transaction.atomic():
        device = devices.select_for_update().first()
        refusal = _refusal(device, code) if device else NOT_RIGHT
    if refusal:
        raise CodeRefused(refusal)
    return device


@transaction.atomic
def second_factor_reset(*, user, by, request=None):
    """An admin's reset: the user's app and backup codes are deleted and every session of theirs
    ends, so they set up a new app the next time they sign in. The audit log records it and the
    user is told."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user_sessions_end(user=user)
    account_change_record(user=user, by=by, change=SECOND_FACTOR_RESET, request=request)
    security.second_factor_reset_notify(user=user)


def _normalise(code):
    return re.sub(r"[\s-]", "", code or "").lower()


def _refusal(device, code):
    """Why the device refuses the code, or None when it accepts it (and records its use)."""
    allowed, why = device.verify_is_allowed()
    if not allowed:
        wait = max(1, int((why["locked_until"] - timezone.now()).total_seconds()) + 1)
        return (
            f"Too many wrong codes. Wait {wait} second{'s' if wait != 1 else ''}, then try again."
        )
    if not device.verify_token(code):
        return NOT_RIGHT
    return None
