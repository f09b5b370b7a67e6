"""MDT actions in their owner's calendar feed (appointments.calendar), registered by
MdtConfig.ready(). Each names the person only by reference, never the action's words."""

from django.urls import reverse
from django.utils import timezone

from appointments import calendar
from appointments.models import person_reference
from mdt.models import Action


def actions_due(user, start, end):
    """The open actions the user owns, on their due date (today, when already overdue).
    One query."""
    today = timezone.localdate()
    actions = (
        Action.objects.open()
        .filter(owner=user, due_on__lte=end)
        .values("pk", "person_id", "agenda_item_id", "due_on")
    )
    items = []
    for a in actions:
        on = max(a["due_on"], today)
        if on < start:
            continue
        state = "overdue" if a["due_on"] < today else "due"
        items.append(
            calendar.Item(
                uid=f"mdt-action-{a['pk']}@smd",
                title=f"MDT action {state} · {person_reference(a['person_id'])}",
                start=on,
                path=reverse("mdt:case", args=[a["agenda_item_id"]]),
            )
        )
    return items
