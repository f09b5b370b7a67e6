from django import template

from mdt.models import Action, MdtReferral
from mdt.selectors import actions_owned_by

register = template.Library()


@register.inclusion_tag("mdt/person_panel.html", takes_context=True)
def mdt_panel(context, person):
    """The MDT panel on the person page, for team staff: open actions with owners and any MDT
    referral waiting. Two queries."""
    user = context["request"].user
    if not user.in_team:
        return {"show": False}
    return {
        "show": True,
        "person": person,
        "actions": list(
            Action.objects.open()
            .filter(person=person)
            .select_related("owner", "owner_organisation")
            .order_by("due_on")
        ),
        "waiting": MdtReferral.objects.filter(
            person=person, status=MdtReferral.Status.PENDING
        ).count(),
    }


@register.inclusion_tag("mdt/caseload_actions.html", takes_context=True)
def my_mdt_actions(context):
    """The MDT actions the signed-in worker owns, for My caseload. One query, of the columns
    `components/action.html` shows: the owner is the worker, so is not read again, and the
    case's address needs only its id, not its meeting."""
    request = context["request"]
    user = request.user
    actions = list(
        actions_owned_by(user)
        .select_related(None)
        .select_related("person", "owner_organisation", "agenda_item")
        .only(*CASELOAD_ACTION_FIELDS, "agenda_item__id")
    )
    for action in actions:
        action.owner = user
    return {"actions": actions, "request": request}


# What an action on My caseload shows: its own facts, whose it is and who owns it (the owner's
# organisation by name).
CASELOAD_ACTION_FIELDS = (
    "description",
    "due_on",
    "done_at",
    "progress_note",
    "version",
    "owner",
    "person__first_name",
    "person__last_name",
    "person__known_as",
    "owner_organisation__name",
)
