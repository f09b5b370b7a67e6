"""The manager who asked for a quarterly return hears when it is ready or has failed, in the
transaction that records it. Registered by ReturnsConfig.ready()."""

from django.urls import reverse
from django.utils import timezone

from returns.models import QuarterlyReturn
from smd.notifications.models import Delivery
from smd.notifications.services import notify, register_kind

READY = "return_ready"
FAILED = "return_failed"


def register():
    register_kind(READY, label="Quarterly return ready", default=Delivery.IMMEDIATELY)
    register_kind(FAILED, label="Quarterly return failed", default=Delivery.IMMEDIATELY)


def return_finished_notify(*, return_id):
    """Call inside the transaction that marks the version done or failed."""
    qr = QuarterlyReturn.objects.select_related("requested_by").get(pk=return_id)
    if qr.requested_by is None or qr.status not in {qr.Status.DONE, qr.Status.FAILED}:
        return None
    ready = qr.status == qr.Status.DONE
    finished = qr.finished_at or timezone.now()
    return notify(
        user=qr.requested_by,
        kind=READY if ready else FAILED,
        key=f"return:{qr.pk}:{finished.isoformat()}",
        due=timezone.localdate(finished),
        title=(
            f"Quarterly return {qr.quarter} (version {qr.version}) "
            + ("is ready" if ready else "could not be built: try again from the returns page")
        ),
        url=reverse("returns:index"),
    )
