from django import template

from appointments.selectors import my_week_shown, person_appointments

register = template.Library()


@register.inclusion_tag("appointments/panels.html#caseload_panel", takes_context=True)
def my_appointments(context):
    """My caseload's appointments: the signed-in worker's today and this week. One query, of
    the columns the panel shows, compiled once a day per kind of user (ADR 0043)."""
    return {"week": my_week_shown(context["request"].user)}


@register.inclusion_tag("appointments/panels.html#person_panel", takes_context=True)
def appointments_panel(context, person):
    """The person page's appointments: upcoming and recent; booked by those who work with the
    person. One query."""
    user = context["request"].user
    return {
        "person": person,
        "appointments": person_appointments(person, user),
        "can_book": user.can_book_appointments,
    }
