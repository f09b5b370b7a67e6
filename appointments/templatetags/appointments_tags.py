from html import escape

from django import template
from django.utils.safestring import mark_safe

from appointments.selectors import my_week_shown, person_appointments
from smd.links import id_url
from smd.markup import day_and_time, shown

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


# The person page's appointments, as list items: a reversed URL, a date and a few values each,
# and for the recent ones the status badge (appointments/detail.html#status). Written here,
# byte for byte what the template gave (ADR 0047, as ADR 0040's rows).
_STATUS_BADGES = {
    "booked": '<span class="badge text-bg-primary">Booked</span>',
    "attended": '<span class="badge text-bg-success">Attended</span>',
    "not_attended": '<span class="badge text-bg-warning">Did not attend</span>',
}
_OTHER_STATUS = '<span class="badge text-bg-secondary">Cancelled</span>'


@register.simple_tag(takes_context=True)
def upcoming_rows(context, appointments):
    rows = []
    for a in appointments:
        rows.append(
            '\n        <li class="mb-2 text-break"><a href="'
            f'{escape(id_url("appointments:detail", a.pk))}">'
            f'{day_and_time(a.starts_at, "D j M Y", context)}</a>\n          <span class="d-block'
            f' small text-body-secondary">{shown(a.get_kind_display(), context)} ·'
            f" {shown(a.place, context)} · with {shown(a.worker, context)}</span></li>\n      "
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


@register.simple_tag(takes_context=True)
def recent_rows(context, appointments):
    rows = []
    for a in appointments:
        rows.append(
            '\n        <li class="mb-1 text-break"><a href="'
            f'{escape(id_url("appointments:detail", a.pk))}">'
            f"{day_and_time(a.starts_at, 'j M Y', context)}</a> · "
            f"{_STATUS_BADGES.get(a.status, _OTHER_STATUS)}</li>\n      "
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped
