"""Small words for dates and numbers on the caseload pages."""

from datetime import datetime
from html import escape

from django import template
from django.template.defaultfilters import linebreaksbr, pluralize
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.safestring import mark_safe

from caseload import capacity
from caseload.models import ContactKind, Episode
from smd.links import id_url
from smd.markup import day, day_and_time, iso, shown
from smd.models import User

register = template.Library()


def _day(value):
    return timezone.localdate(value) if isinstance(value, datetime) else value


@register.filter
def days_since(value):
    """Whole days from a date or time to today; None when there is none."""
    if not value:
        return None
    return (timezone.localdate() - _day(value)).days


@register.filter
def days_ago(value):
    """ "today", "yesterday", "12 days ago"."""
    days = days_since(value)
    if days is None:
        return ""
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"


@register.filter
def due_state(due):
    """ "overdue" or "due today" for a due date, else ""."""
    if not due:
        return ""
    today = timezone.localdate()
    if due < today:
        return "overdue"
    if due == today:
        return "due today"
    return ""


@register.filter
def attempted_since_contact(person):
    """A later attempt to reach the person than the last contact made."""
    attempt = getattr(person, "last_attempt_at", None)
    made = getattr(person, "last_contact_at", None)
    return attempt is not None and (made is None or attempt > made)


@register.filter
def places(value):
    return capacity.places(value)


@register.filter
def minutes(value):
    """75 -> "1 h 15 min"."""
    if value is None:
        return ""
    hours, mins = divmod(int(value), 60)
    if not hours:
        return f"{mins} min"
    return f"{hours} h {mins} min" if mins else f"{hours} h"


@register.filter
def contact_kind(value):
    """The label of a contact type held as a code (from a query annotation)."""
    return ContactKind(value).label if value in ContactKind.values else ""


# Team capacity's rows: fifty people waiting and fifty workers of each role on a page, each row a
# dozen values. Drawn through the template engine they were over a third of the page's time
# (about 90 microseconds a row); written here they cost a fifth of that. The markup is the
# template's as it was, byte for byte (ADR 0040). Every value goes through the standard
# library's escape (the same five characters as Django's), as LongSelect's options do.
_NOT_ACTIVE = ' <span class="badge text-bg-secondary">Not active: hand over</span>'


def _labels(model, field):
    """A choice field's labels by value, as the model's get_FOO_display finds them."""
    return dict(model._meta.get_field(field).flatchoices)


def _display(labels, value):
    """What get_FOO_display gives for `value`, from `_labels`."""
    return force_str(labels.get(value, value), strings_only=True)


