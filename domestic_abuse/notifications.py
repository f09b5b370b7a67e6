"""MARAC action reminders, to the action's owner only: assigned (at once, in the action's
transaction, unless they recorded it themselves), due within two days, and overdue (the daily
sweep). An owner hears only of actions they may read, by the same rule as My caseload's list
of their MARAC actions (`selectors.marac_actions_owned_by`), so one who has moved team hears
nothing more. Titles are a date and a link, never a name. Registered by
DomesticAbuseConfig.ready()."""

from collections import defaultdict
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from domestic_abuse.models import MaracAction
from domestic_abuse.selectors import marac_actions_owned_by
from smd.notifications.models import Delivery
from smd.notifications.services import notify, register_kind, register_sweep

ASSIGNED = "marac_action_assigned"
DUE_SOON = "marac_action_due"
OVERDUE = "marac_action_overdue"
DUE_SOON_DAYS = 2


def register():
    register_kind(ASSIGNED, label="MARAC action assigned", default=Delivery.IMMEDIATELY)
    register_kind(DUE_SOON, label="MARAC action due soon")
    register_kind(OVERDUE, label="MARAC action overdue")
    register_sweep(marac_actions_sweep)


def _tell(*, action, kind, today):
    due = f"{action.due_on:%-d %B %Y}"
    title = {
        ASSIGNED: f"A MARAC action was assigned to you: due {due}",
        DUE_SOON: f"A MARAC action of yours is due on {due}",
        OVERDUE: f"A MARAC action of yours is overdue: it was due {due}",
    }[kind]
    url = reverse("domestic_abuse:overview", args=[action.person_id]) + (
        f"#marac-{action.referral_id}"
    )
    return notify(
        user=action.owner,
        kind=kind,
        key=f"marac-action:{action.pk}",
        due=today if kind == ASSIGNED else action.due_on,
        title=title,
        url=url,
    )


def action_assigned_notify(*, action, by):
    """In the action's transaction: its owner, unless they recorded it."""
    if action.owner_id is None or (by is not None and action.owner_id == by.pk):
        return None
    if not marac_actions_owned_by(action.owner).filter(pk=action.pk).exists():
        return None
    return _tell(action=action, kind=ASSIGNED, today=timezone.localdate())


def marac_actions_sweep(*, today):
    """Open actions due within two days, and overdue ones, told once per due date."""
    due = (
        MaracAction.objects.open()
        .filter(due_on__lte=today + timedelta(days=DUE_SOON_DAYS))
        .select_related("owner")
    )
    by_owner = defaultdict(list)
    for action in due:
        by_owner[action.owner_id].append(action)
    made = 0
    for theirs in by_owner.values():
        owner = theirs[0].owner
        visible = set(
            marac_actions_owned_by(owner)
            .filter(pk__in=[a.pk for a in theirs])
            .values_list("pk", flat=True)
        )
        for action in theirs:
            if action.pk in visible:
                kind = OVERDUE if action.due_on < today else DUE_SOON
                made += bool(_tell(action=action, kind=kind, today=today))
    return made
