"""The per-user key that wraps what a phone keeps for offline use (ADR 0033)."""

import secrets

from django.conf import settings
from django.db import models

from smd.models import BaseModel


def new_key():
    return secrets.token_bytes(32)


class DeviceKey(BaseModel):
    """A user's wrapping key. The browser keeps its caseload and queued contacts encrypted
    under a data key of its own, stored only wrapped by this key; the page is handed this key
    after a full sign-in and holds it in memory. Deleting the row (deactivation) leaves what
    any phone holds for this user unreadable for ever."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="device_key"
    )
    key = models.BinaryField(default=new_key, editable=False)

    def __str__(self):
        return f"Device key of {self.user}"
