"""MARAC action reminders reach the action's owner and nobody else, by reference: assigned at
once (in the action's own transaction), due within two days and overdue from the daily sweep,
each once however often it runs."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from domestic_abuse.notifications import ASSIGNED, DUE_SOON, OVERDUE
from domestic_abuse.services import marac_action_add
from smd.notifications.models import Delivery, Notification
from smd.notifications.services import notifications_sweep
from tests.factories import new_key

TODAY = timezone.localdate()


def of_kind(kind):
    return list(Notification.objects.filter(kind=kind).select_related("user"))


def _action(referral, *, owner, by, due_on=TODAY + timedelta(days=10), **extra):
    return marac_action_add(
        referral=referral,
        description="Ask the police for a marker on the address",
        owner=owner,
        due_on=due_on,
        by=by,
        **extra,
    )


def _no_name(notification):
    assert "Dana" not in notification.title and "Hale" not in notification.title
    assert "marker" not in notification.title


def test_the_owner_is_told_at_once_when_an_action_is_assigned_to_them(
    client_for, survivor, referral, navigator, team_leader
):
    url = reverse("domestic_abuse:marac_action_new", args=[survivor.pk, referral.pk])
    data = {
        "description": "Ask the police for a marker on the address",
        "owner": str(navigator.pk),
        "due_on": (TODAY + timedelta(days=14)).isoformat(),
        **new_key(),
    }
    leader = client_for(team_leader)
    assert leader.post(url, data).status_code == 302
    assert leader.post(url, data).status_code == 302  # sent twice: one action, one notification
    (told,) = of_kind(ASSIGNED)
    assert told.user == navigator
    assert told.delivery == Delivery.IMMEDIATELY
    assert (
        told.title
        == f"A MARAC action was assigned to you: due {TODAY + timedelta(days=14):%-d %B %Y}"
    )
    assert (
        told.url == reverse("domestic_abuse:overview", args=[survivor.pk]) + f"#marac-{referral.pk}"
    )
    _no_name(told)
    # The link opens for the owner.
    assert client_for(navigator).get(told.url).status_code == 200


def test_nobody_is_told_of_an_action_they_recorded_for_themselves(referral, navigator):
    _action(referral, owner=navigator, by=navigator)
    assert of_kind(ASSIGNED) == []


def test_an_action_not_saved_tells_nobody(referral, navigator, team_leader):
    with pytest.raises(RuntimeError), transaction.atomic():
        _action(referral, owner=navigator, by=team_leader)
        raise RuntimeError("the write failed after the action")
    assert Notification.objects.count() == 0


def test_an_action_due_within_two_days_is_told_to_its_owner_once(referral, navigator, team_leader):
    _action(referral, owner=navigator, by=team_leader, due_on=TODAY + timedelta(days=2))
    _action(referral, owner=team_leader, by=navigator, due_on=TODAY + timedelta(days=4))
    notifications_sweep(today=TODAY)
    notifications_sweep(today=TODAY)
    notifications_sweep(today=TODAY + timedelta(days=1))
    (due,) = of_kind(DUE_SOON)
    assert due.user == navigator  # only the owner: not who recorded it, not the team leader
    assert due.due == TODAY + timedelta(days=2)
    assert due.title == f"A MARAC action of yours is due on {TODAY + timedelta(days=2):%-d %B %Y}"
    _no_name(due)
    assert of_kind(OVERDUE) == []


def test_an_overdue_action_is_told_to_its_owner_once_and_a_done_one_not_at_all(
    referral, navigator, team_leader
):
    overdue = _action(referral, owner=navigator, by=team_leader, due_on=TODAY - timedelta(days=1))
    done = _action(referral, owner=navigator, by=team_leader, due_on=TODAY - timedelta(days=3))
    done.done_at = timezone.now()
    done.save()
    notifications_sweep(today=TODAY)
    notifications_sweep(today=TODAY + timedelta(days=1))
    (told,) = of_kind(OVERDUE)
    assert told.user == navigator
    assert told.key == f"marac-action:{overdue.pk}"
    assert told.title.startswith("A MARAC action of yours is overdue: it was due ")
    _no_name(told)


def test_an_owner_who_has_left_the_team_hears_no_more(referral, navigator, team_leader, other_team):
    _action(referral, owner=navigator, by=team_leader, due_on=TODAY)
    navigator.team = other_team
    navigator.save()
    notifications_sweep(today=TODAY)
    assert of_kind(DUE_SOON) == [] and of_kind(OVERDUE) == []
