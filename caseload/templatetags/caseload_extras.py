"""Small words for dates and numbers on the caseload pages."""

from datetime import datetime
from html import escape

from django import template
from django.template.defaultfilters import date, linebreaksbr, pluralize
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.safestring import mark_safe

from caseload import capacity
from caseload.models import ContactKind, Episode, RiskFlag
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


# My caseload's rows, the same way (ADR 0040, docs/performance.md "My caseload's rows without
# the template engine"): through `{% partialdef row %}` each row cost about 0.5 ms, the largest
# part of the page's Python. Written here, the markup is the bytes of
# `caseload/my_caseload.html#row_markup`, which stays as the reference (and still draws a row
# with its quick contact form open): tests/caseload/test_caseload_rows.py compares the two for
# every kind of row, hostile values included. A change to a row's markup is made in both.
_PAUSED = '<span class="badge text-bg-warning">Paused</span>'
_DA_HIGH = '<span class="badge text-bg-danger">Domestic abuse: high risk</span>'
_LATE = ' class="badge text-bg-warning fs-6"'
_LOGGED = '<p class="text-success fw-semibold mb-0 mt-2">✔ Contact logged.</p>'
_NO_NDT_LINES = "\n      "  # no change, no review due: what `{% ndt_row_lines %}` gives


def _safe_contact_badge(person):
    """What `components/safe_contact.html#badge` draws, through `{% include %}`."""
    routes = person.unsafe_routes
    present = person.abuser_may_be_present == "yes"
    if not (routes or person.safe_time or person.code_word or present):
        return "\n\n"
    words = ", ".join(escape(str(route)) for route in routes)
    if present:
        words += ("; " if routes else "") + "the abuser may be present"
    if person.safe_time:
        words += ("; " if routes or present else "") + f"safe time: {escape(person.safe_time)}"
    if person.code_word:
        words += "; code word agreed"
    return (
        '\n\n<span class="badge text-bg-warning text-wrap text-start safe-contact-badge">'
        f"Safe contact: {words}</span>\n\n"
    )


class _RowPage:
    """What every row of one drawing shares: today, the CSRF field (read only when a row has
    a form, as `{% csrf_token %}` reads it) and the risk flags' labels."""

    def __init__(self, context):
        self.today = timezone.localdate()
        self._context = context
        self._csrf = None
        self.flags = dict(RiskFlag.choices)

    @property
    def csrf(self):
        if self._csrf is None:
            token = self._context.get("csrf_token")
            self._csrf = (
                ""
                if not token or token == "NOTPROVIDED"
                else f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(str(token))}">'
            )
        return self._csrf

    def days_ago(self, value):
        days = (self.today - _day(value)).days
        if days <= 0:
            return "today"
        return "yesterday" if days == 1 else f"{days} days ago"


