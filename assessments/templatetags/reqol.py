from django import template

from assessments.reqol.selectors import person_panel
from assessments.reqol.services import UNAVAILABLE

register = template.Library()


@register.inclusion_tag("assessments/person_panels.html#reqol_panel", takes_context=True)
def reqol_summary(context, person):
    """The ReQoL-10 card on the person page: the latest total, or why it can't be recorded
    yet. No query of its own: the person page's query carries it (reqol.selectors)."""
    user = context["request"].user
    return {
        "person": person,
        "panel": person_panel(person),
        "unavailable": UNAVAILABLE,
        "can_record": user.can_record_outcomes and any(e.is_open for e in person.episodes.all()),
    }
