from django import template

from domestic_abuse.models import MaracAction
from domestic_abuse.selectors import case_summary, marac_actions_owned_by, person_summary
from mdt.templatetags.mdt_tags import CASELOAD_ACTION_FIELDS
from smd.prepared import ScopedQuery

register = template.Library()

# What a MARAC action on My caseload shows: what an MDT action there shows, less the progress
# note, which a MARAC action does not have.
CASELOAD_MARAC_ACTION_FIELDS = tuple(f for f in CASELOAD_ACTION_FIELDS if f != "progress_note")

# Built and compiled once per process, day and kind of user; the user's ids are filled in at
# each run (ADR 0043).
_my_marac_actions = ScopedQuery(
    MaracAction,
    lambda user: (
        marac_actions_owned_by(user)
        .select_related(None)
        .select_related("person", "owner_organisation")
        .only(*CASELOAD_MARAC_ACTION_FIELDS)
    ),
)


@register.inclusion_tag("domestic_abuse/panels.html#person_panel", takes_context=True)
def domestic_abuse_panel(context, person):
    """The domestic-abuse card on the person page: the current risk level, when the checklist
    is due again, and the MARAC status. No query: its values come with the person page's own
    (person_summary)."""
    user = context["request"].user
    return {
        "person": person,
        "can_record": user.can_assess_domestic_abuse,
        **person_summary(person, user),
    }


@register.inclusion_tag("domestic_abuse/panels.html#case_panel", takes_context=True)
def domestic_abuse_case_panel(context, item):
    """The risk level and MARAC status on an MDT case, for a partner only while the person's
    sharing lets their organisation be told."""
    summary = case_summary(item, context["request"].user)
    return {"show": summary is not None, **(summary or {})}


@register.inclusion_tag("domestic_abuse/panels.html#caseload_actions", takes_context=True)
def my_marac_actions(context):
    """The open MARAC actions the signed-in worker owns, for My caseload. One query, of the
    columns the action shows: the owner is the worker, so is not read again, nor the
    referral, which the action does not show."""
    request = context["request"]
    user = request.user
    actions = _my_marac_actions.rows(user)
    for action in actions:
        action.owner = user
    return {"actions": actions, "request": request}
