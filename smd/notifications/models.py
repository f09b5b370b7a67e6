from django.conf import settings
from django.db import models
from django.db.models import Q

from smd.models import BaseModel
from smd.versioning import Versioned


class Delivery(models.TextChoices):
    """How a user hears of a kind of notification besides the centre in the app."""

    IMMEDIATELY = "immediately", "Email me straight away"
    DIGEST = "digest", "Email me a daily summary"
    NONE = "none", "No email: only in smd"


class Digest(BaseModel):
    """One user's daily summary email. Unique per user and day: a second run of the daily task
    finds it made and sends nothing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_digests"
    )
    day = models.DateField()
    # {kind label: how many}: all the email says, so it names nobody.
    counts = models.JSONField(default=dict)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="notification_digest_once_a_day")
        ]

    def __str__(self):
        return f"Digest for {self.user} on {self.day}"


class Notification(BaseModel):
    """Something a user should know of: a reference and a link into the app, never a name.
    Made once for each user, kind, item and due date, however often the event or sweep runs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=60)
    # The item it is about, as the producing app names it ("action:<uuid>").
    key = models.CharField(max_length=200)
    due = models.DateField(help_text="the date it is about: due, reached, or happened")
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=300)
    read_at = models.DateTimeField(null=True, blank=True)
    # The user's choice for this kind when it was made; the email follows it.
    delivery = models.CharField(max_length=12, choices=Delivery.choices)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        Digest, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "key", "due"], name="notification_once_per_item_and_due"
            )
        ]
        indexes = [
            # The top bar's count on every page.
            models.Index(
                fields=["user"], name="notification_unread", condition=Q(read_at__isnull=True)
            ),
            models.Index(fields=["user", "-created_at"], name="notification_newest"),
            # The daily digest reads only what waits for it.
            models.Index(
                fields=["user"],
                name="notification_digest_waiting",
                condition=Q(delivery="digest", digest__isnull=True),
            ),
        ]

    def __str__(self):
        return self.title


class NotificationSettings(Versioned, BaseModel):
    """A user's choice of email for each kind: {kind: Delivery}; a kind not named takes its
    default. One row per user, edited with the version check (ADR 0023)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    deliveries = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "notification settings"

    def __str__(self):
        return f"Notification settings of {self.user}"


class KnownDevice(BaseModel):
    """A browser a user has signed in from, known by a random token in a long-lived signed
    cookie; only the token's SHA-256 is kept (ADR 0027)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="known_devices"
    )
    token_hash = models.CharField(max_length=64)
    last_seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "token_hash"], name="known_device_once")
        ]

    def __str__(self):
        return f"Device of {self.user}"