@register.simple_tag
def waiting_rows(episodes, user):
    """The people waiting on a page of team capacity, as list items (each a
    caseload.selectors.WaitingRow: the episode with its person's id and name)."""
    can_allocate = user.can_allocate
    # Once a page, not once a row: today, the statuses' labels (what get_status_display looks
    # up, a dict it builds on every call) and the two URL patterns (smd.links.id_url).
    today = timezone.localdate()
    statuses = _labels(Episode, "status")
    rows = []
    for episode in episodes:
        person = episode.person  # the person's id
        name = escape(str(episode))  # the person's name
        days = (today - _day(episode.accepted_on)).days
        allocate = (
            f'<a class="btn btn-primary btn-sm" href="'
            f'{escape(id_url("caseload:allocate", person))}">Allocate'
            f'<span class="visually-hidden"> {name}</span></a>'
            if can_allocate
            else ""
        )
        rows.append(
            "\n    <li"
            ' class="list-group-item d-flex flex-wrap justify-content-between align-items-center'
            ' gap-2">\n      <div>\n'
            f'        <a href="{escape(id_url("caseload:person_detail", person))}">{name}</a>\n'
            f'        <br><span class="small">Waiting {days} day{pluralize(days)}'
            f" · {escape(_display(statuses, episode.status))}</span>\n      </div>\n"
            f"      {allocate}\n    </li>\n    "
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


@register.simple_tag
def worker_rows(loads, role):
    """A page of a role's workers on team capacity, as table rows: each worker's load
    (caseload.capacity.Load) against capacity, words first, the bar only repeating them."""
    specialisms = _labels(User, "specialism")  # once a page, as in waiting_rows
    rows = []
    for item in loads:
        worker = item.worker
        languages = escape(worker.languages or "—")
        if role == "navigator":
            # No specialism is "—", as no languages is: not the empty choice's label, "None".
            specialism = (
                escape(_display(specialisms, worker.specialism)) if worker.specialism else "—"
            )
            cells = (
                f'\n        <td data-label="Specialism">{specialism}</td>'
                f'\n        <td data-label="FTE">{places(worker.fte)}</td>'
                f'\n        <td data-label="Languages">{languages}</td>'
            )
        else:
            cells = (
                f'\n        <td data-label="Planned hours a week">{places(worker.planned_hours)}'
                f'</td>\n        <td data-label="Languages">{languages}</td>'
            )
        over = item.over
        free = places(item.free)
        if over:
            free = f'<span class="badge text-bg-danger">Over by {free.replace("-", "")}</span>'
        bar = " bg-danger" if over else " bg-warning" if item.full else ""
        rows.append(
            f"\n      <tr>\n        <td>{escape(str(worker))}"
            f"{'' if worker.is_active else _NOT_ACTIVE}</td>{cells}"
            f'\n        <td data-label="Caseload">\n<span class="text-nowrap">{item.load} of'
            f" {places(item.capacity)}</span>"
            f'\n<div class="progress load-bar" aria-hidden="true"><div class="progress-bar{bar}"'
            f' style="width: {item.percent}%"></div></div>\n</td>'
            f'\n        <td data-label="Free">{free}</td>\n      </tr>\n    '
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


# The person page's timeline: twenty entries a page, each a list item with its time and the
# entry's own template. Through the template engine the loop and the contacts' template were
# the largest part of the page's drawing (docs/performance.md); written here, byte for byte
# what the templates gave (ADR 0040). Kinds without a writer below still render their own
# template, as `{% include entry.template with obj=entry.obj %}` did.
def _contact_entry(contact, context):
    """caseload/timeline/contact.html."""
    display = contact.get_kind_display()
    kind = escape(display)
    out = [
        f"\n<div><strong>{kind}</strong> · {escape(minutes(contact.duration_minutes))}"
        f" · {shown(contact.author, context)}"
    ]
    if not contact.with_person:
        out.append(' · <span class="text-body-secondary">without the person</span>')
    if contact.edited_at:
        out.append(' · <span class="text-body-secondary">edited</span>')
    out.append(f'</div>\n<p class="mb-1">{linebreaksbr(contact.summary, autoescape=True)}</p>\n')
    agencies = contact.agency_names
    if agencies:
        out.append(f'<div class="small">With: {", ".join(escape(str(a)) for a in agencies)}</div>')
    out.append("\n")
    if contact.topics:
        badges = "".join(
            f'<span class="badge text-bg-light border me-1">{escape(str(topic))}</span>'
            for topic in contact.get_topics_display()
        )
        out.append(f'<div class="small">{badges}</div>')
    out.append("\n")
    if contact.follow_up_action:
        out.append(f'<div class="small">Next action: {escape(contact.follow_up_action)}')
        if contact.follow_up_due:
            out.append(f", due {day(contact.follow_up_due, 'j M Y', context)}")
        if contact.follow_up_done_at:
            out.append(" — done")
        out.append("</div>")
    out.append(
        f'\n<a href="{escape(contact.get_absolute_url())}" class="small">Contact details'
        f'<span class="visually-hidden"> for {escape(display.lower())} on '
        f"{day_and_time(contact.occurred_at, 'j M Y', context)}</span></a>\n"
    )
    return "".join(out)


_ENTRY_WRITERS = {"caseload/timeline/contact.html": _contact_entry}


@register.simple_tag(takes_context=True)
def timeline_entries(context, page, kind):
    """The list items of a page of the person's timeline (caseload.timeline.Entry), or the
    line saying there is nothing yet."""
    entries = list(page)
    if not entries:
        of_kind = " of this kind" if kind else ""
        return mark_safe(f"\n      <li>Nothing recorded{of_kind} yet.</li>\n    ")  # noqa: S308
    rows = []
    for entry in entries:
        if entry.date_only:
            at = (
                f'<time datetime="{day(entry.at, "Y-m-d", context)}" class="small'
                f' text-body-secondary">{day(entry.at, "D j M Y", context)}</time>'
            )
        else:
            at = (
                f'<time datetime="{iso(entry.at, context)}" class="small'
                f' text-body-secondary">{day_and_time(entry.at, "D j M Y", context)}</time>'
            )
        writer = _ENTRY_WRITERS.get(entry.template)
        if writer is not None:
            body = writer(entry.obj, context)
        else:
            template = context.template.engine.get_template(entry.template)
            with context.push(obj=entry.obj):
                body = template.render(context)
        rows.append(
            f'\n      <li class="timeline-entry timeline-{shown(entry.kind, context)}">'
            f"\n        {at}\n        {body}\n      </li>\n    "
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped
