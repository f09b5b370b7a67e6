"""The person page's plan and outcomes cards, and money in pounds."""

from decimal import Decimal

from django import template

from caseload.models import AccommodationStatus
from caseload.outcomes import selectors

register = template.Library()


@register.filter
def pounds(value):
    """Decimal('1250.5') -> "£1,250.50"; a negative amount gets a real minus sign."""
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"))
    sign = "−" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


@register.inclusion_tag("caseload/person_detail.html#outcomes_cards", takes_context=True)
def outcomes_cards(context, person):
    """Support plan, where they live, and budget and Outcomes Star, for the person page: one
    query (selectors.person_outcomes)."""
    summary = selectors.person_outcomes(person)
    return {
        "person": person,
        "user": context["request"].user,
        "s": summary,
        "home": AccommodationStatus(summary["home_status"]).label
        if summary["home_status"]
        else None,
    }


@register.inclusion_tag("caseload/person_detail.html#events_panel", takes_context=True)
def events_card(context, person):
    """The events card with this quarter's counts: one query."""
    return {
        **selectors.events_panel(person, context["request"].user),
        "person": person,
        "user": context["request"].user,
    }
