"""Notifications: made once, read in the app, emailed as each user chooses (ADR 0027).

A domain app registers its kinds (`register_kind`) and, for reminders that fall due with time,
a sweep (`register_sweep`) in its AppConfig.ready(). An event (an action assigned, a person
allocated) calls `notify` inside the transaction of the write that causes it; a sweep calls it
for everything due on the day it is given. `notify` makes a notification once for each user,
kind, item key and due date: the database's unique constraint decides, so a second sweep, a
second beat or a repeated request makes nothing new and sends nothing again.

What a notification says is a reference and a link, never a name; what an email says is less
still: the kind of thing, how many, and a link to the centre.
"""

import logging
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from smd.notifications.models import Delivery, Digest, Notification, NotificationSettings
from smd.outbox.services import outbox_add
from smd.versioning import version_claim

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kind:
    """A kind of notification. `default`: the email a user gets until they choose; `fixed`:
    always emailed straight away, not theirs to switch off (security events)."""

    code: str
    label: str
    default: str = Delivery.DIGEST
    fixed: bool = False


_kinds = {}
_sweeps = []


def register_kind(code, *, label, default=Delivery.DIGEST, fixed=False):
    """Declare a kind of notification: `label` is what the preferences page and every email
    call it, so it names no person."""
    kind = Kind(code, label, Delivery(default), fixed)
    if _kinds.get(code, kind) != kind:
        raise ValueError(f"Notification kind {code!r} registered twice, differently.")
    _kinds[code] = kind
    return kind


def register_sweep(fn):
    """Call `fn(today=date)` from the daily sweep: it calls `notify` for what is due."""
    if fn not in _sweeps:
        _sweeps.append(fn)
    return fn


def kinds():
    return sorted(_kinds.values(), key=lambda kind: kind.label)


def kind_of(code):
    return _kinds[code]


def delivery_for(user, kind, chosen=None):
    """How `user` hears of `kind` by email: fixed kinds always straight away."""
    if kind.fixed:
        return Delivery.IMMEDIATELY
    if chosen is None:
        row = NotificationSettings.objects.filter(user=user).only("deliveries").first()
        chosen = row.deliveries if row else {}
    value = chosen.get(kind.code)
    return value if value in Delivery.values else kind.default


def notify(*, user, kind, key, due, title, url, email=True):
    """Tell `user` of `key` (due or happening on `due`), once. Returns the notification when
    this call made it, else None (made before, or the user is inactive). With `email` False
    nothing is emailed (the caller has told them another way). Call inside the write's
    transaction: the notification and its email are kept or dropped with it."""
    spec = kind_of(kind)  # an unregistered kind fails here, in the write
    if user is None or not user.is_active:
        return None
    delivery = delivery_for(user, spec) if email else Delivery.NONE
    with transaction.atomic():
        try:
            # A savepoint: the unique constraint, not a look first, decides who makes it.
            with transaction.atomic():
                notification = Notification.objects.create(
                    user=user,
                    kind=kind,
                    key=str(key)[:200],
                    due=due,
                    title=title[:200],
                    url=url[:300],
                    delivery=delivery,
                )
        except IntegrityError:
            return None
        if delivery == Delivery.IMMEDIATELY:
            outbox_add(
                task="smd.notifications.tasks.notification_email",
                kwargs={"notification_id": str(notification.pk)},
            )
    return notification


def notifications_sweep(*, today=None):
    """Run every registered sweep for `today`. One that fails is logged and the rest still
    run; the next day's sweep makes what it missed, as each makes only what is not yet made."""
    today = today or timezone.localdate()
    made = 0
    for sweep in _sweeps:
        try:
            with transaction.atomic():
                made += sweep(today=today) or 0
        except Exception:
            log.exception("Notification sweep %s failed", getattr(sweep, "__name__", sweep))
    return made


def unread_count(user):
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_read(*, user, pk):
    """Mark one of the user's notifications read (again is harmless). None if not theirs."""
    notification = Notification.objects.filter(user=user, pk=pk).first()
    if notification is not None and notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    return notification


def notifications_read_all(*, user, upto=None):
    """Mark read all the user's notifications made up to `upto` (when the list was shown), so
    one that arrived since is not marked read unseen."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if upto is not None:
        unread = unread.filter(created_at__lte=upto)
    return unread.update(read_at=timezone.now())


def settings_for(user):
    """The user's notification settings row (made on first use)."""
    row, _ = NotificationSettings.objects.get_or_create(user=user)
    return row


@transaction.atomic
def notification_settings_save(*, user, deliveries, seen_version):
    """Save the user's email choices, refusing a save over a newer one (ADR 0023)."""
    row = settings_for(user)
    version_claim(record=row, seen=seen_version)
    row = NotificationSettings.objects.select_for_update().get(pk=row.pk)
    row.deliveries = {
        code: value
        for code, value in deliveries.items()
        if code in _kinds and not _kinds[code].fixed and value in Delivery.values
    }
    row.save()
    return row


def digest_send(*, today=None):
    """Each user's daily summary of what waits for it: made once per user and day (the unique
    digest row decides), the notifications claimed by it and its email recorded in the outbox
    in one transaction."""
    today = today or timezone.localdate()
    waiting = Notification.objects.filter(delivery=Delivery.DIGEST, digest__isnull=True)
    sent = 0
    for user_id in waiting.values_list("user_id", flat=True).distinct().order_by():
        with transaction.atomic():
            try:
                with transaction.atomic():
                    digest = Digest.objects.create(user_id=user_id, day=today)
            except IntegrityError:
                continue  # today's was made: what arrived since waits for tomorrow's
            mine = list(
                waiting.filter(user_id=user_id).select_for_update().values_list("pk", "kind")
            )
            Notification.objects.filter(pk__in=[pk for pk, _ in mine]).update(digest=digest)
            counts = Counter(kind_label(kind) for _, kind in mine)
            digest.counts = dict(sorted(counts.items()))
            digest.save(update_fields=["counts", "updated_at"])
            outbox_add(
                task="smd.notifications.tasks.digest_email", kwargs={"digest_id": str(digest.pk)}
            )
            sent += 1
    return sent


def kind_label(code):
    kind = _kinds.get(code)
    return kind.label if kind else "Other"


def centre_link():
    return settings.SITE_URL.rstrip("/") + reverse("notifications:list")
