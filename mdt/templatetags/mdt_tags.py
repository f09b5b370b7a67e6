from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from mdt.selectors import actions_owned_by, person_open_actions, referrals_waiting

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
