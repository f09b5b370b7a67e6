"""MDT action notifications reach the owner (a partner too) and the chair, and never tell a
partner of an action on a case they may not see: the rule of "My MDT actions"."""

from datetime import timedelta

from django.utils import timezone

from mdt import services
from mdt.models import MdtMeeting
from mdt.notifications import ASSIGNED, DUE_SOON, OVERDUE
from smd.notifications.models import Notification
from smd.notifications.services import notifications_sweep

TODAY = timezone.localdate()


def _action(item, owner, by, due_on=None):
    return services.action_add(
        item=item,
        description="Book a joint appointment with Lee Barnes",
        owner=owner,
        owner_organisation=owner.organisation,
        due_on=due_on or TODAY + timedelta(days=7),
        by=by,
    )


def told(kind):
    return {n.user for n in Notification.objects.filter(kind=kind)}


def test_an_action_assigned_to_a_navigator_tells_them_and_the_chair(
    item, navigator, team_leader, chair
):
    _action(item, navigator, by=team_leader)
    assert told(ASSIGNED) == {navigator, chair}
    for notification in Notification.objects.all():
        assert "Lee" not in notification.title and "Barnes" not in notification.title
        assert "joint appointment" not in notification.title


def test_whoever_agreed_the_action_is_not_told_of_it(item, navigator, chair):
    _action(item, navigator, by=chair)
    assert told(ASSIGNED) == {navigator}


def test_a_partner_is_told_of_an_action_on_a_case_shared_with_them(item, meeting, partner, chair):
    services.agenda_share(meeting=meeting)
    _action(item, partner, by=chair)
    (notification,) = Notification.objects.filter(kind=ASSIGNED)
    assert notification.user == partner
    assert notification.title.startswith("An MDT action was assigned to you")


def test_a_partner_is_not_told_of_an_action_on_a_case_not_shared_with_them(item, partner, chair):
    # The agenda is not shared yet: the partner may not see the case, so hears nothing of it.
    _action(item, partner, by=chair)
    assert not Notification.objects.exists()


def test_due_soon_and_overdue_are_told_once_each(item, meeting, navigator, chair, team_leader):
    action = _action(item, navigator, by=team_leader, due_on=TODAY + timedelta(days=2))
    notifications_sweep(today=TODAY - timedelta(days=1))
    assert not told(DUE_SOON)
    notifications_sweep(today=TODAY)
    notifications_sweep(today=TODAY + timedelta(days=1))
    assert told(DUE_SOON) == {navigator, chair}
    assert Notification.objects.filter(kind=DUE_SOON).count() == 2
    notifications_sweep(today=action.due_on + timedelta(days=1))
    notifications_sweep(today=action.due_on + timedelta(days=2))
    assert told(OVERDUE) == {navigator, chair}
    assert Notification.objects.filter(kind=OVERDUE).count() == 2


def test_a_done_action_is_not_reminded(item, navigator, team_leader):
    action = _action(item, navigator, by=team_leader, due_on=TODAY - timedelta(days=1))
    services.action_update(action=action, done=True, by=navigator)
    notifications_sweep(today=TODAY)
    assert not told(OVERDUE)


def test_a_partner_who_has_lost_sight_of_the_case_is_not_reminded(item, meeting, partner, chair):
    services.agenda_share(meeting=meeting)
    _action(item, partner, by=chair, due_on=TODAY - timedelta(days=3))
    # Four weeks after the meeting the case is no longer the partner's to see.
    MdtMeeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(days=29))
    notifications_sweep(today=TODAY)
    assert partner not in told(OVERDUE)
    assert chair in told(OVERDUE)
