from html import escape

from django import forms, template
from django.template.defaultfilters import date
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

from mdt.models import Action
from mdt.selectors import actions_owned_by, person_open_actions, referrals_waiting
from smd.links import id_url
from smd.prepared import ScopedQuery

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
        "actions": person_open_actions(person, user),
        "waiting": referrals_waiting(person),
    }


# Built and compiled once per process, day and kind of user; the user's ids are filled in at
# each run (ADR 0043).
_my_mdt_actions = ScopedQuery(
    Action,
    lambda user: (
        actions_owned_by(user)
        .select_related(None)
        .select_related("person", "owner_organisation", "agenda_item")
        .only(*CASELOAD_ACTION_FIELDS, "agenda_item__id")
    ),
)


@register.inclusion_tag("mdt/caseload_actions.html", takes_context=True)
def my_mdt_actions(context):
    """The MDT actions the signed-in worker owns, for My caseload. One query, of the columns
    `components/action.html` shows: the owner is the worker, so is not read again, and the
    case's address needs only its id, not its meeting."""
    request = context["request"]
    user = request.user
    actions = _my_mdt_actions.rows(user)
    for action in actions:
        action.owner = user
    return {"actions": actions, "request": request}


@register.simple_tag(takes_context=True)
def caseload_action_items(context, actions):
    """My caseload's MDT actions as list items: what `components/action.html` draws for each
    with `show_person` and no form sent back, the same bytes, written here rather than through
    the template once per action (ADR 0040's way; about 0.3 ms an action through the template).
    A change to that template's markup is made here too:
    tests/mdt/test_caseload_action_items.py compares the two for open, overdue, done and
    hostile actions."""
    return _action_items(context, actions, show_person=True)


@register.simple_tag(takes_context=True)
def action_items(context, actions):
    """A case's MDT actions as list items, for the live screen: what `components/action.html`
    draws for each without `show_person` and with no form sent back, the same bytes
    (`caseload_action_items`' way; tests/mdt/test_caseload_action_items.py compares them)."""
    return _action_items(context, actions, show_person=False)


def _action_items(context, actions, *, show_person):
    csrf = _csrf_input(context)
    next_url = escape(context["request"].get_full_path())
    person_field = (
        '      <input type="hidden" name="show_person" value="1">\n' if show_person else "      \n"
    )
    items = []
    for action in actions:
        pk = str(action.pk)
        update_url = escape(id_url("mdt:action_update", action.pk))
        description = escape(str(action.description))
        if show_person:
            case_url = escape(action.agenda_item.get_absolute_url())
            whose = (
                f' <span class="small">for <a href="{case_url}">'
                f"{escape(str(action.person))}</a></span>"
            )
        else:
            whose = ""
        due = escape(date(action.due_on, "j M Y"))
        if action.is_done:
            state = (
                '· <span class="badge text-bg-success">Done '
                f"{escape(date(template_localtime(action.done_at), 'j M'))}</span>"
            )
        elif action.is_overdue():
            state = '· <span class="badge text-bg-danger">Overdue</span>'
        else:
            state = ""
        progress = (
            f'<br><span class="small">Progress: {escape(str(action.progress_note))}</span>'
            if action.progress_note
            else ""
        )
        hidden = (
            f"      {csrf}\n"
            f'      <input type="hidden" name="next" value="{next_url}">\n'
            f'      <input type="hidden" name="version" value="{escape(action.version_token)}">\n'
            f"{person_field}"
        )
        if action.is_done:
            button = (
                '<input type="hidden" name="done" value="0"><button type="submit" class="btn'
                f' btn-link btn-sm p-0">Reopen<span class="visually-hidden">: {description}'
                "</span></button>"
            )
        else:
            button = (
                '<input type="hidden" name="done" value="1"><button type="submit" class="btn'
                f' btn-success btn-sm">Mark done<span class="visually-hidden">: {description}'
                "</span></button>"
            )
        note = ""
        if not action.is_done:
            note = (
                f'\n    <form method="post" action="{update_url}" hx-post="{update_url}"'
                f' hx-target="#action-{pk}" hx-swap="outerHTML" class="d-flex flex-wrap'
                f' align-items-end gap-1">\n{hidden}'
                f'      <label class="visually-hidden" for="progress-{pk}">Progress note on'
                f" “{description}”</label>\n"
                '      <input type="text" class="form-control form-control-sm"'
                f' id="progress-{pk}" name="progress_note" maxlength="500"'
                f' placeholder="Progress note" value="{escape(str(action.progress_note))}">\n'
                '      <button type="submit" class="btn btn-outline-secondary btn-sm">Save note'
                "</button>\n    </form>\n    "
            )
        items.append(
            f'\n\n<li class="border rounded p-2 mb-2" id="action-{pk}">\n'
            f"  <strong>{description}</strong>{whose}<br>\n"
            f'  <span class="small">{escape(str(action.owner))}'
            f" ({escape(str(action.owner_organisation))}) · due {due}\n"
            f"  {state}</span>\n"
            f"  {progress}\n"
            "  \n"
            '  <div class="d-flex flex-wrap align-items-end gap-2 mt-1">\n'
            f'    <form method="post" action="{update_url}" hx-post="{update_url}"'
            f' hx-target="#action-{pk}" hx-swap="outerHTML">\n{hidden}'
            f"      \n        {button}\n      \n"
            "    </form>\n"
            f"    {note}\n"
            "  </div>\n</li>\n"
        )
    return mark_safe("".join(items))  # noqa: S308 - every value above is escaped


