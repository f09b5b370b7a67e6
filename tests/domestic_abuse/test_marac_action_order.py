"""MARAC actions due on the same day come out in one order: the earliest agreed first, then by
id, never as the database's plan happens to leave them."""

import uuid
from datetime import timedelta

from django.utils import timezone

from domestic_abuse.models import MaracAction
from domestic_abuse.selectors import marac_actions_owned_by
from domestic_abuse.services import marac_action_add


def test_marac_actions_due_the_same_day_are_listed_in_one_order(referral, navigator):
    due = timezone.localdate() + timedelta(days=5)
    made = [
        marac_action_add(
            referral=referral, description=f"Action {n}", owner=navigator, due_on=due, by=navigator
        )
        for n in range(3)
    ]
    # Agreed at the same moment: ids decide. Written so that the ids run against the order made.
    moment = timezone.now().replace(microsecond=0)
    MaracAction.objects.filter(referral=referral).update(created_at=moment)
    ids = [uuid.UUID(f"{n:x}" * 32) for n in (15, 14, 13)]
    for action, pk in zip(made, ids, strict=True):
        MaracAction.objects.filter(pk=action.pk).update(id=pk)

    assert [a.pk for a in MaracAction.objects.filter(referral=referral)] == sorted(ids)
    assert [a.pk for a in marac_actions_owned_by(navigator)] == sorted(ids)  # My caseload's list
    # One agreed earlier comes first, whatever its id.
    MaracAction.objects.filter(pk=ids[0]).update(created_at=moment - timedelta(hours=1))
    assert [a.pk for a in MaracAction.objects.filter(referral=referral)] == [
        ids[0],
        *sorted(ids[1:]),
    ]
