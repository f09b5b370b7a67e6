from django import template

from mdt.models import Action
from mdt.selectors import actions_owned_by, referrals_waiting

register = template.Library()


@register.inclusion_tag("mdt/person_panel.html", takes_context=True)
def mdt_panel(context, person):
    """The MDT panel on the person page, for team staff: open actions with owners and any MDT
    referral waiting. One query: the person page's own query counted the referrals waiting."""
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
        "waiting": referrals_waiting(person),
    }


@register.inclusion_tag("mdt/caseload_actions.html", takes_context=True)
def my_mdt_actions(context):
    """The MDT actions the signed-in worker owns, for My caseload. One query."""
    request = context["request"]
    return {"actions": list(actions_owned_by(request.user)), "request": request}