@register.simple_tag
def live_agenda_items(agenda, current=None):
    """The live screen's agenda as list items, `current` (an agenda item, or None) marked: what
    its `{% for item in agenda %}` loop in mdt/live.html drew, the same bytes, written here
    rather than through the template once per case (ADR 0040's way). A change to that markup
    is made here: tests/mdt/test_caseload_action_items.py compares the two."""
    current_pk = getattr(current, "pk", None)  # the template gives "" for no summary
    items = []
    for item in agenda:
        pk = str(item.pk)
        now = current_pk is not None and item.pk == current_pk
        outcome = f" · {escape(str(item.get_outcome_display()))}" if item.outcome else ""
        if not item.sharing_in_force:
            sharing = (
                '<span class="badge text-bg-danger">No sharing agreement in force: do not '
                "discuss with partners</span>"
            )
        elif item.not_shared_with:
            names = ", ".join(escape(str(org)) for org in item.not_shared_with)
            sharing = (
                f'<span class="small d-block text-danger-emphasis">Not shared with: {names}</span>'
            )
        else:
            sharing = ""
        items.append(
            '\n        <li class="list-group-item'
            + (
                " list-group-item-primary fw-semibold border-start border-4 border-primary"
                if now
                else ""
            )
            + f'">\n          <a href="?case={pk}"'
            + (' aria-current="step" class="link-body-emphasis"' if now else "")
            + f">{escape(str(item.person))}</a>\n"
            f'          <span class="small d-block">{escape(str(item.get_kind_display()))} · '
            f"{escape(localize(item.minutes))} min{outcome}</span>\n"
            f"          {sharing}\n        </li>\n      "
        )
    return mark_safe("".join(items))  # noqa: S308 - every value above is escaped


def _csrf_input(context):
    """What `{% csrf_token %}` writes in this context."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":
        return ""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


@register.simple_tag
def plain_field(bound, **attrs):
    """A form field in Bootstrap 5's markup, written here rather than through a template per
    field and per option: its label, control, error and help text, tied together with
    aria-describedby and aria-invalid. The live screen's forms, where rendering each field
    through templates was a third of the page's time. `attrs` go on the control."""
    widget = bound.field.widget
    errors = bound.errors
    field_id = bound.auto_id
    described = [f"{field_id}_error"] if errors else []
    if bound.help_text:
        described.append(f"{field_id}_helptext")
    error_html = (
        format_html(
            '<div id="{}_error" class="invalid-feedback d-block">{}</div>',
            field_id,
            " ".join(str(error) for error in errors),
        )
        if errors
        else ""
    )
    help_html = (
        format_html('<div id="{}_helptext" class="form-text">{}</div>', field_id, bound.help_text)
        if bound.help_text
        else ""
    )
    if isinstance(widget, forms.RadioSelect):
        return _radios(bound, described, error_html, help_html)
    css = "form-select" if isinstance(widget, forms.Select) else "form-control"
    control_attrs = {"class": f"{css} is-invalid" if errors else css}
    if described:
        control_attrs["aria-describedby"] = " ".join(described)
    if errors:
        control_attrs["aria-invalid"] = "true"
    # hx_get=... in a template is hx-get on the control.
    control_attrs.update({name.replace("_", "-"): value for name, value in attrs.items()})
    return format_html(
        '<div id="div_{}" class="mb-3"><label for="{}" class="form-label">{}</label>{}{}{}</div>',
        field_id,
        bound.id_for_label,
        bound.label,
        bound.as_widget(attrs=control_attrs),
        error_html,
        help_html,
    )


def _radios(bound, described, error_html, help_html):
    """A radio group: a fieldset whose legend is the question, one form-check per choice."""
    value = bound.value()
    chosen = "" if value is None else str(value)
    field_id = bound.auto_id
    extra = mark_safe(' aria-invalid="true"') if bound.errors else ""  # noqa: S308
    if described:
        extra += format_html(' aria-describedby="{}"', " ".join(described))
    radios = format_html_join(
        "",
        '<div class="form-check"><input type="radio" class="form-check-input" name="{}" '
        'value="{}" id="{}_{}"{}{}><label for="{}_{}" class="form-check-label">{}</label></div>',
        (
            (
                bound.html_name,
                option,
                field_id,
                n,
                mark_safe(" checked") if str(option) == chosen else "",  # noqa: S308
                extra,
                field_id,
                n,
                label,
            )
            for n, (option, label) in enumerate(bound.field.choices)
        ),
    )
    return format_html(
        '<div id="div_{}" class="mb-3"><fieldset><legend class="form-label fs-6">{}</legend>'
        "{}</fieldset>{}{}</div>",
        field_id,
        bound.label,
        radios,
        error_html,
        help_html,
    )


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