def _row(page, person, ndt_lines, saved):
    """One row of My caseload without its quick contact form: `my_caseload.html#row_markup`
    with `contact_form` empty."""
    hexid = person.pk.hex
    name = escape(str(person))
    flags = "".join(
        f'<span class="badge text-bg-danger me-1">{escape(str(page.flags.get(flag, flag)))}</span>'
        for flag in person.risk_flags or []
    )
    log_url = escape(id_url("caseload:contact_new", person.pk))
    made = person.last_contact_at
    if made:
        late = _LATE if (page.today - _day(made)).days > 13 else ""
        kind = escape(str(contact_kind(person.last_contact_kind)).lower())
        last = f"<strong{late}>{page.days_ago(made)}</strong> · {kind}"
    else:
        last = "<strong>none yet</strong>"
    attempt = person.last_attempt_at
    tried = (
        '<br><span class="text-body-secondary">Tried to reach them '
        f"{page.days_ago(attempt)}.</span>"
        if attempt is not None and (made is None or attempt > made)
        else ""
    )
    action = person.next_action
    if action:
        action = escape(str(action))
        due = person.next_action_due
        if due:
            state = "overdue" if due < page.today else "due today" if due == page.today else ""
            badge = "text-bg-danger" if state == "overdue" else "text-bg-warning"
            due = f" · due {escape(date(due, 'j M'))}" + (
                f' <span class="badge {badge}">{state}</span>' if state else ""
            )
        else:
            due = ""
        done_url = escape(id_url("caseload:follow_up_done", person.pk, person.next_action_id))
        next_action = (
            f"\n          {action}{due}\n          \n"
            f'          <form method="post" action="{done_url}" class="d-inline"\n'
            f'                hx-post="{done_url}" hx-target="#row-{hexid}" hx-swap="outerHTML">\n'
            f'            {page.csrf}<input type="hidden" name="from" value="caseload">\n'
            '            <button type="submit" class="btn btn-outline-secondary btn-sm ms-1">'
            f'Mark done<span class="visually-hidden">: {action}</span></button>\n'
            "          </form>\n        "
        )
    else:
        next_action = '<span class="text-body-secondary">none planned</span>'
    marac = getattr(person, "open_marac_actions", None)
    marac = f"\n      <li>Open MARAC actions: {marac}</li>\n      " if marac else ""
    mdt = getattr(person, "open_mdt_actions", None)
    if mdt:
        overdue = getattr(person, "overdue_mdt_actions", None)
        overdue = f' <span class="badge text-bg-danger">{overdue} overdue</span>' if overdue else ""
        mdt = f"\n      <li>Open MDT actions: {mdt}{overdue}</li>\n      "
    else:
        mdt = ""
    paused = _PAUSED if person.episode_status == "paused" else ""
    da_high = _DA_HIGH if getattr(person, "da_risk_level", None) == "high" else ""
    return (
        f'\n<li class="card mb-3 caseload-row" id="row-{hexid}">\n  <div class="card-body">\n'
        '    <div class="d-flex flex-wrap justify-content-between align-items-start gap-2">\n'
        "      <div>\n"
        f'        <h2 class="h5 mb-1"><a href="{escape(id_url("caseload:person_detail", person.pk))}">'
        f"{name}</a></h2>\n"
        f"        {paused}\n        {flags}\n        {_safe_contact_badge(person)}\n"
        f"        {da_high}\n      </div>\n      \n        \n"
        f'        <a class="btn btn-primary btn-touch" href="{log_url}?from=caseload"\n'
        f'           hx-get="{log_url}?from=caseload" hx-target="#row-{hexid}"'
        f' hx-swap="outerHTML"{" autofocus" if saved else ""}>Log contact'
        f'<span class="visually-hidden"> with {name}</span></a>\n      \n    </div>\n'
        '    <ul class="list-unstyled mb-0 mt-2 caseload-facts">\n'
        '      <li class="last-contact">\n        \n        \n'
        f"        Last contact: {last}\n        \n        {tried}\n      </li>\n"
        '      <li class="next-action">\n        Next action:\n'
        f"        {next_action}\n      </li>\n"
        f"      \n      \n      {(ndt_lines or {}).get(person.pk, _NO_NDT_LINES)}\n"
        f"      {marac}\n      {mdt}\n    </ul>\n"
        f"    {_LOGGED if saved else ''}\n    \n  </div>\n</li>\n"
        + (
            '<div id="page-status" class="visually-hidden" role="status" aria-live="polite"'
            f' hx-swap-oob="true">Contact with {name} logged.</div>'
            if saved
            else ""
        )
        + "\n"
    )


@register.simple_tag(takes_context=True)
def caseload_rows(context, people, ndt_lines=None):
    """My caseload's rows for a page of people, each as `{% for %}` drew the inline partial
    (a newline either side); `ndt_lines` is each row's NDT lines by person id, from
    `assessments`' `{% ndt_row_lines %}`."""
    page = _RowPage(context)
    return mark_safe(  # noqa: S308 - every value in a row is escaped
        "".join(f"\n{_row(page, person, ndt_lines, False)}\n" for person in people)
    )


@register.simple_tag(takes_context=True)
def caseload_row(context, person, ndt_lines=None, saved=False):
    """One row as `{% partial row_markup %}` draws it without a form: the answer to a contact
    logged, to "Cancel" and to "Mark done"."""
    return mark_safe(_row(_RowPage(context), person, ndt_lines, saved))  # noqa: S308 - escaped


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
