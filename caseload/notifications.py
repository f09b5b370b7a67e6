"""The caseload's notifications: a worker hears at once when a person is allocated or handed
over to them (registered by CaseloadConfig.ready())."""

from django.utils import timezone

from smd.notifications.models import Delivery
from smd.notifications.services import notify, register_kind

ALLOCATED = "caseload_allocated"


def register():
    register_kind(ALLOCATED, label="A person was allocated to you", default=Delivery.IMMEDIATELY)


def allocation_notify(*, allocation):
    """In the allocation's transaction: the worker allocated is told, by reference only."""
    what = "handed over to you" if allocation.handed_over_from_id else "allocated to you"
    return notify(
        user=allocation.worker,
        kind=ALLOCATED,
        key=f"allocation:{allocation.pk}",
        due=timezone.localdate(),
        title=f"A person was {what} as {allocation.get_kind_display().lower()}",
        url=allocation.episode.person.get_absolute_url(),
    )
