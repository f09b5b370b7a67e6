"""MDT action reminders, to the action's owner (partners included) and the meeting's chair:
assigned (at once, in the action's transaction), due in two days, and overdue (the daily
sweep). Each recipient hears only of actions they may read, by the same rule as "My MDT
actions" (`mdt.selectors.actions_owned_by`, `Action.objects.visible_to`), so a partner who
has lost sight of a case hears nothing more of it. Registered by MdtConfig.ready()."""

from collections import defaultdict
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from mdt.models import Action
from mdt.selectors import actions_owned_by
from smd.notifications.models import Delivery
from smd.notifications.services import notify, register_kind, register_sweep

ASSIGNED = "mdt_action_assigned"
DUE_SOON = "mdt_action_due"
OVERDUE = "mdt_action_overdue"
DUE_SOON_DAYS = 2


def register():
    register_kind(ASSIGNED, label="MDT action assigned", default=Delivery.IMMEDIATELY)
    register_kind(DUE_SOON, label="MDT action due soon")
    register_kind(OVERDUE, label="MDT action overdue")
    register_sweep(mdt_actions_sweep)


def _visible(user, actions):
    """The actions of `actions` the user may be told of: an owner's as on My MDT actions,
    a chair's as on their meeting."""
    ids = [action.pk for action in actions]
    owned = set(actions_owned_by(user).filter(pk__in=ids).values_list("pk", flat=True))
    chaired = set(
        Action.objects.visible_to(user)
        .filter(pk__in=ids, agenda_item__meeting__chair=user)
        .values_list("pk", flat=True)
    )
    return owned, chaired


def _recipients(action):
    chair = action.agenda_item.meeting.chair
    return [user for user in {action.owner, chair} if user is not None]


def _tell(*, user, action, kind, owned, chaired, today):
    meeting = action.agenda_item.meeting
    due = f"{action.due_on:%-d %B %Y}"
    if action.pk in owned:
        url = reverse("mdt:my_actions")
        whose = "An MDT action of yours"
    elif action.pk in chaired:
        url = reverse("mdt:meeting", args=[meeting.pk])
        whose = f"An MDT action from the meeting you chaired on {meeting.starts_at:%-d %B}"
    else:
        return None
    title = {
        ASSIGNED: f"{whose} was agreed: due {due}",
        DUE_SOON: f"{whose} is due on {due}",
        OVERDUE: f"{whose} is overdue: it was due {due}",
    }[kind]
    if kind == ASSIGNED and action.pk in owned:
        title = f"An MDT action was assigned to you: due {due}"
    return notify(
        user=user,
        kind=kind,
        key=f"action:{action.pk}",
        due=today if kind == ASSIGNED else action.due_on,
        title=title,
        url=url,
    )


def action_assigned_notify(*, action, by):
    """In the action's transaction: its owner and the chair, except whoever agreed it."""
    action = Action.objects.select_related("owner", "agenda_item__meeting__chair").get(pk=action.pk)
    today = timezone.localdate()
    for user in _recipients(action):
        if by is not None and user.pk == by.pk:
            continue
        owned, chaired = _visible(user, [action])
        _tell(user=user, action=action, kind=ASSIGNED, owned=owned, chaired=chaired, today=today)


def mdt_actions_sweep(*, today):
    """Open actions due within two days, and overdue ones, told once per due date."""
    actions = (
        Action.objects.open()
        .filter(due_on__lte=today + timedelta(days=DUE_SOON_DAYS))
        .select_related("owner", "agenda_item__meeting__chair")
    )
    by_user = defaultdict(list)
    users = {}
    for action in actions:
        for user in _recipients(action):
            by_user[user.pk].append(action)
            users[user.pk] = user
    made = 0
    for pk, theirs in by_user.items():
        user = users[pk]
        owned, chaired = _visible(user, theirs)
        for action in theirs:
            kind = OVERDUE if action.due_on < today else DUE_SOON
            made += bool(
                _tell(
                    user=user, action=action, kind=kind, owned=owned, chaired=chaired, today=today
                )
            )
    return made
