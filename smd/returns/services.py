from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from smd.returns.models import QuarterlyReturn


def return_request(*, team, quarter, by):
    """Queue a new version of a quarter's return; earlier versions are never touched."""
    from smd.returns.tasks import quarterly_return_build

    for _ in range(3):  # two managers asking at the same moment: retry for the next number
        try:
            with transaction.atomic():
                last = QuarterlyReturn.objects.filter(team=team, quarter=quarter.label).aggregate(
                    n=Max("version")
                )["n"]
                qr = QuarterlyReturn.objects.create(
                    team=team, quarter=quarter.label, version=(last or 0) + 1, requested_by=by
                )
            break
        except IntegrityError:
            continue
    else:
        raise ValidationError("Could not queue the return; please try again.")
    transaction.on_commit(lambda: quarterly_return_build.delay(str(qr.pk)))
    return qr


@transaction.atomic
def return_sign_off(*, quarterly_return, by):
    qr = QuarterlyReturn.objects.select_for_update().get(pk=quarterly_return.pk)
    if qr.status != QuarterlyReturn.Status.DONE:
        raise ValidationError("Only a finished return can be signed off.")
    if qr.is_locked:
        raise ValidationError("This version is already signed off.")
    qr.signed_off_by = by
    qr.signed_off_at = timezone.now()
    qr.save(update_fields=["signed_off_by", "signed_off_at", "updated_at"])
    return qr
